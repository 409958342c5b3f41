"""Every main page in Debian's Chromium, as the user who sees it, once the page has drawn (maps, charts, Swagger UI,
and states reached by clicks), checked for two things in one walk, since opening the pages is most of the cost:

- WCAG 2.2 AA: axe-core finds no violation. Any violation fails, listed by page, rule and element.
- The Content-Security-Policy, enforced for real (no bypass): no violation and no console error; the maps draw their
  areas, the places pages' swatches have their colours, and Swagger UI lists the API's operations and makes a call.
  (tests/test_csp.py checks the policy itself and every page's HTML against it.)

One test for every page, the data built once: a failure lists each page's problems.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser_support import build_site, chromium, open_page, walk  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags); best practices are not asked for.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}


def violations(axe, page) -> list[str]:
    """One line per element that breaks a rule: the rule, its impact, the element and axe's summary."""
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']} ({v['impact']}): {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            for v in found for node in v["nodes"]]


def drawn_as_it_should_be(page, target) -> list[str]:
    """What the page must show once drawn under the policy: a map's areas, the swatches' colours (set through the
    DOM, not by a style attribute), Swagger UI's operations and the answer to its call."""
    problems = []
    if target.ready == "#map[data-drawn=true]" and not page.locator("#map path.leaflet-interactive").count():
        problems.append("the map drew no areas")
    # In one call: the ward map's table has a swatch for each of 637 wards, and a call each took 8 s.
    uncoloured = page.eval_on_selector_all("[data-swatch]", """els => els
        .filter(el => ["", "rgba(0, 0, 0, 0)"].includes(getComputedStyle(el).backgroundColor))
        .map(el => el.dataset.swatch)""")
    problems += [f"swatch {swatch} has no colour" for swatch in uncoloured]
    if target.name.startswith("API docs"):
        if page.locator("#swagger-ui .opblock").count() < 4 or not page.locator(
                "#swagger-ui .opblock-summary-path", has_text="/api/crimes/").count():
            problems.append("Swagger UI does not list the API's operations")
    if target.steps and target.steps[-1][1].endswith(".live-responses-table"):  # the call was made
        status = page.locator(f"{target.steps[-1][1]} tr.response .response-col_status").inner_text()
        if status != "200":
            problems.append(f"Swagger UI's call answered {status}")
    return problems


def test_every_main_page_meets_wcag_2_2_aa_and_its_content_security_policy(live_server, chromium, london,  # noqa: F811
                                                                          demo_file):
    site = build_site(demo_file)
    axe = Axe()
    inaccessible, against_policy = [], []
    # axe is evaluated through the DevTools protocol, which the page's CSP does not govern: no bypass needed.
    for visit in walk(chromium, live_server.url, site):
        target, page = visit.target, visit.page
        against_policy += [f"{target.name}: {v}" for v in open_page(page, live_server.url, target)]
        against_policy += [f"{target.name}: {problem}" for problem in drawn_as_it_should_be(page, target)]
        inaccessible += [f"{target.name} ({target.path}): {line}" for line in violations(axe, page)]
        against_policy += [f"{target.name}: {e}" for e in visit.errors()]
    assert not inaccessible, "axe found WCAG 2.2 AA violations:\n" + "\n".join(inaccessible)
    assert not against_policy, "under the Content-Security-Policy:\n" + "\n".join(against_policy)


def test_error_and_access_request_pages_meet_wcag_2_2_aa_and_the_policy(live_server, chromium, london,  # noqa: F811
                                                                       settings):
    """The error pages (403, 404, a refused record, 500) as the personas who meet them, the request-access page, and
    a supervisor's waiting requests (landing page and Access page, with past decisions)."""
    from tests.access.pages import ERROR_URLCONF, build_access_pages, open_state

    settings.ROOT_URLCONF = ERROR_URLCONF  # the site's pages, and one that fails (for the 500 page)
    site = build_access_pages()
    axe = Axe()
    inaccessible, against_policy = [], []
    for visit in walk(chromium, live_server.url, site):
        target, page = visit.target, visit.page
        open_state(page, live_server.url, target)
        against_policy += [f"{target.name}: {v}" for v in page.evaluate("() => window.__cspViolations || []")]
        inaccessible += [f"{target.name} ({target.path}): {line}" for line in violations(axe, page)]
        # Chromium logs a 4xx or 5xx answer as a failed resource: that is the page's status, not a fault.
        against_policy += [f"{target.name}: {e}" for e in visit.errors()
                           if "the server responded with a status of" not in e]
    assert not inaccessible, "axe found WCAG 2.2 AA violations:\n" + "\n".join(inaccessible)
    assert not against_policy, "under the Content-Security-Policy:\n" + "\n".join(against_policy)
