"""WCAG 2.2 AA: axe-core checks every main page in Debian's Chromium, as the user who sees it, once the page has drawn
(maps, charts, Swagger UI, and states reached by clicks). Any violation fails, listed by page, rule and element."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections

from tests.browser_support import PERSONAS, build_site, chromium, open_page, sign_in  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags); best practices are not asked for.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}


def violations(axe, page) -> list[str]:
    """One line per element that breaks a rule: the rule, its impact, the element and axe's summary."""
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']} ({v['impact']}): {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            for v in found for node in v["nodes"]]


def test_every_main_page_meets_wcag_2_2_aa(live_server, chromium, london, demo_file):  # noqa: F811
    """One test for every page, the data built once: a failure lists each page's violations."""
    site = build_site(demo_file)
    axe = Axe()
    report = []
    try:
        for username in PERSONAS:
            # axe is evaluated through the DevTools protocol, which the page's CSP does not govern: no bypass needed.
            context = chromium.new_context()
            page = context.new_page()
            sign_in(page, live_server.url, username)
            for target in site[username]:
                open_page(page, live_server.url, target)
                report += [f"{target.name} ({target.path}): {line}" for line in violations(axe, page)]
            context.close()
    finally:
        connections.close_all()
    assert not report, "axe found WCAG 2.2 AA violations:\n" + "\n".join(report)


def test_error_and_access_request_pages_meet_wcag_2_2_aa(live_server, chromium, london, settings):  # noqa: F811
    """The error pages (403, 404, a refused record, 500) as the personas who meet them, the request-access page, and
    a supervisor's waiting requests (landing page and Access page, with past decisions)."""
    from tests.access.pages import ERROR_URLCONF, build_access_pages, open_state

    settings.ROOT_URLCONF = ERROR_URLCONF  # the site's pages, and one that fails (for the 500 page)
    site = build_access_pages()
    axe = Axe()
    report = []
    try:
        for username, targets in site.items():
            context = chromium.new_context()
            page = context.new_page()
            sign_in(page, live_server.url, username)
            for target in targets:
                open_state(page, live_server.url, target)
                report += [f"{target.name} ({target.path}): {line}" for line in violations(axe, page)]
            context.close()
    finally:
        connections.close_all()
    assert not report, "axe found WCAG 2.2 AA violations:\n" + "\n".join(report)
