"""The request-access flow in Chromium, as people use it: an officer meets a refused record, presses "Request access",
says why and for how long; a supervisor sees it waiting on their landing page and in the menu, and decides with
buttons that differ in words, sign, fill and border; the officer then opens the record."""

import pytest
from django.db import connections

from tests.access.pages import RATIONALE, made_record
from tests.browser_support import chromium, sign_in  # noqa: F401 - a fixture
from tests.conftest import make_persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_asks_from_the_record_and_a_supervisor_decides(live_server, chromium, london):  # noqa: F811
    record = made_record()
    for name in ("compass_officer", "tasking_officer", "vcd_supervisor"):
        make_persona(name)
    base = live_server.url
    try:
        officer = chromium.new_context().new_page()
        sign_in(officer, base, "compass_officer")
        response = officer.goto(f"{base}/crimes/{record.pk}/")
        assert response.status == 404
        officer.get_by_role("link", name=f"Request access to crime {record.pk}").click()
        officer.wait_for_url(f"{base}/account/grants/ask/crime.crime/{record.pk}/")
        assert officer.locator("input[name=object_id]").get_attribute("type") == "hidden"  # nobody types an id
        officer.get_by_label("Why you need it").fill("Missing person linked to this incident")
        officer.get_by_label("For how many days").fill("3")
        officer.get_by_role("button", name="Send the request").click()
        officer.wait_for_url(f"{base}/account/grants/")
        assert officer.get_by_role("status").first.inner_text() == "Request sent to a supervisor."
        row = officer.locator("section[aria-labelledby=yours] tbody tr").first
        assert "3 days" in row.inner_text() and "Waiting for a supervisor" in row.inner_text()

        tasking = chromium.new_context().new_page()  # a second request, to refuse
        sign_in(tasking, base, "tasking_officer")
        tasking.goto(f"{base}/account/grants/ask/crime.crime/{record.pk}/")
        tasking.get_by_label("Why you need it").fill("Curious")
        tasking.get_by_role("button", name="Send the request").click()
        tasking.wait_for_url(f"{base}/account/grants/")

        supervisor = chromium.new_context().new_page()
        sign_in(supervisor, base, "vcd_supervisor")
        menu = supervisor.get_by_role("navigation", name="Modules")
        assert menu.get_by_role("link", name="Access 2 waiting for your decision").count() == 1
        panel = supervisor.locator(".waiting-panel")
        assert "waiting for your decision: 2" in panel.inner_text()
        assert "compass_officer asks for crime" in panel.inner_text() and "for 3 days" in panel.inner_text()
        panel.get_by_role("link", name="Decide on the Access page").click()
        supervisor.wait_for_url(f"{base}/account/grants/#waiting")

        approve = supervisor.get_by_role("button", name="Approve access for 3 days")
        refuse = supervisor.get_by_role("button", name="Refuse access").first
        looks = [button.evaluate("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, "
                                 "s.borderTopStyle]; }") for button in (approve, refuse)]
        assert all(a != b for a, b in zip(*looks, strict=True)), looks  # fill, text colour and border all differ
        assert approve.inner_text().startswith("✓") and refuse.inner_text().startswith("✗")

        request = supervisor.locator("article.decision", has_text="compass_officer asks for")
        for field, text in RATIONALE.items():
            request.locator(f"textarea[name={field}]").fill(text)
        request.get_by_role("button", name="Approve access for 3 days").click()
        supervisor.wait_for_url(f"{base}/account/grants/")
        assert "Approved: compass_officer's request for crime" in supervisor.get_by_role("status").first.inner_text()
        other = supervisor.locator("article.decision", has_text="tasking_officer asks for")
        for field, text in RATIONALE.items():
            other.locator(f"textarea[name={field}]").fill(text)
        other.get_by_role("button", name="Refuse access").click()
        supervisor.wait_for_url(f"{base}/account/grants/")
        assert supervisor.get_by_text("Nothing is waiting for a decision.").count() == 1
        past = supervisor.locator("section[aria-labelledby=decided] tbody tr")
        assert past.count() == 2
        assert {past.nth(i).locator("td").nth(1).inner_text() for i in range(2)} == {"✓ Approved", "✗ Refused"}
        assert menu.get_by_role("link", name="Access", exact=True).count() == 1  # no count left

        assert officer.goto(f"{base}/crimes/{record.pk}/").status == 200
    finally:
        connections.close_all()
