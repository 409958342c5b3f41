"""The generic tests every records module runs: its views and API endpoints, as every kind of user.

A module's tests subclass `RecordModuleContract`, say where its pages are and how to make a record, and get
the whole permission matrix:

    class TestCrimeModule(RecordModuleContract):
        model = Crime
        list_url = "/crimes/"
        ...
        def make_record(self, unit, sensitivity): ...

Each check runs as five personas: an outsider (signed in, no role), an aggregate-only reader (authority
member), a reader from another unit, a member of the owning unit and an administrator. The expectations are
written from the default rules, not computed by the code under test: the owning unit sees its
OFFICIAL-SENSITIVE record; another unit's reader and the administrator get the same 404 as for a missing
record; the outsider and the aggregate-only reader are refused (403). Every refusal is on the audit chain,
and every read of the sensitive record is too.
"""

import csv
import io

import pytest
from django.test import Client

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind

# (persona, what they get for another unit's OFFICIAL-SENSITIVE record owned by the module's unit)
OWNER, OTHER_UNIT, ADMINISTRATOR, AGGREGATE_ONLY, OUTSIDER = (
    "csu_investigator", "compass_officer", "administrator", "authority_member", "outsider")
SEES_SENSITIVE = {OWNER: "sees", OTHER_UNIT: "not found", ADMINISTRATOR: "not found",
                  AGGREGATE_ONLY: "refused", OUTSIDER: "refused"}
STATUS = {"sees": 200, "not found": 404, "refused": 403}


def persona(name: str):
    if name == OUTSIDER:
        from django.contrib.auth import get_user_model

        user, _ = get_user_model().objects.get_or_create(username=OUTSIDER)
        return user
    return make_persona(name)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def latest_seq() -> int:
    """The audit chain's last entry number: entries after it are the ones a request wrote."""
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _new_entries(before: int, user, model, pk):
    return AuditEntry.objects.filter(seq__gt=before, user_id=user.pk, object_type=model._meta.label_lower,
                                     object_id=str(pk))


@pytest.mark.django_db
class RecordModuleContract:
    """Fill in the class attributes and `make_record`; every test below then runs for the module."""

    model = None
    owning_unit = "csu"
    # persona -> what they get for the sensitive record; a module may add personas of its own (each of them
    # sees OFFICIAL records unless it is refused outright)
    personas = SEES_SENSITIVE
    list_url = ""  # the web list
    export_url = ""  # the CSV download of the list ("" if none)
    api_list_url = ""  # "" if the module has no API
    history = True  # the kit's record history page

    def detail_url(self, pk) -> str | None:
        """The web page of one record; None for a module whose records have only the API."""
        return None

    def api_detail_url(self, pk) -> str:
        return f"{self.api_list_url}{pk}/"

    # The module's change views, if it has them: who may change (among the personas who may see the record).
    change_personas: frozenset[str] = frozenset()

    def change_urls(self, pk) -> list[str]:
        """Its edit and delete pages for one record ([] if records are not changed through the web)."""
        return []

    def make_record(self, unit: str, sensitivity: str):
        """Create one record owned by `unit` with this marking (under an actor)."""
        raise NotImplementedError

    def identifying_text(self, record) -> str:
        """Text of the record that a page or a CSV row showing it would contain."""
        return str(record)

    def pytest_generate_tests(self, metafunc):
        if "who" in metafunc.fixturenames:
            metafunc.parametrize("who", sorted(self.personas))

    def expected(self, who: str, name: str) -> str:
        sensitive = self.personas[who]
        if name == "sensitive":
            return sensitive
        return "refused" if sensitive == "refused" else "sees"

    def expected_on(self, who: str, name: str, url: str) -> str:
        """What `who` gets for record `name` at `url`; a module whose pages differ for a persona says so here
        (a partner agency's account opens the actions assigned to it, but no record's history)."""
        return self.expected(who, name)

    # --- fixtures -----------------------------------------------------------------------------------------

    @pytest.fixture
    def kit_records(self, london):
        with acting_as("test:setup"):
            return {"sensitive": self.make_record(self.owning_unit, "OFFICIAL-SENSITIVE"),
                    "official": self.make_record(self.owning_unit, "OFFICIAL")}

    # --- the matrix ---------------------------------------------------------------------------------------

    def test_detail_pages_answer_each_persona_by_the_rules_and_audit_it(self, kit_records, who):
        user = persona(who)
        client = client_for(user)
        for name, record in kit_records.items():
            expected = self.expected(who, name)
            urls = [url for url in [self.detail_url(record.pk)] if url]
            if self.history:
                meta = record._meta
                urls.append(f"/history/{meta.app_label}/{meta.model_name}/{record.pk}/")
            if self.api_list_url:
                urls.append(self.api_detail_url(record.pk))
            for url in urls:
                expected = self.expected_on(who, name, url)
                before = latest_seq()
                response = client.get(url)
                assert response.status_code == STATUS[expected], f"{who} on {url} ({name})"
                entries = AuditEntry.objects.filter(seq__gt=before, user_id=user.pk)
                if expected == "sees":
                    reads = _new_entries(before, user, self.model, record.pk).filter(kind=EntryKind.READ)
                    assert reads.exists() == (name == "sensitive"), f"read of {name} by {who} on {url}"
                elif expected == "not found":
                    denied = _new_entries(before, user, self.model, record.pk).filter(kind=EntryKind.DENIED)
                    assert denied.exists(), f"{who} refused {url} without an audit entry"
                    assert self.identifying_text(record) not in response.content.decode(errors="replace")
                else:
                    assert entries.filter(kind=EntryKind.DENIED).exists(), f"403 on {url} for {who} not audited"

    def test_lists_exports_and_the_api_show_each_persona_exactly_what_they_may_see(self, kit_records, who):
        user = persona(who)
        client = client_for(user)
        expected = {name for name in kit_records if self.expected(who, name) == "sees"}
        refused = self.expected(who, "official") == "refused"
        before = latest_seq()

        page = client.get(self.list_url) if self.list_url else None
        if page is None:
            pass
        elif refused:
            assert page.status_code == 403
        else:
            assert page.status_code == 200
            listed = {name for name, r in kit_records.items() if self.identifying_text(r) in page.content.decode()}
            assert listed == expected, f"{who}: web list"
        if self.export_url:
            response = client.get(self.export_url)
            if refused:
                assert response.status_code == 403
            else:
                text = b"".join(response.streaming_content).decode()
                rows = list(csv.reader(io.StringIO(text)))
                assert rows, "the export has at least its header"
                exported = {name for name, r in kit_records.items() if self.identifying_text(r) in text}
                assert exported == expected, f"{who}: CSV export"
        if self.api_list_url:
            response = client.get(self.api_list_url, {"page_size": 1000})
            if refused:
                assert response.status_code == 403
            else:
                ids = {row["id"] for row in response.json()["results"]}
                assert {name for name, r in kit_records.items() if r.pk in ids} == expected, f"{who}: API list"
        if not (self.list_url or self.export_url or self.api_list_url):
            return  # a record reached only one at a time (the detail test covers it)
        if refused:
            assert AuditEntry.objects.filter(seq__gt=before, user_id=user.pk, kind=EntryKind.DENIED).exists()
        elif "sensitive" in expected:
            reads = _new_entries(before, user, self.model, kit_records["sensitive"].pk).filter(kind=EntryKind.READ)
            assert reads.exists(), "a list or export showing a sensitive record audits the read"

    def test_change_pages_answer_each_persona_by_the_rules_and_audit_refusals(self, kit_records, who):
        if not self.change_urls(1):
            pytest.skip("records of this module are not changed through the web")
        user = persona(who)
        client = client_for(user)
        for name, record in kit_records.items():
            # A role that may not change records is refused whatever the id (which tells it nothing); a role
            # that may is answered by the record's visibility, like any read.
            if who not in self.change_personas:
                expected = 403
            else:
                expected = {"sees": 200, "not found": 404, "refused": 403}[self.expected(who, name)]
            for url in self.change_urls(record.pk):
                before = latest_seq()
                assert client.get(url).status_code == expected, f"{who} on {url} ({name})"
                if expected != 200:
                    assert AuditEntry.objects.filter(seq__gt=before, user_id=user.pk, kind=EntryKind.DENIED).exists()

    def test_ids_that_cannot_exist_are_not_found_and_audited_never_an_error(self, kit_records):
        user = persona(OWNER)
        client = client_for(user)
        detail = self.detail_url if self.detail_url(1) else self.api_detail_url
        for raw in ("0", "-1", "9" * 30, "abc", "%00", "1%00", "x" * 300):
            before = latest_seq()
            response = client.get(detail(raw))
            assert response.status_code == 404, raw
            assert AuditEntry.objects.filter(seq__gt=before, user_id=user.pk, kind=EntryKind.DENIED).exists(), raw
