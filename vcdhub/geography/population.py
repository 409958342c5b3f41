"""Resident populations of areas, for rates per 1,000 residents: ONS mid-2019 LSOA estimates, summed.

An area is given a population only when every one of its LSOAs has an estimate: a sum over part of an area
would put its crimes over too few people, and a rate over the wrong population is worse than none.
"""

from vcdhub.geography.models import Lsoa

AREA_COLUMN = {"lsoa": "code", "ward": "ward__code", "borough": "borough__code"}


def resident_population(level: str, codes=None) -> dict[str, int]:
    """{area code: residents} for areas of `level` (all, or those in `codes`) whose every LSOA has an estimate."""
    column = AREA_COLUMN[level]
    lsoas = Lsoa.objects.all() if codes is None else Lsoa.objects.filter(**{f"{column}__in": list(codes)})
    totals: dict[str, int] = {}
    missing: set[str] = set()
    for code, population in lsoas.values_list(column, "population"):
        if code is None:
            continue
        if population is None:
            missing.add(code)
        else:
            totals[code] = totals.get(code, 0) + population
    return {code: n for code, n in totals.items() if code not in missing}
