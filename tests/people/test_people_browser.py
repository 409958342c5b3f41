"""The people register in Chromium, as an analyst uses it: search for a person by a misspelt name, open them,
then confirm a proposed duplicate from the review queue and see the two records as one person."""

import datetime as dt

import pytest

from tests.browser_support import chromium, sign_in  # noqa: F401 - a fixture
from tests.conftest import make_persona
from tests.people.factories import make_flag, make_person
from vcdhub.audit.context import acting_as
from vcdhub.people.models import DuplicatePair, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_finds_a_person_and_confirms_a_duplicate(live_server, chromium, london):  # noqa: F811
    jon = make_person("vcd-analysts", "OFFICIAL", given_name="Jonathan", surname="Smith", birth_year=1984,
                      birth_month=3, birth_day=7)
    twin = make_person("vcd-analysts", "OFFICIAL", given_name="Jon", surname="Smyth", birth_year=1984,
                       birth_month=3, birth_day=7)
    make_flag(twin, "vcd-analysts", "OFFICIAL", kind="weapons", detail="Knife seized, 2025")
    with acting_as("test:setup"):
        pair = DuplicatePair.objects.create(left=jon, right=twin, probability=0.98, fingerprint="0" * 64,
                                            proposed_at=dt.datetime.now(dt.UTC),
                                            evidence=[["date of birth", "the same", 13.0]])
    make_persona("vcd_analyst")
    base = live_server.url
    page = chromium.new_context().new_page()
    try:
        sign_in(page, base, "vcd_analyst")
        page.get_by_role("link", name="People", exact=True).click()
        page.get_by_label("Name").fill("jon smyth")
        page.get_by_label("Born").fill("1980-1990")
        page.get_by_role("button", name="Search").click()
        results = page.locator("#record-table tbody tr")
        assert results.count() == 2  # Smyth, and Smith who sounds the same
        page.get_by_role("link", name="Jonathan SMITH").click()
        page.wait_for_url(f"{base}/people/{jon.pk}/")
        assert page.locator("#fictitious").is_visible()
        assert "Knife seized" not in page.content()  # the twin's flag, before the merge

        page.get_by_role("link", name="Possible duplicates").click()
        page.get_by_role("link", name=f"{jon} and {twin}").click()
        page.wait_for_url(f"{base}/people/duplicates/{pair.pk}/")
        page.get_by_role("button", name="Record the decision").click()  # no choice, no reason: refused
        assert page.get_by_role("alert").first.is_visible()
        page.get_by_label("Same person").check()
        page.get_by_label("Reason").fill("Same date of birth; Jon is short for Jonathan")
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_url(f"{base}/people/duplicates/")
        assert "Decision recorded: same person." in page.get_by_role("status").first.inner_text()
        page.goto(f"{base}/people/{jon.pk}/")
        assert "Knife seized" in page.content()  # the merged record's flag shows on the survivor
        assert Person.objects.get(pk=twin.pk).merged_into_id == jon.pk
    finally:
        page.context.close()
