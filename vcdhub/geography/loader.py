"""Load boroughs, wards and LSOAs from boundary files; wards and boroughs are dissolved from LSOAs."""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.conf import settings
from django.db import transaction
from pyproj import Geod

from vcdhub.geography.boundaries import (
    BoundaryFileError,
    read_lookup,
    read_lsoa_polygons,
    read_population,
    sha256_of,
)
from vcdhub.geography.models import Borough, BoundarySet, Lsoa, Ward

BUNDLED = settings.DATA_DIR / "demo" / "geography"
BUNDLED_LSOA = BUNDLED / "london-lsoa11.geojson.gz"
BUNDLED_LOOKUP = BUNDLED / "london-lsoa11-ward19-borough.csv"
BUNDLED_POPULATION = BUNDLED / "london-lsoa11-population-mid2019.csv"

_GEOD = Geod(ellps="WGS84")
# Display geometries for wards and boroughs are simplified to about 10 m; LSOAs keep the file's detail.
_DISPLAY_TOLERANCE = 0.0001


@dataclass
class GeographyResult:
    boroughs: int
    wards: int
    lsoas: int
    unchanged: bool


def _geojson(geom: shapely.Geometry) -> str:
    return shapely.to_geojson(shapely.set_precision(geom, 1e-6))


def _area_fields(geom: shapely.Geometry) -> dict:
    point = geom.representative_point()
    area_m2, _ = _GEOD.geometry_area_perimeter(geom)
    return {"centroid_lon": round(point.x, 6), "centroid_lat": round(point.y, 6), "area_km2": abs(area_m2) / 1e6}


def load_geography(
    lsoa_path: Path | None = None,
    lookup_path: Path | None = None,
    population_path: Path | None = None,
    *,
    actor: str,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> GeographyResult:
    """Load or refresh the boundaries. All-or-nothing; a repeat load of the same files changes nothing."""
    lsoa_path = lsoa_path or BUNDLED_LSOA
    lookup_path = lookup_path or BUNDLED_LOOKUP
    if population_path is None and lsoa_path == BUNDLED_LSOA and BUNDLED_POPULATION.exists():
        population_path = BUNDLED_POPULATION
    for path in (lsoa_path, lookup_path, population_path):
        if path is not None and not path.is_file():
            raise BoundaryFileError(f"{path}: no such file")
    hashes = {
        "lsoa_sha256": sha256_of(lsoa_path),
        "lookup_sha256": sha256_of(lookup_path),
        "population_sha256": sha256_of(population_path) if population_path else "",
    }
    latest = BoundarySet.objects.order_by("-id").first()
    if not force and latest and all(getattr(latest, k) == v for k, v in hashes.items()):
        return GeographyResult(latest.borough_count, latest.ward_count, latest.lsoa_count, unchanged=True)

    progress("reading boundary files")
    lookup = read_lookup(lookup_path)
    polygons = read_lsoa_polygons(lsoa_path)
    population = read_population(population_path) if population_path else {}
    missing = sorted(set(polygons) - set(lookup))
    if missing:
        raise BoundaryFileError(
            f"{lookup_path}: {len(missing)} LSOAs in {lsoa_path.name} have no ward/borough in the lookup, "
            f"e.g. {', '.join(missing[:5])}"
        )
    rows = [lookup[code] for code in polygons]

    progress("dissolving LSOAs into wards and boroughs")
    by_ward: dict[str, list] = defaultdict(list)
    by_borough: dict[str, list] = defaultdict(list)
    for row in rows:
        by_ward[row.ward_code].append(polygons[row.lsoa_code])
        by_borough[row.borough_code].append(polygons[row.lsoa_code])
    ward_geoms = {code: shapely.union_all(parts) for code, parts in by_ward.items()}
    borough_geoms = {code: shapely.union_all(parts) for code, parts in by_borough.items()}

    progress("writing areas")
    with transaction.atomic():
        boroughs = {}
        for row in {r.borough_code: r for r in rows}.values():
            geom = borough_geoms[row.borough_code]
            boroughs[row.borough_code], _ = Borough.objects.update_or_create(
                code=row.borough_code,
                defaults={"name": row.borough_name, "geometry": _geojson(geom.simplify(_DISPLAY_TOLERANCE)),
                          **_area_fields(geom)},
            )
        wards = {}
        for row in {r.ward_code: r for r in rows}.values():
            geom = ward_geoms[row.ward_code]
            wards[row.ward_code], _ = Ward.objects.update_or_create(
                code=row.ward_code,
                defaults={"name": row.ward_name, "borough": boroughs[row.borough_code],
                          "geometry": _geojson(geom.simplify(_DISPLAY_TOLERANCE)), **_area_fields(geom)},
            )
        existing = {lsoa.code: lsoa for lsoa in Lsoa.objects.all()}
        to_create, to_update = [], []
        for row in rows:
            geom = polygons[row.lsoa_code]
            values = {"name": row.lsoa_name, "ward": wards[row.ward_code], "borough": boroughs[row.borough_code],
                      "geometry": _geojson(geom), "population": population.get(row.lsoa_code),
                      **_area_fields(geom)}
            if row.lsoa_code in existing:
                lsoa = existing[row.lsoa_code]
                for key, value in values.items():
                    setattr(lsoa, key, value)
                to_update.append(lsoa)
            else:
                to_create.append(Lsoa(code=row.lsoa_code, **values))
        Lsoa.objects.bulk_create(to_create, batch_size=500)
        Lsoa.objects.bulk_update(to_update, list(values), batch_size=500)
        BoundarySet.objects.create(
            **hashes, lsoa_count=len(rows), ward_count=len(wards), borough_count=len(boroughs), loaded_by=actor
        )
    return GeographyResult(len(boroughs), len(wards), len(rows), unchanged=False)


def geometry_feature(area, properties: dict) -> dict:
    """A GeoJSON Feature for an area row, with the given properties."""
    return {"type": "Feature", "id": area.code, "geometry": json.loads(area.geometry or "null"),
            "properties": {"code": area.code, "name": area.name, **properties}}
