"""The place pages: the request form, a stored run's map, table, area panel and downloads, and what each role sees."""

import csv
import io
import json
import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from PIL import Image

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.geography.models import Lsoa
from vcdhub.ingest.pipeline import run_import
from vcdhub.places import render
from vcdhub.places.actions import run_analysis
from vcdhub.places.models import AnalysisRun

pytestmark = pytest.mark.django_db
MONTHS = ("2017-06", "2017-07")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GOOD = {"kind": "concentration", "crime_type": "Robbery", "month_from": "2017-06", "month_to": "2017-07",
        "level": "ward"}


@pytest.fixture
def loaded(london, demo_file):
    assert run_import([demo_file(m, "metropolitan-street") for m in MONTHS], actor="test").ok


@pytest.fixture
def client_for(client, london):
    def sign_in(name: str):
        client.force_login(make_persona(name))
        return client

    return sign_in


def _stored(level: str = "ward", **options):
    with acting_as("test"):
        return run_analysis("concentration", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                            level=level, actor="test", share=0.2, **options)


@pytest.fixture
def run(loaded):
    """Robbery by ward over two months: most wards hold a handful, so there are small cells to withhold."""
    return _stored()


def _small(run):
    minimum = settings.VCDHUB_MIN_CELL
    return {a["code"]: a["count"] for a in run.result["areas"] if 0 < a["count"] < minimum}


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


# --- the request form --------------------------------------------------------------------------------------------

def test_the_form_offers_the_latest_twelve_months_with_data(client_for, loaded):
    response = client_for("vcd_analyst").get("/places/")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["month_from"], initial["month_to"]) == ("2016-08", "2017-07")
    assert 'value="2017-07"' in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_a_get_never_stores_a_run_even_with_a_full_request(client_for, loaded):
    response = client_for("vcd_analyst").get("/places/", GOOD)  # a link or a browser's prefetch
    assert response.status_code == 200 and not AnalysisRun.objects.exists()
    assert client_for("vcd_analyst").post("/places/", GOOD).status_code == 302
    assert AnalysisRun.objects.count() == 1


@pytest.mark.parametrize("change, field", [
    ({"month_from": "2017-13"}, "month_from"),
    ({"month_to": "July 2017"}, "month_to"),
    ({"month_from": "2017-07", "month_to": "2017-06"}, "month_to"),
    ({"month_from": ""}, "month_from"),
    ({"crime_type": "Jaywalking"}, "crime_type"),
    ({"crime_type": ""}, "crime_type"),
    ({"kind": "astrology"}, "kind"),
    ({"level": "street"}, "level"),
    ({"borough": "E09999999"}, "borough"),
    ({"share": "1.5"}, "share"),
    ({"kind": "hotspots", "permutations": "98"}, "permutations"),
    ({"kind": "hotspots", "permutations": "10000"}, "permutations"),
    ({"kind": "hotspots", "permutations": "many"}, "permutations"),
    ({"kind": "hotspots", "seed": "-1"}, "seed"),
    ({"kind": "hotspots", "inference": "vibes"}, "inference"),
    ({"kind": "clusters", "alpha": "0.5"}, "alpha"),
    ({"kind": "emerging", "month_from": "2017-01", "confidence": "0.5"}, "confidence"),
    ({"kind": "emerging"}, "month_from"),  # two months: too few for a trend
    ({"kind": "challenged", "count_weight": "0", "rate_weight": "0"}, "rate_weight"),
    ({"kind": "challenged", "top": "0"}, "top"),
    ({"kind": "alerts", "level": "lsoa"}, "level"),
    ({"kind": "alerts", "method": "tarot"}, "method"),
    ({"kind": "alerts", "min_history_years": "9"}, "min_history_years"),
])
def test_bad_input_is_shown_field_by_field_and_stores_nothing(client_for, change, field):
    response = client_for("vcd_analyst").post("/places/", {**GOOD, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert f'data-field="{field}"' in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_a_request_that_cannot_be_answered_is_a_form_error_not_a_500(client_for, loaded):
    response = client_for("vcd_analyst").post("/places/", {**GOOD, "month_from": "2010-01", "month_to": "2010-12"})
    assert response.status_code == 200
    assert "no areas to analyse" in " ".join(response.context["form"].non_field_errors())
    assert 'id="form-errors"' in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_a_valid_request_stores_a_run_and_opens_its_map(client_for, loaded):
    response = client_for("vcd_analyst").post("/places/", {
        **GOOD, "kind": "hotspots", "permutations": "99", "seed": "20170701", "fdr": "off", "inference": "pseudo",
        "borough": ["E09000022", "E09000005"]})
    run = AnalysisRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/places/runs/{run.pk}/"
    assert run.kind == "hotspots" and run.created_by == "user:vcd_analyst"
    assert run.parameters | {"permutations": 99, "seed": 20170701, "fdr": False, "inference": "pseudo", "level": "ward",
                             "boroughs": ["E09000005", "E09000022"], "from": "2017-06", "to": "2017-07",
                             "crime_types": ["Robbery"]} == run.parameters
    assert set(run.result["boroughs"]) == {"E09000005", "E09000022"}
    page = client_for("vcd_analyst").get(response["Location"]).content.decode()
    assert "20170701" in page and run.input_sha256 in page and run.code_version in page


def test_alerts_assess_the_month_to_and_ignore_month_from(client_for, loaded):
    response = client_for("vcd_analyst").post("/places/", {**GOOD, "kind": "alerts", "month_from": "",
                                                            "level": "borough"})
    assert response.status_code == 302
    run = AnalysisRun.objects.get()
    assert run.parameters["from"] is None and run.result["to"] == "2017-07"
    page = client_for("vcd_analyst").get(response["Location"]).content.decode()
    assert "Crimes in 2017-07" in client_for("vcd_analyst").get(f"/places/runs/{run.pk}/table/").content.decode()
    assert "2017-07, against a baseline from 2017-06" in page  # the history starts where the data does


@pytest.mark.parametrize("kind, options", [
    ("concentration", {"share": "0.5"}),
    ("challenged", {"top": "3", "min_population": "500"}),
    ("hotspots", {"permutations": "99", "seed": "1"}),
    ("clusters", {"permutations": "99", "seed": "1", "alpha": "0.1"}),
    ("emerging", {"permutations": "99", "seed": "1", "confidence": "0.95"}),
    ("alerts", {"method": "cusum", "min_history_years": "1"}),
])
def test_every_analysis_opens_as_a_map_a_table_an_area_and_downloads(client_for, london, demo_file, kind, options):
    assert run_import([demo_file(m, "metropolitan-street") for m in ("2017-04", *MONTHS)], actor="test").ok
    client = client_for("vcd_supervisor")
    response = client.post("/places/", {**GOOD, "kind": kind, "month_from": "2017-04", **options})
    assert response.status_code == 302, response.context and response.context["form"].errors
    run = AnalysisRun.objects.get()
    base = response["Location"]
    legend = {item["class"]: item["areas"] for item in run.result["legend"]}
    page = client.get(base).content.decode()
    assert all(f'data-class="{c}" data-areas="{n}"' in unescape(page) for c, n in legend.items())
    assert client.get(base + "table/").status_code == 200
    code = run.result["areas"][0]["code"]
    assert client.get(f"{base}areas/{code}/", HTTP_HX_REQUEST="true").status_code == 200
    assert len(_csv(client.get(base + "download.csv"))) == len(run.result["areas"])
    assert len(json.loads(client.get(base + "download.geojson").content)["features"]) == len(run.result["areas"])
    assert client.get(base + "download.png").content.startswith(PNG_SIGNATURE)


# --- a stored run: map, table and downloads agree ------------------------------------------------------------------

def test_the_map_page_shows_the_legend_summary_and_how_the_run_was_made(client_for, run):
    response = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for item in run.result["legend"]:
        assert f'data-class="{item["class"]}" data-areas="{item["areas"]}"' in page
        assert item["colour"] in page
    summary = run.result["summary"]
    assert f"{summary['areas_needed']} of {summary['areas_considered']} wards hold 20% of the crimes" in page
    assert f"Gini {summary['gini']:.3f}" in page
    assert run.input_sha256 in page and f"vcdhub analyse reproduce {run.pk}" in page
    assert f'data-source="/places/runs/{run.pk}/download.geojson"' in page
    assert "<script>" not in page.replace('<script src=', '')  # no inline script of ours: the CSP pattern


def test_the_table_class_counts_equal_the_legend(client_for, run):
    response = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/table/")
    assert response.status_code == 200
    legend = {item["class"]: item["areas"] for item in run.result["legend"]}
    rows = response.context["table"]["rows"]
    assert len(rows) == len(run.result["areas"]) == sum(legend.values())
    assert Counter(r["class"] for r in rows) == Counter({k: v for k, v in legend.items() if v})
    shown = {c["class"]: c["areas"] for c in response.context["table"]["classes"]}
    assert shown == legend
    page = response.content.decode()
    table_body = page.split('id="areas-table"')[1]
    assert Counter(re.findall(r'<tr data-class="([^"]+)" data-code=', table_body)) == Counter(
        {k: v for k, v in legend.items() if v})


def test_csv_and_geojson_have_one_row_or_feature_per_area_with_the_same_classes(client_for, run):
    client = client_for("vcd_analyst")
    areas = {a["code"]: a for a in run.result["areas"]}
    colours = {item["class"]: item["colour"] for item in run.result["legend"]}

    response = client.get(f"/places/runs/{run.pk}/download.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert [r["code"] for r in rows] == list(areas)
    assert {r["code"]: r["class"] for r in rows} == {c: a["class"] for c, a in areas.items()}
    assert {r["code"]: int(r["count"]) for r in rows} == {c: a["count"] for c, a in areas.items()}
    assert {"rank", "cumulative_share"} <= set(rows[0])

    response = client.get(f"/places/runs/{run.pk}/download.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(areas)
    for feature in data["features"]:
        p = feature["properties"]
        area = areas[p["code"]]
        assert (p["class"], p["count"], p["colour"]) == (area["class"], area["count"], colours[area["class"]])
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert data["properties"]["input_sha256"] == run.input_sha256
    assert data["properties"]["suppressed_below"] is None


def test_the_png_is_a_png_map(client_for, run):
    response = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/download.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.size == (1100, 850)
    colours = {item["colour"] for item in run.result["legend"] if item["areas"]}
    drawn = {"#{:02x}{:02x}{:02x}".format(*pixel[:3]) for _, pixel in image.convert("RGB").getcolors(1_000_000)}
    assert colours <= drawn  # every class with areas is on the map


def test_the_runs_list_links_to_each_run(client_for, run):
    page = client_for("authority_member").get("/places/runs/").content.decode()
    assert f'href="/places/runs/{run.pk}/"' in page and "Robbery" in page


def test_an_unknown_run_or_area_is_not_found(client_for, run):
    client = client_for("vcd_analyst")
    assert client.get(f"/places/runs/{run.pk + 1000}/").status_code == 404
    assert client.get(f"/places/runs/{run.pk + 1000}/download.png").status_code == 404
    assert client.get(f"/places/runs/{run.pk}/areas/E05999999/").status_code == 404


def test_pages_need_a_signed_in_user(client, run):
    for path in ("/places/", f"/places/runs/{run.pk}/", f"/places/runs/{run.pk}/download.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- who sees what --------------------------------------------------------------------------------------------------

def test_an_authority_member_gets_small_counts_withheld_everywhere_and_no_explorer_link(client_for, run):
    client = client_for("authority_member")
    minimum = settings.VCDHUB_MIN_CELL
    small = _small(run)
    assert small, "the fixture should have wards with a handful of robberies"
    large = {a["code"]: a["count"] for a in run.result["areas"] if a["count"] >= minimum}
    assert large

    table = client.get(f"/places/runs/{run.pk}/table/").context["table"]
    by_code = {r["code"]: r for r in table["rows"]}
    for code in small:
        assert by_code[code]["count"] is None and by_code[code]["count_text"] == f"fewer than {minimum}"
        assert by_code[code]["details"][table["columns"].index("cumulative_share")] == "withheld"
    for code, n in large.items():
        assert by_code[code]["count"] == n

    rows = {r["code"]: r for r in _csv(client.get(f"/places/runs/{run.pk}/download.csv"))}
    for code in small:
        assert rows[code]["count"] == f"fewer than {minimum}" and rows[code]["cumulative_share"] == "withheld"
    for code, n in large.items():
        assert rows[code]["count"] == str(n)

    data = json.loads(client.get(f"/places/runs/{run.pk}/download.geojson").content)
    assert data["properties"]["suppressed_below"] == minimum
    features = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    for code in small:
        assert features[code]["count"] is None and features[code]["withheld"] is True
        assert features[code]["detail"]["cumulative_share"] is None
    assert all(not 0 < (p["count"] or 0) < minimum for p in features.values())

    code = next(iter(small))
    panel = client.get(f"/places/runs/{run.pk}/areas/{code}/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'id="explorer-link"' not in html and "/crimes/" not in html
    assert f"fewer than {minimum}" in html
    assert all(n == "0" or n == f"fewer than {minimum}" or int(n.replace(",", "")) >= minimum
               for _, n in panel.context["monthly"])

    page = client.get(f"/places/runs/{run.pk}/").content.decode()
    assert f"Counts from 1 to {minimum - 1} are withheld" in page
    assert client.get(f"/places/runs/{run.pk}/download.png").content.startswith(PNG_SIGNATURE)


def test_an_analyst_gets_every_count_and_the_explorer_link(client_for, run):
    client = client_for("vcd_analyst")
    code, n = next(iter(_small(run).items()))
    panel = client.get(f"/places/runs/{run.pk}/areas/{code}/", HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert "<html" not in html  # the partial, for the panel beside the map
    assert f'<span class="area-count">{n}</span>' in html
    link = re.search(r'id="explorer-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(link).query)
    assert urlparse(link).path == "/crimes/"
    assert query == {"month_from": ["2017-06"], "month_to": ["2017-07"], "crime_type": ["Robbery"], "ward": [code]}
    explorer = client.get(link)
    assert explorer.status_code == 200 and explorer.context["total"] == n
    assert sum(int(c.replace(",", "")) for _, c in panel.context["monthly"]) == n
    assert "<svg" in html
    # Without htmx the same area is a page of its own.
    page = client.get(f"/places/runs/{run.pk}/areas/{code}/")
    assert "<html" in page.content.decode() and 'id="explorer-link"' in page.content.decode()


def test_an_lsoa_links_to_the_crimes_of_its_ward(client_for, loaded):
    run = _stored("lsoa", boroughs=["E09000022"])
    code = next(a["code"] for a in run.result["areas"] if a["count"])
    ward = Lsoa.objects.select_related("ward").get(code=code).ward
    html = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/areas/{code}/",
                                         HTTP_HX_REQUEST="true").content.decode()
    link = re.search(r'id="explorer-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlparse(link).query)["ward"] == [ward.code]
    assert f"all of {ward.name} ({ward.code})" in unescape(html)


# --- the CSV is safe to open in a spreadsheet ----------------------------------------------------------------------

def test_csv_text_cells_that_a_spreadsheet_would_run_are_quoted():
    result = render.withhold({
        "kind": "challenged", "level": "ward", "crime_types": ["Robbery"], "from": "2017-06", "to": "2017-07",
        "boroughs": [], "total": 7, "unplaced": 0, "outside": 0, "summary": {},
        "legend": [{"class": "ranked", "colour": "#fddbc7", "areas": 3}],
        "areas": [
            {"code": "X1", "name": '=HYPERLINK("http://evil","x")', "count": 5, "class": "ranked",
             "detail": {"rate": -0.5, "reason": "+1 then more"}},
            {"code": "X2", "name": "@SUM(A1)", "count": 2, "class": "ranked", "detail": {"reason": "-2"}},
            {"code": "X3", "name": "Abbey", "count": 0, "class": "ranked", "detail": {"reason": "\tTab"}},
        ]}, None)
    rows = list(csv.reader(io.StringIO(render.csv_text(result))))
    assert rows[0] == ["code", "name", "count", "class", "colour", "rate", "reason"]
    assert rows[1] == ["X1", "'=HYPERLINK(\"http://evil\",\"x\")", "5", "ranked", "#fddbc7", "-0.5", "'+1 then more"]
    assert rows[2][1] == "'@SUM(A1)" and rows[2][6] == "'-2" and rows[2][5] == ""
    assert rows[3][1] == "Abbey" and rows[3][6] == "'\tTab"


def test_a_concentration_run_draws_its_lorenz_curve_from_the_stored_points(client_for, run):
    import re

    page = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode()
    match = re.search(r'<polyline points="([^"]+)"[^>]*class="lorenz-curve"', page)
    assert match, "the concentration page shows the Lorenz curve"
    points = [tuple(map(float, p.split(","))) for p in match.group(1).split()]
    xs, ys = zip(*points, strict=True)
    # Screen coordinates: x grows and y falls (the curve rises) from the bottom-left to the top-right corner.
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys, reverse=True)
    assert (points[0], points[-1]) == ((40.0, 280.0), (280.0, 40.0))
    assert f"Gini {run.result['summary']['gini']:.3f}" in page
    hot = _stored_kind("hotspots")
    assert "lorenz-curve" not in client_for("vcd_analyst").get(f"/places/runs/{hot.pk}/").content.decode()


def _stored_kind(kind: str):
    with acting_as("test"):
        return run_analysis(kind, crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1], level="ward",
                            actor="test", permutations=99, seed=1)
