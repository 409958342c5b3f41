"""CSV for downloads, streamed a line at a time. Cells a spreadsheet could run are made safe: text starting
with =, +, -, @, a tab or a carriage return is prefixed with a quote (OWASP's advice on CSV injection). Every
CSV download made for people to open goes through safe_cell."""

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number, such as a longitude "-0.118092", is data, not a formula: leave it as it is.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """Text a spreadsheet would run as a formula is prefixed with a quote; numbers are left as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value if not isinstance(value, float) or math.isfinite(value) else ""
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file that hands back what is written to it: csv.writer then yields lines, not a buffer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list], *, lineterminator: str = "\r\n") -> Iterator[str]:
    """Rows as CSV text, one line at a time, for a StreamingHttpResponse."""
    writer = csv.writer(_Echo(), lineterminator=lineterminator)
    for row in rows:
        yield writer.writerow(row)
