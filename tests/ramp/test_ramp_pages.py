"""The risk panel in the browser's forms (Django's test client): a referral through screening, assessment and
the panel to a plan; refusals as pages; the partner agency's queue; a meeting's agenda as each reader may see
it; the minutes and the calendar; the dashboard for readers of records and for the authority."""

import datetime as dt
import io

import pypdf
import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tests.casework.factories import make_action, make_case, make_meeting
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.casework.models import AgendaItem, Case, CaseAction, today
from vcdhub.ramp.models import Plan, Referral

ASSESS = {"risk_public": "medium", "risk_known_adult": "very_high", "risk_children": "low", "risk_staff": "low",
          "risk_self": "low", "rosh_rationale": "Threats to kill with a knife.", "pdp_serious_harm": "yes",
          "pdp_imminent": "yes", "pdp_more_likely": "yes", "pdp_rationale": "Bought a knife after the threats."}
PLAN = {"supervision": "Weekly contact.", "monitoring": "Address flagged.", "interventions": "Programme.",
        "victim_safety": "IDVA support."}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_referral_goes_through_screening_assessment_and_the_panel_to_a_plan_in_the_forms(personas):
    worker, chair = client_for(personas["csu_investigator"]), client_for(personas["csu_panel_chair"])
    subject = make_person("csu", "OFFICIAL")
    response = worker.post("/ramp/add/", {
        "subject": subject.pk, "subject_type": "offender", "referring_unit": "probation",
        "basis": "Threats to an ex-partner.", "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE",
        "descriptors": ["PERSONAL"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(subject=subject)
    page = worker.get(f"/ramp/{case.pk}/").content.decode()
    assert case.reference in page and "Screen the referral" not in page  # investigators do not screen
    assert chair.get(f"/ramp/{case.pk}/step/screen/").status_code == 200
    assert chair.post(f"/ramp/{case.pk}/step/screen/", {"decision": "accept", "reason": "Meets it."}).status_code == 302
    assert worker.post(f"/ramp/{case.pk}/step/assess/", ASSESS).status_code == 302
    meeting = make_meeting("csu")
    assert worker.post(f"/ramp/{case.pk}/step/list/", {"meeting": meeting.pk}).status_code == 302
    assert AgendaItem.objects.filter(meeting=meeting, case=case).exists()
    assert chair.post(f"/ramp/{case.pk}/step/adopt_plan/", PLAN).status_code == 302
    assert worker.post(f"/ramp/{case.pk}/step/action/", {
        "title": "Joint visit", "assignee": "probation", "heading": "supervision",
        "due": (today() + dt.timedelta(days=7)).isoformat()}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.risk_level) == ("managed", "very_high")
    assert Plan.objects.filter(case=case).exists()
    page = worker.get(f"/ramp/{case.pk}/").content.decode()
    for text in ("Meets the potentially dangerous person test", "Risk management plan adopted", "Joint visit",
                 "Weekly contact.", "IDVA support."):
        assert text in page, text


def test_a_step_the_state_does_not_allow_is_a_400_with_the_workflows_message(personas):
    case = make_case("csu", state="referred")
    with acting_as("test:setup"):
        Referral.objects.create(case=case, subject_type="offender", referred_by="t", referring_unit_id="csu",
                                referred_at=timezone.now(), basis="b")
    chair = client_for(personas["csu_panel_chair"])
    response = chair.post(f"/ramp/{case.pk}/step/close/", {"reason": "done"})
    assert response.status_code == 400
    assert "A RAMP case that is referred, awaiting screening cannot be closed" in response.content.decode()


def test_a_role_that_may_not_take_a_step_is_refused_with_a_403_and_an_audit_entry(personas):
    case = make_case("csu", state="referred")
    worker = client_for(personas["csu_investigator"])
    before = AuditEntry.objects.order_by("-seq").first().seq
    response = worker.post(f"/ramp/{case.pk}/step/screen/", {"decision": "accept", "reason": "ok"})
    assert response.status_code == 403 and "Your role may not accept" in response.content.decode()
    assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED, object_id=str(case.pk)).exists()
    assert client_for(personas["authority_member"]).get(f"/ramp/{case.pk}/step/screen/").status_code == 403


def test_a_partner_sees_its_own_actions_and_records_their_results_and_nothing_else(personas):
    case = make_case("csu", "OFFICIAL-SENSITIVE")
    ours = make_action(case, "probation", due=today() - dt.timedelta(days=2), title="Visit the subject")
    theirs = make_action(case, "housing", title="Change the locks")
    partner = client_for(personas["probation_partner"])
    queue = partner.get("/casework/actions/").content.decode()
    assert "Visit the subject" in queue and "Change the locks" not in queue
    assert "Overdue by 2 days" in queue
    page = partner.get(f"/casework/actions/{ours.pk}/").content.decode()
    assert case.reference in page and f"/ramp/{case.pk}/" not in page  # the case's reference, not its page
    assert str(case.subject) not in page
    assert partner.get(f"/casework/actions/{theirs.pk}/").status_code == 404
    for url in (f"/ramp/{case.pk}/", "/ramp/", f"/people/{case.subject_id}/", "/casework/meetings/", "/crimes/"):
        assert partner.get(url).status_code == 403, url
    assert partner.post(f"/casework/actions/{ours.pk}/complete/", {"result": "Visited."}).status_code == 302
    ours.refresh_from_db()
    assert (ours.status, ours.result) == ("done", "Visited.")
    nav = partner.get("/").content.decode()
    assert "Our actions" in nav and "Risk panel" not in nav


def test_a_meeting_shows_each_reader_only_the_agenda_items_whose_case_they_may_see(personas):
    meeting = make_meeting("csu", "OFFICIAL")
    ours = make_case("csu", "OFFICIAL-SENSITIVE")
    shared = make_case("csu", "OFFICIAL")
    with acting_as("test:setup"):
        AgendaItem.objects.create(meeting=meeting, case=ours, position=1, discussion="Private discussion")
        AgendaItem.objects.create(meeting=meeting, case=shared, position=2, discussion="Open discussion")
    compass = client_for(personas["compass_officer"]).get(f"/casework/meetings/{meeting.pk}/").content.decode()
    assert shared.reference in compass and ours.reference not in compass and "Private discussion" not in compass
    csu = client_for(personas["csu_investigator"]).get(f"/casework/meetings/{meeting.pk}/").content.decode()
    assert ours.reference in csu and "Private discussion" in csu


def test_the_minutes_and_the_calendar_download_and_parse_back(personas):
    case = make_case("csu", "OFFICIAL-SENSITIVE")
    meeting = make_meeting("csu", "OFFICIAL")  # the minutes carry their strictest record's marking, not this
    with acting_as("test:setup"):
        AgendaItem.objects.create(meeting=meeting, case=case, position=1, discussion="Panel agreed a plan.")
    client = client_for(personas["csu_investigator"])
    before = AuditEntry.objects.order_by("-seq").first().seq
    pdf = client.get(f"/casework/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert case.reference in text and "Panel agreed a plan." in text
    assert all("OFFICIAL-SENSITIVE" in page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.READ, object_id=str(case.pk)).exists()
    ics = client.get("/casework/meetings/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["UID"]) == meeting.uid and event.decoded("DTSTART") == meeting.starts_at
    assert case.reference.encode() not in ics.content


def test_the_dashboard_is_exact_for_readers_and_perturbed_for_the_authority(personas):
    for _ in range(3):
        make_case("csu", "OFFICIAL-SENSITIVE")
    reader = client_for(personas["csu_investigator"]).get("/ramp/dashboard/").content.decode()
    assert "Exact counts of the cases you may see" in reader
    authority = client_for(personas["authority_member"])
    page = authority.get("/ramp/dashboard/").content.decode()
    assert "Figures are perturbed" in page
    figures = authority.get("/api/ramp-dashboard/").json()
    assert figures["perturbed"] is True and figures["minimum_cell"] == 5
    assert authority.get("/api/ramp-dashboard/", {"as_of": "30/11/2026"}).status_code == 400
    assert client_for(personas["probation_partner"]).get("/ramp/dashboard/").status_code == 403


def test_the_review_queue_lists_due_and_overdue_cases_most_overdue_first(personas):
    late = make_case("csu", next_review_due=today() - dt.timedelta(days=9), risk_level="high")
    later = make_case("csu", next_review_due=today() - dt.timedelta(days=1), risk_level="high")
    make_case("csu", next_review_due=today() + dt.timedelta(days=60), risk_level="low")
    page = client_for(personas["csu_investigator"]).get("/ramp/reviews/").content.decode()
    assert page.index(late.reference) < page.index(later.reference)
    assert "Overdue by 9 days" in page and CaseAction.objects.count() == 0


@pytest.mark.parametrize("who", ["csu_investigator", "csu_panel_chair"])
def test_the_case_page_flags_overdue_reviews_and_actions(personas, who):
    case = make_case("csu", next_review_due=today() - dt.timedelta(days=3), risk_level="medium")
    make_action(case, "probation", due=today() - dt.timedelta(days=1))
    page = client_for(personas[who]).get(f"/ramp/{case.pk}/").content.decode()
    assert "Review overdue by 3 days" in page and "1 action overdue" in page


def test_the_landing_page_and_the_person_page_show_the_case_work(personas):
    case = make_case("csu", next_review_due=today() - dt.timedelta(days=4), risk_level="high")
    make_action(case, "csu", due=today() - dt.timedelta(days=1))
    worker = client_for(personas["csu_investigator"])
    home = worker.get("/").content.decode()
    assert "Case work waiting for you" in home and "1 open action" in home and "1 overdue" in home
    assert "1 RAMP case review overdue" in home
    person = worker.get(f"/people/{case.subject_id}/").content.decode()
    assert case.reference in person
    assert case.reference not in client_for(personas["compass_officer"]).get(
        f"/people/{case.subject_id}/").content.decode()  # the person is OFFICIAL; the case is the CSU's


def test_a_referral_about_a_hidden_person_is_refused_as_no_person_and_the_refusal_audited(personas):
    from vcdhub.audit.models import AuditEntry, EntryKind

    worker = client_for(personas["csu_investigator"])
    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    response = worker.post("/ramp/add/", {
        "subject": hidden.pk, "subject_type": "offender", "referring_unit": "probation", "basis": "b",
        "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 400 and "Choose the person the case is about." in response.content.decode()
    assert not Case.objects.filter(subject=hidden).exists()
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person",
                                     object_id=str(hidden.pk)).exists()
