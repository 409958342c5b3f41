"""What the data covers: which forces and months are loaded, and which months look partial.

police.uk months are sometimes published incomplete (a force's IT change, a late correction), and a
partial month silently turns into a "reduction". Months far below the force's usual volume are flagged.
"""

import statistics
from dataclasses import dataclass

from django.db.models import Count

from vcdhub.crime.models import Crime

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
    rows = Crime.objects.order_by().values_list("reported_by", "month").annotate(n=Count("pk"))
    by_force: dict[str, list[tuple]] = {}
    for force, month, n in rows:
        by_force.setdefault(force, []).append((month, n))
    result = []
    for force, months in sorted(by_force.items()):
        median = statistics.median(n for _, n in months)
        result.extend(MonthCoverage(force, month, n, median) for month, n in sorted(months))
    return result


def boroughs_with_data() -> list[tuple[str, int]]:
    return list(Crime.objects.order_by().filter(borough__isnull=False).values_list("borough__name")
                .annotate(n=Count("pk")).order_by("borough__name"))
