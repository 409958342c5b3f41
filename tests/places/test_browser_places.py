"""A stored place-analysis run in Debian's Chromium: the map draws every area, the legend agrees with the table,
and clicking an area brings its monthly chart and its crimes link, all under the app's CSP."""

import pytest
from django.db import connections

from tests.browser_support import sign_in
from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.crime.counts import LEVELS
from vcdhub.ingest.pipeline import run_import
from vcdhub.places.actions import run_analysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_map_of_a_run_draws_every_area_and_its_legend_matches_the_table(live_server, browser, london,
                                                                             demo_file):
    assert run_import([demo_file(m, "metropolitan-street") for m in ("2017-06", "2017-07")], actor="test").ok
    make_persona("vcd_analyst")
    with acting_as("test"):
        run = run_analysis("concentration", crime_types=["Robbery"], month_from="2017-06", month_to="2017-07",
                           level="ward", actor="test", share=0.2)
    codes = [a["code"] for a in run.result["areas"]]
    with_geometry = LEVELS["ward"].objects.filter(code__in=codes).exclude(geometry="").count()
    assert with_geometry == len(codes) > 0
    # Playwright's sync API runs the test body in its own greenlet, where the ORM opens a connection of its own;
    # it is closed at the end, or it would outlive the test and block dropping the PostgreSQL test database.
    try:
        _drive(live_server, browser, run.pk, with_geometry)
    finally:
        connections.close_all()


def _drive(live_server, browser, run_id: int, with_geometry: int):
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, live_server.url, "vcd_analyst")

    page.goto(f"{live_server.url}/places/runs/{run_id}/")
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)  # CSP forbids eval-based waits
    assert page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").count() == with_geometry
    assert int(page.get_attribute("#map", "data-features")) == with_geometry
    # The shapes are no Tab stops; the keyboard's way past the map is the skip link to the table.
    assert page.locator('#map path.leaflet-interactive:not([tabindex="-1"])').count() == 0
    assert page.locator("a.skip-map").get_attribute("href") == f"/places/runs/{run_id}/table/"

    legend = {}
    for row in page.locator("#legend li").all():
        label = row.locator(".legend-class").inner_text().strip()
        legend[label] = int(row.locator(".legend-areas").inner_text().replace(",", ""))
        assert row.get_attribute("data-class") == label
    assert sum(legend.values()) == with_geometry and len(legend) == 2

    # Clicking an area brings its panel: monthly chart and, for an analyst, the link to its crimes.
    page.locator("#map path.leaflet-interactive").first.dispatch_event("click")
    page.wait_for_selector("#area-panel section.area svg", timeout=10_000)
    assert page.locator("#area-panel #explorer-link").count() == 1

    page.click("#table-link")
    page.wait_for_selector("#areas-table")
    for label, n in legend.items():
        assert page.locator(f'#areas-table tbody tr[data-class="{label}"]').count() == n
    assert page.locator("#areas-table tbody tr").count() == with_geometry
    assert not problems, problems
    page.close()
