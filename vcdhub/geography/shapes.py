"""The areas' boundaries as GeoJSON text, read once per boundary load and kept in each process.

A ward map sends 637 boundaries (about 750 KB): reading them from the database and parsing and re-encoding
their JSON on every request cost more than counting the crimes. Outlines change only when a boundary set is
loaded, so they are cached under the latest set (its id, when and from which files); names are read afresh
each time (a few kilobytes), so a renamed area is never shown under its old name.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OutlineCollection:
    """Every area of a level as a GeoJSON FeatureCollection (features with `id` and properties `code`, `name`),
    as text and gzipped, and the entity tag that names this version of it."""

    etag: str
    body: bytes
    gzipped: bytes


def outline_collection(model) -> OutlineCollection:
    """The outlines of every area of `model`, in code order. The same boundaries and names give the same entity
    tag, so a browser keeps the 750 KB of London's wards and asks only whether they changed; the gzipped
    text is made once per version (70 ms for the wards, where the rest of the answer takes a few)."""
    names = tuple(model.objects.order_by("code").values_list("code", "name"))
    digest = hashlib.sha256(repr((model._meta.label, boundary_version(), names)).encode()).hexdigest()[:32]
    return _collection(model, digest, names)


@lru_cache(maxsize=6)
def _collection(model, digest: str, names: tuple) -> OutlineCollection:
    outlines = _outlines(model, boundary_version())
    features = ", ".join(
        f'{{"type": "Feature", "id": {json.dumps(code)}, "geometry": {outlines.get(code, "null")}, '
        f'"properties": {json.dumps({"code": code, "name": name})}}}' for code, name in names)
    body = f'{{"type": "FeatureCollection", "features": [{features}]}}'.encode()
    return OutlineCollection(f'"{digest}"', body, gzip.compress(body, compresslevel=6, mtime=0))
