"""What the data covers: which forces and months are loaded, and which months look partial.

police.uk months are sometimes published incomplete (a force's IT change, a late correction), and a
partial month silently turns into a "reduction". Months far below the force's usual volume are flagged.
Both are read from the crime cells by borough (crime.cells), which count every record exactly: a few
thousand cells instead of every row.
"""

import statistics
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Sum

from vcdhub.crime.cells import cached
from vcdhub.crime.models import CrimeCellBorough
from vcdhub.geography.models import Borough

PARTIAL_SHARE = 0.5  # a month under half the force's median month is flagged


@dataclass
class MonthCoverage:
    force: str
    month: object
    crimes: int
    median: float

    @property
    def partial(self) -> bool:
        return self.crimes < PARTIAL_SHARE * self.median


def monthly_coverage() -> list[MonthCoverage]:
    cells = CrimeCellBorough.objects.order_by()
    rows = cached(cells, "coverage:monthly",
                  lambda: list(cells.values_list("reported_by", "month").annotate(n=Sum("records"))))
    by_force: dict[str, list[tuple]] = {}
    for force, month, n in rows:
        by_force.setdefault(force, []).append((month, n))
    result = []
    for force, months in sorted(by_force.items()):
        median = statistics.median(n for _, n in months)
        result.extend(MonthCoverage(force, month, n, median) for month, n in sorted(months))
    return result


def boroughs_with_data() -> list[tuple[str, int]]:
    cells = CrimeCellBorough.objects.order_by().filter(borough__isnull=False)
    by_id = cached(cells, "coverage:boroughs", lambda: dict(cells.values_list("borough_id").annotate(n=Sum("records"))))
    names = dict(Borough.objects.filter(id__in=list(by_id)).values_list("id", "name"))
    return sorted((names[borough], n) for borough, n in by_id.items())


def wards_with_data() -> set[int]:
    """Ids of the wards with any crime record loaded (for the explorer's pickers)."""
    from vcdhub.crime.models import CrimeCellWard

    cells = CrimeCellWard.objects.order_by().filter(ward__isnull=False)
    return cached(cells, "coverage:wards", lambda: set(cells.values_list("ward_id", flat=True).distinct()))


def crime_types_with_data() -> set[str]:
    """The crime types any loaded record has: types police.uk stopped using (such as "Violent crime", before
    2013) are offered only if the loaded data holds them."""
    cells = CrimeCellBorough.objects.order_by()
    return cached(cells, "coverage:types", lambda: set(cells.values_list("crime_type", flat=True).distinct()))


class DataOnHand:
    """What the loaded data holds, each asked at most once: one per request, shared by the pickers, the
    "no data loaded" notes, the CompStat rows and the trend."""

    @cached_property
    def months(self) -> list:
        """The months with any record loaded, oldest first."""
        return sorted({c.month for c in monthly_coverage()})

    @cached_property
    def borough_names(self) -> set[str]:
        return {name for name, _ in boroughs_with_data()}

    @cached_property
    def ward_ids(self) -> set[int]:
        return wards_with_data()

    @cached_property
    def crime_types(self) -> set[str]:
        return crime_types_with_data()
