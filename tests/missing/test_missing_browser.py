"""Missing persons in Chromium: an officer records a report and grades it high, logs information from a caller,
sees the episode at the top of the review queue, records the person found and closes the episode after the
return interview."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser_support import chromium, sign_in  # noqa: F401 - a fixture
from tests.conftest import make_persona
from tests.missing.factories import report
from tests.people.factories import make_person
from vcdhub.casework.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOCAL = "%Y-%m-%dT%H:%M"


def test_a_report_graded_high_tops_the_queue_and_is_closed(live_server, chromium, london):  # noqa: F811
    officer_user = make_persona("compass_officer")
    report(officer_user, grade="low")  # someone else already missing, at low risk
    person = make_person("compass", "OFFICIAL", given_name="Maisie", surname="Fictitious", birth_year=2012)
    base = live_server.url
    page = chromium.new_context().new_page()
    sign_in(page, base, "compass_officer")
    now = timezone.localtime()

    page.goto(f"{base}/missing/add/?subject={person.pk}")
    page.get_by_label("Reported by").fill("Her mother, by phone")
    page.get_by_label("Missing from").select_option("home")
    page.get_by_label("Name or address of the place").fill("4 Fictitious Close, SE5")
    page.get_by_label("Last seen at").fill((now - dt.timedelta(hours=3)).strftime(LOCAL))
    page.get_by_label("Indicators of child sexual exploitation").check()
    page.get_by_label("Risk grade").select_option("high")
    page.get_by_label("Rationale for the grade").fill("Twelve, out of character, messages from an older man.")
    page.get_by_label("Owning unit").select_option("compass")
    page.get_by_role("button", name="Record the report").click()
    page.wait_for_url(f"{base}/missing/*/")
    case = Case.objects.get(kind="missing", subject=person)
    assert case.reference in page.content() and "High" in page.content()

    page.get_by_role("link", name="Log risk information", exact=True).click()
    page.get_by_label("Information", exact=True).fill("Her friend says she planned to meet 'Jay' at Brixton.")
    page.get_by_label("Supplied by").fill("A school friend")
    page.get_by_label("Their contact").fill("Via her mother")
    page.get_by_label("Obtained at").fill(now.strftime(LOCAL))
    page.get_by_role("button", name="Log risk information").click()
    page.wait_for_url(f"{base}/missing/{case.pk}/")
    assert "planned to meet" in page.locator("#info-log").inner_text()

    page.get_by_role("link", name="Missing: review queue").click()
    first = page.locator("#queue-table tbody tr").first
    assert case.reference in first.inner_text() and "High risk: +8" in first.inner_text()

    page.goto(f"{base}/missing/{case.pk}/")
    page.get_by_role("link", name="Record the person found", exact=True).click()
    page.get_by_label("Found at").fill(timezone.localtime().strftime(LOCAL))
    page.get_by_label("How").select_option("by_police")
    page.get_by_label("Where").fill("Brixton station")
    page.get_by_label("Circumstances").fill("Found by BTP officers, safe and well.")
    page.get_by_role("button", name="Record the person found").click()
    page.wait_for_url(f"{base}/missing/{case.pk}/")
    page.get_by_role("link", name="Close after the return interview", exact=True).click()
    page.get_by_label("Return interview held at").fill(timezone.localtime().strftime(LOCAL))
    page.get_by_label("Held by").fill("PC Fictitious")
    page.get_by_label("What the interview found").fill("Groomed online; referred to children's services.")
    page.get_by_role("button", name="Close after the return interview").click()
    page.wait_for_url(f"{base}/missing/{case.pk}/")
    case.refresh_from_db()
    assert case.state == "closed" and "read-only" in page.content()
