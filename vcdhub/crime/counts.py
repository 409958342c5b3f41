"""The one counting engine behind the explorer, the map and the API: counts of a filtered queryset by area."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from vcdhub.geography.loader import geometry_feature
from vcdhub.geography.models import Borough, Lsoa, Ward

LEVELS = {"borough": Borough, "ward": Ward, "lsoa": Lsoa}


@dataclass
class AreaCounts:
    level: str
    total: int | None
    unplaced: int | None
    by_code: dict[str, int | None]
    suppressed_below: int | None = None  # cells from 1 to this minus one are shown as None


def suppress_small_cells(counts: AreaCounts, minimum: int) -> AreaCounts:
    """Hide any count from 1 to minimum-1: small cells can identify people. Zero is shown (nobody to identify)."""

    def hide(n):
        return None if n is not None and 0 < n < minimum else n

    return AreaCounts(counts.level, hide(counts.total), hide(counts.unplaced),
                      {code: hide(n) for code, n in counts.by_code.items()}, suppressed_below=minimum)


def count_by_area(queryset: QuerySet, level: str) -> AreaCounts:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    by_code: dict[str, int] = {}
    unplaced = 0
    rows = queryset.order_by().values(f"{level}__code").annotate(n=Count("pk")).values_list(f"{level}__code", "n")
    for code, n in rows:
        if code is None:
            unplaced += n
        else:
            by_code[code] = n
    return AreaCounts(level, sum(by_code.values()) + unplaced, unplaced, by_code)


def choropleth(counts: AreaCounts, borough_codes: list[str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of every area at the level (zero counts included), with its count."""
    model = LEVELS[counts.level]
    areas = model.objects.all()
    if borough_codes:
        areas = areas.filter(code__in=borough_codes) if model is Borough else areas.filter(
            borough__code__in=borough_codes)
    features = [geometry_feature(a, {"count": counts.by_code.get(a.code, 0)}) for a in areas.order_by("code")]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                       "suppressed_below": counts.suppressed_below},
    }
