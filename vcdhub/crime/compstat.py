"""CompStat comparisons for a filter: the latest month, the year to date and the last twelve months, each against
the same months a year earlier, with the change and its exact 95% interval (stats.rates.rate_ratio).

police.uk publishes whole months, so "the last 28 days" of a CompStat meeting is the latest month here. A
comparison whose earlier months hold no loaded records at all says "no data a year earlier", never a change;
months not loaded on either side are left out of both, so a gap in the data never reads as a fall in crime.

    series = monthly_series(user, request.GET)
    rows = comparisons(request.GET, window_total(series, Disclosure.for_user(user)), loaded_months)

Every window's count comes from one month-by-month series of the filter (one cached query) that holds each
month's count and the sum of its records' keys, not from a count of its own. A window's count and key sum are
the sums of its months', so for an aggregate-only reader the window is perturbed as one cell (cell key
perturbation: the same records give the same noise as counting the window directly), never as a sum of
perturbed months, and then withheld if small; its change is computed from the perturbed counts. Record readers
get exact sums.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from vcdhub.crime.counts import counted_crimes, usable
from vcdhub.crime.coverage import monthly_coverage
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import format_month, month_range
from vcdhub.stats.rates import rate_ratio

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Comparison:
    label: str  # "Latest month", "Year to date", "Last 12 months"
    current_months: str  # "2017-01..2017-12"
    previous_months: str
    current: int | None
    previous: int | None
    change_text: str  # "-12.3%", "new: none a year earlier", "no data a year earlier"
    interval_text: str  # "-20.1% to -4.0%", "at least +35.0%", ""
    beyond_chance: bool | None  # the interval excludes no change; None when there is no comparison
    note: str = ""


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def span(start: dt.date, end: dt.date) -> str:
    first, last = format_month(start), format_month(end)
    return first if first == last else f"{first}..{last}"


def anchor_month(params, loaded: list[dt.date]) -> dt.date | None:
    """The month the comparisons end at: the filter's last month, or the latest month loaded."""
    if not loaded:
        return None
    chosen = params.get("month_to") if params is not None else None
    if chosen:
        try:
            year, month = (int(part) for part in chosen.split("-"))
            wanted = dt.date(year, month, 1)
        except ValueError:
            return None
        return min(wanted, loaded[-1]) if wanted >= loaded[0] else None
    return loaded[-1]


def monthly_series(user, params) -> dict[dt.date, tuple[int, int]] | None:
    """{month: (count, sum of the records' keys)} of `user`'s filter with its month range left out (every month
    with any match), or None if the filter is invalid. The comparisons and the explorer's trend are read from
    this one series."""
    query = params.copy() if hasattr(params, "copy") else dict(params or {})
    for name in ("month_from", "month_to"):
        query.pop(name, None)
    filterset, counted = counted_crimes(user, query)
    return counted.keyed_by("month") if usable(filterset) else None


WindowTotal = Callable[[list[dt.date]], int | None]


def window_total(series: dict[dt.date, tuple[int, int]] | None, disclosure: Disclosure) -> WindowTotal | None:
    """A function giving the count of a list of months as `disclosure`'s reader may see it: exact, or
    perturbed as one cell and then withheld if small (None). None for an invalid filter."""
    if series is None:
        return None

    def total(months: list[dt.date]) -> int | None:
        count = sum(series.get(m, (0, 0))[0] for m in months)
        keys = sum(series.get(m, (0, 0))[1] for m in months)
        return disclosure.cell(disclosure.perturbed({None: count}, {None: keys})[None])

    return total


def comparisons(params, total: WindowTotal | None, loaded_months: list[dt.date] | None = None) -> list[Comparison]:
    """The three comparisons for a filter (`params`, whose month range gives only the anchor month), each
    window counted by `total` (window_total). `loaded_months`: the months with any record loaded, if the caller
    has them already."""
    months = sorted({c.month for c in monthly_coverage()}) if loaded_months is None else loaded_months
    end = anchor_month(params, months)
    if end is None:
        return []
    loaded = set(months)
    windows = (("Latest month", end, end),
               ("Year to date", dt.date(end.year, 1, 1), end),
               ("Last 12 months", add_months(end, -11), end))
    return [_compare(total, label, start, last, loaded) for label, start, last in windows]


def _compare(total: WindowTotal | None, label: str, start: dt.date, end: dt.date, loaded: set) -> Comparison:
    before_start, before_end = add_months(start, -12), add_months(end, -12)
    # Compare only months loaded on both sides: a month missing from either is no data, not zero crime.
    pairs = [(m, add_months(m, -12)) for m in month_range(start, end)]
    both = [(m, b) for m, b in pairs if m in loaded and b in loaded]
    now_text, before_text = span(start, end), span(before_start, before_end)
    if not any(m in loaded for m, _ in pairs):
        return Comparison(label, now_text, before_text, None, None, "no data loaded", "", None)
    if total is None:  # an invalid filter counts nothing
        return Comparison(label, now_text, before_text, None, None, "", "", None)
    if not both:
        return Comparison(label, now_text, before_text, total([m for m, _ in pairs]), None, "no data a year earlier",
                          "", None, f"no records are loaded for {before_text}")
    note = ""
    if len(both) < len(pairs):
        missing = [format_month(m) for m, _ in pairs if (m, add_months(m, -12)) not in both]
        note = f"compared over the months loaded in both years; left out: {', '.join(missing)}"
    current, previous = total([m for m, _ in both]), total([b for _, b in both])
    if current is None or previous is None:  # a withheld count gives no change either
        return Comparison(label, now_text, before_text, current, previous, "withheld", "", None,
                          "; ".join(filter(None, [note, "a small count is withheld, and so is its change"])))
    if current + previous == 0:
        return Comparison(label, now_text, before_text, 0, 0, "none in either", "", None, note)
    rr = rate_ratio(current, previous, 1.0, 1.0, CONFIDENCE)
    low = (rr.low - 1) * 100
    high = None if math.isinf(rr.high) else (rr.high - 1) * 100
    change = "new: none a year earlier" if previous == 0 else f"{(rr.ratio - 1) * 100:+.1f}%"
    interval = f"{low:+.1f}% to {high:+.1f}%" if high is not None else f"at least {low:+.1f}%"
    return Comparison(label, now_text, before_text, current, previous, change, interval,
                      not (rr.low <= 1 <= rr.high), note)
