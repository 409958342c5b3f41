"""The kit's generic views, API viewsets, journal and registry, on a real Record model (tests/kit_urls.py)."""

import pytest
from django.test import Client

from tests.conftest import make_persona
from tests.kit import latest_seq
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.performance.models import TargetSet
from vcdhub.platform.models import JournalEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kit_urls")]
TOML = "# targets"


def _client(name):
    client = Client()
    client.force_login(make_persona(name))
    return client


@pytest.fixture
def target_set(london):
    with acting_as("test:setup"):
        return TargetSet.objects.create(name="kit", toml=TOML, owner_unit_id="vcd-analysts")


def test_a_supervisor_adds_edits_and_deletes_through_the_generic_views_and_every_step_is_logged(target_set):
    client = _client("vcd_supervisor")
    assert client.get("/kit/targetsets/").status_code == 200
    response = client.post("/kit/targetsets/add/", {"name": "second", "toml": TOML, "owner_unit": "vcd-analysts",
                                                    "sensitivity": "OFFICIAL"})
    created = TargetSet.objects.get(name="second")
    assert response.status_code == 302 and response["Location"] == f"/kit/targetsets/{created.pk}/"
    response = client.post(f"/kit/targetsets/{created.pk}/edit/", {
        "name": "second", "toml": "# changed", "owner_unit": "vcd-analysts", "sensitivity": "OFFICIAL"})
    assert response.status_code == 302
    assert client.post(f"/kit/targetsets/{created.pk}/delete/").status_code == 302
    assert not TargetSet.objects.filter(pk=created.pk).exists()
    changes = AuditEntry.objects.filter(kind=EntryKind.CHANGE, object_type="performance.targetset",
                                        object_id=str(created.pk)).order_by("seq")
    assert [c.action for c in changes] == ["create", "update", "delete"]
    assert {c.actor for c in changes} == {"user:vcd_supervisor"}
    assert changes[1].before["toml"] == TOML and changes[1].after["toml"] == "# changed"


def test_an_edit_that_would_hide_the_record_from_its_editor_is_rolled_back_and_recorded(target_set):
    client = _client("vcd_supervisor")
    before = latest_seq()
    response = client.post(f"/kit/targetsets/{target_set.pk}/edit/", {
        "name": "kit", "toml": "# moved\n", "owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE"})
    assert response.status_code == 400 and "could no longer see the record" in response.content.decode()
    target_set.refresh_from_db()
    assert (target_set.owner_unit_id, target_set.sensitivity, target_set.toml) == ("vcd-analysts", "OFFICIAL", TOML)
    new = AuditEntry.objects.filter(seq__gt=before)
    assert not new.filter(kind=EntryKind.CHANGE).exists(), "the rolled-back change left no change entry"
    assert new.filter(kind=EntryKind.DENIED, action="edit", object_id=str(target_set.pk)).exists()


def test_a_module_with_only_a_list_and_detail_pages_gets_working_generic_pages(target_set):
    client = _client("vcd_supervisor")
    page = client.get("/kitmin/targetsets/").content.decode()
    assert f'href="/kitmin/targetsets/{target_set.pk}/"' in page and "Download CSV" not in page and "Add " not in page
    detail = client.get(f"/kitmin/targetsets/{target_set.pk}/")
    assert detail.status_code == 200 and ">Edit<" not in detail.content.decode()


def test_roles_that_may_not_change_records_are_refused_and_the_refusal_is_audited(target_set):
    client = _client("vcd_analyst")
    assert client.get(f"/kit/targetsets/{target_set.pk}/").status_code == 200  # may read
    for method, url in (("get", "/kit/targetsets/add/"), ("post", f"/kit/targetsets/{target_set.pk}/edit/"),
                        ("post", f"/kit/targetsets/{target_set.pk}/delete/")):
        before = latest_seq()
        assert getattr(client, method)(url).status_code == 403, url
        assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED).exists(), url
    assert TargetSet.objects.filter(pk=target_set.pk).exists()


def test_the_generic_csv_neutralises_formulas_and_lists_only_visible_records(target_set):
    with acting_as("test:setup"):
        TargetSet.objects.create(name="=HYPERLINK(1)", toml=TOML, owner_unit_id="vcd-analysts")
        TargetSet.objects.create(name="hidden", toml=TOML, owner_unit_id="csu", sensitivity="OFFICIAL-SENSITIVE")
    text = b"".join(_client("vcd_analyst").get("/kit/targetsets/export.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in text and "hidden" not in text and text.startswith("Name,Targets")


def test_the_writable_api_checks_roles_and_visibility_after_saving(target_set):
    supervisor, analyst = _client("vcd_supervisor"), _client("vcd_analyst")
    url = f"/kitapi/targetsets/{target_set.pk}/"
    assert analyst.patch(url, {"toml": "# no\n"}, content_type="application/json").status_code == 403
    before = latest_seq()
    response = supervisor.patch(url, {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE"},
                                content_type="application/json")
    assert response.status_code == 400 and "could no longer see" in response.content.decode()
    target_set.refresh_from_db()
    assert target_set.owner_unit_id == "vcd-analysts"
    assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED, action="api").exists()
    assert supervisor.patch(url, {"toml": "# yes\n"}, content_type="application/json").status_code == 200
    created = supervisor.post("/kitapi/targetsets/", {"name": "api", "toml": TOML, "owner_unit": "vcd-analysts",
                                                      "sensitivity": "OFFICIAL"}, content_type="application/json")
    assert created.status_code == 201
    assert supervisor.delete(f"/kitapi/targetsets/{created.json()['id']}/").status_code == 204


def test_journal_notes_attach_to_a_record_are_audited_and_restricted_with_it(target_set):
    with acting_as("test:setup"):
        hidden = TargetSet.objects.create(name="csu-only", toml=TOML, owner_unit_id="csu",
                                          sensitivity="OFFICIAL-SENSITIVE")
    analyst = _client("vcd_analyst")
    url = f"/journal/performance/targetset/{target_set.pk}/"
    response = analyst.post(url, {"kind": "action", "text": "Checked against the force's own figures.",
                                  "next": f"/kit/targetsets/{target_set.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/kit/targetsets/{target_set.pk}/"
    entry = JournalEntry.objects.get()
    assert (entry.kind, entry.author.username) == ("action", "vcd_analyst")
    assert AuditEntry.objects.filter(kind=EntryKind.CHANGE, object_type="platform.journalentry",
                                     object_id=str(entry.pk), actor="user:vcd_analyst").exists()
    page = analyst.get(f"/kit/targetsets/{target_set.pk}/").content.decode()
    assert "Checked against the force" in page
    history = analyst.get(f"/history/performance/targetset/{target_set.pk}/").content.decode()
    assert "Checked against the force" in history
    # A record the writer may not see: the same 404 as a missing one, audited, and nothing written.
    refused = analyst.post(f"/journal/performance/targetset/{hidden.pk}/", {"kind": "note", "text": "x"})
    assert refused.status_code == 404
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, action="journal", object_id=str(hidden.pk)).exists()
    # Bad input is refused field by field; an off-site "next" is not followed.
    response = analyst.post(url, {"kind": "gossip", "text": "  ", "next": "https://example.org/"})
    assert response["Location"].startswith("/history/") and JournalEntry.objects.count() == 1
    # Aggregate-only readers cannot write notes.
    assert _client("authority_member").post(url, {"kind": "note", "text": "x"}).status_code == 403


def test_navigation_shows_each_user_only_the_modules_they_may_use(london):
    def labels(name):
        page = _client(name).get("/places/").content.decode()
        return {label for label in ("Crime explorer", "Map", "Performance", "Equality", "Places", "Audit", "Access")
                if f">{label}</a>" in page}

    assert labels("vcd_analyst") == {"Crime explorer", "Map", "Performance", "Equality", "Places", "Access"}
    assert labels("auditor") == {"Crime explorer", "Map", "Performance", "Equality", "Places", "Audit", "Access"}
    assert labels("authority_member") == {"Map", "Performance", "Equality", "Places"}



def test_a_tables_times_read_as_the_clock_in_london_and_dates_stay_dates():
    import datetime as dt

    from vcdhub.platform.tables import Column

    class Row:
        summer = dt.datetime(2017, 7, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in London (BST)
        winter = dt.datetime(2017, 1, 1, 23, 30, tzinfo=dt.UTC)  # GMT: the same clock time
        day = dt.date(2017, 7, 1)

    assert Column("summer", "At").text(Row) == "2017-07-02 00:30"
    assert Column("winter", "At").text(Row) == "2017-01-01 23:30"
    assert Column("day", "On").text(Row) == "2017-07-01"
