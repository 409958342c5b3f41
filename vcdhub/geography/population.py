"""Resident populations of areas, for rates per 1,000 residents: ONS mid-2019 LSOA estimates, summed.

An area is given a population only when every one of its LSOAs has an estimate: a sum over part of an area
would put its crimes over too few people, and a rate over the wrong population is worse than none.
"""

from functools import lru_cache

from vcdhub.geography.models import Lsoa
from vcdhub.geography.shapes import boundary_version

AREA_COLUMN = {"lsoa": "code", "ward": "ward__code", "borough": "borough__code"}


def resident_population(level: str, codes=None) -> dict[str, int]:
    """{area code: residents} for areas of `level` (all, or those in `codes`) whose every LSOA has an estimate.

    The estimates are loaded with the boundaries, so the sums are kept per boundary load: summing 4,835 LSOAs
    was a third of a ward map's time."""
    everyone = _populations(level, boundary_version())
    if codes is None:
        return dict(everyone)
    return {code: everyone[code] for code in codes if code in everyone}


@lru_cache(maxsize=8)
def _populations(level: str, version: tuple) -> dict[str, int]:
    column = AREA_COLUMN[level]
    totals: dict[str, int] = {}
    missing: set[str] = set()
    for code, population in Lsoa.objects.values_list(column, "population"):
        if code is None:
            continue
        if population is None:
            missing.add(code)
        else:
            totals[code] = totals.get(code, 0) + population
    return {code: n for code, n in totals.items() if code not in missing}
