"""What the place analyses read: crime counts by area and month, and the areas' contiguity weights.

Counts are an aggregate (docs/decisions.md) of the open channel's records (platform.disclosure.open_records),
read from the crime cells (crime.cells), not the rows, so that a run's cost does not grow with the records.
A run made for aggregate-only readers reads them perturbed: every area-month cell gets its cell key noise
before any statistic sees it (docs/disclosure.md), so that no difference between runs gives a count back.
The input is hashed, so a stored run says exactly what it was computed from.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely
from django.db.models import Sum

from vcdhub.crime.cells import smallest_model
from vcdhub.crime.counts import LEVELS
from vcdhub.crime.models import CrimeCellBorough
from vcdhub.geography.inputs import resolve_boroughs
from vcdhub.geography.models import Borough
from vcdhub.geography.population import resident_population
from vcdhub.geography.shapes import boundary_version
from vcdhub.platform.disclosure import Disclosure, open_records
from vcdhub.platform.months import month_range


@dataclass
class AreaSeries:
    """Counts of the chosen crime types for every area considered (rows) and month (columns)."""

    level: str
    crime_types: list[str]
    codes: list[str]
    names: dict[str, str]
    months: list[str]  # "YYYY-MM", oldest first
    counts: np.ndarray  # (len(codes), len(months)), int64
    unplaced: int  # crimes of these types and months in no known area: reported, never dropped
    outside: int  # crimes placed in areas that were not considered (e.g. outside the chosen boroughs)
    boroughs: list[str] = field(default_factory=list)
    # Months in which the data holds any crime at all in these boroughs; a month without is "no data", not zero.
    covered: list[bool] = field(default_factory=list)
    boroughs_without_data: list[str] = field(default_factory=list)  # named by the user, but no crime in the data
    # Per area and month: does the area's borough have any record that month? (alerts leave the rest out)
    covered_by_area: np.ndarray | None = None
    # [borough, "YYYY-MM"] where that borough has no data in a month other boroughs have
    borough_months_without_data: list = field(default_factory=list)
    perturbed: bool = False  # every count carries its cell key noise (a run for aggregate-only readers)

    @property
    def missing_months(self) -> list[str]:
        return [m for m, ok in zip(self.months, self.covered, strict=True) if not ok]

    @property
    def totals(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    def by_code(self) -> dict[str, int]:
        return dict(zip(self.codes, (int(n) for n in self.totals), strict=True))

    def sha256(self) -> str:
        """Hash of everything the statistics see, in a canonical form."""
        # "perturbed" only when true, so that the hash of an exact run's input is what it always was.
        perturbed = {"perturbed": True} if self.perturbed else {}
        canonical = json.dumps({**perturbed, "level": self.level, "crime_types": sorted(self.crime_types),
                                "codes": self.codes,
                                "months": self.months, "counts": self.counts.tolist(), "unplaced": self.unplaced,
                                "covered": self.covered,
                                "covered_by_area": None if self.covered_by_area is None
                                else self.covered_by_area.astype(int).tolist()},
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def borough_months(month_from: dt.date, month_to: dt.date) -> set[tuple[str, dt.date]]:
    """(borough code, month) pairs with any crime record of any type: where the data has coverage at all.

    Any record, whatever its marking: coverage says which borough-months have data loaded, and no count
    comes from it (the counts themselves are the open channel's). It also keeps this query on the
    (borough, month) index alone, about six times faster over the Met's two years than reading each row's
    marking."""
    codes = dict(Borough.objects.values_list("id", "code"))
    pairs = (CrimeCellBorough.objects.filter(month__gte=month_from, month__lte=month_to, borough__isnull=False)
             .order_by().values_list("borough_id", "month").distinct())
    return {(codes[borough_id], month) for borough_id, month in pairs}


def area_series(crime_types: list[str], month_from: dt.date, month_to: dt.date, level: str,
                boroughs: list[str] | None = None, *, disclosure: Disclosure | None = None) -> AreaSeries:
    """Counts by area and month. Areas considered: every area of `level` in `boroughs` (codes or names), or,
    when no boroughs are given, in every borough the data covers in the period, so that "no data" is not
    read as "no crime". Coverage is kept per borough and month: a borough-month with no record of any kind
    is "no data" (AreaSeries.covered_by_area). With a `disclosure` that perturbs, each area-month count, the
    unplaced and the outside counts are perturbed (small ones are not withheld here: the statistics need
    every cell; the published result withholds them).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if month_from > month_to:
        raise ValueError("the period ends before it starts")
    coverage = borough_months(month_from, month_to)
    with_data = sorted({code for code, _ in coverage})
    boroughs = resolve_boroughs(boroughs) if boroughs else with_data
    model = LEVELS[level]
    areas = model.objects.filter(code__in=boroughs) if model is Borough else model.objects.filter(
        borough__code__in=boroughs)
    borough_field = "code" if model is Borough else "borough__code"
    area_rows = sorted(areas.values_list("id", "code", "name", borough_field), key=lambda row: row[1])
    codes = [code for _, code, _, _ in area_rows]
    row_of = {area_id: i for i, (area_id, _, _, _) in enumerate(area_rows)}
    month_dates = month_range(month_from, month_to)
    months = [m.strftime("%Y-%m") for m in month_dates]
    column_of = {m: j for j, m in enumerate(month_dates)}  # by date: 120,000 rows at ten times the data
    counts = np.zeros((len(codes), len(months)), dtype=np.int64)
    table = smallest_model(f"{level}_id")  # wards and boroughs from the smaller tables of counts
    cells = open_records(table.objects.filter(crime_type__in=crime_types, month__gte=month_from,
                                              month__lte=month_to))
    rows = cells.order_by().values(f"{level}_id", "month").annotate(n=Sum("records"), k=Sum("key_sum")).values_list(
        f"{level}_id", "month", "n", "k")
    cell_counts: dict = {}
    key_sums: dict = {}
    for area_id, month, n, k in rows:
        row = row_of.get(area_id)
        where = (row, column_of[month]) if row is not None else "unplaced" if area_id is None else "outside"
        cell_counts[where] = cell_counts.get(where, 0) + n
        key_sums[where] = key_sums.get(where, 0) + k
    perturbed = disclosure is not None and disclosure.perturbs
    if perturbed:
        cell_counts = disclosure.perturbed(cell_counts, key_sums)
    for where, n in cell_counts.items():
        if isinstance(where, tuple):
            counts[where] = n
    unplaced, outside = cell_counts.get("unplaced", 0), cell_counts.get("outside", 0)
    covered_by_area = np.array([[(borough, m) in coverage for m in month_dates]
                                for _, _, _, borough in area_rows], dtype=bool).reshape(len(codes), len(months))
    named = set(boroughs)
    covered = [any((b, m) in coverage for b in named) for m in month_dates]
    partly = sorted([b, month] for b in named for m, month, any_data in zip(month_dates, months, covered, strict=True)
                    if any_data and (b, m) not in coverage and b in with_data)
    return AreaSeries(level, list(crime_types), codes, {code: name for _, code, name, _ in area_rows}, months,
                      counts, unplaced, outside, boroughs, covered, sorted(named - set(with_data)), covered_by_area,
                      partly, perturbed)


def populations(level: str, codes: list[str]) -> dict[str, int]:
    """Mid-2019 residents per area, summed from LSOAs. An area with any LSOA lacking an estimate is left out."""
    return resident_population(level, codes)


def weights_for(level: str, codes: list[str]):
    """Queen contiguity weights over exactly these areas, in this order (cached per boundary load)."""
    return _weights(level, tuple(codes), boundary_version())


@lru_cache(maxsize=16)
def _weights(level: str, codes: tuple[str, ...], version: int):
    from vcdhub.stats.weights import contiguity_weights

    geometry = dict(LEVELS[level].objects.filter(code__in=codes).values_list("code", "geometry"))
    missing = [code for code in codes if not geometry.get(code)]
    if missing:
        raise ValueError(f"no boundary for {len(missing)} {level}s, e.g. {missing[0]}: reload the geography")
    shapes = shapely.from_geojson([geometry[code] for code in codes])
    return contiguity_weights(list(codes), list(shapes))
