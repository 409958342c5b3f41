"""Missing persons in the browser's forms (Django's test client): a report through its log, reviews, a protocol
form, the find and the interview; refusals as pages; the queue, the patterns page (a map and its table) and the
dashboard for readers of records and for the authority; the CSV."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from tests.missing.factories import as_, child, report
from tests.people.factories import make_person
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.casework.models import Case
from vcdhub.missing import actions
from vcdhub.missing.models import InfoItem, ProtocolForm

LOCAL = "%Y-%m-%dT%H:%M"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_episode_from_report_to_closure_in_the_forms(personas):
    worker = client_for(personas["compass_officer"])
    person = child(age=15)
    now = timezone.localtime()
    response = worker.post("/missing/add/", {
        "subject": person.pk, "reported_by": "Key worker, Oak House", "from_kind": "care",
        "from_place": "Oak House", "from_postcode": "SW9 8AB",
        "last_seen_at": (now - dt.timedelta(hours=4)).strftime(LOCAL), "indicators": ["cse", "looked_after"],
        "grade": "high", "grade_rationale": "A child at risk of exploitation.", "owner_unit": "compass",
        "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": ["PERSONAL"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(kind="missing", subject=person)
    page = worker.get(f"/missing/{case.pk}/").content.decode()
    assert case.reference in page and "A child at risk of exploitation." in page and "Vulnerability score" in page
    assert worker.post(f"/missing/{case.pk}/step/info/", {
        "text": "Seen at Brixton station.", "supplied_by": "A friend", "obtained_at": now.strftime(LOCAL)
    }).status_code == 302
    assert InfoItem.objects.filter(case=case).count() == 1
    assert worker.post(f"/missing/{case.pk}/step/protocol/", {
        "kind": "philomena", "given_by": "Oak House manager", "given_at": now.strftime(LOCAL),
        "associates": "Two older males in a silver car."}).status_code == 302
    assert ProtocolForm.objects.filter(case=case, kind="philomena").exists()
    bad = worker.post(f"/missing/{case.pk}/step/regrade/", {"grade": "high", "reason": "Same grade."})
    assert bad.status_code == 400 and "graded high already" in bad.content.decode()
    assert worker.post(f"/missing/{case.pk}/step/found/", {
        "found_at": now.strftime(LOCAL), "found_how": "by_police", "found_place": "Brixton station",
        "reason": "Found by British Transport Police."}).status_code == 302
    assert worker.post(f"/missing/{case.pk}/step/close/", {
        "interview_at": now.strftime(LOCAL), "interview_by": "PC Ray", "interview_summary": "Safe and well."
    }).status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"
    assert "is closed:" in worker.get(f"/missing/{case.pk}/").content.decode()


def test_refusals_are_pages_with_their_reasons(personas):
    case = report(personas["compass_officer"])
    supervisor_only = client_for(personas["compass_officer"]).post(f"/missing/{case.pk}/step/found/", {
        "found_at": timezone.localtime().strftime(LOCAL), "found_how": "returned", "found_place": "Home",
        "reason": "Came home."})
    assert supervisor_only.status_code == 302
    refused = client_for(personas["compass_officer"]).post(f"/missing/{case.pk}/step/reopen/", {"reason": "x"})
    assert refused.status_code == 403 and "Your role may not reopen" in refused.content.decode()
    assert client_for(personas["authority_member"]).get("/missing/queue/").status_code == 403
    assert client_for(personas["csu_investigator"]).get(f"/missing/{case.pk}/").status_code == 404
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, action="casework_reopen").exists()


def test_the_queue_lists_the_most_vulnerable_first_and_flags_overdue(personas):
    worker = personas["compass_officer"]
    low = report(worker, grade="low", now=timezone.now() - dt.timedelta(hours=1))
    high = report(worker, subject=child(age=13), grade="high", now=timezone.now() - dt.timedelta(hours=5),
                  last_seen_at=timezone.now() - dt.timedelta(hours=6))
    page = client_for(worker).get("/missing/queue/").content.decode()
    assert page.index(high.reference) < page.index(low.reference)
    assert "Review overdue by" in page and "How the score is made" in page
    listed = client_for(worker).get("/missing/").content.decode()
    assert "Review overdue by" in listed  # the list flags it too
    landing = client_for(worker).get("/").content.decode()
    assert "missing-person episode review" in landing and "overdue" in landing


def test_patterns_group_a_placement_with_a_map_and_its_table(personas):
    worker = personas["compass_officer"]
    for _ in range(2):
        report(worker, subject=child(age=14), from_kind="care", from_place="Elm Lodge", from_postcode="SE5 9RS",
               from_longitude="-0.09", from_latitude="51.47")
    page = client_for(worker).get("/missing/patterns/").content.decode()
    assert "Elm Lodge, SE5 9RS" in page and 'id="groups-map"' in page and 'id="groups-places"' in page


def test_the_dashboard_for_a_worker_and_for_the_authority(personas):
    report(personas["compass_officer"], subject=child(age=16))
    mine = client_for(personas["compass_officer"]).get("/missing/dashboard/").content.decode()
    assert "Exact counts" in mine and "Of whom children" in mine
    published = client_for(personas["authority_member"]).get("/missing/dashboard/").content.decode()
    assert "Figures are perturbed" in published and "withheld" in published
    assert client_for(personas["csu_investigator"]).get("/missing/dashboard/").status_code == 200


def test_the_export_holds_the_episodes_the_user_may_see(personas):
    case = report(personas["compass_officer"], subject=make_person("compass", "OFFICIAL"))
    def csv(persona):
        response = client_for(personas[persona]).get("/missing/export.csv")
        return b"".join(response.streaming_content).decode()

    assert case.reference in csv("compass_officer").splitlines()[1]
    assert len(csv("csu_investigator").splitlines()) == 1  # the header alone


def test_a_proposal_is_decided_on_its_page(personas):
    worker = personas["compass_officer"]
    kid = child(age=13)
    for days in (60, 30, 0):
        case = report(worker, subject=kid, now=timezone.now() - dt.timedelta(days=days))
    page = client_for(worker).get(f"/missing/{case.pk}/").content.decode()
    assert "Referral to the risk panel proposed" in page
    proposal = case.missing_proposals.get()
    response = client_for(worker).post(f"/missing/{case.pk}/step/proposal-{proposal.pk}/",
                                       {"decision": "accept", "reason": "Same placement, exploitation concerns."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.ramp_case is not None
    assert client_for(worker).get(f"/missing/{case.pk}/step/proposal-999999/").status_code == 404
    as_(worker, lambda: actions.log_information(worker, case, {"text": "x", "supplied_by": "y",
                                                               "obtained_at": timezone.now()}))


def test_the_person_page_offers_each_kind_of_case_its_workers_may_start(personas):
    person = make_person("csu", "OFFICIAL")
    page = client_for(personas["csu_investigator"]).get(f"/people/{person.pk}/").content.decode()
    assert f'href="/missing/add/?subject={person.pk}"' in page and "Report missing" in page
    assert f'href="/ramp/add/?subject={person.pk}"' in page
    chair = client_for(personas["csu_panel_chair"]).get(f"/people/{person.pk}/").content.decode()
    assert "Refer to the risk panel" in chair and "Report missing" not in chair  # a chair works RAMP only
    form = client_for(personas["csu_investigator"]).get(f"/missing/add/?subject={person.pk}").content.decode()
    assert f'value="{person.pk}"' in form
