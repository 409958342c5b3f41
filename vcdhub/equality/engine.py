"""Stop-and-search disproportionality from the records and population denominators.

**Which searches, over which population.** A rate per 1,000 divides searches by the people of the area they
cover, so the two are decided together, force by force (`force_scope`):

- when the force's searches are loaded for every borough of its area in every month of the period, its tables
  count every search by the force (with or without a location) over the force's police-defined population;
- when only some boroughs have searches in every month (a file cut to some boroughs, a borough missing for some
  months), its tables count the searches placed in those boroughs over those boroughs' Census 2011 population,
  and say so; the searches left out (no location, a borough loaded for only some months) are counted and named;
- when no borough has searches in every month, or no search has a location, rates per head and the ratios
  worked out from them are withheld, with the reason.

A borough's own table follows the same rule: its rate is given only when it has searches in every month.
Whether a borough has searches in a month is judged from the searches counted, so a month of a borough that is
not loaded is never read as a month with no searches.

**Who sees what.** Counts go through the disclosure policy (platform.disclosure). Readers of records count the
open channel's searches (OFFICIAL) that they may see, exactly; small groups are marked, never dropped. For
aggregate-only readers each count is a cell perturbed by its records' keys (searches, arrests and finds of a
group, the not-stated and the total, each its own cell) before any rate, ratio or interval is worked out from
it; then small cells are withheld, and every rate or ratio resting on one (equality.published).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from vcdhub.crime.models import StopSearch
from vcdhub.equality.groups import (
    ARREST_OUTCOMES,
    NO_FIND_OUTCOMES,
    NOT_STATED,
    OFFICER_GROUPS,
    SELF_GROUPS,
    WEAPON_OBJECTS,
    borough_populations,
    force_area,
    force_populations,
    force_row_name,
    officer_group,
    self_group,
    summed,
)
from vcdhub.equality.published import publish_rows
from vcdhub.geography.models import Borough
from vcdhub.platform.disclosure import Disclosure, countable, open_records
from vcdhub.platform.months import format_month, month_range
from vcdhub.stats.disparity import DisparityTable, GroupCounts

SCHEMES = {"officer": ("officer_defined_ethnicity", officer_group, OFFICER_GROUPS),
           "self": ("self_defined_ethnicity", self_group, SELF_GROUPS)}
REFERENCE = "White"
EXACT = Disclosure()  # figures for readers of records


class Cells:
    """Counts of records with their key sums, added up into named cells, then shown as a disclosure allows:
    exact, or each cell perturbed by its own records' keys (a cell is never the sum of perturbed cells)."""

    def __init__(self):
        self.counts, self.keys = defaultdict(int), defaultdict(int)

    def add(self, cell, n: int, key_sum: int | None) -> None:
        self.counts[cell] += n
        self.keys[cell] += key_sum or 0

    def shown(self, disclosure: Disclosure) -> dict:
        """Every cell's count as this reader gets it, before small ones are withheld."""
        return disclosure.perturbed(dict(self.counts), dict(self.keys))


def _grouped(queryset: QuerySet, *fields: str):
    """(field values..., count, key sum) for each combination of `fields`: grouped counts, no rows loaded."""
    return queryset.order_by().values_list(*fields).annotate(n=Count("pk"), k=Sum("record_key"))


def period_text(start: dt.date, end: dt.date) -> str:
    first, last = format_month(start), format_month(end)
    return first if first == last else f"{first} to {last}"


def count_text(disclosure: Disclosure, n: int | None, noun: str) -> str:
    """'1,234 searches', or 'fewer than 5 searches' when the cell is withheld."""
    shown = disclosure.cell(n)
    if shown is None:
        return f"fewer than {disclosure.minimum} {noun}"
    return f"{shown:,} {noun[:-1] if shown == 1 and noun.endswith('s') else noun}"


# --- tables --------------------------------------------------------------------------------------------------------

def _add_tally(cells: Cells, prefix: tuple, scheme: str, value: str, outcome: str, n: int, k: int | None) -> None:
    group = SCHEMES[scheme][1](value)
    cells.add((*prefix, "total"), n, k)
    cells.add((*prefix, "searches", group), n, k)
    if group == NOT_STATED:
        return
    if outcome in ARREST_OUTCOMES:
        cells.add((*prefix, "arrests", group), n, k)
    if outcome not in NO_FIND_OUTCOMES:
        cells.add((*prefix, "finds", group), n, k)


def _table(shown: dict, prefix: tuple, scheme: str, population: dict[str, int] | None, disclosure: Disclosure,
           min_count: int, rate_withheld: str = "") -> dict:
    """One table of groups from the cells as shown: counts, rates, ratios; withheld as the reader needs."""

    def get(*cell) -> int:
        return shown.get((*prefix, *cell), 0)

    groups = []
    for group in SCHEMES[scheme][2]:
        searches = get("searches", group)
        # Perturbed separately, a part could exceed its whole; an arrest rate is never over 100%.
        groups.append(GroupCounts(group, (population or {}).get(group), searches,
                                  min(get("arrests", group), searches), min(get("finds", group), searches)))
    rows = DisparityTable(reference=REFERENCE, min_count=min_count).fit(groups).rows_
    publish_rows(rows, disclosure, reference=REFERENCE, rate_withheld=rate_withheld)
    total = get("total")
    return {"scheme": scheme, "rows": rows, "not_stated": disclosure.cell(get("searches", NOT_STATED)),
            "total": disclosure.cell(total), "rates_withheld": rate_withheld}


def disparity(queryset: QuerySet, scheme: str, population: dict[str, int] | None, min_count: int = 10,
              disclosure: Disclosure = EXACT, rate_withheld: str = "") -> dict:
    """One table of `queryset`'s searches by the groups of `scheme`, over `population`."""
    cells = Cells()
    for value, outcome, n, k in _grouped(queryset, SCHEMES[scheme][0], "outcome"):
        _add_tally(cells, (), scheme, value, outcome, n, k)
    return _table(cells.shown(disclosure), (), scheme, population, disclosure, min_count, rate_withheld)


# --- what a force's rates cover --------------------------------------------------------------------------------

@dataclass
class Scope:
    """The searches a force's tables count, and the population that divides them (None: rates withheld)."""

    force: str
    queryset: QuerySet
    population: dict[str, dict[str, int]] | None
    label: str
    reason: str = ""  # why rates per head are withheld; "" when they are given
    notes: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # borough names the rates cover (all: the whole force)

    def as_dict(self) -> dict:
        return {"label": self.label, "rates_withheld": self.reason, "notes": self.notes, "covered": self.covered}


def force_scope(searches: QuerySet, force: str, months: list[dt.date], disclosure: Disclosure = EXACT,
                force_pop: dict | None = None, borough_pop: dict | None = None,
                names: dict[str, str] | None = None) -> Scope:
    """Which of `force`'s searches its rates count and over which population (see the module docstring)."""
    force_pop = force_pop if force_pop is not None else force_populations()
    borough_pop = borough_pop if borough_pop is not None else borough_populations()
    names = names if names is not None else dict(Borough.objects.values_list("code", "name"))
    rows = searches.filter(force=force)
    present: dict[dt.date, set[str]] = defaultdict(set)
    cells = Cells()
    for month, code, n, k in _grouped(rows, "month", "borough__code"):
        if code is None:
            cells.add("unplaced", n, k)
        else:
            present[month].add(code)
            cells.add(("placed", code), n, k)
    row_name = force_row_name(force, force_pop)
    area = force_area(row_name)
    everything = f"every search by {force}"
    if row_name is None or area is None:
        why = (f"withheld: there is no population for {force}'s area" if row_name is None else
               f"withheld: the boroughs of {force}'s area are not configured, so it cannot be checked that the "
               "searches cover them")
        return Scope(force, rows, None, everything, why)
    shown = cells.shown(disclosure)
    unplaced = shown.get("unplaced", 0)
    any_placed = bool(present)
    covered = [code for code in area if all(code in present[m] for m in months)]
    loaded = {code for m in months for code in present[m] if code in area}
    if len(covered) == len(area):
        notes = [f"Searches are loaded for all {len(area)} boroughs of the force's area in every month, so its "
                 f"rates count every search by the force over its police-defined population"
                 + (f"; {count_text(disclosure, unplaced, 'searches')} of them had no location (counted for the "
                    "force, in no borough's table)." if unplaced else ".")]
        return Scope(force, rows, force_pop[row_name], f"the whole force area ({len(area)} boroughs)", "", notes,
                     ["all"])
    if not covered:
        if not any_placed:
            why = (f"withheld: none of the force's searches in the period has a location, so it cannot be checked "
                   f"which of its {len(area)} boroughs they cover; a rate per head needs them all")
        else:
            why = (f"withheld: searches are loaded for {len(loaded)} of the force's {len(area)} boroughs, and for "
                   "none of them in every month of the period; a rate per head needs the searches of every month")
        return Scope(force, rows, None, everything, why)
    partial = sorted(loaded - set(covered))
    covered_names = sorted(names.get(code, code) for code in covered)
    label = (f"{len(covered)} of the force's {len(area)} boroughs, those with searches loaded in every month of "
             f"the period: {', '.join(covered_names)}")
    left_out = []
    if unplaced:
        left_out.append(f"{count_text(disclosure, unplaced, 'searches')} with no location (they cannot be placed "
                        "in a borough)")
    if partial:
        months_in = {code: sum(code in present[m] for m in months) for code in partial}
        excluded = Cells()
        for code in partial:
            excluded.add("partial", cells.counts[("placed", code)], cells.keys[("placed", code)])
        left_out.append(f"{count_text(disclosure, excluded.shown(disclosure)['partial'], 'searches')} in boroughs "
                        "with searches loaded in only some months ("
                        + "; ".join(f"{names.get(c, c)}: {months_in[c]} of {len(months)}" for c in partial) + ")")
    outside = {code for m in months for code in present[m]} - set(area)
    if outside:
        away = Cells()
        for code in outside:
            away.add("outside", cells.counts[("placed", code)], cells.keys[("placed", code)])
        left_out.append(f"{count_text(disclosure, away.shown(disclosure)['outside'], 'searches')} placed outside "
                        "the force's area")
    notes = [f"Searches are loaded for only {len(covered)} of the force's {len(area)} boroughs in every month, so "
             "its tables count the searches placed in those boroughs over their Census 2011 population, not the "
             "whole force: a force-wide rate needs every borough."]
    if left_out:
        notes.append("Not in these tables: " + "; ".join(left_out) + ".")
    return Scope(force, rows.filter(borough__code__in=covered), summed(borough_pop, covered), label, "", notes,
                 covered_names)


# --- the report ----------------------------------------------------------------------------------------------------

def equality_report(month_from: dt.date, month_to: dt.date, min_count: int = 10, disclosure: Disclosure = EXACT,
                    user=None) -> dict:
    """Every table of the equality page and report for the period, as `disclosure` lets its reader see them.

    `user`: counts cover the open channel's searches that this reader of records may see; None (the CLI, the
    authority's report) or an aggregate-only reader: the open channel's searches."""
    searches = open_records(StopSearch.objects.filter(month__gte=month_from, month__lte=month_to))
    if user is not None:
        searches = countable(searches, user)
    months = month_range(month_from, month_to)
    force_pop, borough_pop = force_populations(), borough_populations()
    names = dict(Borough.objects.values_list("code", "name"))
    period = period_text(month_from, month_to)
    report = {"from": format_month(month_from), "to": format_month(month_to), "period": period,
              "min_count": min_count, "perturbed": disclosure.perturbs, "minimum": disclosure.minimum,
              "forces": [], "boroughs": [], "objects": [], "coverage": []}
    for force in sorted(set(searches.order_by().values_list("force", flat=True).distinct())):
        scope = force_scope(searches, force, months, disclosure, force_pop, borough_pop, names)
        entry = {"force": force, "population_row": force_row_name(force, force_pop), "scope": scope.as_dict()}
        for scheme in SCHEMES:
            entry[scheme] = disparity(scope.queryset, scheme, scope.population[scheme] if scope.population else None,
                                      min_count, disclosure, scope.reason)
        entry["objects"] = _objects(scope, min_count, disclosure)
        entry["trend"] = _trend(scope, months, disclosure)
        report["forces"].append(entry)
        report["objects"] += entry["objects"]
        report["coverage"] += [f"{force}: tables cover {scope.label}."] + scope.notes + (
            [f"{force}: rates per head {scope.reason}."] if scope.reason else [])
    report["boroughs"], notes = _boroughs(searches, months, borough_pop, names, min_count, disclosure)
    report["coverage"] += notes
    return report


def _objects(scope: Scope, min_count: int, disclosure: Disclosure) -> list[dict]:
    """Weapons and firearms against everything else, in one query: each part's cells are its own."""
    cells = Cells()
    for obj, value, outcome, n, k in _grouped(scope.queryset, "object_of_search", "officer_defined_ethnicity",
                                              "outcome"):
        _add_tally(cells, (obj in WEAPON_OBJECTS,), "officer", value, outcome, n, k)
    shown = cells.shown(disclosure)
    population = scope.population["officer"] if scope.population else None
    return [{"object": label, "force": scope.force,
             **_table(shown, (weapons,), "officer", population, disclosure, min_count, scope.reason)}
            for label, weapons in (("Weapons and firearms", True), ("Everything else", False))]


def _trend(scope: Scope, months: list[dt.date], disclosure: Disclosure) -> list[dict]:
    """Monthly searches by officer-defined group over the force's scope, with rates and the Black/White ratio."""
    cells = Cells()
    for month, value, n, k in _grouped(scope.queryset, "month", "officer_defined_ethnicity"):
        cells.add((month, officer_group(value)), n, k)
    shown = cells.shown(disclosure)
    pop = scope.population["officer"] if scope.population else {}
    rows = []
    for month in months:
        counts = {g: shown.get((month, g), 0) for g in OFFICER_GROUPS}
        visible = {g: disclosure.cell(n) for g, n in counts.items()}
        ratio, note = None, scope.reason
        if not note and (visible["Black"] is None or visible["White"] is None):
            note = f"withheld: fewer than {disclosure.minimum} searches"
        elif not note and counts["White"] and pop.get("Black") and pop.get("White"):
            ratio = (counts["Black"] / pop["Black"]) / (counts["White"] / pop["White"])
        elif not note:
            note = "no White searches" if not counts["White"] else "no population denominator"
        rows.append({"month": format_month(month), "counts": visible,
                     "per_1000": {g: (n / pop[g] * 1000 if n is not None and pop.get(g) else None)
                                  for g, n in visible.items()},
                     "ratio_black_white": ratio, "ratio_note": note})
    return rows


def _boroughs(searches: QuerySet, months: list[dt.date], borough_pop: dict, names: dict[str, str], min_count: int,
              disclosure: Disclosure) -> tuple[list[dict], list[str]]:
    """A table per borough with searches, over its Census 2011 population; its rate only when it has searches
    in every month of the period."""
    present: dict[str, set[dt.date]] = defaultdict(set)
    unplaced = Cells()
    for code, month, n, k in _grouped(searches, "borough__code", "month"):
        if code is None:
            unplaced.add("unplaced", n, k)
        else:
            present[code].add(month)
    tables = {scheme: Cells() for scheme in SCHEMES}
    for scheme, (column, _, _) in SCHEMES.items():
        for code, value, outcome, n, k in _grouped(searches.filter(borough__isnull=False), "borough__code", column,
                                                   "outcome"):
            _add_tally(tables[scheme], (code,), scheme, value, outcome, n, k)
    shown = {scheme: cells.shown(disclosure) for scheme, cells in tables.items()}
    boroughs = []
    for code in sorted(present, key=lambda c: names.get(c, c)):
        name, pop = names.get(code, code), borough_pop.get(code)
        loaded = sum(m in present[code] for m in months)
        if pop is None:
            why = "withheld: no Census 2011 population for this area"
        elif loaded < len(months):
            why = (f"withheld: searches are loaded for {name} in {loaded} of the {len(months)} months of the "
                   "period; a rate needs every month")
        else:
            why = ""
        boroughs.append({"code": code, "name": name, "rates_withheld": why,
                         **{scheme: _table(shown[scheme], (code,), scheme, pop[scheme] if pop else None, disclosure,
                                           min_count, why) for scheme in SCHEMES}})
    count = unplaced.shown(disclosure).get("unplaced", 0)
    notes = [f"{count_text(disclosure, count, 'searches')} had no location and could not be placed in a borough: "
             "they are in no borough's table, so borough rates count only the searches placed in the borough."
             ] if count else []
    return boroughs, notes
