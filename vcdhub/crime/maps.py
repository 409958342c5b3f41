"""The map's table: every area's figures as the map shows them, for anyone who cannot use the map, and for
everyone who wants the numbers: the count, the rate per 1,000 residents, the same months a year earlier and the
change, with its exact 95% interval (stats.rates.rate_ratio). Counted and protected exactly as the choropleth
is (crime.counts and platform.disclosure), so the table and the map never disagree."""

import math
from dataclasses import dataclass

from vcdhub.crime.compstat import add_months, span
from vcdhub.crime.counts import (
    LEVELS,
    count_by_area,
    counted_crimes,
    covered_areas,
    protect_counts,
    rates_per_thousand,
    shade,
    usable,
)
from vcdhub.crime.coverage import monthly_coverage
from vcdhub.geography.population import resident_population
from vcdhub.geography.shapes import area_outlines
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import format_month, month_range, parse_month
from vcdhub.stats.rates import rate_ratio

COVERAGE_FILTERS = ("month_from", "month_to", "force")


@dataclass
class AreaRow:
    code: str
    name: str
    covered: bool
    count: int | None
    rate: float | None
    previous: int | None
    change_text: str
    beyond_chance: bool | None
    legend: dict | None


def _counts(user, params, level):
    filterset, counted = counted_crimes(user, params)
    if not usable(filterset):
        return None, None
    counts = protect_counts(count_by_area(counted, level), Disclosure.for_user(user))
    period = params.copy()
    for name in list(period):
        if name not in COVERAGE_FILTERS:
            period.pop(name)
    return counts, covered_areas(counted_crimes(user, period)[1], level)


def year_earlier(params):
    """The same filter a year earlier, or None when the months cannot be shifted or are not loaded."""
    try:
        start, end = parse_month(params.get("month_from", "")), parse_month(params.get("month_to", ""))
    except ValueError:
        return None, ""
    before = params.copy()
    before["month_from"], before["month_to"] = format_month(add_months(start, -12)), format_month(add_months(end, -12))
    loaded = {c.month for c in monthly_coverage()}
    wanted = month_range(add_months(start, -12), add_months(end, -12))
    if not all(m in loaded for m in wanted) or not all(m in loaded for m in month_range(start, end)):
        return None, span(add_months(start, -12), add_months(end, -12))
    return before, span(add_months(start, -12), add_months(end, -12))


def area_table(user, params, level: str) -> dict | None:
    """The rows of the map's table, the legend, and what the earlier months were (or why there are none)."""
    if level not in LEVELS:
        level = "borough"
    counts, covered = _counts(user, params, level)
    if counts is None:
        return None
    boroughs = [code for code in params.getlist("borough") if code] or None
    outlines = [(code, name) for code, name, _ in area_outlines(LEVELS[level], boroughs)]
    values = {code: counts.by_code.get(code, 0) for code, _ in outlines}
    has_data = {code for code in values if code in covered or code in counts.by_code}
    shading = shade(values, has_data, counts.suppressed_below)
    population = resident_population(level, list(values))
    rates = rates_per_thousand(values, population)
    before_params, before_text = year_earlier(params)
    earlier = _counts(user, before_params, level)[0] if before_params is not None else None
    rows = []
    for code, name in outlines:
        count = values[code]
        previous = earlier.by_code.get(code, 0) if earlier is not None else None
        change, beyond = _change(count, previous, code in has_data)
        rows.append(AreaRow(code, name, code in has_data, count, rates[code] if code in has_data else None,
                            previous, change, beyond, shading.legend[shading.of[code]]
                            if shading.of.get(code) is not None else None))
    rows.sort(key=lambda r: (not r.covered, -(r.count or 0), r.name))
    return {"level": level, "rows": rows, "legend": shading.legend, "earlier": before_text,
            "earlier_loaded": earlier is not None, "total": counts.total, "unplaced": counts.unplaced,
            "perturbed": counts.perturbed, "suppressed_below": counts.suppressed_below}


def _change(count, previous, covered: bool) -> tuple[str, bool | None]:
    if not covered or count is None or previous is None:
        return "", None
    if count + previous == 0:
        return "none in either", None
    rr = rate_ratio(count, previous)
    beyond = not (rr.low <= 1 <= rr.high)
    if previous == 0:
        return "new: none a year earlier", beyond
    return f"{(rr.ratio - 1) * 100:+.1f}%" if math.isfinite(rr.ratio) else "", beyond
