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


def protect_counts(counts: AreaCounts, disclosure) -> AreaCounts:
    """The counts as the disclosure policy lets this reader see them (platform.disclosure.Disclosure): small
    cells withheld, and the total withheld when any cell is, since the total minus the cells shown would give
    the withheld cells back (exactly, when one cell is withheld)."""
    if not disclosure.protects:
        return counts
    by_code, any_withheld = disclosure.cells(counts.by_code)
    unplaced = disclosure.cell(counts.unplaced)
    any_withheld = any_withheld or (unplaced is None and counts.unplaced is not None)
    total, _ = disclosure.total(counts.total, any_withheld=any_withheld)
    return AreaCounts(counts.level, total, unplaced, by_code, suppressed_below=disclosure.minimum)


def count_by_area(queryset: QuerySet, level: str) -> AreaCounts:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    by_code: dict[str, int] = {}
    unplaced = 0
    # Group on the foreign key (no join), then name the areas: much cheaper over millions of rows.
    rows = queryset.order_by().values(f"{level}_id").annotate(n=Count("pk")).values_list(f"{level}_id", "n")
    codes = _codes(level)
    for area_id, n in rows:
        if area_id is None:
            unplaced += n
        else:
            by_code[codes[area_id]] = n
    return AreaCounts(level, sum(by_code.values()) + unplaced, unplaced, by_code)


def _codes(level: str) -> dict[int, str]:
    return dict(LEVELS[level].objects.values_list("id", "code"))


def covered_areas(queryset: QuerySet, level: str) -> set[str]:
    """Areas with any record in `queryset`: where the data has coverage at all (a zero means something)."""
    codes = _codes(level)
    ids = queryset.order_by().values_list(f"{level}_id", flat=True).distinct()
    return {codes[i] for i in ids if i is not None}


def choropleth(counts: AreaCounts, borough_codes: list[str] | None = None, covered: set[str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of every area at the level (zero counts included), with its count and
    whether the source has any data there (`covered`), so "no data" is never drawn as "no crime"."""
    model = LEVELS[counts.level]
    areas = model.objects.all()
    if borough_codes:
        areas = areas.filter(code__in=borough_codes) if model is Borough else areas.filter(
            borough__code__in=borough_codes)
    features = [
        geometry_feature(a, {"count": counts.by_code.get(a.code, 0),
                             "covered": covered is None or a.code in covered or a.code in counts.by_code})
        for a in areas.order_by("code")
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                       "suppressed_below": counts.suppressed_below},
    }
