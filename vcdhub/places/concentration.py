"""Concentration of crime across areas, from the records: a thin adapter over vcdhub.stats.concentration."""

import datetime as dt

from vcdhub.crime.counts import LEVELS, count_by_area, covered_areas
from vcdhub.crime.models import Crime
from vcdhub.stats.concentration import Concentration


def concentration(crime_types: list[str], month_from: dt.date, month_to: dt.date, level: str, share: float,
                  areas: str = "covered") -> dict:
    """`areas="covered"` ranks only areas with any record in the period (areas the data covers, zero counts
    of these crime types included); `areas="all"` ranks every loaded area."""
    period = Crime.objects.filter(month__gte=month_from, month__lte=month_to)
    counts = count_by_area(period.filter(crime_type__in=crime_types), level)
    names = dict(LEVELS[level].objects.values_list("code", "name"))
    considered = set(names) if areas == "all" else covered_areas(period, level)
    model = Concentration(share=share).fit({code: counts.by_code.get(code, 0) for code in considered})
    placed_total = model.total_
    return {
        "level": level, "crime_types": crime_types, "from": month_from.strftime("%Y-%m"),
        "to": month_to.strftime("%Y-%m"), "share": share, "areas_considered": len(considered),
        "total": placed_total, "unplaced": counts.unplaced, "areas_needed": model.areas_needed_,
        "gini": model.gini_,
        "areas": [{"code": code, "name": names.get(code, code), "count": n, "cumulative_share": cum}
                  for code, n, cum in model.ranked_[:model.areas_needed_]],
    }
