"""The risk panel through the API: a referral and every step to a plan, refusals as 400 and 403 with their
reasons, a partner agency's account completing its own action, and the meetings' agendas as each reader may see
them."""

import datetime as dt

from django.test import Client

from tests.casework.factories import make_action, make_case, make_meeting
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.casework.models import AgendaItem, today

ASSESS = {"risk_public": "high", "risk_known_adult": "low", "risk_children": "low", "risk_staff": "low",
          "risk_self": "low", "rosh_rationale": "r", "pdp_serious_harm": "yes", "pdp_imminent": "no",
          "pdp_more_likely": "no", "pdp_rationale": "p"}
PLAN = {"supervision": "s", "monitoring": "m", "interventions": "i", "victim_safety": "v"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step(client, case_id, **body):
    return client.post(f"/api/ramp-cases/{case_id}/step/", body, content_type="application/json")


def test_a_referral_through_every_step_to_a_plan_in_the_api(personas):
    worker, chair = client_for(personas["csu_investigator"]), client_for(personas["csu_panel_chair"])
    subject = make_person("csu", "OFFICIAL")
    created = worker.post("/api/ramp-cases/", {
        "subject": subject.pk, "subject_type": "offender", "referring_unit": "housing", "basis": "b",
        "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    case = created.json()["id"]
    assert created.json()["state"] == "referred"
    assert step(chair, case, step="accept", reason="ok").json()["state"] == "assessment"
    assessed = step(worker, case, step="assess", values=ASSESS).json()
    assert assessed["risk_level"] == "high" and assessed["assessment"]["is_pdp"] is False
    meeting = make_meeting("csu")
    assert step(worker, case, step="list", meeting=meeting.pk).json()["state"] == "panel"
    planned = step(chair, case, step="adopt_plan", values=PLAN).json()
    assert planned["state"] == "managed" and planned["plan"]["victim_safety"] == "v"
    assert planned["next_review_due"] == (today() + dt.timedelta(days=56)).isoformat()
    action = step(worker, case, step="action", values={"title": "Visit", "assignee": "probation",
                                                        "due": (today() + dt.timedelta(days=3)).isoformat()})
    assert action.status_code == 200
    partner = client_for(personas["probation_partner"])
    [row] = partner.get("/api/case-actions/").json()["results"]
    assert row["title"] == "Visit" and row["case_reference"] == planned["reference"]
    done = partner.post(f"/api/case-actions/{row['id']}/complete/", {"result": "Visited."},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert partner.get("/api/ramp-cases/").status_code == 403
    assert partner.get(f"/api/ramp-cases/{case}/").status_code == 403


def test_illegal_and_refused_steps_are_409_and_403_with_their_reasons(personas):
    case = make_case("csu", state="referred")
    chair, worker = client_for(personas["csu_panel_chair"]), client_for(personas["csu_investigator"])
    illegal = step(chair, case.pk, step="close", reason="r")
    assert illegal.status_code == 409  # the request is well formed; the case's state does not allow it
    assert "cannot be closed" in illegal.json()["state"][0]
    refused = step(worker, case.pk, step="accept", reason="r")
    assert refused.status_code == 403 and "Your role may not accept" in refused.json()["detail"]
    assert step(chair, case.pk, step="teleport").status_code == 400
    other = client_for(personas["compass_officer"])
    assert step(other, case.pk, step="accept", reason="r").status_code == 404


def test_a_partner_completes_only_its_own_actions(personas):
    case = make_case("csu")
    theirs = make_action(case, "housing")
    partner = client_for(personas["probation_partner"])
    assert partner.post(f"/api/case-actions/{theirs.pk}/complete/", {"result": "x"},
                        content_type="application/json").status_code == 404
    assert client_for(personas["authority_member"]).get("/api/case-actions/").status_code == 403


def test_a_meetings_agenda_in_the_api_lists_only_cases_the_reader_may_see(personas):
    meeting = make_meeting("csu", "OFFICIAL")
    hidden, shown = make_case("csu", "OFFICIAL-SENSITIVE"), make_case("csu", "OFFICIAL")
    with acting_as("test:setup"):
        AgendaItem.objects.create(meeting=meeting, case=hidden, position=1)
        AgendaItem.objects.create(meeting=meeting, case=shown, position=2)
    agenda = client_for(personas["compass_officer"]).get(f"/api/meetings/{meeting.pk}/").json()["agenda"]
    assert [item["case_reference"] for item in agenda] == [shown.reference]


def test_a_referral_about_a_hidden_person_is_refused_as_no_person_and_the_refusal_audited(personas):
    from vcdhub.audit.models import AuditEntry, EntryKind

    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    response = client_for(personas["csu_investigator"]).post("/api/ramp-cases/", {
        "subject": hidden.pk, "subject_type": "offender", "referring_unit": "housing", "basis": "b",
        "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"},
        content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"subject"}
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person",
                                     object_id=str(hidden.pk)).exists()
