"""One end-to-end run in Debian's Chromium: sign in, filter the explorer, see the map draw."""

import pytest
from django.db import connections

from tests.browser_support import sign_in
from tests.conftest import make_persona
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_filter_the_explorer_and_see_the_map(live_server, browser, london, demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    make_persona("vcd_analyst")
    # Playwright's sync API runs the test body in its own greenlet, where the ORM opens a connection of its own;
    # it is closed at the end, or it would outlive the test and block dropping the PostgreSQL test database.
    try:
        _drive(live_server, browser)
    finally:
        connections.close_all()


def _drive(live_server, browser):
    total = Crime.objects.count()
    robberies = Crime.objects.filter(crime_type="Robbery").count()
    assert robberies > 0

    page = browser.new_page()
    page.goto(f"{live_server.url}/crimes/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "vcd_analyst")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url("**/crimes/")
    assert int(page.get_attribute("#total-count", "data-total")) == total

    # The search box narrows its list to the options that contain what is typed.
    page.fill('input.option-search[data-for="id_crime_type"]', "rob")
    shown = [t.strip() for t in page.locator("#id_crime_type option:not([hidden])").all_inner_texts()]
    assert shown == ["Robbery"]
    page.fill('input.option-search[data-for="id_crime_type"]', "")
    assert page.locator("#id_crime_type option[hidden]").count() == 0

    page.select_option("#id_crime_type", "Robbery")
    page.focus("form.filters button[type=submit]")
    page.keyboard.press("Enter")  # applied from the keyboard
    page.locator(f"#total-count[data-total='{robberies}']").wait_for()  # CSP forbids eval-based waits
    assert "crime_type=Robbery" in page.url  # htmx pushed the filtered URL
    # Focus stays on the form's button (the form is not swapped), and the live region says what matched.
    assert page.evaluate("document.activeElement.id") == "filters-apply"
    page.locator("#explorer-status", has_text=f"{robberies:,} crimes match.").wait_for()
    assert page.locator("#crime-table tbody tr").count() == min(50, robberies)

    page.click("text=Show on map")
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    assert page.locator("#map path.leaflet-interactive").count() == 33  # every borough drawn
    assert page.locator("#map").bounding_box()["height"] >= 420  # tall enough to use
    assert int(page.get_attribute("#map-status", "data-total")) == robberies
    assert page.locator("#map-legend .legend-row").count() >= 2
    # The legend says what is shown: the crime types and the months (the explorer's default, the latest 12).
    assert page.locator("#map-legend strong").inner_text() == "Crimes: Robbery; 2017-07"

    # Every ward of London: too many names to read at first, so they come as the map is zoomed in.
    page.goto(f"{live_server.url}/map/?level=ward&month_from=2017-07&month_to=2017-07")
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    assert page.get_attribute("#map", "data-labels") == "hidden"
    assert page.locator("#map .area-label").count() == 0
    for _ in range(4):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(400)  # the zoom animation
    page.wait_for_selector("#map[data-labels=shown]", timeout=10_000)
    assert page.locator("#map .area-label").count() > 100
    page.close()


def test_the_performance_page_shows_targets_and_charts(live_server, browser, london, demo_file):
    months = ["2016-06", "2016-07", "2017-05", "2017-06", "2017-07"]
    assert run_import([demo_file(m, "metropolitan-street") for m in months], actor="test").ok
    make_persona("vcd_supervisor")
    try:
        robberies = Crime.objects.filter(crime_type="Robbery", month="2017-07-01").count()
        page = browser.new_page()
        sign_in(page, live_server.url, "vcd_supervisor")
        page.goto(f"{live_server.url}/performance/?period=2017-07")
        rows = page.locator("#targets-table tbody tr")
        assert rows.count() == 6
        robbery = page.locator("#targets-table tbody tr", has_text="Personal robbery")
        assert f"{robberies:,}" in robbery.inner_text()
        assert robbery.get_attribute("data-verdict") in ("met", "not met", "not distinguishable from no change")
        assert page.locator("#targets-table tr", has_text="Gun-enabled crime").get_attribute("data-verdict") == \
            "no data"
        assert page.locator(".charts svg").count() >= 3
        assert page.locator(".charts svg polyline").first.is_visible()
        page.close()
    finally:
        connections.close_all()


def test_a_hostile_area_name_is_shown_as_text_and_runs_no_script(live_server, browser, london, demo_file):
    """A crafted boundary file could name an area in HTML: map tooltips build text nodes, never markup."""
    from vcdhub.geography.models import Borough

    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    make_persona("vcd_analyst")
    hostile = '<img src="x" onerror="window.__vcdhubXss = 1">Lambeth'
    try:
        Borough.objects.filter(code="E09000022").update(name=hostile)
        page = browser.new_page()
        sign_in(page, live_server.url, "vcd_analyst")
        page.goto(f"{live_server.url}/map/?level=borough")
        page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
        areas = page.locator("#map path.leaflet-interactive")
        shown = []
        for i in range(areas.count()):
            areas.nth(i).hover(force=True)
            shown += page.locator(".leaflet-tooltip").all_inner_texts()
        assert any(text.startswith(hostile) for text in shown), shown[:3]
        assert page.locator(".leaflet-tooltip-pane img").count() == 0
        assert page.evaluate("() => window.__vcdhubXss") is None
        page.close()
    finally:
        connections.close_all()


def test_the_map_is_no_keyboard_trap_has_its_table_and_opens_an_area_in_the_explorer(live_server, browser, london,
                                                                                     demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok
    make_persona("vcd_analyst")
    try:
        page = browser.new_page()
        sign_in(page, live_server.url, "vcd_analyst")
        page.goto(f"{live_server.url}/map/?level=borough&month_from=2017-07&month_to=2017-07")
        page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
        shapes = page.locator("#map path.leaflet-interactive")
        assert shapes.count() == 33
        assert set(shapes.evaluate_all("els => els.map(e => e.getAttribute('tabindex'))")) == {"-1"}
        assert page.locator("#area-table tbody tr").count() == 33
        assert page.locator(".leaflet-tooltip.area-label").count() == 33  # every borough named on the map
        page.focus("a.skip-map")
        page.keyboard.press("Enter")
        page.wait_for_url("**#area-table", timeout=5_000)  # the link's jump, which may land after the key
        shapes.nth(0).click(force=True)
        page.wait_for_url("**/crimes/?**")
        assert "borough=E09" in page.url and "month_from=2017-07" in page.url
        page.close()
    finally:
        connections.close_all()
