"""Intelligence through the web pages and the API: the life cycle end to end, the refusal to share an original,
a source shown only to its handlers, and links to people only where the reader may see them."""

import pytest

from tests.conftest import make_persona
from tests.intel.factories import make_report, make_source
from tests.kit import client_for
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.intel.models import Dissemination, Report, ReportLink, SharedReport, SourceLink

pytestmark = pytest.mark.django_db
MARKING = {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"}


@pytest.fixture
def clients(london):
    return {name: client_for(make_persona(name)) for name in ("csu_investigator", "csu_analyst", "csu_handler",
                                                              "compass_officer", "tasking_officer")}


def post(client, url, data):
    return client.post(url, data)


def test_a_report_is_submitted_graded_sanitised_and_shared_through_the_pages(clients):
    officer, analyst, compass = clients["csu_investigator"], clients["csu_analyst"], clients["compass_officer"]
    response = post(officer, "/intel/add/", {"text": "Knife at flat 3, seen by a neighbour.", **MARKING})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    base = f"/intel/{report.pk}/step/"
    assert post(analyst, base + "review/", {"reason": "clear"}).status_code == 302
    response = post(analyst, base + "grade/", {"grading_scheme": "3x5x2", "source_evaluation": "2",
                                               "intelligence_assessment": "B", "handling_code": "C"})
    assert response.status_code == 400 and "needs its conditions" in response.content.decode()
    assert post(analyst, base + "grade/", {"grading_scheme": "3x5x2", "source_evaluation": "2",
                                           "intelligence_assessment": "B", "handling_code": "C",
                                           "handling_conditions": "Police only"}).status_code == 302
    page = analyst.get(f"/intel/{report.pk}/").content.decode()
    assert "may not be shared until it has a sanitised version" in page
    before = AuditEntry.objects.count()
    response = post(analyst, base + "disseminate/", {"recipient_kind": "unit", "recipient": "compass",
                                                     "version": "original"})
    assert response.status_code == 403 and "Refused" in response.content.decode()
    assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED, action="intel_disseminate").exists()
    assert post(analyst, base + "sanitise/", {"sanitised_text": "A knife is said to be at an address."}
                ).status_code == 302
    assert post(analyst, base + "disseminate/", {"recipient_kind": "unit", "recipient": "compass",
                                                 "version": "sanitised", "reason": "their missing child"}
                ).status_code == 302
    page = analyst.get(f"/intel/{report.pk}/").content.decode()
    assert "Dissemination log" in page and "Compass" in page and "The sanitised version" in page
    # Compass holds what was sent, not the original, and cannot open the CSU's report.
    shared = SharedReport.objects.get()
    assert compass.get(f"/intel/shared/{shared.pk}/").status_code == 200
    assert "Knife at flat 3" not in compass.get("/intel/shared/").content.decode()
    assert compass.get(f"/intel/{report.pk}/").status_code == 404
    assert Dissemination.objects.get().version == "sanitised"


def test_a_source_appears_on_a_report_page_only_for_its_handlers(clients):
    source = make_source("csu", reference="SRC-7", name="Fictitious Informant")
    report = make_report("csu", "OFFICIAL-SENSITIVE")
    with acting_as("test:setup"):
        SourceLink.objects.create(report=report, source=source, owner_unit_id="csu",
                                  sensitivity="OFFICIAL-SENSITIVE")
    handler_page = clients["csu_handler"].get(f"/intel/{report.pk}/").content.decode()
    reader_page = clients["csu_investigator"].get(f"/intel/{report.pk}/").content.decode()
    assert "SRC-7" in handler_page
    assert '<th scope="row">Source</th>' in handler_page
    assert "SRC-7" not in reader_page and '<th scope="row">Source</th>' not in reader_page
    history = clients["csu_investigator"].get(f"/history/intel/report/{report.pk}/").content.decode()
    assert "SRC-7" not in history and "Fictitious Informant" not in history


def test_a_report_page_shows_linked_people_only_to_those_who_may_see_them(clients):
    report = make_report("vcd-analysts", "OFFICIAL")  # every reader may see the report
    hidden = make_person("csu", "OFFICIAL-SENSITIVE", surname="Hiddenperson")
    shown = make_person("vcd-analysts", "OFFICIAL", surname="Shownperson")
    with acting_as("test:setup"):
        for person in (hidden, shown):
            ReportLink.objects.create(report=report, kind="person", person=person)
    csu = clients["csu_investigator"].get(f"/intel/{report.pk}/").content.decode()
    compass = clients["compass_officer"].get(f"/intel/{report.pk}/").content.decode()
    hidden_name, shown_name = (f"/people/{p.pk}/" for p in (hidden, shown))
    assert hidden_name in csu and shown_name in csu
    assert hidden_name not in compass and shown_name in compass


def test_the_review_queue_lists_waiting_reports_but_not_the_reviewers_own(clients):
    waiting = make_report("csu", "OFFICIAL-SENSITIVE", state="submitted")
    make_report("csu", "OFFICIAL-SENSITIVE", state="disseminated")
    page = clients["csu_analyst"].get("/intel/queue/").content.decode()
    assert waiting.reference in page and page.count("IR-T-") == 1
    assert clients["csu_investigator"].get("/intel/queue/").status_code == 403


def test_the_api_submits_and_moves_a_report_and_refuses_field_by_field(clients):
    officer, analyst = clients["csu_investigator"], clients["csu_analyst"]
    response = officer.post("/api/intel-reports/", {"text": "", **MARKING}, content_type="application/json")
    assert response.status_code == 400 and "text" in response.json()
    response = officer.post("/api/intel-reports/", {"text": "A car, AB12 CDE, carries knives.", **MARKING},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    step = f"/api/intel-reports/{pk}/step/"
    response = analyst.post(step, {"step": "grade"}, content_type="application/json")  # not reviewed yet
    assert response.status_code == 409 and set(response.json()) == {"state"}
    assert analyst.post(step, {"step": "review"}, content_type="application/json").status_code == 200
    response = analyst.post(step, {"step": "grade", "source_evaluation": "1", "intelligence_assessment": "Q",
                                   "handling_code": "P"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"intelligence_assessment"}
    response = analyst.post(step, {"step": "grade", "source_evaluation": "1", "intelligence_assessment": "A",
                                   "handling_code": "P"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["grade"] == "1-A-P"
    response = analyst.post(step, {"step": "disseminate", "recipient_kind": "agency", "recipient": "housing",
                                   "version": "original"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "disseminated"
    assert clients["compass_officer"].post(step, {"step": "review"},
                                           content_type="application/json").status_code == 404
    assert officer.get("/api/intel-sources/").json()["count"] == 0


def test_a_reviewers_landing_page_counts_the_reports_waiting_as_the_queue_lists_them(clients):
    make_report("csu", "OFFICIAL-SENSITIVE", state="submitted")
    make_report("csu", "OFFICIAL-SENSITIVE", state="graded", handling_code="C", needs_sanitising=True)
    make_report("csu", "OFFICIAL-SENSITIVE", state="graded")  # may be shared as it is: not waiting
    make_report("csu", "OFFICIAL-SENSITIVE", state="disseminated")
    make_report("compass", "OFFICIAL-SENSITIVE", state="submitted")  # not the CSU analyst's to see
    landing = clients["csu_analyst"].get("/").content.decode()
    assert "2 reports to review, grade or sanitise" in landing
    queue = clients["csu_analyst"].get("/intel/queue/").content.decode()
    assert queue.count("IR-T-") == 2
    assert "Intelligence waiting for you" not in clients["csu_investigator"].get("/").content.decode()
