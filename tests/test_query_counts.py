"""Query counts of the list views, against committed baselines (tests/query_counts.json), to catch N+1 queries.

Each list is fetched with a few records and with several times as many: the number of queries must not grow
with the rows, and must not exceed the baseline for this database. After a deliberate change, refresh the
baselines with VCDHUB_UPDATE_QUERY_BASELINES=1 and commit the file.
"""

import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_persona
from vcdhub.audit.context import acting_as
from vcdhub.crime.models import Crime, ImportBatch, StopSearch
from vcdhub.geography.models import Lsoa

pytestmark = pytest.mark.django_db
BASELINES = Path(__file__).with_name("query_counts.json")
FEW, MANY = 3, 12


def _batch(kind="street"):
    now = timezone.now()
    batch, _ = ImportBatch.objects.get_or_create(
        sha256=kind[0] * 64, defaults=dict(file_name=f"{kind}.csv", source="test", kind=kind, rows=0,
                                           force="Metropolitan Police Service", month="2017-07-01",
                                           imported_by="test", started_at=now, finished_at=now))
    return batch


def _place():
    lsoa = Lsoa.objects.get(code="E01003014")
    return {"lsoa_id": lsoa.id, "ward_id": lsoa.ward_id, "borough_id": lsoa.borough_id}


def _crimes(n):
    start = Crime.objects.count()
    for i in range(start, start + n):
        # every other one OFFICIAL-SENSITIVE of the analyst's own unit: reads are audited, one entry each
        Crime.objects.create(crime_id=f"{i:064x}", month="2017-07-01", reported_by="Metropolitan Police Service",
                             falls_within="Metropolitan Police Service", location=f"Street {i}", crime_type="Robbery",
                             owner_unit_id="vcd-analysts", sensitivity="OFFICIAL-SENSITIVE" if i % 2 else "OFFICIAL",
                             batch=_batch(), **_place())


def _searches(n):
    for _ in range(n):
        StopSearch.objects.create(force="Metropolitan Police Service", type="Person search", month="2017-07-01",
                                  date=timezone.now(), date_text="2017-07-01T10:00:00+00:00", batch=_batch("stop"),
                                  **_place())


def _runs(n):
    from vcdhub.places.models import AnalysisRun

    for _ in range(n):
        AnalysisRun.objects.create(kind="concentration", parameters={}, input_sha256="0" * 64, code_version="t",
                                   result={"from": "2017-07", "to": "2017-07", "level": "ward"}, seconds=0.1,
                                   created_by="test")


def _grants(n):
    from django.contrib.contenttypes.models import ContentType

    from vcdhub.access.models import AccessGrant

    _crimes(n)
    requester = make_persona("compass_officer")
    for crime in Crime.objects.order_by("-pk")[:n]:
        AccessGrant.objects.create(user=requester, content_type=ContentType.objects.get_for_model(Crime),
                                   object_id=str(crime.pk), reason="case", requested_by=requester,
                                   expires_at=timezone.now() + timezone.timedelta(days=7))


def _people(n):
    from tests.people.factories import make_person

    for _ in range(n):
        make_person("vcd-analysts", "OFFICIAL-SENSITIVE", surname="Smith")


def _flags(n):
    from tests.people.factories import make_flag, make_person

    for _ in range(n):
        make_flag(make_person("vcd-analysts", "OFFICIAL"), "vcd-analysts", "OFFICIAL-SENSITIVE")


def _reports(n):
    from tests.intel.factories import make_report
    from tests.people.factories import make_person
    from vcdhub.intel.models import ReportLink

    for _ in range(n):
        report = make_report("vcd-analysts", "OFFICIAL-SENSITIVE")
        ReportLink.objects.create(report=report, kind="person", person=make_person("vcd-analysts", "OFFICIAL"))


def _shared(n):
    from tests.intel.factories import make_shared

    for _ in range(n):
        make_shared("vcd-analysts", "OFFICIAL-SENSITIVE")


def _cases(n):
    from tests.casework.factories import make_action, make_case, make_meeting
    from tests.people.factories import make_person
    from vcdhub.casework.models import AgendaItem

    meeting = make_meeting("vcd-analysts", "OFFICIAL", title="Query count panel")
    for _ in range(n):
        case = make_case("vcd-analysts", "OFFICIAL-SENSITIVE", subject=make_person("vcd-analysts", "OFFICIAL"))
        make_action(case, "vcd-analysts")
        AgendaItem.objects.create(meeting=meeting, case=case)


def _episodes(n):
    from tests.missing.factories import make_episode
    from tests.people.factories import make_person

    for i in range(n):
        make_episode("vcd-analysts", "OFFICIAL-SENSITIVE", subject=make_person("vcd-analysts", "OFFICIAL"),
                     from_kind="care", from_place=f"Home {i % 3}", placement_key=f"home-{i % 3}",
                     found_longitude=-0.1, found_latitude=51.5)


LISTS = {
    "crime explorer": ("vcd_analyst", "/crimes/", _crimes),
    "crime API": ("vcd_analyst", "/api/crimes/", _crimes),
    "crime CSV": ("vcd_analyst", "/crimes/export.csv", _crimes),
    "stop-and-search API": ("vcd_analyst", "/api/stop-searches/", _searches),
    "place runs": ("vcd_analyst", "/places/runs/", _runs),
    "access grants": ("vcd_supervisor", "/account/grants/", _grants),
    "people search": ("vcd_analyst", "/people/?name=smith", _people),
    "people API": ("vcd_analyst", "/api/people/", _people),
    "people CSV": ("vcd_analyst", "/people/export.csv", _people),
    "flag reviews": ("vcd_analyst", "/people/flags/?review=90", _flags),
    "intelligence list": ("vcd_analyst", "/intel/", _reports),
    "intelligence API": ("vcd_analyst", "/api/intel-reports/", _reports),
    "intelligence CSV": ("vcd_analyst", "/intel/export.csv", _reports),
    "shared with us": ("vcd_analyst", "/intel/shared/", _shared),
    "dissemination API": ("vcd_analyst", "/api/intel-disseminations/", _shared),
    "RAMP cases": ("vcd_analyst", "/ramp/", _cases),
    "RAMP case API": ("vcd_analyst", "/api/ramp-cases/", _cases),
    "RAMP priority list": ("vcd_analyst", "/ramp/priority/", _cases),
    "RAMP dashboard": ("vcd_analyst", "/ramp/dashboard/", _cases),
    "missing episodes": ("vcd_analyst", "/missing/", _episodes),
    "missing episode API": ("vcd_analyst", "/api/missing-episodes/", _episodes),
    "missing review queue": ("vcd_analyst", "/missing/queue/", _episodes),
    "missing patterns": ("vcd_analyst", "/missing/patterns/", _episodes),
    "missing dashboard": ("vcd_analyst", "/missing/dashboard/", _episodes),
    "our actions": ("vcd_analyst", "/casework/actions/", _cases),
    "case action API": ("vcd_analyst", "/api/case-actions/", _cases),
    "meeting API": ("vcd_analyst", "/api/meetings/", _cases),
}


def _queries(client, url) -> int:
    cache.clear()  # counted with every cached count missed, so that both measurements ask the same questions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_views_make_a_fixed_number_of_queries_within_the_baseline(client, london, name):
    persona, url, make = LISTS[name]
    client.force_login(make_persona(persona))
    with acting_as("test:setup"):
        make(FEW)
    _queries(client, url)  # warm caches that a real server keeps (content types, the user's access profile)
    few = _queries(client, url)
    with acting_as("test:setup"):
        make(MANY - FEW)
    many = _queries(client, url)
    assert many == few, f"{name}: {few} queries for {FEW} rows but {many} for {MANY}: a query per row"

    baselines = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    vendor = baselines.setdefault(connection.vendor, {})
    if os.environ.get("VCDHUB_UPDATE_QUERY_BASELINES"):
        vendor[name] = few
        BASELINES.write_text(json.dumps(baselines, indent=2, sort_keys=True) + "\n")
    assert name in vendor, f"no baseline for {name} on {connection.vendor}: run with VCDHUB_UPDATE_QUERY_BASELINES=1"
    assert few <= vendor[name], f"{name}: {few} queries, baseline {vendor[name]} (an N+1, or a new query?)"
