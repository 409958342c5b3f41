"""Build the bundled demo data (data/demo/) from the full real data in ../shared/data.

The demo keeps four London boroughs over 2016-01..2017-12 (street crime, outcomes and stop and
search, each file filtered but otherwise untouched, in the police.uk bulk-download layout), plus
London's geography and population. Run it again to rebuild: the output is deterministic.

    .venv/bin/python scripts/make_demo_data.py [--shared ../shared/data]
"""

import argparse
import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import shapely
from shapely.geometry import shape

DEMO_BOROUGHS = {"E09000022": "Lambeth", "E09000014": "Haringey", "E09000025": "Newham", "E09000005": "Brent"}
MONTHS = [f"{y}-{m:02d}" for y in (2016, 2017) for m in range(1, 13)]
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "demo"


def write_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the bytes identical from one build to the next.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(buffer.getvalue().encode("utf-8"))


def read_gz(path: Path) -> tuple[list[str], list[list[str]]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    shared = parser.parse_args().shared
    for part in ("geography", "population", "police-uk"):  # README.md stays
        shutil.rmtree(OUT / part, ignore_errors=True)
    geo = OUT / "geography"
    geo.mkdir(parents=True)

    lookup_src = shared / "geography" / "london-lsoa11-ward19-borough.csv"
    shutil.copy(lookup_src, geo / lookup_src.name)
    shutil.copy(shared / "population" / "london-lsoa11-population-mid2019.csv", geo)
    with open(shared / "geography" / "london-lsoa11.geojson", "rb") as src, \
            open(geo / "london-lsoa11.geojson.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        shutil.copyfileobj(src, out)
    population = OUT / "population"
    population.mkdir()
    for name in ("la-ethnic-groups-census2011.csv", "police-defined-demographics.csv"):
        shutil.copy(shared / "population" / name, population)

    with open(lookup_src, encoding="utf-8-sig") as f:
        demo_lsoas = {r["LSOA11CD"] for r in csv.DictReader(f) if r["LAD19CD"] in DEMO_BOROUGHS}
    boroughs = json.loads((shared / "geography" / "london-boroughs.geojson").read_text())
    area = shapely.union_all([shape(f["geometry"]) for f in boroughs["features"]
                              if f["properties"]["LAD22CD"] in DEMO_BOROUGHS])
    shapely.prepare(area)

    totals = {"street": 0, "outcomes": 0, "stop-and-search": 0}
    for month in MONTHS:
        src = shared / "crime" / "police-uk" / month
        for path in sorted(src.glob("*.csv.gz")):
            if "west-yorkshire" in path.name:
                continue
            header, rows = read_gz(path)
            if path.name.endswith("stop-and-search.csv.gz"):
                lat, lon = header.index("Latitude"), header.index("Longitude")
                kept = [r for r in rows if r[lat] and shapely.contains_xy(area, float(r[lon]), float(r[lat]))]
                kind = "stop-and-search"
            else:
                code = header.index("LSOA code")
                kept = [r for r in rows if r[code] in demo_lsoas]
                kind = "outcomes" if "outcomes" in path.name else "street"
            if not kept:
                continue  # e.g. early stop-and-search months carry no coordinates to place them by
            write_gz(OUT / "police-uk" / month / path.name, header, kept)
            totals[kind] += len(kept)
    print(totals)


if __name__ == "__main__":
    main()
