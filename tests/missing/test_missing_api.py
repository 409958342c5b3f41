"""Missing persons through the API: a report and its steps to closure, refusals as 400 and 403 with their
reasons, the queue term by term, the patterns and the dashboard (with a bad date refused by field)."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from tests.missing.factories import child
from tests.people.factories import make_person


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step(client, case_id, **body):
    return client.post(f"/api/missing-episodes/{case_id}/step/", body, content_type="application/json")


def test_a_report_and_its_steps_in_the_api(personas):
    worker, supervisor = client_for(personas["compass_officer"]), client_for(personas["compass_supervisor"])
    person = child(age=13)
    now = timezone.localtime()
    created = worker.post("/api/missing-episodes/", {
        "subject": person.pk, "reported_by": "Mother", "from_kind": "home", "from_place": "1 Road",
        "last_seen_at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), "indicators": ["cce"],
        "grade": "medium", "grade_rationale": "Twelve hours overdue home.", "owner_unit": "compass",
        "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"}, content_type="application/json")
    assert created.status_code == 201, created.content
    case = created.json()["id"]
    assert created.json()["state"] == "missing" and created.json()["episode"]["indicators"] == ["cce"]
    answer = step(worker, case, step="info", values={"text": "Seen in Croydon.", "supplied_by": "A bus driver",
                                                     "obtained_at": now.strftime("%Y-%m-%d %H:%M")})
    assert answer.status_code == 200 and answer.json()["information"][0]["supplied_by"] == "A bus driver"
    bad = step(worker, case, step="regrade", values={"grade": "extreme"}, reason="")
    assert bad.status_code == 400 and {"grade", "reason"} <= set(bad.json())
    assert step(worker, case, step="regrade", values={"grade": "high"}, reason="Threats on social media.") \
        .json()["episode"]["grade"] == "high"
    queue = worker.get("/api/missing-queue/").json()
    assert queue[0]["case"] == case and {"factor": "cce", "points": 4, "why":
                                         "Indicators of child criminal exploitation (recorded on the report)"} \
        in queue[0]["terms"]
    found = step(worker, case, step="found", values={"found_at": now.strftime("%Y-%m-%d %H:%M"),
                                                     "found_how": "elsewhere", "found_place": "Croydon"},
                 reason="Found by a youth worker.")
    assert found.json()["state"] == "found"
    assert step(worker, case, step="reopen", reason="x").status_code == 403  # a supervisor's step
    assert step(supervisor, case, step="reopen", reason="It was not her.").json()["state"] == "missing"
    assert step(worker, case, step="close", reason="x").status_code == 409  # not from "missing"


def test_reads_are_restricted_and_the_figures_checked(personas):
    worker = client_for(personas["compass_officer"])
    made = worker.post("/api/missing-episodes/", {
        "subject": make_person("compass", "OFFICIAL").pk, "reported_by": "Wife", "from_kind": "hospital",
        "from_place": "King's College Hospital", "last_seen_at": "2026-01-01 10:00", "grade": "low",
        "grade_rationale": "r", "owner_unit": "compass", "sensitivity": "OFFICIAL-SENSITIVE",
        "descriptors": "PERSONAL"}, content_type="application/json")
    assert made.status_code == 201, made.content
    other = client_for(personas["csu_investigator"])
    assert other.get(f"/api/missing-episodes/{made.json()['id']}/").status_code == 404
    assert other.get("/api/missing-episodes/").json()["count"] == 0
    assert client_for(personas["authority_member"]).get("/api/missing-queue/").status_code == 403
    assert worker.get("/api/missing-dashboard/?as_of=2026-02-30").status_code == 400
    figures = worker.get("/api/missing-dashboard/").json()
    assert figures["outstanding"] == 1 and figures["perturbed"] is False
    assert set(worker.get("/api/missing-groups/").json()) == {"placement", "found", "associate"}


def test_a_hidden_or_missing_subject_gets_one_answer_and_each_attempt_is_an_audited_refusal(personas):
    """The report is refused on its subject alike for a person hidden from the writer and for no such person,
    and both attempts are on the chain: the report's transaction is rolled back, its refusals are not."""
    from vcdhub.audit.models import AuditEntry, EntryKind

    worker = client_for(personas["compass_officer"])
    body = {"reported_by": "Wife", "from_kind": "home", "from_place": "1 Road", "last_seen_at": "2026-01-01 10:00",
            "grade": "low", "grade_rationale": "r", "owner_unit": "compass", "sensitivity": "OFFICIAL-SENSITIVE",
            "descriptors": "PERSONAL"}
    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    answers = [worker.post("/api/missing-episodes/", {**body, "subject": pk}, content_type="application/json")
               for pk in (hidden.pk, 10**9)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json()["subject"] == answers[1].json()["subject"]
    denied = set(AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person")
                 .values_list("object_id", flat=True))
    assert denied == {str(hidden.pk), str(10**9)}


def test_a_steps_values_are_read_by_their_types_and_a_closed_state_is_a_conflict(personas):
    """Each step's values are the fields its page's form has, each of one JSON type: a yes/no given as a text
    (which the action had read as yes), a text given as a number, or values as null are refused by field."""
    from tests.missing.factories import report

    worker = client_for(personas["compass_officer"])
    case = report(personas["compass_officer"], subject=child(age=12))
    form = {"kind": "herbert", "given_by": "Care home manager", "given_at": "2026-01-01 09:00",
            "description": "Walks to the park."}
    for wrong, field in (({"photo": "no"}, "photo"), ({"given_by": 42}, "given_by")):
        answer = step(worker, case.pk, step="protocol", values={**form, **wrong})
        assert answer.status_code == 400 and set(answer.json()) == {field}, answer.content
    assert step(worker, case.pk, step="protocol", values=None).json() == {
        "values": ["Send the step's fields as an object, or leave values out."]}
    assert step(worker, case.pk, step="protocol", values={**form, "photo": True}).status_code == 200
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    assert step(worker, case.pk, step="found", reason="Came home.", values={
        "found_at": now, "found_how": "returned", "found_place": "Home"}).json()["state"] == "found"
    review = step(worker, case.pk, step="review", values={"summary": "Safe."})
    assert review.status_code == 409 and set(review.json()) == {"state"}  # not a wrong input: a found episode
    from vcdhub.audit.models import AuditEntry, EntryKind

    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="casework.case", object_id=str(case.pk),
                                     reason__contains="is not reviewed").count() == 1  # a refusal, on the chain
