"""Reading boundary files: LSOA polygons (GeoJSON) and the ONS LSOA -> ward -> borough lookup (CSV).

Column and property names are matched by pattern (LSOA11CD or LSOA21CD, WD19CD or WD22CD, ...), so a
force outside London can load its own ONS files with the same command.
"""

import csv
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape


class BoundaryFileError(ValueError):
    """A boundary file that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class LookupRow:
    lsoa_code: str
    lsoa_name: str
    ward_code: str
    ward_name: str
    borough_code: str
    borough_name: str


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise BoundaryFileError(f"{path}: not a readable gzip file ({exc})") from exc
    return data


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _find_column(columns: list[str], pattern: str, path: Path, what: str) -> str:
    regex = re.compile(pattern, re.IGNORECASE)
    for column in columns:
        if regex.fullmatch(column.strip()):
            return column
    raise BoundaryFileError(f"{path}: no {what} column (looked for {pattern}; found {', '.join(columns)})")


def read_lookup(path: Path) -> dict[str, LookupRow]:
    try:
        text = read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BoundaryFileError(f"{path}: not UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    lsoa_cd = _find_column(columns, r"LSOA\d{2}CD", path, "LSOA code")
    lsoa_nm = _find_column(columns, r"LSOA\d{2}NM", path, "LSOA name")
    ward_cd = _find_column(columns, r"WD\d{2}CD", path, "ward code")
    ward_nm = _find_column(columns, r"WD\d{2}NM", path, "ward name")
    lad_cd = _find_column(columns, r"LAD\d{2}CD", path, "borough (LAD) code")
    lad_nm = _find_column(columns, r"LAD\d{2}NM", path, "borough (LAD) name")
    rows: dict[str, LookupRow] = {}
    for line, record in enumerate(reader, start=2):
        row = LookupRow(
            record[lsoa_cd].strip(), record[lsoa_nm].strip(), record[ward_cd].strip(),
            record[ward_nm].strip(), record[lad_cd].strip(), record[lad_nm].strip(),
        )
        if not all((row.lsoa_code, row.ward_code, row.borough_code)):
            raise BoundaryFileError(f"{path}: line {line}: a code is blank")
        if row.lsoa_code in rows and rows[row.lsoa_code] != row:
            raise BoundaryFileError(f"{path}: line {line}: LSOA {row.lsoa_code} appears twice, differently")
        rows[row.lsoa_code] = row
    if not rows:
        raise BoundaryFileError(f"{path}: no rows")
    return rows


def read_lsoa_polygons(path: Path) -> dict[str, shapely.Geometry]:
    try:
        collection = json.loads(read_bytes(path))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"{path}: not GeoJSON ({exc})") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not features:
        raise BoundaryFileError(f"{path}: no features")
    code_key = _find_column(list(features[0].get("properties", {})), r"LSOA\d{2}CD", path, "LSOA code")
    polygons: dict[str, shapely.Geometry] = {}
    for index, feature in enumerate(features):
        code = str(feature.get("properties", {}).get(code_key, "")).strip()
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BoundaryFileError(f"{path}: feature {index} ({code}): bad geometry ({exc})") from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise BoundaryFileError(f"{path}: feature {index} ({code}): {geom.geom_type} is not a polygon")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        polygons[code] = geom
    return polygons


def read_population(path: Path) -> dict[str, int]:
    text = read_bytes(path).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    lsoa_cd = _find_column(columns, r"LSOA\d{2}CD", path, "LSOA code")
    persons = _find_column(columns, r"Persons_All[-_ ]Ages|All Ages|population", path, "all-ages population")
    return {r[lsoa_cd].strip(): int(r[persons].replace(",", "")) for r in reader if r[persons].strip()}
