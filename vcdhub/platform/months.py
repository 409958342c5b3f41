"""Calendar months, the unit police.uk publishes in ("YYYY-MM")."""

import datetime as dt
import re

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> dt.date:
    """'2017-04' -> date(2017, 4, 1); ValueError for anything else."""
    match = MONTH_RE.match(text)
    if not match:
        raise ValueError(f"not a month in YYYY-MM form: {text!r}")
    year = int(match.group(1))
    if not 1900 <= year <= 2100:
        raise ValueError(f"year out of range: {text!r}")
    return dt.date(year, int(match.group(2)), 1)


def format_month(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
