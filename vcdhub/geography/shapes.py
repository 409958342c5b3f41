"""The areas' boundaries as GeoJSON text, read once per boundary load and kept in each process.

A ward map sends 637 boundaries (about 750 KB): reading them from the database and parsing and re-encoding
their JSON on every request cost more than counting the crimes. Outlines change only when a boundary set is
loaded, so they are cached under the latest set (its id, when and from which files); names are read afresh
each time (a few kilobytes), so a renamed area is never shown under its old name.
"""

from functools import lru_cache

from vcdhub.geography.models import Borough, BoundarySet


def boundary_version() -> tuple:
    """What identifies the latest boundary load (its id, time and files' hashes); () before any."""
    latest = (BoundarySet.objects.order_by("-id")
              .values_list("id", "loaded_at", "lsoa_sha256", "lookup_sha256").first())
    return latest or ()


def area_outlines(model, borough_codes: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(code, name, geometry as GeoJSON text or "null") of every area of `model` (Borough, Ward or Lsoa),
    in code order, or of those in the given boroughs."""
    outlines = _outlines(model, boundary_version())
    areas = model.objects.order_by("code")
    if borough_codes:
        areas = areas.filter(code__in=borough_codes) if model is Borough else areas.filter(
            borough__code__in=borough_codes)
    return [(code, name, outlines.get(code, "null")) for code, name in areas.values_list("code", "name")]


@lru_cache(maxsize=8)
def _outlines(model, version: tuple) -> dict[str, str]:
    return {code: geometry or "null" for code, geometry in model.objects.values_list("code", "geometry")}
