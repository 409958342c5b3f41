import csv
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import imported_once, make_persona, read_rows
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db


# Imported once for the module's tests (each test's changes are rolled back to them).
loaded = imported_once(("2017-06", "2017-07"), ("metropolitan-street", "btp-street", "metropolitan-stop-and-search"))


@pytest.fixture
def analyst(client, london):
    user = make_persona("vcd_analyst")
    client.force_login(user)
    return user


FILTERS = [
    {},
    {"crime_type": "Robbery"},
    {"crime_type": ["Robbery", "Burglary"], "month_from": "2017-07", "month_to": "2017-07"},
    {"borough": "E09000022", "crime_type": "Violence and sexual offences"},
    {"ward": "E05000416", "month_from": "2017-06"},
    {"force": "british transport"},
]


def test_pages_need_a_signed_in_user(client):
    for url in ("/", "/crimes/", "/map/", "/crimes/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/crimes/").status_code == 401
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/")["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200


def test_login_with_a_password(client, db):
    get_user_model().objects.create_user("officer", password="correct horse battery staple")
    response = client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200 and b"correct username and password" in response.content
    response = client.post("/accounts/login/", {"username": "officer", "password": "correct horse battery staple"})
    assert response.status_code == 302


# Before the first test that uses `loaded`: the home page's flags are about these months alone.
def test_home_page_flags_partial_months(client, analyst, london, demo_file):
    months = ["2016-02", "2016-03", "2016-05", "2016-06"]
    assert run_import([demo_file(m, "metropolitan-street") for m in months], actor="test").ok
    page = client.get("/")
    partial = [(m.force, m.month.strftime("%Y-%m")) for m in page.context["partial_months"]]
    # The source's 2016-03 holds about a tenth of a month: it must be flagged, and the full months not.
    assert partial == [("Metropolitan Police Service", "2016-03")]
    assert "Street-level crime" in page.content.decode()


@pytest.mark.parametrize("params", FILTERS)
def test_explorer_map_csv_and_api_agree(client, analyst, loaded, params):
    """The explorer, the CSV download, the map and the API all count the same rows for the same filter."""
    explorer = client.get("/crimes/", params)
    assert explorer.status_code == 200
    total = explorer.context["total"]

    expected = Crime.objects.all()
    if "crime_type" in params:
        types = params["crime_type"] if isinstance(params["crime_type"], list) else [params["crime_type"]]
        expected = expected.filter(crime_type__in=types)
    if "month_from" in params:
        expected = expected.filter(month__gte=params["month_from"] + "-01")
    if "month_to" in params:
        expected = expected.filter(month__lte=params["month_to"] + "-01")
    if "borough" in params:
        expected = expected.filter(lsoa_code__in=_lsoas_of("borough", params["borough"]))
    if "ward" in params:
        expected = expected.filter(lsoa_code__in=_lsoas_of("ward", params["ward"]))
    if "force" in params:
        expected = expected.filter(reported_by="British Transport Police")
    assert total == expected.count() > 0

    by_type = dict(explorer.context["by_type"])
    assert sum(by_type.values()) == total

    download = client.get("/crimes/export.csv", params)
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert len(rows) - 1 == total

    for level in ("borough", "ward"):
        geo = client.get("/api/crimes/choropleth/", {**params, "level": level}).json()
        drawn = sum(f["properties"]["count"] for f in geo["features"])
        assert geo["properties"]["total"] == total
        assert drawn + geo["properties"]["unplaced"] == total
        counts = client.get("/api/crimes/counts/", {**params, "level": level}).json()
        assert counts["total"] == total and sum(counts["counts"].values()) + counts["unplaced"] == total

    api = client.get("/api/crimes/", params).json()
    assert api["count"] == total


def _lsoas_of(level, code):
    from vcdhub.geography.models import Lsoa

    return list(Lsoa.objects.filter(**{f"{level}__code": code}).values_list("code", flat=True))


def test_explorer_csv_is_the_police_uk_schema(client, analyst, loaded):
    header, rows = read_rows(loaded[0])
    download = client.get("/crimes/export.csv", {"force": "metropolitan", "month_from": "2017-06",
                                                 "month_to": "2017-06"})
    out = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert out[0] == header
    assert Counter(map(tuple, out[1:])) == Counter(map(tuple, rows))


def test_explorer_pages_and_partial_updates(client, analyst, loaded):
    response = client.get("/crimes/", {"crime_type": "Burglary", "page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 50
    partial = client.get("/crimes/", {"crime_type": "Burglary"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"crime-table" in partial.content


@pytest.mark.parametrize("params,field", [
    ({"month_from": "2017-13"}, "month_from"),
    ({"month_to": "July"}, "month_to"),
    ({"month_from": "2017-08", "month_to": "2017-01"}, "month_to"),
    ({"crime_type": "Jaywalking"}, "crime_type"),
    ({"borough": "E09999999"}, "borough"),
    ({"month_from": "'; DROP TABLE crime_crime; --"}, "month_from"),
])
def test_bad_filters_are_rejected_field_by_field(client, analyst, loaded, params, field):
    page = client.get("/crimes/", params)
    assert page.status_code == 200
    assert field in page.context["filterset"].errors
    assert page.context["total"] == 0
    api = client.get("/api/crimes/", params)
    assert api.status_code == 400 and field in api.json()
    assert client.get("/api/crimes/counts/", params).status_code == 400
    assert Crime.objects.exists()


def test_map_page_and_level_validation(client, analyst, loaded):
    assert client.get("/map/", {"crime_type": "Robbery", "level": "ward"}).status_code == 200
    response = client.get("/api/crimes/counts/", {"level": "street"})
    assert response.status_code == 400 and "level" in response.json()


def test_area_and_stop_search_api(client, analyst, loaded):
    boroughs = client.get("/api/boroughs/").json()
    assert boroughs["count"] == 33
    wards = client.get("/api/wards/", {"borough": "E09000022"}).json()
    assert wards["count"] == 21 and all(w["borough"] == "E09000022" for w in wards["results"])
    assert client.get("/api/lsoas/E01003014/").json()["borough"] == "E09000022"
    searches = client.get("/api/stop-searches/", {"month_from": "2017-07", "month_to": "2017-07"}).json()
    _, rows = read_rows(loaded[5])
    assert searches["count"] == len(rows)
    counts = client.get("/api/stop-searches/counts/", {"month_from": "2017-07"}).json()
    assert counts["total"] == len(rows)


def test_openapi_schema_describes_the_api(client, analyst):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import yaml

    schema = yaml.safe_load(response.content)
    for path in ("/api/crimes/", "/api/crimes/counts/", "/api/stop-searches/", "/api/boroughs/", "/api/wards/"):
        assert path in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/crimes/"]["get"]["parameters"]}
    assert {"month_from", "month_to", "crime_type", "borough", "ward"} <= params


def test_security_headers(client, analyst):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_ward_picker_narrows_to_the_chosen_boroughs_and_the_wards_with_data(client, analyst, loaded):
    with_data = set(Crime.objects.exclude(ward=None).values_list("ward__code", flat=True))
    lambeth = set(Crime.objects.filter(borough__code="E09000022").exclude(ward=None).values_list("ward__code",
                                                                                                flat=True))
    response = client.get("/crimes/ward-options/", {"borough": "E09000022", "ward": "E05000416"})
    offered = set(re.findall(r'<option value="(\w+)"', response.content.decode()))
    assert offered == lambeth | {"E05000416"} and len(lambeth) == 21
    assert 'value="E05000416" selected' in response.content.decode()
    offered = set(re.findall(r'<option value="(\w+)"', client.get("/crimes/ward-options/").content.decode()))
    assert offered == with_data and len(with_data) < 637  # the demo's four boroughs, not every London ward


def test_explorer_shows_field_errors_on_an_htmx_apply(client, analyst, loaded):
    partial = client.get("/crimes/", {"month_from": "2017-06", "month_to": "2017-01"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "The end month is before the start month." in text and 'id="filters"' in text
    assert "Download CSV" not in text  # nothing to download from an invalid filter
    assert client.get("/crimes/export.csv", {"month_from": "bad"}).status_code == 400


def test_a_ward_outside_the_chosen_borough_is_an_error_not_a_zero(client, analyst, loaded):
    page = client.get("/crimes/", {"borough": "E09000022", "ward": "E05000103"})  # a Barnet ward
    assert "ward" in page.context["filterset"].errors
    page = client.get("/crimes/", {"borough": "E09000022"})
    assert len(page.context["filterset"].form.fields["ward"].queryset) == 21


def test_deep_pages_stop_at_the_cap(client, analyst, loaded):
    from vcdhub.crime.views import MAX_PAGE, PAGE_SIZE

    page = client.get("/crimes/", {"page": 10_000})
    expected = min(MAX_PAGE, -(-Crime.objects.count() // PAGE_SIZE))
    assert page.context["page"].number == expected


def test_the_map_marks_areas_without_data(client, analyst, loaded):
    geo = client.get("/api/crimes/choropleth/", {"level": "borough", "crime_type": "Robbery"}).json()
    covered = {f["id"] for f in geo["features"] if f["properties"]["covered"]}
    # Demo files hold four boroughs; BTP stations elsewhere may add a few more.
    assert {"E09000022", "E09000014", "E09000025", "E09000005"} <= covered
    assert "E09000006" not in covered  # Bromley: no data at all in these files
    bromley = next(f for f in geo["features"] if f["id"] == "E09000006")
    assert bromley["properties"]["count"] == 0


def test_static_files_are_served_by_the_app_with_security_headers(client):
    """WhiteNoise answers before authentication: the header middleware must cope with no user."""
    for path in ("/static/vcdhub/app.css", "/static/leaflet/leaflet.js", "/static/django_htmx/htmx-2.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_server_worker_imports_every_view_as_it_starts_not_on_its_first_request():
    """gunicorn restarts workers (--max-requests): the views' imports (seconds, the statistics libraries) belong
    to the worker's start, not to the request of whoever reaches it first."""
    import subprocess
    import sys

    probe = ("import sys, vcdhub.wsgi; "
             "print(all(m in sys.modules for m in ('vcdhub.crime.views', 'vcdhub.places.views', "
             "'vcdhub.missing.api.views', 'vcdhub.performance.views')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "True"
