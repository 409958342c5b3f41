"""Stop-and-search disproportionality from the records and population denominators.

Counts are aggregates (every record, as the map counts them); small groups are marked, never dropped.
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count

from vcdhub.crime.models import StopSearch
from vcdhub.equality.groups import (
    ARREST_OUTCOMES,
    NO_FIND_OUTCOMES,
    NOT_STATED,
    OFFICER_GROUPS,
    SELF_GROUPS,
    WEAPON_OBJECTS,
    borough_populations,
    force_populations,
    force_row_name,
    officer_group,
    self_group,
)
from vcdhub.platform.disclosure import open_records
from vcdhub.platform.months import format_month
from vcdhub.stats.disparity import DisparityTable, GroupCounts

SCHEMES = {"officer": ("officer_defined_ethnicity", officer_group, OFFICER_GROUPS),
           "self": ("self_defined_ethnicity", self_group, SELF_GROUPS)}


def _tallies(queryset, scheme: str):
    """Searches, arrests and finds by group, from grouped counts (no row-by-row loading)."""
    column, to_group, _ = SCHEMES[scheme]
    searches, arrests, finds = Counter(), Counter(), Counter()
    for value, outcome, n in queryset.order_by().values_list(column, "outcome").annotate(n=Count("pk")):
        group = to_group(value)
        searches[group] += n
        arrests[group] += n if outcome in ARREST_OUTCOMES else 0
        finds[group] += 0 if outcome in NO_FIND_OUTCOMES else n
    return searches, arrests, finds


def disparity(queryset, scheme: str, population: dict[str, int] | None, min_count: int = 10) -> dict:
    searches, arrests, finds = _tallies(queryset, scheme)
    groups = [GroupCounts(g, (population or {}).get(g), searches[g], arrests[g], finds[g])
              for g in SCHEMES[scheme][2]]
    table = DisparityTable(reference="White", min_count=min_count).fit(groups)
    return {"scheme": scheme, "rows": table.rows_, "not_stated": searches[NOT_STATED],
            "total": sum(searches.values())}


def equality_report(month_from: dt.date, month_to: dt.date, min_count: int = 10) -> dict:
    searches = open_records(StopSearch.objects.filter(month__gte=month_from, month__lte=month_to))
    forces = sorted(set(searches.values_list("force", flat=True).distinct()))
    force_pop, borough_pop = force_populations(), borough_populations()
    report = {"from": format_month(month_from), "to": format_month(month_to), "min_count": min_count,
              "forces": [], "boroughs": [], "objects": [], "trend": [], "coverage": []}
    for force in forces:
        rows = searches.filter(force=force)
        row_name = force_row_name(force, force_pop)
        entry = {"force": force, "population_row": row_name}
        for scheme in SCHEMES:
            entry[scheme] = disparity(rows, scheme, force_pop[row_name][scheme] if row_name else None, min_count)
        report["forces"].append(entry)
        placed = rows.filter(borough__isnull=False).values_list("borough__name").distinct()
        report["coverage"].append(
            f"{force}: {rows.count():,} searches, {rows.filter(borough__isnull=True).count():,} without a location "
            f"(counted for the force, not for a borough); boroughs with searches: "
            f"{', '.join(sorted(b for (b,) in placed)) or 'none'}. Force-wide rates assume every search in the force "
            "is loaded.")
        if not row_name:
            report["coverage"].append(f"{force}: no police-defined population row, so no force-wide rates.")
    by_borough = defaultdict(list)
    for code, name in searches.filter(borough__isnull=False).values_list("borough__code", "borough__name").distinct():
        by_borough[code].append(name)
    for code in sorted(by_borough):
        rows = searches.filter(borough__code=code)
        pop = borough_pop.get(code)
        report["boroughs"].append({"code": code, "name": by_borough[code][0],
                                   **{scheme: disparity(rows, scheme, pop[scheme] if pop else None, min_count)
                                      for scheme in SCHEMES}})
    weapons = searches.filter(object_of_search__in=WEAPON_OBJECTS)
    for label, subset in (("Weapons and firearms", weapons), ("Everything else", searches.exclude(
            object_of_search__in=WEAPON_OBJECTS))):
        for force in report["forces"]:
            pop = force_pop[force["population_row"]]["officer"] if force["population_row"] else None
            report["objects"].append({"object": label, "force": force["force"],
                                      **disparity(subset.filter(force=force["force"]), "officer", pop, min_count)})
    monthly = searches.order_by().values_list("month", "officer_defined_ethnicity").annotate(n=Count("pk"))
    trend = defaultdict(Counter)
    for month, value, n in monthly:
        trend[format_month(month)][officer_group(value)] += n
    # Monthly rates use the first force's denominators (one force is the usual case); None without them.
    first = report["forces"][0]["population_row"] if report["forces"] else None
    pop = force_pop[first]["officer"] if first else {}
    report["trend"] = [
        {"month": m, "counts": {g: trend[m][g] for g in OFFICER_GROUPS},
         "per_1000": {g: (trend[m][g] / pop[g] * 1000 if pop.get(g) else None) for g in OFFICER_GROUPS},
         "ratio_black_white": (trend[m]["Black"] / pop["Black"]) / (trend[m]["White"] / pop["White"])
         if pop and trend[m]["White"] else None}
        for m in sorted(trend)]
    return report
