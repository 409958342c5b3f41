"""The crime module through the kit's generic tests (tests/kit.py): every view and endpoint, every persona."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.kit import SEES_SENSITIVE, RecordModuleContract, persona
from vcdhub.crime.models import Crime, ImportBatch, StopSearch
from vcdhub.geography.models import Lsoa


class TestCrimeModule(RecordModuleContract):
    """Every persona of the access tests: the CSU's own investigator sees its sensitive record; every other
    role reaches it only by a grant (tests/access/test_permission_matrix.py)."""

    model = Crime
    personas = {**SEES_SENSITIVE, "borough_analyst": "not found", "vcd_analyst": "not found",
                "vcd_supervisor": "not found", "auditor": "not found", "tasking_officer": "not found",
                "jigsaw_panel_chair": "not found"}
    list_url = "/crimes/"
    export_url = "/crimes/export.csv"
    api_list_url = "/api/crimes/"

    def detail_url(self, pk) -> str:
        return f"/crimes/{pk}/"

    def make_record(self, unit: str, sensitivity: str):
        now = timezone.now()
        batch, _ = ImportBatch.objects.get_or_create(
            sha256="e" * 64, defaults=dict(file_name="force-records.csv", source="test", kind="street",
                                           force="Metropolitan Police Service", month="2017-07-01", rows=2,
                                           imported_by="test", started_at=now, finished_at=now))
        lsoa = Lsoa.objects.get(code="E01003014")
        n = Crime.objects.count()
        return Crime.objects.create(
            crime_id=f"{n:064x}", month="2017-07-01", reported_by="Metropolitan Police Service",
            falls_within="Metropolitan Police Service", location=f"On or near Kit Street {sensitivity} {n}",
            lsoa_code=lsoa.code, crime_type="Robbery", owner_unit_id=unit, sensitivity=sensitivity,
            batch=batch, lsoa_id=lsoa.id, ward_id=lsoa.ward_id, borough_id=lsoa.borough_id)

    def identifying_text(self, record) -> str:
        return record.location

    def test_the_cli_export_for_a_user_writes_what_that_user_may_see(self, kit_records, who):
        user = persona(who)
        out = io.StringIO()
        call_command("export", "crimes", "--user", user.username, stdout=out, stderr=io.StringIO())
        exported = {row["Crime ID"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
        # The CLI is run by an operator for a named user: it writes what that user may see, or nothing.
        expected = {name for name in kit_records if self.expected(who, name) == "sees"}
        assert {name for name, r in kit_records.items() if r.crime_id in exported} == expected


class TestStopSearchRecords(RecordModuleContract):
    """Stops and searches have the API (and the history page) only; the same matrix applies."""

    model = StopSearch
    api_list_url = "/api/stop-searches/"
    personas = TestCrimeModule.personas

    def make_record(self, unit: str, sensitivity: str):
        now = timezone.now()
        batch, _ = ImportBatch.objects.get_or_create(
            sha256="s" * 64, defaults=dict(file_name="stops.csv", source="test", kind="stop-and-search", rows=2,
                                           force="Metropolitan Police Service", month="2017-07-01",
                                           imported_by="test", started_at=now, finished_at=now))
        lsoa = Lsoa.objects.get(code="E01003014")
        return StopSearch.objects.create(
            force="Metropolitan Police Service", type="Person search", month="2017-07-01", date=now,
            date_text="2017-07-01T10:00:00+00:00", object_of_search=f"Kit {unit} {sensitivity}",
            owner_unit_id=unit, sensitivity=sensitivity, batch=batch, lsoa_id=lsoa.id, ward_id=lsoa.ward_id,
            borough_id=lsoa.borough_id)

    def identifying_text(self, record) -> str:
        return record.object_of_search


@pytest.mark.django_db
def test_api_pages_are_capped_in_depth_and_size(london, client):
    """page=3000 read and threw away 300,000 rows first (4.3 s on the shared data): pages stop at 200, a page
    holds at most 1,000 records, and "last" is not a page."""
    from tests.conftest import make_persona
    from vcdhub.platform.pagination import CappedPagination

    client.force_login(make_persona("vcd_analyst"))
    assert client.get("/api/crimes/", {"page": 1}).status_code == 200
    deep = client.get("/api/crimes/", {"page": CappedPagination.max_page + 1})
    assert deep.status_code == 404 and "narrow the filter" in deep.json()["detail"]
    assert client.get("/api/crimes/", {"page": "last"}).status_code == 404
    assert CappedPagination().get_page_size(type("R", (), {"query_params": {"page_size": "5000"}})()) == 1000
