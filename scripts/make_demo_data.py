"""Build the bundled data (data/demo/ and data/test/) from the full real data in ../shared/data.

Two sets of police.uk files, each in the bulk-download layout, each file filtered but its rows untouched:

- data/demo/police-uk/: what `vcdhub demo load` loads. London-wide for 2017-01..2017-12 (DEMO_MONTHS): street
  crime, outcomes and BTP crime for every borough the shared Met data covers (COVERED_SHARE), and the Met's
  stop and search whole. Twelve months, not 24: the shared Met street files alone are about 27 MB a year
  (each row's random 64-character Crime ID does not compress), and the demo data must stay under 60 MB.
- data/test/police-uk/: the compact set the tests import: four boroughs (Lambeth, Haringey, Newham, Brent) over
  2016-01..2017-12, about 8,000 street rows a month, so that a test importing a month stays fast.

Plus London's geography and population in data/demo/ (both sets use them). Run it again to rebuild: the output is
deterministic, byte for byte.

    .venv/bin/python scripts/make_demo_data.py [--shared ../shared/data] [--only demo|test]
"""

import argparse
import csv
import gzip
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
DEMO_OUT = ROOT / "data" / "demo"
TEST_OUT = ROOT / "data" / "test"

DEMO_MONTHS = [f"2017-{m:02d}" for m in range(1, 13)]
# A borough counts as covered by the shared Met street data when it holds at least this share of the rows. The
# seven boroughs the shared files miss (and the City, a separate force) hold only stray rows on their borders
# (6 to 94 a month, against 1,100 to 6,000 for a covered borough); keeping them would show those boroughs as
# having almost no crime, where the truth is that there is no data for them.
COVERED_SHARE = 0.005

TEST_BOROUGHS = {"E09000022": "Lambeth", "E09000014": "Haringey", "E09000025": "Newham", "E09000005": "Brent"}
TEST_MONTHS = [f"{y}-{m:02d}" for y in (2016, 2017) for m in range(1, 13)]

LOOKUP = "london-lsoa11-ward19-borough.csv"


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


def lsoa_boroughs(shared: Path) -> dict[str, str]:
    """LSOA (2011) code -> borough GSS code, from the ONS lookup."""
    with open(shared / "geography" / LOOKUP, encoding="utf-8-sig") as f:
        return {r["LSOA11CD"]: r["LAD19CD"] for r in csv.DictReader(f)}


def borough_area(shared: Path, codes) -> shapely.Geometry:
    boroughs = json.loads((shared / "geography" / "london-boroughs.geojson").read_text())
    area = shapely.union_all([shape(f["geometry"]) for f in boroughs["features"]
                              if f["properties"]["LAD22CD"] in codes])
    shapely.prepare(area)
    return area


def inside(area, row: list[str], lat: int, lon: int) -> bool:
    return bool(row[lat] and row[lon] and shapely.contains_xy(area, float(row[lon]), float(row[lat])))


def copy_geography_and_population(shared: Path) -> None:
    for part in ("geography", "population"):
        shutil.rmtree(DEMO_OUT / part, ignore_errors=True)
    geo = DEMO_OUT / "geography"
    geo.mkdir(parents=True)
    shutil.copy(shared / "geography" / LOOKUP, geo / LOOKUP)
    shutil.copy(shared / "population" / "london-lsoa11-population-mid2019.csv", geo)
    with open(shared / "geography" / "london-lsoa11.geojson", "rb") as src, \
            open(geo / "london-lsoa11.geojson.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        shutil.copyfileobj(src, out)
    population = DEMO_OUT / "population"
    population.mkdir()
    for name in ("la-ethnic-groups-census2011.csv", "police-defined-demographics.csv"):
        shutil.copy(shared / "population" / name, population)


def covered_boroughs(shared: Path, lookup: dict[str, str], months: list[str]) -> tuple[set[str], Counter]:
    """The boroughs the shared Met street files cover over `months`, and every borough's row count."""
    counts: Counter = Counter()
    for month in months:
        header, rows = read_gz(shared / "crime" / "police-uk" / month / f"{month}-metropolitan-street.csv.gz")
        code = header.index("LSOA code")
        counts.update(lookup.get(r[code], "") for r in rows)
    total = sum(counts.values())
    return {b for b, n in counts.items() if b and n >= COVERED_SHARE * total}, counts


def build(shared: Path, out: Path, months: list[str], boroughs: set[str], lookup: dict[str, str], *,
          whole_stop_and_search: bool) -> dict[str, int]:
    """Each month's Met and BTP files, cut to `boroughs`: street crime and outcomes by LSOA code (or, without one,
    by their point), stop and search by its point (or the Met's file whole)."""
    shutil.rmtree(out, ignore_errors=True)
    lsoas = {code for code, borough in lookup.items() if borough in boroughs}
    area = borough_area(shared, boroughs)
    totals = {"street": 0, "outcomes": 0, "stop-and-search": 0}
    for month in months:
        for path in sorted((shared / "crime" / "police-uk" / month).glob("*.csv.gz")):
            if "west-yorkshire" in path.name:
                continue
            target = out / month / path.name
            if path.name.endswith("stop-and-search.csv.gz"):
                kind = "stop-and-search"
                if whole_stop_and_search:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    totals[kind] += len(read_gz(path)[1])
                    continue
                header, rows = read_gz(path)
                lat, lon = header.index("Latitude"), header.index("Longitude")
                kept = [r for r in rows if inside(area, r, lat, lon)]
            else:
                kind = "outcomes" if "outcomes" in path.name else "street"
                header, rows = read_gz(path)
                code = header.index("LSOA code")
                if whole_stop_and_search:  # the London set: a row without an LSOA code is kept by its point
                    lat, lon = header.index("Latitude"), header.index("Longitude")
                    kept = [r for r in rows if r[code] in lsoas or (not r[code] and inside(area, r, lat, lon))]
                else:  # the test set, as it has always been built
                    kept = [r for r in rows if r[code] in lsoas]
            if not kept:
                continue  # e.g. early stop-and-search months carry no coordinates to place them by
            write_gz(target, header, kept)
            totals[kind] += len(kept)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", choices=("demo", "test"), help="build one set only")
    args = parser.parse_args()
    shared = args.shared
    lookup = lsoa_boroughs(shared)
    if args.only != "test":
        copy_geography_and_population(shared)
        covered, counts = covered_boroughs(shared, lookup, DEMO_MONTHS)
        dropped = {b: n for b, n in counts.items() if b and b not in covered}
        print(f"demo: {len(covered)} boroughs covered; left out (stray rows): {dict(sorted(dropped.items()))}; "
              f"{counts['']} rows without an LSOA code, kept when their point is in a covered borough")
        print("demo:", build(shared, DEMO_OUT / "police-uk", DEMO_MONTHS, covered, lookup, whole_stop_and_search=True))
    if args.only != "demo":
        print("test:", build(shared, TEST_OUT / "police-uk", TEST_MONTHS, set(TEST_BOROUGHS), lookup,
                             whole_stop_and_search=False))


if __name__ == "__main__":
    main()
