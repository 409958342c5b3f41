"""On a phone (390 px wide, issue 11): no page scrolls sideways, the header folds its menu away, and the map
shows without scrolling past the filter. Every main page, as the user who sees it, in Debian's Chromium."""

import pytest

from tests.browser_support import build_site, chromium, open_page, walk  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The first elements that reach past the screen's edge, outside the map (which pans inside itself).
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter(e => !e.closest('.leaflet-container'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))"""


def test_no_page_scrolls_sideways_on_a_phone_and_the_map_is_in_view(live_server, chromium, london,  # noqa: F811
                                                                     demo_file):
    site = build_site(demo_file)
    report = []
    phone = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
    for visit in walk(chromium, live_server.url, site, **phone):
        target, page, username = visit.target, visit.page, visit.username
        open_page(page, live_server.url, target)
        scroll, client = page.evaluate(WIDE)
        if scroll > client:
            wide = page.evaluate(WIDEST)
            report.append(f"{target.name} ({target.path}) as {username}: {scroll} px wide; {wide}")
        header = page.evaluate("() => document.querySelector('header').getBoundingClientRect().height")
        if header > 120:
            report.append(f"{target.name} as {username}: the header is {header:.0f} px tall")
        if target.path.startswith("/map/"):
            top = page.evaluate("() => document.getElementById('map').getBoundingClientRect().top")
            if top > PHONE["height"] * 0.5:
                report.append(f"map as {username}: the map starts {top:.0f} px down, past the filter")
    assert not report, "On a 390 px phone:\n" + "\n".join(report)
