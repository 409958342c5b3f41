"""What goes on the trail, and the screens that read it: changes, imports, history, auditors' queries."""

import datetime as dt

import pytest
from django.test import Client

from vcdhub.audit.chain import verify
from vcdhub.audit.context import acting_as, because
from vcdhub.audit.log import record_decision
from vcdhub.audit.models import AppendOnlyError, AuditEntry, Decision, EntryKind
from vcdhub.crime.models import Crime
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def crime(personas, demo_file):
    assert run_import([demo_file("2017-07", "btp-street")], actor="cli:importer").ok
    return Crime.objects.order_by("pk").first()


def test_imports_are_attributed_to_their_actor(crime):
    entry = AuditEntry.objects.get(kind=EntryKind.IMPORT, action="import")
    assert entry.actor == "cli:importer" and entry.object_type == "crime.importbatch"
    assert entry.detail["rows"] == Crime.objects.count() and len(entry.detail["sha256"]) == 64


def test_a_change_records_actor_request_before_after_and_reason(crime):
    with acting_as("user:vcd_supervisor", request_id="req-123"), because("re-marked after CSU review"):
        crime.sensitivity = "OFFICIAL-SENSITIVE"
        crime.descriptors = "PERSONAL"
        crime.owner_unit_id = "csu"
        crime.save()
    entry = AuditEntry.objects.filter(kind=EntryKind.CHANGE, object_type="crime.crime", object_id=str(crime.pk)).get()
    assert (entry.action, entry.actor, entry.request_id, entry.reason) == (
        "update", "user:vcd_supervisor", "req-123", "re-marked after CSU review")
    assert entry.before["sensitivity"] == "OFFICIAL" and entry.after["sensitivity"] == "OFFICIAL-SENSITIVE"
    assert entry.before["owner_unit"] == "vcd-analysts" and entry.after["owner_unit"] == "csu"
    assert verify().ok


def test_a_request_id_ties_the_response_to_its_audit_entries(personas, crime):
    client = Client()
    client.force_login(personas["csu_investigator"])
    with acting_as("test:setup"):
        Crime.objects.filter(pk=crime.pk).update(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
    response = client.get(f"/crimes/{crime.pk}/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    read = AuditEntry.objects.get(kind=EntryKind.READ, object_id=str(crime.pk))
    assert (read.request_id, read.actor, read.action) == ("abc-123", "user:csu_investigator", "view")


def test_history_shows_versions_diffs_and_decisions_to_those_who_may_see_the_record(personas, crime):
    supervisor = personas["vcd_supervisor"]
    with acting_as("user:vcd_supervisor", user=supervisor):
        with because("location corrected from the CAD record"):
            crime.location = "On or near Brixton (station)"
            crime.save()
        record_decision(crime, kind="other", summary="Referred to the robbery operation", decided_by=supervisor,
                        information="Third robbery at the station this month.", threat_and_risk="Series likely.",
                        powers_and_policy="Control strategy: robbery.", options="Refer; monitor; no action.",
                        action_taken="Referred.", review_date=dt.date(2017, 8, 31))
    client = Client()
    client.force_login(personas["borough_analyst"])
    page = client.get(f"/history/crime/crime/{crime.pk}/").content.decode()
    assert "location corrected from the CAD record" in page and "On or near Brixton (station)" in page
    assert "Referred to the robbery operation" in page and "Control strategy: robbery." in page
    decision = Decision.objects.get()
    with pytest.raises(AppendOnlyError):
        decision.summary = "rewritten"
        decision.save()
    assert AuditEntry.objects.get(seq=decision.audit_seq).detail == {"decision_id": decision.pk}
    # Someone who may not see the record may not see its history either.
    with acting_as("test:setup"):
        Crime.objects.filter(pk=crime.pk).update(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
    assert client.get(f"/history/crime/crime/{crime.pk}/").status_code == 404
    assert client.get("/history/audit/auditentry/1/").status_code == 404


def test_only_auditors_see_the_audit_screens(personas, crime):
    for name, user in personas.items():
        client = Client()
        client.force_login(user)
        assert client.get("/audit/").status_code == (200 if name == "auditor" else 403), name


def test_auditors_answer_who_accessed_a_record_and_what_a_user_looked_at(personas, crime):
    with acting_as("test:setup"):
        Crime.objects.filter(pk=crime.pk).update(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
    investigator = Client()
    investigator.force_login(personas["csu_investigator"])
    investigator.get(f"/crimes/{crime.pk}/")
    investigator.get(f"/api/crimes/{crime.pk}/")
    snoop = Client()
    snoop.force_login(personas["compass_officer"])
    snoop.get(f"/crimes/{crime.pk}/")

    auditor = Client()
    auditor.force_login(personas["auditor"])
    page = auditor.get("/audit/", {"q": "record", "object_type": "crime.crime", "object_id": crime.pk})
    rows = [(e.actor, e.kind, e.action) for e in page.context["entries"]]
    assert ("user:csu_investigator", "read", "view") in rows and ("user:csu_investigator", "read", "api") in rows
    assert ("user:compass_officer", "denied", "view") in rows
    today = dt.date.today().isoformat()
    page = auditor.get("/audit/", {"q": "user", "username": "csu_investigator", "date_from": today,
                                   "date_to": today, "reads_only": "on"})
    assert {(e.object_id, e.action) for e in page.context["entries"]} == {(str(crime.pk), "view"),
                                                                         (str(crime.pk), "api")}
    csv_text = auditor.get("/audit/", {"q": "record", "object_type": "crime.crime", "object_id": crime.pk,
                                       "format": "csv"}).content.decode()
    assert csv_text.splitlines()[0].startswith("Entry,When,Who") and "user:compass_officer" in csv_text
    pdf = auditor.get("/audit/", {"q": "user", "username": "csu_investigator", "date_from": today,
                                  "date_to": today, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # The auditors' own queries are on the trail.
    assert AuditEntry.objects.filter(actor="user:auditor", action="audit_query").count() == 4
    bad = auditor.get("/audit/", {"q": "user", "username": "nobody", "date_from": today, "date_to": today})
    assert "username" in bad.context["form_user"].errors


def test_auditors_see_ids_and_metadata_but_not_the_text_of_records_they_may_not_read(personas, crime):
    """The CSU's sensitive record: the auditor sees who opened it and when, but not what it says."""
    with acting_as("test:setup"):
        Crime.objects.filter(pk=crime.pk).update(owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
        open_crime = Crime.objects.exclude(pk=crime.pk).order_by("pk").first()
    investigator = Client()
    investigator.force_login(personas["csu_investigator"])
    investigator.get(f"/crimes/{crime.pk}/")
    with acting_as("user:vcd_analyst"):
        from vcdhub.audit.log import record_event

        record_event(EntryKind.ACCESS, "note", open_crime, reason="an OFFICIAL record")
    auditor = Client()
    auditor.force_login(personas["auditor"])
    secret_text = str(Crime.objects.get(pk=crime.pk))
    for object_id in (crime.pk, open_crime.pk):
        query = {"q": "record", "object_type": "crime.crime", "object_id": object_id}
        page = auditor.get("/audit/", query)
        shown = {e.object_repr for e in page.context["entries"]}
        csv_text = auditor.get("/audit/", {**query, "format": "csv"}).content.decode()
        if object_id == crime.pk:
            assert shown == {"(withheld: you may not read this record)"}
            assert secret_text not in page.content.decode() and secret_text not in csv_text
            assert "user:csu_investigator" in csv_text  # who, when and what kind of access: all there
        else:
            assert shown == {str(open_crime)} and str(open_crime) in csv_text


def test_user_accounts_changes_are_on_the_trail_without_secrets(db):
    from django.contrib.auth import get_user_model

    with acting_as("user:admin"):
        user = get_user_model().objects.create_user("newcomer", password="a long passphrase here")
        user.first_name = "Newcomer (fictitious)"
        user.save()
        user.set_password("another long passphrase")
        user.save()  # only the password changed: an event saying so, without the hash
    entries = AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk)).order_by("seq")
    assert [(e.action, e.actor) for e in entries] == [("create", "user:admin"), ("update", "user:admin"),
                                                      ("password_changed", "user:admin")]
    assert entries[1].before["first_name"] == "" and entries[1].after["first_name"] == "Newcomer (fictitious)"
    assert all("password" not in (e.after or {}) for e in entries[:2])
    assert entries[2].detail == {"password": "changed"} and user.password not in str(entries[2].detail)
