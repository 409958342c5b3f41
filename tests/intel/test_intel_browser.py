"""Intelligence in Chromium: an officer submits a report; the CSU's analyst reviews, grades it C, is refused
sharing the original, sanitises it and shares it; then opens the link chart of the person it names."""

import pytest

from tests.browser_support import chromium, sign_in  # noqa: F401 - a fixture
from tests.conftest import make_persona
from tests.people.factories import make_link, make_person
from vcdhub.intel.models import Dissemination, Report, ReportLink, SharedReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_is_submitted_graded_sanitised_shared_and_its_subject_charted(live_server, chromium, london):  # noqa: F811
    subject = make_person("csu", "OFFICIAL-SENSITIVE", given_name="Tyrone", surname="Fictitious")
    make_link(subject, make_person("csu", "OFFICIAL-SENSITIVE", given_name="Dean", surname="Associate"), "csu",
              "OFFICIAL-SENSITIVE")
    make_persona("csu_investigator")
    make_persona("csu_analyst")
    base = live_server.url
    officer = chromium.new_context().new_page()
    try:
        sign_in(officer, base, "csu_investigator")
        officer.goto(f"{base}/intel/add/")
        officer.get_by_label("Text").fill("Tyrone keeps a machete in the boot of a grey Golf, AB12 CDE.")
        officer.get_by_label("Owning unit").select_option("csu")
        officer.get_by_role("button", name="Submit", exact=True).click()
        officer.wait_for_url(f"{base}/intel/*/")
        report = Report.objects.get()
        officer.get_by_role("link", name="Add a link", exact=True).click()
        officer.get_by_label("Kind").select_option("person")
        officer.get_by_label("Value").fill(subject.source_id)
        officer.get_by_role("button", name="Add a link", exact=True).click()
        officer.wait_for_url(f"{base}/intel/{report.pk}/")
        assert ReportLink.objects.filter(report=report, person=subject).exists()
    finally:
        officer.context.close()

    page = chromium.new_context().new_page()
    try:
        sign_in(page, base, "csu_analyst")
        page.get_by_role("link", name="To review", exact=True).click()
        page.get_by_role("link", name=report.reference).click()
        page.get_by_role("link", name="Review", exact=True).click()
        page.get_by_role("button", name="Review", exact=True).click()
        page.get_by_role("link", name="Grade", exact=True).click()
        page.get_by_label("Source evaluation").fill("2")
        page.get_by_label("Intelligence assessment").fill("B")
        page.get_by_label("Handling code").fill("C")
        page.get_by_label("Handling conditions").fill("Police only")
        page.get_by_role("button", name="Grade", exact=True).click()
        page.wait_for_url(f"{base}/intel/{report.pk}/")
        assert "may not be shared until it has a sanitised version" in page.content()
        page.get_by_role("link", name="Share", exact=True).click()
        page.get_by_label("Share with").select_option("unit")
        page.get_by_label("Recipient").fill("rvctf")
        page.get_by_label("Version").select_option("original")
        page.get_by_role("button", name="Share", exact=True).click()
        assert "Refused" in page.get_by_role("alert").first.inner_text()
        page.goto(f"{base}/intel/{report.pk}/step/sanitise/")
        page.get_by_label("Sanitised text").fill("A man is said to keep a bladed weapon in a car.")
        page.get_by_role("button", name="Sanitise", exact=True).click()
        page.get_by_role("link", name="Share", exact=True).click()
        page.get_by_label("Share with").select_option("unit")
        page.get_by_label("Recipient").fill("rvctf")
        page.get_by_role("button", name="Share", exact=True).click()
        page.wait_for_url(f"{base}/intel/{report.pk}/")
        assert "Dissemination log" in page.content()
        assert Dissemination.objects.get().version == "sanitised"
        assert SharedReport.objects.get().owner_unit_id == "rvctf"

        page.goto(f"{base}/people/{subject.pk}/")
        page.get_by_role("link", name="Link chart", exact=True).click()
        page.wait_for_selector("#link-chart[data-drawn='true']")
        table = page.locator("#chart-nodes + div table").inner_text()
        assert "ASSOCIATE" in table.upper() and report.reference in table
    finally:
        page.context.close()
