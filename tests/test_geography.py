import json

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import write_csv
from vcdhub.geography.boundaries import BoundaryFileError
from vcdhub.geography.loader import BUNDLED_LOOKUP, BUNDLED_LSOA, load_geography
from vcdhub.geography.models import Borough, BoundarySet, Lsoa, Ward
from vcdhub.geography.placement import AreaResolver

pytestmark = pytest.mark.django_db


def test_bundled_london_geography_is_complete(london):
    assert (Borough.objects.count(), Ward.objects.count(), Lsoa.objects.count()) == (33, 637, 4835)
    lambeth = Borough.objects.get(code="E09000022")
    assert lambeth.name == "Lambeth"
    assert Lsoa.objects.filter(borough=lambeth).exclude(ward__borough=lambeth).count() == 0
    # Mid-2019 population is attached; London's total was about 8.96 million.
    total = sum(Lsoa.objects.values_list("population", flat=True))
    assert 8_900_000 < total < 9_050_000


def test_wards_and_boroughs_are_dissolved_from_their_lsoas(london):
    ward = Ward.objects.get(code="E05000416")  # Brixton Hill, Lambeth
    outline = shapely.from_geojson(ward.geometry)
    for lsoa in ward.lsoas.all():
        point = shapely.from_geojson(lsoa.geometry).representative_point()
        assert outline.buffer(0.0005).contains(point)
    # Dissolved areas add up: a borough's area is the sum of its LSOAs' areas.
    lambeth = Borough.objects.get(code="E09000022")
    assert lambeth.area_km2 == pytest.approx(sum(lsoa.area_km2 for lsoa in lambeth.lsoas.all()), rel=1e-3)
    assert 26 < lambeth.area_km2 < 28  # Lambeth is 26.8 km²


def test_point_in_polygon_finds_the_right_lsoa(london):
    resolver = AreaResolver.from_database()
    lsoa = Lsoa.objects.get(code="E01003014")
    point = shapely.from_geojson(lsoa.geometry).representative_point()
    [(lsoa_id, ward_id, borough_id)] = resolver.by_points([point.x], [point.y])
    assert (lsoa_id, ward_id, borough_id) == (lsoa.id, lsoa.ward_id, lsoa.borough_id)
    assert resolver.by_points([-1.55], [53.6]) == [(None, None, None)]


def test_the_kept_resolver_places_a_point_in_two_queries_until_the_areas_change(london, tmp_path,
                                                                              django_assert_max_num_queries):
    lsoa = Lsoa.objects.get(code="E01003014")
    point = shapely.from_geojson(lsoa.geometry).representative_point()
    kept = AreaResolver.current()
    with django_assert_max_num_queries(2):
        assert AreaResolver.current() is kept
        assert kept.by_points([point.x], [point.y]) == [(lsoa.id, lsoa.ward_id, lsoa.borough_id)]
    assert kept.by_points([-1.595], [53.005]) == [(None, None, None)]

    load_two_square_force(tmp_path)
    placed = AreaResolver.current()
    assert placed is not kept
    assert placed.by_points([-1.595], [53.005]) == [(Lsoa.objects.get(code="E01999991").pk,
                                                     Ward.objects.get(code="E05999991").pk,
                                                     Borough.objects.get(code="E08999999").pk)]


def test_loading_the_same_files_again_changes_nothing(london):
    sets = BoundarySet.objects.count()
    result = load_geography(actor="test")
    assert result.unchanged and BoundarySet.objects.count() == sets


def load_two_square_force(tmp_path) -> None:
    """A two-LSOA 'force' with differently named (2021-style) columns: two 0.01° squares side by side, west to
    east from (-1.6, 53)."""
    square = lambda x: {"type": "Polygon", "coordinates": [[[x, 53], [x + .01, 53], [x + .01, 53.01], [x, 53.01],  # noqa: E731
                                                             [x, 53]]]}
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": code}, "geometry": square(x)}
        for code, x in (("E01999991", -1.6), ("E01999992", -1.59))]}
    (tmp_path / "lsoa.geojson").write_text(json.dumps(geo))
    write_csv(tmp_path / "lookup.csv", ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"], [
        ["E01999991", "Test 001A", "E05999991", "North", "E08999999", "Testshire"],
        ["E01999992", "Test 001B", "E05999991", "North", "E08999999", "Testshire"]])
    call_command("geography", "load", "--lsoa", str(tmp_path / "lsoa.geojson"), "--lookup",
                 str(tmp_path / "lookup.csv"), "--reload", stdout=open("/dev/null", "w"))


def test_another_forces_boundaries_load_from_their_own_files(db, tmp_path):
    """Another force's boundary files load through the same code."""
    load_two_square_force(tmp_path)
    ward = Ward.objects.get(code="E05999991")
    assert ward.lsoas.count() == 2
    # Two adjacent 0.01° squares dissolve into one 0.02 x 0.01 rectangle.
    assert shapely.from_geojson(ward.geometry).area == pytest.approx(0.0002, rel=1e-6)


def test_a_lookup_missing_lsoas_is_refused_and_nothing_changes(london, tmp_path):
    write_csv(tmp_path / "lookup.csv", ["LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM"],
              [["E01000001", "City of London 001A", "E05009302", "Aldersgate", "E09000001", "City of London"]])
    before = BoundarySet.objects.count()
    with pytest.raises(BoundaryFileError, match="have no ward/borough in the lookup"):
        load_geography(BUNDLED_LSOA, tmp_path / "lookup.csv", actor="test")
    assert BoundarySet.objects.count() == before and Lsoa.objects.count() == 4835


def test_the_command_asks_for_both_files_or_neither(london):
    with pytest.raises(CommandError):
        call_command("geography", "load", "--lookup", str(BUNDLED_LOOKUP))


def test_records_imported_before_the_boundaries_are_placed_when_they_load(db, demo_file, tmp_path):
    from tests.conftest import read_rows
    from vcdhub.crime.models import Crime
    from vcdhub.ingest.pipeline import run_import

    Lsoa.objects.all().delete()
    Ward.objects.all().delete()
    Borough.objects.all().delete()
    BoundarySet.objects.all().delete()
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    rows = rows[:30]
    rows[0] = rows[0][:7] + ["", ""] + rows[0][9:]  # this one can only be placed by its point
    path = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows)
    assert run_import([path], actor="test").ok
    assert Crime.objects.filter(lsoa__isnull=False).count() == 0
    call_command("geography", "load", stdout=open("/dev/null", "w"))
    assert Crime.objects.filter(lsoa__isnull=False).count() == 30
    for crime in Crime.objects.exclude(lsoa_code="").select_related("lsoa"):
        assert crime.lsoa.code == crime.lsoa_code and crime.ward_id == crime.lsoa.ward_id
    unplaced_first = Crime.objects.get(lsoa_code="", location=rows[0][6], longitude_text=rows[0][4])
    assert unplaced_first.borough is not None


def test_resident_populations_are_summed_again_after_a_boundary_load(london):
    """The sums are kept per boundary load (a third of a ward map's time went on them): a new load must not be
    answered from the old one's."""
    from django.db.models import Sum

    from vcdhub.geography.population import resident_population

    lambeth = "E09000022"
    before = resident_population("borough", [lambeth])[lambeth]
    assert before == Lsoa.objects.filter(borough__code=lambeth).aggregate(n=Sum("population"))["n"]
    one = Lsoa.objects.filter(borough__code=lambeth).order_by("code").first()
    Lsoa.objects.filter(pk=one.pk).update(population=one.population + 1000)
    latest = BoundarySet.objects.order_by("-id").first()
    BoundarySet.objects.create(lsoa_sha256=latest.lsoa_sha256, lookup_sha256=latest.lookup_sha256,
                               population_sha256="changed", lsoa_count=latest.lsoa_count,
                               ward_count=latest.ward_count, borough_count=latest.borough_count, loaded_by="test")
    assert resident_population("borough", [lambeth])[lambeth] == before + 1000
    Lsoa.objects.filter(pk=one.pk).update(population=None)  # one LSOA without an estimate: no borough figure
    BoundarySet.objects.create(lsoa_sha256="x", lookup_sha256="x", lsoa_count=1, ward_count=1, borough_count=1,
                               loaded_by="test")
    assert lambeth not in resident_population("borough")
