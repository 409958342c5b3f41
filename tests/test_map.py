"""The map (issue 11): a table with the same figures under it, rates per 1,000 residents over the right
population, the year before and the change, Jenks classes with no empty class and none that could only hold
withheld values, a legend that says what is shown, and a basemap only from the force's own tile server."""

import json

import pytest
from django.db import models
from django.db.models import Sum
from django.test import Client

from tests.conftest import make_persona
from vcdhub.crime.counts import CLASS_COLOURS, shade
from vcdhub.crime.models import Crime
from vcdhub.geography.models import Lsoa
from vcdhub.ingest.pipeline import run_import
from vcdhub.platform import middleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(london, demo_file):
    assert run_import([demo_file(m, "metropolitan-street") for m in ("2016-07", "2017-07")], actor="test").ok


def _client(persona="vcd_analyst"):
    client = Client()
    client.force_login(make_persona(persona))
    return client


def test_the_map_has_a_table_with_counts_rates_and_the_year_before(loaded):
    page = _client().get("/map/", {"crime_type": "Robbery", "month_from": "2017-07", "month_to": "2017-07"})
    table = page.context["table"]
    rows = {row.code: row for row in table["rows"]}
    robbery = Crime.objects.filter(crime_type="Robbery")
    lambeth = rows["E09000022"]
    expected = robbery.filter(month="2017-07-01", borough__code="E09000022").count()
    before = robbery.filter(month="2016-07-01", borough__code="E09000022").count()
    residents = Lsoa.objects.filter(borough__code="E09000022").aggregate(n=Sum("population"))["n"]
    assert (lambeth.count, lambeth.previous) == (expected, before)
    assert lambeth.rate == pytest.approx(round(expected / residents * 1000, 2))
    assert lambeth.change_text == f"{(expected / before - 1) * 100:+.1f}%"
    assert table["earlier"] == "2016-07" and table["earlier_loaded"]
    camden = rows["E09000007"]
    assert not camden.covered and camden.count == 0 and camden.rate is None  # no data, not zero crime
    html = page.content.decode()
    assert 'href="#area-table"' in html and 'id="area-table"' in html  # a way past the map, to its table
    assert "no data loaded for this period" in html


def test_the_table_and_the_map_share_one_set_of_jenks_classes(loaded):
    client = _client()
    params = {"month_from": "2017-07", "month_to": "2017-07", "level": "ward"}
    table = client.get("/map/", params).context["table"]
    geojson = json.loads(client.get("/api/crimes/choropleth/", params).content)
    legend = geojson["properties"]["legend"]
    assert legend == table["legend"]
    classes = [row for row in legend if not row.get("dashed") and row["label"] not in ("none",)]
    assert classes and all(row["areas"] > 0 for row in legend)  # never an empty class
    for feature in geojson["features"]:
        props = feature["properties"]
        row = legend[props["class"]]
        if props["covered"] and props["count"]:
            low, _, high = row["label"].replace(",", "").partition("–")
            assert int(low) <= props["count"] <= int(high or low)
    assert len({row["colour"] for row in legend}) == len(legend)


def test_shading_keeps_withheld_values_out_of_every_class():
    values = {"a": 0, "b": None, "c": 7, "d": 30, "e": 31, "f": 120, "g": 5}
    shading = shade(values, set(values) - {"h"}, 5)
    labels = [row["label"] for row in shading.legend]
    assert labels[-2:] == ["none", "withheld (1–4)"]
    lowest = shading.legend[0]["label"].split("–")[0]
    assert int(lowest) == 5  # the lowest class starts at the smallest value shown, never at 1
    assert shading.legend[shading.of["b"]]["label"] == "withheld (1–4)"
    assert shading.legend[shading.of["a"]]["label"] == "none"
    assert len([row for row in shading.legend if row["colour"] in CLASS_COLOURS]) <= len(CLASS_COLOURS)


def test_an_authority_member_sees_the_map_table_perturbed_and_small_counts_withheld(loaded):
    page = _client("authority_member").get("/map/", {"crime_type": "Possession of weapons", "level": "ward",
                                                      "month_from": "2017-07", "month_to": "2017-07"})
    table = page.context["table"]
    assert table["perturbed"]
    shown = [row.count for row in table["rows"] if row.covered]
    assert all(n is None or n == 0 or n >= 5 for n in shown)
    assert any(n is None for n in shown)  # weapons possession in one month: small ward counts are withheld
    assert all(row.rate is None for row in table["rows"] if row.count is None)
    assert "perturbed to protect individuals" in page.content.decode()


def test_the_map_compares_the_filter_with_a_year_earlier_as_the_explorer_does(loaded):
    params = {"crime_type": "Burglary", "month_from": "2017-07", "month_to": "2017-07"}
    client = _client()
    on_map = {c.label: c for c in client.get("/map/", params).context["comparisons"]}
    in_explorer = {c.label: c for c in client.get("/crimes/", params).context["comparisons"]}
    assert on_map == in_explorer
    burglary = Crime.objects.filter(crime_type="Burglary")
    latest = on_map["Latest month"]
    assert (latest.current, latest.previous) == (burglary.filter(month="2017-07-01").count(),
                                                 burglary.filter(month="2016-07-01").count())
    assert latest.change_text == f"{(latest.current / latest.previous - 1) * 100:+.1f}%"


def test_an_authority_member_gets_each_window_perturbed_as_one_cell_and_small_ones_withheld(loaded):
    from vcdhub.access.choices import Sensitivity
    from vcdhub.platform.disclosure import Disclosure

    protect = Disclosure.aggregate_only()
    open_records = Crime.objects.filter(sensitivity=Sensitivity.OFFICIAL)  # what aggregate counts may cover

    def shown(rows):  # independently: the window's records, their count and key sum, as one cell
        cell = rows.aggregate(n=models.Count("pk"), k=Sum("record_key"))
        return protect.cell(protect.perturbed({None: cell["n"]}, {None: cell["k"] or 0})[None])

    client = _client("authority_member")
    for crime_type in ("Burglary", "Possession of weapons"):
        page = client.get("/map/", {"crime_type": crime_type, "borough": "E09000022",
                                    "month_from": "2017-07", "month_to": "2017-07"})
        latest = {c.label: c for c in page.context["comparisons"]}["Latest month"]
        rows = open_records.filter(crime_type=crime_type, borough__code="E09000022")
        now, before = shown(rows.filter(month="2017-07-01")), shown(rows.filter(month="2016-07-01"))
        assert (latest.current, latest.previous) == (now, before)
        if now is None or before is None:
            assert latest.change_text == "withheld" and latest.beyond_chance is None
        else:  # the change comes from the perturbed counts
            assert latest.change_text == f"{(now / before - 1) * 100:+.1f}%"
        assert all(n is None or n == 0 or n >= protect.minimum for n in (latest.current, latest.previous))
    assert "each change is computed from the perturbed counts" in page.content.decode()
    assert "withheld" in page.content.decode().split('id="compstat"')[1].split("</table>")[0]


def test_the_legend_names_the_crime_types_and_the_period_even_when_the_filter_leaves_them_open(loaded):
    import re

    def title(params):
        html = _client().get("/map/", params).content.decode()
        return re.search(r'data-title="([^"]*)"', html).group(1)

    assert title({"crime_type": "Robbery"}) == "Crimes: Robbery; 2016-07..2017-07"  # every loaded month
    assert title({"borough": "E09000022", "month_from": "2017-07"}) == (
        "Crimes: all crime types; 2017-07; Lambeth")
    assert title({}) == "Crimes: all crime types; 2016-08..2017-07"  # the default: the latest 12 months


def test_legend_labels_have_thousands_separators():
    import re

    values = dict(zip("abcdefghij", [2, 3, 4, 1200, 1300, 15000, 16500, 17000, 40000, 41000], strict=True))
    labels = [row["label"] for row in shade(values, None, None).legend]
    assert {"1,200–1,300", "16,500–17,000", "40,000–41,000"} <= set(labels)
    assert not any(re.search(r"\d{4}", label) for label in labels)  # no long number without its separators


def test_the_map_offers_the_explorer_only_to_those_who_may_open_it(loaded):
    params = {"month_from": "2017-07", "month_to": "2017-07", "level": "ward"}
    for persona, may in (("vcd_analyst", True), ("authority_member", False)):
        client = _client(persona)
        html = client.get("/map/", params).content.decode()
        assert ('href="/crimes/' in html) is may
        assert ("data-explorer=" in html) is may  # the map's areas open the explorer only when this is set
        assert (client.get("/crimes/").status_code == 200) is may  # the page the links would open


def test_a_basemap_comes_only_from_the_configured_tile_server(loaded, settings):
    client = _client()
    middleware.content_security_policy.cache_clear()
    try:
        page = client.get("/map/")
        assert 'data-tiles=""' in page.content.decode()
        assert "tiles.example" not in page["Content-Security-Policy"]
        settings.VCDHUB_TILE_URL = "https://tiles.example.police.uk/{z}/{x}/{y}.png"
        middleware.content_security_policy.cache_clear()
        page = client.get("/map/")
        assert 'data-tiles="https://tiles.example.police.uk/{z}/{x}/{y}.png"' in page.content.decode()
        img_src = next(d for d in page["Content-Security-Policy"].split("; ") if d.startswith("img-src"))
        assert img_src == "img-src 'self' data: https://tiles.example.police.uk"
    finally:
        middleware.content_security_policy.cache_clear()


def test_the_map_fetches_its_figures_without_outlines_and_joins_the_outlines_by_code(loaded):
    """750 KB of ward outlines went with every change of filter; the figures now come without them, and the
    outlines come once from the areas' endpoint, which the browser keeps (ETag) until they change."""
    from vcdhub.geography.models import Ward

    client = _client()
    params = {"month_from": "2017-07", "month_to": "2017-07", "level": "ward", "crime_type": "Robbery"}
    page = client.get("/map/", params).content.decode()
    assert 'data-outlines="/api/wards/outlines/"' in page
    whole = json.loads(client.get("/api/crimes/choropleth/", params).content)
    figures = json.loads(client.get("/api/crimes/choropleth/", {**params, "geometry": "false"}).content)
    assert figures["properties"] == whole["properties"]
    assert [f["properties"] for f in figures["features"]] == [f["properties"] for f in whole["features"]]
    assert all(f["geometry"] is None for f in figures["features"])
    answer = client.get("/api/wards/outlines/")
    outlines = {f["id"]: f for f in json.loads(answer.content)["features"]}
    assert {f["id"]: f["geometry"] for f in whole["features"]} == {code: outlines[code]["geometry"]
                                                                    for code in outlines}
    stored = dict(Ward.objects.values_list("code", "name"))
    assert {code: f["properties"]["name"] for code, f in outlines.items()} == stored
    assert "geometry" in client.get("/api/crimes/choropleth/", {**params, "geometry": "maybe"}).json()


def test_outlines_are_revalidated_by_their_etag_gzipped_when_asked_and_change_with_a_name(loaded):
    import gzip

    from vcdhub.audit.context import acting_as
    from vcdhub.geography.models import Borough

    client = _client()
    first = client.get("/api/boroughs/outlines/")
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    assert "Accept-Encoding" in first["Vary"]
    assert client.get("/api/boroughs/outlines/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    packed = client.get("/api/boroughs/outlines/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and gzip.decompress(packed.content) == first.content
    with acting_as("test"):
        Borough.objects.filter(code="E09000022").update(name="Lambeth (renamed)")
    renamed = client.get("/api/boroughs/outlines/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200 and renamed["ETag"] != first["ETag"]
    assert "Lambeth (renamed)" in renamed.content.decode()
    assert Client().get("/api/boroughs/outlines/").status_code in (401, 403)  # signed in only, as the rest
