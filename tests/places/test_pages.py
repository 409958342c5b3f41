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

from tests.conftest import imported_once, make_persona
from vcdhub.audit.context import acting_as
from vcdhub.geography.models import Lsoa
from vcdhub.ingest.pipeline import run_import
from vcdhub.places.actions import run_analysis
from vcdhub.places.areas import monthly_counts
from vcdhub.places.downloads import csv_text
from vcdhub.places.models import AnalysisRun
from vcdhub.places.prose import percent, summary_lines
from vcdhub.places.published import withhold
from vcdhub.places.tables import csv_label, detail_label
from vcdhub.platform.jobs import run_pending_jobs
from vcdhub.platform.models import Job

pytestmark = pytest.mark.django_db
MONTHS = ("2017-06", "2017-07")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GOOD = {"kind": "concentration", "crime_type": "Robbery", "month_from": "2017-06", "month_to": "2017-07",
        "level": "ward"}


loaded = imported_once(MONTHS)


@pytest.fixture
def client_for(client, london):
    def sign_in(name: str):
        client.force_login(make_persona(name))
        return client

    return sign_in


def _requested(client, data):
    """POST an analysis request: it is queued as a job for the user; run the queue, as a worker would, and
    answer as the page would after the job: its result's address (302), or the form (200)."""
    response = client.post("/places/", data)
    if response.status_code != 302:
        return response
    job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == "queued"
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error + job.traceback
    response.job = job
    response["Location"] = job.result_url
    return response


def _stored(level: str = "ward", **options):
    with acting_as("test"):
        return run_analysis("concentration", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                            level=level, actor="test", share=0.2, **options)


@pytest.fixture
def run(loaded):
    """Robbery by ward over two months: most wards hold a handful, so there are small cells to withhold."""
    return _stored()


@pytest.fixture
def protected_run(loaded):
    """The same, computed from perturbed counts: a run aggregate-only readers may open."""
    return _stored(perturbed=True)


def _small(run):
    minimum = settings.VCDHUB_MIN_CELL
    return {a["code"]: a["count"] for a in run.result["areas"] if 0 < a["count"] < minimum}


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


# The CSV's header in words, as a spreadsheet user reads it; the count's column states its period.
CODE, CLASS, COUNT = "Code", "Class", f"Crimes, {MONTHS[0]} to {MONTHS[-1]}"
RANK, SHARE = "Rank", "Cumulative share (0 to 1)"


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
    assert _requested(client_for("vcd_analyst"), GOOD).status_code == 302
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


def test_a_request_that_cannot_be_answered_is_a_failed_job_with_its_reason_not_a_500(client_for, loaded):
    client = client_for("vcd_analyst")
    response = client.post("/places/", {**GOOD, "month_from": "2010-01", "month_to": "2010-12"})
    assert response.status_code == 302
    run_pending_jobs()
    job = Job.objects.get()
    assert job.status == "failed" and "no areas to analyse" in job.error
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Failed." in page and "no areas to analyse" in page
    assert "Traceback" not in page  # the traceback is kept for administrators only
    assert not AnalysisRun.objects.exists()


def test_a_valid_request_stores_a_run_and_opens_its_map(client_for, loaded):
    response = _requested(client_for("vcd_analyst"), {
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
    response = _requested(client_for("vcd_analyst"), {**GOOD, "kind": "alerts", "month_from": "",
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
    response = _requested(client, {**GOOD, "kind": kind, "month_from": "2017-04", **options})
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
    _check_words_and_numbers(client, run, base, "vcd_supervisor")


# Internal names: identifiers with underscores (cumulative_share, p_adjusted), library functions (esda.G_Local) and
# paths to the docs. Users read words.
INTERNAL = re.compile(r"\b[A-Za-z]+(?:_[A-Za-z]+)+\b|\besda\.|docs/|\.md\b|\bG_Local\b|\bMoran_Local\b")


def _visible_text(html: str, *, drop: tuple[str, ...] = ()) -> str:
    """The text a reader sees: no scripts, styles, tags or attributes; `drop` (a user name, say) taken out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    for word in drop:
        text = text.replace(word, " ")
    return " ".join(text.split())


def _bare_thousands(text: str) -> list[str]:
    """Numbers of four or more digits without a thousands separator, leaving out months, dates, times and a
    command's flags ("--permutations 9999" is typed, not read)."""
    text = re.sub(r"\b\d{4}-\d{2}(-\d{2})?\b|\b\d{2}:\d{2}\b|--[a-z-]+ \S+", " ", text)
    return re.findall(r"(?<![\d.,])\d{4,}(?![\d,])", text)


def _check_words_and_numbers(client, run, base: str, username: str):
    """Every places page, the area panel and the CSV header read as words; every number in the summary, legend
    and tables has its thousands separators; every table states its period."""
    code = run.result["areas"][0]["code"]
    pages = {path: client.get(base + path) for path in ("", "table/", f"areas/{code}/")}
    pages["panel"] = client.get(f"{base}areas/{code}/", HTTP_HX_REQUEST="true")
    pages["index"], pages["runs"] = client.get("/places/"), client.get("/places/runs/")
    for path, response in pages.items():
        text = _visible_text(response.content.decode(), drop=(username,))
        assert not INTERNAL.findall(text), (path, INTERNAL.findall(text))
    header = client.get(base + "download.csv").content.decode().splitlines()[0]
    assert not INTERNAL.findall(header), header
    # Numbers: the summary, the legend and every cell of the table page.
    table = pages["table/"].context["table"]
    cells = [c for row in table["rows"] for c in (row["count_text"], *row["details"])]
    shown = [*pages[""].context["summary"], *cells, *(str(item["areas"]) for item in table["classes"])]
    assert not [n for line in shown for n in _bare_thousands(line) if int(n) >= 1000], shown
    # Each table states its period.
    period = pages[""].context["period"]
    captions = re.findall(r"<caption>(.*?)</caption>", unescape(pages["table/"].content.decode()), flags=re.S)
    assert len(captions) == 2 and all(period in caption for caption in captions), captions
    panel = unescape(pages["panel"].content.decode())
    if 'id="monthly-withheld"' not in panel:
        assert f"<caption>Crimes each month, {run.result['from']} to {run.result['to']}</caption>" in panel


def test_numbers_are_formatted_with_units_and_separators():
    from vcdhub.places.tables import format_detail, format_value

    assert format_detail("cumulative_share", 0.9134) == "91.3%"
    assert format_detail("rate", 12345.67) == "12,345.7 per 1,000 residents"
    assert format_detail("population", 12500) == "12,500"
    assert format_detail("p_adjusted", 0.012345) == "0.012" and format_detail("p", 1.9e-14) == "< 0.0001"
    assert format_detail("excess", 1234.56) == "+1,234.6" and format_detail("expected", 0.0) == "0.0"
    assert format_value(12345.6) == "12,346" and format_value(0.01234) == "0.0123" and format_value(None) == "—"


# --- a stored run: map, table and downloads agree ------------------------------------------------------------------

def test_the_map_page_shows_the_legend_summary_and_how_the_run_was_made(client_for, run):
    response = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for item in run.result["legend"]:
        assert f'data-class="{item["class"]}" data-areas="{item["areas"]}"' in page
        assert item["colour"] in page
    summary = run.result["summary"]
    last = next(a for a in run.result["areas"] if a["detail"]["rank"] == summary["areas_needed"])
    held = percent(last["detail"]["cumulative_share"])
    assert held != "20%"  # the share actually held, not the one asked for
    assert (f"{summary['areas_needed']} of {summary['areas_considered']} wards hold {held} of the crimes "
            "(at least 20%)") in page
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
    assert [r[CODE] for r in rows] == list(areas)
    assert {r[CODE]: r[CLASS] for r in rows} == {c: a["class"] for c, a in areas.items()}
    assert {r[CODE]: int(r[COUNT]) for r in rows} == {c: a["count"] for c, a in areas.items()}
    assert list(rows[0]) == [CODE, "Name", COUNT, CLASS, "Colour", RANK, SHARE]

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


def test_the_runs_list_links_to_each_run_its_reader_may_open(client_for, run, protected_run):
    page = client_for("vcd_analyst").get("/places/runs/").content.decode()
    assert f'href="/places/runs/{run.pk}/"' in page and f'href="/places/runs/{protected_run.pk}/"' in page
    page = client_for("authority_member").get("/places/runs/").content.decode()
    assert f'href="/places/runs/{protected_run.pk}/"' in page and "Robbery" in page
    assert f'href="/places/runs/{run.pk}/"' not in page


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

def test_an_authority_member_gets_small_counts_withheld_everywhere_and_no_explorer_link(client_for, protected_run):
    run = protected_run
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

    rows = {r[CODE]: r for r in _csv(client.get(f"/places/runs/{run.pk}/download.csv"))}
    for code in small:
        assert rows[code][COUNT] == f"fewer than {minimum}" and rows[code][SHARE] == "withheld"
    for code, n in large.items():
        assert rows[code][COUNT] == str(n)

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
    result = withhold({
        "kind": "challenged", "level": "ward", "crime_types": ["Robbery"], "from": "2017-06", "to": "2017-07",
        "boroughs": [], "total": 7, "unplaced": 0, "outside": 0, "summary": {},
        "legend": [{"class": "ranked", "colour": "#fddbc7", "areas": 3}],
        "areas": [
            {"code": "X1", "name": '=HYPERLINK("http://evil","x")', "count": 5, "class": "ranked",
             "detail": {"rate": -0.5, "reason": "+1 then more"}},
            {"code": "X2", "name": "@SUM(A1)", "count": 2, "class": "ranked", "detail": {"reason": "-2"}},
            {"code": "X3", "name": "Abbey", "count": 0, "class": "ranked", "detail": {"reason": "\tTab"}},
        ]}, None)
    rows = list(csv.reader(io.StringIO(csv_text(result))))
    assert rows[0] == ["Code", "Name", "Crimes, 2017-06 to 2017-07", "Class", "Colour", "Rate per 1,000 residents",
                       "Why"]
    assert rows[1] == ["X1", "'=HYPERLINK(\"http://evil\",\"x\")", "5", "ranked", "#fddbc7", "-0.5", "'+1 then more"]
    # "-2" is a plain number, not a formula: kept as it is (as a negative longitude must be)
    assert rows[2][1] == "'@SUM(A1)" and rows[2][6] == "-2" and rows[2][5] == ""
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
    # The curve runs from the plot's bottom-left corner to its top-right corner.
    frame = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"', page)
    x, y, w, h = map(float, frame.groups())
    assert points[0] == pytest.approx((x, y + h)) and points[-1] == pytest.approx((x + w, y))
    assert f"Gini {run.result['summary']['gini']:.3f}" in page
    hot = _stored_kind("hotspots")
    assert "lorenz-curve" not in client_for("vcd_analyst").get(f"/places/runs/{hot.pk}/").content.decode()


def test_the_lorenz_curve_has_a_fixed_sane_size_and_ticks_on_both_axes_without_style_attributes(client_for, run):
    import xml.etree.ElementTree as ET

    page = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode()
    svg_text = re.search(r'<figure class="lorenz" id="lorenz">(<svg.*?</svg>)', page, re.S).group(1)
    svg = ET.fromstring(svg_text)
    ns = "{http://www.w3.org/2000/svg}"
    # A size of its own (without one, an inline SVG with a viewBox stretches to the page's full width), square
    # enough to read, and the same as its viewBox so that 11 px text is 11 px.
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert 300 <= width <= 480 and 300 <= height <= 480 and svg.get("viewBox") == f"0 0 {width:g} {height:g}"
    frame = svg.find(f"{ns}rect")
    assert float(frame.get("width")) == pytest.approx(float(frame.get("height")))  # equal scales: a square plot
    labels = {axis: [t.text for t in svg.iter(f"{ns}text") if t.get("class") == f"tick-label {axis}"]
              for axis in ("x", "y")}
    assert labels == {"x": ["0%", "25%", "50%", "75%", "100%"], "y": ["0%", "25%", "50%", "75%", "100%"]}
    assert len([el for el in svg.iter(f"{ns}line") if el.get("class") == "tick"]) == 10
    # Ticks sit where their values are: the x labels across the plot's width, the y labels up its height.
    x0 = float(frame.get("x"))
    xs = [float(t.get("x")) for t in svg.iter(f"{ns}text") if t.get("class") == "tick-label x"]
    assert xs == pytest.approx([x0 + k * float(frame.get("width")) / 4 for k in range(5)])
    texts = " ".join(t.text or "" for t in svg.iter(f"{ns}text"))
    assert "share of wards, least crime first" in texts and "share of crimes" in texts
    assert not any(el.get("style") is not None for el in svg.iter())  # the CSP forbids style attributes


def _stored_kind(kind: str):
    with acting_as("test"):
        return run_analysis(kind, crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1], level="ward",
                            actor="test", permutations=99, seed=1)


# --- nothing withheld can be worked out from what is shown ---------------------------------------------------------

def _shown_sum(run) -> int:
    return sum(a["count"] for a in run.result["areas"] if a["code"] not in _small(run))


def _png_texts(monkeypatch, client, path: str) -> list[str]:
    """The lines of text drawn on a PNG download."""
    from matplotlib.figure import Figure

    texts, text = [], Figure.text

    def record(self, x, y, s, *args, **kwargs):
        texts.append(s)
        return text(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(Figure, "text", record)
    assert client.get(path).content.startswith(PNG_SIGNATURE)
    return texts


def test_an_authority_member_gets_no_lorenz_curve_gini_shares_or_ranks_that_give_small_counts_away(client_for,
                                                                                                   protected_run):
    run = protected_run
    minimum = settings.VCDHUB_MIN_CELL
    small = _small(run)
    assert small
    client = client_for("authority_member")
    response = client.get(f"/places/runs/{run.pk}/")
    page = response.content.decode()
    assert "lorenz-curve" not in page and "<polyline" not in page
    assert f'<p id="lorenz-withheld">Lorenz curve withheld: it would reveal counts under {minimum}.</p>' in page
    assert f"Gini {run.result['summary']['gini']:.3f}" not in page
    assert "wards hold at least 20% of the crimes." in page
    summary = response.context["result"]["summary"]
    assert "lorenz" not in summary and summary["gini"] is None

    rows = {r[CODE]: r for r in _csv(client.get(f"/places/runs/{run.pk}/download.csv"))}
    for code in small:
        assert (rows[code][RANK], rows[code][SHARE]) == ("withheld", "withheld")
    # A shown area's count over its cumulative share would be the exact total, so none is shown.
    assert {r[SHARE] for r in rows.values()} == {"withheld"}
    assert all(rows[a["code"]][RANK] == str(a["detail"]["rank"]) for a in run.result["areas"]
               if a["code"] not in small)

    features = {f["properties"]["code"]: f["properties"]
                for f in json.loads(client.get(f"/places/runs/{run.pk}/download.geojson").content)["features"]}
    for code in small:
        assert features[code]["detail"] == {"rank": None, "cumulative_share": None}
    table = client.get(f"/places/runs/{run.pk}/table/").context["table"]
    assert all(set(r["details"]) == {"withheld"} for r in table["rows"] if r["code"] in small)


@pytest.mark.parametrize("kind, level, label", [("hotspots", "90%", "is a hot or cold spot at 90%"),
                                                ("clusters", "the 0.05 level",
                                                 "is in a cluster or an outlier at the 0.05 level")])
def test_a_run_that_finds_nothing_says_which_setting_to_change_and_what_it_would_show(client_for, loaded, kind,
                                                                                      level, label):
    def stored(fdr: bool):
        with acting_as("test"):
            return run_analysis(kind, crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                                level="ward", boroughs=["E09000022"], actor="test", permutations=999, seed=7,
                                fdr=fdr)

    def found(run):
        return sum(1 for a in run.result["areas"] if a["class"] not in ("not significant", "no neighbours"))

    strict, loose = stored(True), stored(False)  # the same seed: the same permutations, so the same p-values
    assert found(strict) == 0 and found(loose) > 0, "two months of Lambeth's robbery: nothing passes the correction"
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{strict.pk}/").content.decode())
    assert (f"No ward {label} after the false-discovery-rate correction. To look further, set \u201cMultiple "
            f"testing\u201d to \u201cNo correction\u201d (--no-fdr): {found(loose):,} wards would then reach "
            f"{level}") in page
    assert "Or set \u201cPermutations\u201d to 9,999 (--permutations 9999) for a finer test." in page
    # Both named settings are the form's own words.
    form = client_for("vcd_analyst").get("/places/").content.decode()
    assert ">Multiple testing</label>" in form and ">No correction</option>" in form and ">Permutations</label>" in form
    # A run that finds something gives no advice.
    found_page = client_for("vcd_analyst").get(f"/places/runs/{loose.pk}/").content.decode()
    assert "To look further" not in unescape(found_page)


def test_a_run_stored_with_placeholders_for_numbers_is_shown_in_words():
    result = withhold({
        "kind": "alerts", "level": "ward", "crime_types": ["Robbery"], "from": "2016-01", "to": "2017-12",
        "boroughs": [], "total": 30, "unplaced": 0, "outside": 0, "legend": [],
        "summary": {"latest": "2017-12", "alerts": [], "not_assessed": 84, "not_assessed_reasons": {
            "not assessed: only N earlier December count before 2017-12; needs N": 81,
            "not assessed: expected count N is below the minimum of N": 3}},
        "areas": [{"code": "E05000416", "name": "Bishop's", "count": 3, "class": "not assessed", "detail": {}}]},
        None)
    line = next(line for line in summary_lines(result) if "not assessed (" in line)
    assert line == ("84 wards not assessed (81: fewer earlier December counts before 2017-12 than the history "
                    "needed; 3: expected count below the minimum).")


def test_the_total_is_only_a_lower_bound_when_any_area_count_is_withheld(client_for, protected_run, monkeypatch):
    run = protected_run
    total, shown, n = run.result["total"], _shown_sum(run), len(run.result["areas"])
    assert _small(run) and shown < total
    base = f"/places/runs/{run.pk}/"

    client = client_for("authority_member")
    for path in ("", "table/"):
        response = client.get(base + path)
        page = unescape(response.content.decode())
        assert f"At least {shown:,} crimes placed in the {n} wards analysed" in page
        assert f"{total:,} crimes" not in page and response.context["result"]["total"] is None
    data = json.loads(client.get(base + "download.geojson").content)["properties"]
    assert (data["total"], data["total_at_least"], data["total_text"]) == (None, shown, f"at least {shown:,}")
    texts = _png_texts(monkeypatch, client, base + "download.png")
    assert any(f"at least {shown:,} crimes placed" in t for t in texts)
    assert not any(f"{total:,}" in t for t in texts)

    client = client_for("vcd_analyst")
    assert f"{total:,} crimes placed in the {n} wards analysed" in client.get(base).content.decode()
    data = json.loads(client.get(base + "download.geojson").content)["properties"]
    assert (data["total"], data["total_at_least"]) == (total, None)
    assert any(f"{total:,} crimes placed" in t for t in _png_texts(monkeypatch, client, base + "download.png"))


def test_the_area_panel_shows_no_monthly_number_when_any_month_is_small(client_for, protected_run):
    run = protected_run
    minimum = settings.VCDHUB_MIN_CELL
    monthly = {a["code"]: monthly_counts(run.result, a["code"])[1] for a in run.result["areas"]}
    # A shown total with one small month and one not: the small month would be the total less the other.
    mixed = next(code for code, counts in monthly.items()
                 if any(0 < n < minimum for n in counts) and any(n >= minimum for n in counts))
    clear = next(code for code, counts in monthly.items() if sum(counts) and all(n == 0 or n >= minimum
                                                                                  for n in counts))
    client = client_for("authority_member")
    panel = client.get(f"/places/runs/{run.pk}/areas/{mixed}/", HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert panel.context["monthly"] == [] and panel.context["chart"] == ""
    assert f"Monthly counts withheld: at least one month has fewer than {minimum}." in html
    assert "<svg" not in html and 'class="data counts"' not in html
    assert not any(f"{m}:" in html or f"<td>{m}</td>" in html for m in MONTHS)
    assert f'<span class="area-count">{sum(monthly[mixed])}</span>' in html  # the area's own count stays
    # An area whose months are all 0 or at least the minimum keeps its chart and numbers.
    panel = client.get(f"/places/runs/{run.pk}/areas/{clear}/", HTTP_HX_REQUEST="true")
    assert [n for _, n in panel.context["monthly"]] == [f"{n:,}" for n in monthly[clear]]
    assert "<svg" in panel.content.decode() and 'id="monthly-withheld"' not in panel.content.decode()

    panel = client_for("vcd_analyst").get(f"/places/runs/{run.pk}/areas/{mixed}/", HTTP_HX_REQUEST="true")
    assert [n for _, n in panel.context["monthly"]] == [f"{n:,}" for n in monthly[mixed]]
    assert "<svg" in panel.content.decode()


def test_an_analyst_still_sees_every_figure(client_for, run):
    small = _small(run)
    areas = {a["code"]: a for a in run.result["areas"]}
    client = client_for("vcd_analyst")
    response = client.get(f"/places/runs/{run.pk}/")
    page = unescape(response.content.decode())
    assert 'class="lorenz-curve"' in page and 'id="lorenz-withheld"' not in page
    assert f"Gini {run.result['summary']['gini']:.3f}" in page
    assert f"{run.result['total']:,} crimes placed" in page and "withheld" not in page
    assert response.context["result"]["summary"]["lorenz"] == run.result["summary"]["lorenz"]
    rows = {r[CODE]: r for r in _csv(client.get(f"/places/runs/{run.pk}/download.csv"))}
    for code, n in small.items():
        detail = areas[code]["detail"]
        assert (rows[code][COUNT], rows[code][RANK]) == (str(n), str(detail["rank"]))
        assert float(rows[code][SHARE]) == pytest.approx(detail["cumulative_share"])


@pytest.mark.parametrize("kind, detail", [
    ("hotspots", {"z": 2.1, "p": 0.01, "p_adjusted": 0.04}),
    ("clusters", {"I": 0.8, "quadrant": "high-high", "p": 0.02, "p_adjusted": 0.05}),
    ("emerging", {"reason": "hot in 3 of 4 months", "trend": "up", "trend_p": 0.03, "hot_months": 3,
                  "cold_months": 0}),
    ("challenged", {"rank": 2, "population": 9000, "rate": 0.4, "count_score": 0.5, "rate_score": 0.6,
                    "composite": 0.55, "reason": "2nd highest count (3)"}),
    ("alerts", {"observed": 3.0, "expected": 1.2, "excess": 1.8, "ratio": 2.5, "p": 0.1, "p_adjusted": 0.3,
                "reason": "no alert: 3 crimes against 1.2 expected"}),
])
def test_a_withheld_area_keeps_its_class_and_nothing_else_in_every_kind(kind, detail):
    shown = {**detail, "observed": 9.0} if "observed" in detail else dict(detail)
    result = {"kind": kind, "level": "ward", "crime_types": ["Robbery"], "from": "2017-06", "to": "2017-07",
              "boroughs": [], "total": 12, "unplaced": 0, "outside": 0, "legend": [],
              "summary": {"top": ["A", "B"], "alerts": ["A", "B"]},
              "areas": [{"code": "A", "name": "Abbey", "count": 3, "class": "hot", "detail": dict(detail)},
                        {"code": "B", "name": "Bow", "count": 9, "class": "hot", "detail": shown}]}
    a, b = withhold(result, 5)["areas"]
    assert (a["withheld"], a["count"], a["class"]) == (True, None, "hot")
    assert a["detail"] == dict.fromkeys(detail) and sorted(a["withheld_fields"]) == sorted(detail)
    assert (b["withheld"], b["count"], b["detail"], b["withheld_fields"]) == (False, 9, shown, [])
    out = withhold(result, 5)
    assert (out["total"], out["total_at_least"]) == (None, 9)
    # Lists in rank order put withheld areas last, so their place in the order does not tell.
    assert out["summary"]["top"] == out["summary"]["alerts"] == ["B", "A"]
    assert withhold(result, None)["areas"][0]["detail"] == detail


# --- words ---------------------------------------------------------------------------------------------------------

def test_most_challenged_areas_are_listed_in_rank_order(client_for, loaded):
    with acting_as("test"):
        run = run_analysis("challenged", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                           level="ward", actor="test", top=5)
    top = sorted((a for a in run.result["areas"] if a["class"] == "most challenged"),
                 key=lambda a: a["detail"]["rank"])
    assert [a["code"] for a in top] != sorted(a["code"] for a in top), "the test needs rank order to differ"
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode())
    assert "Most challenged, in rank order: " + "; ".join(a["name"] for a in top) + "." in page


def test_counts_of_one_are_singular_and_boroughs_are_not_listed_in_boroughs(client_for, loaded):
    result = withhold({
        "kind": "alerts", "level": "borough", "crime_types": ["Robbery"], "from": "2017-06", "to": "2017-07",
        "boroughs": ["E09000022"], "total": 30, "unplaced": 0, "outside": 0, "legend": [],
        "summary": {"latest": "2017-07", "alerts": ["E09000022"], "not_assessed": 1,
                    "not_assessed_reasons": {"not assessed: only 1 earlier July count before 2017-07; needs 2": 1}},
        "areas": [{"code": "E09000022", "name": "Lambeth", "count": 3, "class": "alert", "detail": {}}]}, 5)
    lines = summary_lines(result)
    assert "1 alert among 1 borough for 2017-07." in lines
    assert "1 borough not assessed (1: only 1 earlier July count before 2017-07, needs 2)." in lines
    assert any(line.startswith("At least 1 crime placed in the 1 borough over the whole period") for line in lines)

    with acting_as("test"):
        run = run_analysis("concentration", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                           level="borough", boroughs=["E09000022", "E09000005"], actor="test", share=0.2)
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode())
    assert "2 boroughs: Brent, Lambeth" in page and "boroughs in Brent" not in page
    assert "1 of 2 boroughs holds" in page
    runs = client_for("vcd_analyst").get("/places/runs/").content.decode()
    assert "<td>2 boroughs</td>" in runs


def test_a_borough_named_with_no_data_is_a_warning(client_for, loaded):
    with acting_as("test"):
        run = run_analysis("concentration", crime_types=["Robbery"], month_from=MONTHS[0], month_to=MONTHS[-1],
                           level="ward", boroughs=["E09000022", "E09000001"], actor="test", share=0.2)
    assert run.result["boroughs_without_data"] == ["E09000001"]
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode())
    assert ("No records at all for City of London in this period: its wards show no crime, which means no data, "
            "not no crime.") in page


def test_the_png_names_the_options_that_change_the_result(client_for, loaded, monkeypatch):
    run = _stored_kind("hotspots")
    texts = _png_texts(monkeypatch, client_for("vcd_analyst"), f"/places/runs/{run.pk}/download.png")
    options = "false-discovery-rate correction on; 99 permutations; seed 1; p-values by counting permutations"
    assert any(t.startswith(f"Options: {options}.") for t in texts), texts


# The alerts' tests come last: their nineteen months stay loaded until the module ends, and the tests above
# expect the two months of `loaded` alone.
ALERT_MONTHS = [f"2016-{m:02d}" for m in range(1, 13)] + [f"2017-{m:02d}" for m in range(1, 8)]


alert_months = imported_once(ALERT_MONTHS)  # 5 s on PostgreSQL, each time


@pytest.fixture
def alerts_run(london, alert_months):
    """Robbery by ward, July 2017 against the 18 months before: many wards have a handful, and Haringey, Lambeth
    and Newham have no data in 2016-03."""
    with acting_as("test"):
        return run_analysis("alerts", crime_types=["Robbery"], month_from=None, month_to="2017-07", level="ward",
                            actor="test", min_history_years=1, perturbed=True)


def test_alerts_withhold_every_detail_of_an_area_with_a_small_count_but_keep_its_class(client_for, alerts_run):
    run, minimum = alerts_run, settings.VCDHUB_MIN_CELL
    small = {a["code"]: a for a in run.result["areas"] if 0 < a["count"] < minimum}
    # With expected and p (or the reason, which quotes the count), the observed count could be solved for.
    revealing = [code for code, a in small.items() if a["detail"]["expected"] is not None and a["detail"]["p"]]
    assert revealing, "some wards with a handful of robberies should have an expected count and a p-value"
    base = f"/places/runs/{run.pk}/"

    client = client_for("authority_member")
    table = client.get(base + "table/").context["table"]
    rows = {r["code"]: r for r in table["rows"]}
    csv_rows = {r[CODE]: r for r in _csv(client.get(base + "download.csv"))}
    features = {f["properties"]["code"]: f["properties"]
                for f in json.loads(client.get(base + "download.geojson").content)["features"]}
    for code, area in small.items():
        assert rows[code]["class"] == csv_rows[code][CLASS] == features[code]["class"] == area["class"]
        assert set(rows[code]["details"]) == {"withheld"}
        assert {key: csv_rows[code][csv_label(key)] for key in area["detail"]} == dict.fromkeys(area["detail"],
                                                                                                "withheld")
        assert features[code]["detail"] == dict.fromkeys(area["detail"])
    code = revealing[0]
    panel = client.get(f"{base}areas/{code}/", HTTP_HX_REQUEST="true")
    assert dict(panel.context["details"]) == dict.fromkeys(map(detail_label, small[code]["detail"]), "withheld")
    html = unescape(panel.content.decode())
    assert small[code]["detail"]["reason"] not in html
    assert set(re.findall(r"<dd>([^<]*)</dd>", html)) == {"withheld"}

    # An analyst sees every figure.
    client = client_for("vcd_analyst")
    csv_rows = {r[CODE]: r for r in _csv(client.get(base + "download.csv"))}
    for code in revealing:
        detail = small[code]["detail"]
        assert csv_rows[code]["Crimes in 2017-07"] == str(small[code]["count"])
        assert csv_rows[code]["Why"] == detail["reason"]
        assert (float(csv_rows[code]["Crimes expected"]), float(csv_rows[code]["p"])) == pytest.approx(
            (detail["expected"], detail["p"]))


def test_alerts_say_what_the_total_covers_which_boroughs_lack_data_and_why_areas_were_not_assessed(client_for,
                                                                                                 alerts_run):
    run = alerts_run
    s = run.result["summary"]
    assert run.result["borough_months_without_data"] and s["not_assessed"]
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode())
    n = len(run.result["areas"])
    assert (f"{run.result['total']:,} crimes placed in the {n} wards over the whole period read, 2016-01 to 2017-07 "
            "(the baseline and the month assessed)") in page
    month_total = sum(a["count"] for a in run.result["areas"])
    assert f"The map and the table show 2017-07 only, the month assessed: {month_total:,} crimes." in page
    assert ("No data for Haringey, Lambeth, Newham in 2016-03: those months are left out of the alerts baselines "
            "of their areas") in page
    assert f"{s['not_assessed']} ward{'s' if s['not_assessed'] != 1 else ''} not assessed (" in page
    alerts = len(s["alerts"])
    assert f"{alerts} alert{'s' if alerts != 1 else ''} among {n} wards for 2017-07." in page


def test_alerts_say_why_areas_were_not_assessed_in_words_never_with_a_placeholder(client_for, alerts_run):
    run = alerts_run
    reasons = run.result["summary"]["not_assessed_reasons"]
    assert reasons and not any(re.search(r"\bN\b", reason) for reason in reasons)
    for client in (client_for("vcd_analyst"), client_for("authority_member")):
        lines = client.get(f"/places/runs/{run.pk}/").context["summary"]
        line = next(line for line in lines if " not assessed (" in line)
        assert not re.search(r"\bN\b", line), line
        # The thresholds are parameters, so they are printed; the areas' own counts are not.
        assert "expected count below the minimum of 1" in line, line
        assert not re.search(r"expected count \d", line)


def test_with_too_little_history_every_area_is_not_assessed_and_the_page_says_which_setting_to_change(client_for,
                                                                                                   london,
                                                                                                   alert_months):
    with acting_as("test"):
        run = run_analysis("alerts", crime_types=["Robbery"], month_from=None, month_to="2017-07", level="ward",
                           actor="test")  # the default: two earlier years of July needed, and the data hold one
    n = len(run.result["areas"])
    assert {a["class"] for a in run.result["areas"]} == {"not assessed"}
    page = unescape(client_for("vcd_analyst").get(f"/places/runs/{run.pk}/").content.decode())
    assert f"{n} wards not assessed ({n}: fewer than the 2 earlier July counts needed before 2017-07)." in page
    assert ("No ward could be assessed: the data hold 1 earlier July before 2017-07 and 2 are needed. To assess "
            "them against a weaker baseline, set \u201cYears of history needed\u201d to 1 "
            "(--min-history-years 1).") in page
    # The setting it names is the form's own.
    form = client_for("vcd_analyst").get("/places/").content.decode()
    assert ">Years of history needed</label>" in form
