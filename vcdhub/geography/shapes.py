"""The areas' boundaries as GeoJSON text, read once per boundary load and kept in each process.

A ward map sends 637 boundaries (about 750 KB): reading them from the database and parsing and re-encoding
their JSON on every request cost more than counting the crimes. The boundaries change only when a new
boundary set is loaded, so the cache is keyed on the latest set's id.
"""

from functools import lru_cache

from vcdhub.geography.models import Borough, BoundarySet


def boundary_version() -> int:
    """The id of the latest boundary load (0 before any)."""
    latest = BoundarySet.objects.order_by("-id").values_list("id", flat=True).first()
    return latest or 0


def area_outlines(model, borough_codes: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(code, name, geometry as GeoJSON text or "null") of every area of `model` (Borough, Ward or Lsoa),
    in code order, or of those in the given boroughs."""
    rows = _outlines(model, boundary_version())
    if not borough_codes:
        return [(code, name, geometry) for code, name, _, geometry in rows]
    wanted = set(borough_codes)
    return [(code, name, geometry) for code, name, borough, geometry in rows if borough in wanted]


@lru_cache(maxsize=8)
def _outlines(model, version: int) -> tuple[tuple[str, str, str, str], ...]:
    borough = "code" if model is Borough else "borough__code"
    rows = model.objects.order_by("code").values_list("code", "name", borough, "geometry")
    return tuple((code, name, in_borough, geometry or "null") for code, name, in_borough, geometry in rows)
