"""Intelligence actions: the life cycle's guards, grading under each scheme, the sanitisation rules, the refusal
to share an original, and who sees a source."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_persona
from tests.intel.factories import make_source
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.intel import actions
from vcdhub.intel.models import Dissemination, Report, ReportStep, SharedReport, Source, SourceLink

pytestmark = pytest.mark.django_db
MARKING = {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"}
GRADE = {"grading_scheme": "3x5x2", "source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P"}


@pytest.fixture
def people(london):
    return {name: make_persona(name) for name in ("csu_investigator", "csu_analyst", "csu_handler",
                                                  "compass_officer", "vcd_analyst", "tasking_officer")}


def as_(user, call):
    with acting_as(f"user:{user.username}", user=user):
        return call()


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def submitted(people, **values):
    officer = people["csu_investigator"]
    return as_(officer, lambda: actions.submit_report(officer, {"text": "Tall man keeps a knife at the flat.",
                                                                **MARKING, **values}))


def graded(people, **grade):
    report = submitted(people)
    analyst = people["csu_analyst"]
    as_(analyst, lambda: actions.review_report(analyst, report))
    return as_(analyst, lambda: actions.grade_report(analyst, report, {**GRADE, **grade}))


def test_a_report_moves_through_its_life_cycle_each_step_recorded_and_audited(people):
    analyst = people["csu_analyst"]
    report = submitted(people)
    assert report.reference.startswith("IR-") and report.state == "submitted"
    as_(analyst, lambda: actions.return_report(analyst, report, "Which flat? When was the knife seen?"))
    officer = people["csu_investigator"]
    as_(officer, lambda: actions.resubmit_report(officer, report, "Flat 3, seen on Tuesday.", "added detail"))
    as_(analyst, lambda: actions.review_report(analyst, report))
    as_(analyst, lambda: actions.grade_report(analyst, report, {**GRADE, "handling_code": "C",
                                                                "handling_conditions": "Not to partners"}))
    assert report.state == "graded" and report.needs_sanitising  # a C code always needs a sanitised version
    as_(analyst, lambda: actions.sanitise_report(analyst, report, "A man is said to keep a knife at an address."))
    tasker = make_persona("tasking_officer")
    with pytest.raises(PermissionDenied):  # the tasking officer is in another unit: cannot see the report
        as_(tasker, lambda: actions.disseminate_report(tasker, report, recipient_kind="unit", recipient="rvctf",
                                                       version="sanitised"))
    shared = as_(analyst, lambda: actions.disseminate_report(analyst, report, recipient_kind="unit",
                                                             recipient="rvctf", version="sanitised"))
    steps = list(ReportStep.objects.filter(report=report).values_list("step", "to_state"))
    assert steps == [("submit", "submitted"), ("return", "returned"), ("resubmit", "submitted"),
                     ("review", "reviewed"), ("grade", "graded"), ("sanitise", "sanitised"),
                     ("disseminate", "disseminated")]
    audited = set(AuditEntry.objects.filter(object_type="intel.report", object_id=str(report.pk))
                  .values_list("action", flat=True))
    assert {"intel_submit", "intel_return", "intel_resubmit", "intel_review", "intel_grade", "intel_sanitise",
            "intel_disseminate"} <= audited
    copy = SharedReport.objects.get(dissemination=shared)
    assert (copy.owner_unit_id, copy.text, copy.grade) == ("rvctf", report.sanitised_text, "2-B-C")
    assert report.text not in copy.text


def test_a_step_out_of_order_is_refused_with_the_reason(people):
    analyst = people["csu_analyst"]
    report = submitted(people)
    errors = errors_of(lambda: as_(analyst, lambda: actions.grade_report(analyst, report, GRADE)))
    assert "submitted cannot be graded" in errors["state"][0]
    errors = errors_of(lambda: as_(analyst, lambda: actions.return_report(analyst, report, "")))
    assert errors == {"reason": ["Say why."]}


def test_nobody_reviews_or_grades_their_own_report_and_only_reviewers_grade(people):
    analyst = people["csu_analyst"]
    own = as_(analyst, lambda: actions.submit_report(analyst, {"text": "seen it myself", **MARKING}))
    with pytest.raises(PermissionDenied, match="someone other than its submitter"):
        as_(analyst, lambda: actions.review_report(analyst, own))
    handler = people["csu_handler"]  # an investigator and handler, not a reviewer
    report = submitted(people)
    with pytest.raises(PermissionDenied, match="may not review"):
        as_(handler, lambda: actions.review_report(handler, report))


@pytest.mark.parametrize(("scheme", "grade", "wrong"), [
    ("3x5x2", {"source_evaluation": "4", "intelligence_assessment": "B", "handling_code": "P"}, "source_evaluation"),
    ("3x5x2", {"source_evaluation": "A", "intelligence_assessment": "B", "handling_code": "P"}, "source_evaluation"),
    ("3x5x2", {"source_evaluation": "1", "intelligence_assessment": "F", "handling_code": "P"},
     "intelligence_assessment"),
    ("3x5x2", {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "4"}, "handling_code"),
    ("3x5x2", {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": ""}, "handling_code"),
    ("5x5x5", {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "P"}, "source_evaluation"),
    ("5x5x5", {"source_evaluation": "B", "intelligence_assessment": "6", "handling_code": "1"},
     "intelligence_assessment"),
    ("3x5x2", {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "C"},
     "handling_conditions"),
    ("4x4", {"source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "P"}, "grading_scheme"),
])
def test_a_grade_is_checked_under_its_own_scheme_never_converted(scheme, grade, wrong):
    errors = actions.grade_errors(scheme, grade, "")
    assert wrong in errors, errors


def test_a_legacy_grade_is_kept_and_written_as_its_scheme_writes_it(people):
    report = graded(people, grading_scheme="5x5x5", source_evaluation="B", intelligence_assessment="2",
                    handling_code="1")
    report.refresh_from_db()
    assert (report.grading_scheme, report.grade) == ("5x5x5", "B21")
    assert report.grade_meanings()[0] == ("Source evaluation", "B", "Mostly reliable")


def test_sanitised_text_must_differ_from_the_original_and_not_name_the_source(people):
    source = make_source("csu", reference="SRC-0099", name="Alfie Gardener")
    handler = people["csu_handler"]
    report = as_(handler, lambda: actions.submit_report(handler, {
        "text": "Alfie Gardener says the knife is at flat 3.", "source": "SRC-0099", **MARKING}))
    analyst = people["csu_analyst"]
    as_(analyst, lambda: actions.review_report(analyst, report))
    as_(analyst, lambda: actions.grade_report(analyst, report, {**GRADE, "handling_code": "C",
                                                                "handling_conditions": "Police only"}))
    for text, wrong in (("", "Write the sanitised version."),
                        ("alfie gardener says the KNIFE is at flat 3", "This is the original"),
                        ("A source (Alfie  Gardener) says a knife is kept at an address.", "names the source"),
                        ("Per src-0099, a knife is kept at an address.", "names the source")):
        errors = errors_of(lambda text=text: as_(analyst, lambda: actions.sanitise_report(analyst, report, text)))
        assert wrong in errors["sanitised_text"][0], text
    probes = AuditEntry.objects.filter(kind=EntryKind.DENIED, action="intel_sanitise", object_id=str(report.pk))
    assert probes.count() == 2  # naming the source is audited: probing for a name shows
    as_(analyst, lambda: actions.sanitise_report(analyst, report, "A knife is said to be kept at an address."))
    assert SourceLink.objects.get(report=report).source == source


def test_sharing_the_original_when_only_the_sanitised_may_go_is_refused_and_audited(people):
    analyst = people["csu_analyst"]
    report = graded(people, handling_code="C", handling_conditions="Police only")
    with pytest.raises(actions.Refused, match="no sanitised version"):
        as_(analyst, lambda: actions.disseminate_report(analyst, report, recipient_kind="unit", recipient="rvctf",
                                                        version="sanitised"))
    with pytest.raises(actions.Refused, match="Only the sanitised version"):
        as_(analyst, lambda: actions.disseminate_report(analyst, report, recipient_kind="agency",
                                                        recipient="probation", version="original"))
    refusals = AuditEntry.objects.filter(kind=EntryKind.DENIED, action="intel_disseminate",
                                         object_id=str(report.pk))
    assert refusals.count() == 2
    assert not Dissemination.objects.exists() and not SharedReport.objects.exists()


def test_a_p_coded_report_may_go_out_as_the_original_and_an_agency_gets_no_copy(people):
    analyst = people["csu_analyst"]
    report = graded(people)
    shared = as_(analyst, lambda: actions.disseminate_report(analyst, report, recipient_kind="agency",
                                                             recipient="probation", version="original"))
    assert (shared.recipient, shared.text, shared.handling_code) == ("Probation Service", report.text, "P")
    assert (shared.owner_unit_id, shared.sensitivity) == (report.owner_unit_id, report.sensitivity)
    assert not SharedReport.objects.exists()  # a partner agency is a recipient, not a user


@pytest.mark.parametrize(("code", "kind", "recipient", "refused"), [
    ("5", "unit", "rvctf", "no further dissemination"),
    ("4", "agency", "housing", "only within the originating agency"),
])
def test_legacy_handling_codes_4_and_5_limit_sharing(people, code, kind, recipient, refused):
    analyst = people["csu_analyst"]
    report = graded(people, grading_scheme="5x5x5", source_evaluation="B", intelligence_assessment="2",
                    handling_code=code)
    as_(analyst, lambda: actions.sanitise_report(analyst, report, "A knife is said to be at an address."))
    with pytest.raises(actions.Refused, match=refused):
        as_(analyst, lambda: actions.disseminate_report(analyst, report, recipient_kind=kind, recipient=recipient,
                                                        version="sanitised"))


def test_a_recipient_that_does_not_exist_is_named(people):
    analyst = people["csu_analyst"]
    report = graded(people)
    errors = errors_of(lambda: as_(analyst, lambda: actions.disseminate_report(
        analyst, report, recipient_kind="borough", recipient="rvctf", version="original")))
    assert "no borough" in errors["recipient"][0]
    errors = errors_of(lambda: as_(analyst, lambda: actions.disseminate_report(
        analyst, report, recipient_kind="agency", recipient="mi5", version="original")))
    assert errors == {"recipient": ["Choose a partner agency."]}


def test_only_a_handler_of_the_source_unit_may_cite_or_see_a_source(people):
    make_source("csu", reference="SRC-0100", name="Fictitious Name")
    officer = people["csu_investigator"]
    errors = errors_of(lambda: submitted(people, source="SRC-0100"))
    assert "among the sources you handle" in errors["source"][0]
    assert not Source.objects.restrict(officer).exists()
    assert Source.objects.restrict(people["csu_handler"]).count() == 1
    assert not Source.objects.restrict(people["compass_officer"]).exists()
    assert not Report.objects.exists()  # the refused submission wrote nothing


def test_a_report_is_placed_in_its_lsoa_and_bad_coordinates_are_named(people):
    report = submitted(people, longitude="-0.1160", latitude="51.4620")  # Brixton, in Lambeth
    assert report.lsoa is not None and report.lsoa.borough.name == "Lambeth"
    errors = errors_of(lambda: submitted(people, longitude="200", latitude="nan"))
    assert set(errors) >= {"longitude", "latitude"}


def test_links_name_only_what_the_linker_may_see(people):
    officer = people["csu_investigator"]
    report = submitted(people)
    hidden = make_person("compass", "OFFICIAL-SENSITIVE")
    with pytest.raises(PermissionDenied):
        as_(officer, lambda: actions.add_link(officer, report, kind="person", person=hidden))
    link = as_(officer, lambda: actions.add_link(officer, report, kind="vehicle", value="ab12 cde"))
    assert link.value == "AB12CDE"
    link = as_(officer, lambda: actions.add_link(officer, report, kind="phone", value="07700 900 123"))
    assert link.value == "07700900123"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), reference=st.text(max_size=60), lon=st.text(max_size=12),
       lat=st.text(max_size=12))
def test_hostile_input_to_a_submission_is_refused_by_field_or_saved_whole(people, text, reference, lon, lat):
    officer = people["csu_investigator"]
    before = Report.objects.count()
    try:
        report = as_(officer, lambda: actions.submit_report(officer, {
            "text": text, "reference": reference, "longitude": lon, "latitude": lat, **MARKING}))
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"text", "reference", "longitude", "latitude"}, exc.message_dict
        assert Report.objects.count() == before
    else:
        assert report.steps.count() == 1
        assert Report.objects.get(pk=report.pk).text == text.replace("\r\n", "\n").strip()


def test_only_the_reports_own_unit_works_on_it_even_where_others_may_read_it(people):
    from tests.intel.factories import make_report

    official = make_report("compass", "OFFICIAL", state="submitted")
    analyst, officer = people["csu_analyst"], people["csu_investigator"]
    with pytest.raises(PermissionDenied, match="own unit"):
        as_(analyst, lambda: actions.review_report(analyst, official))
    with pytest.raises(PermissionDenied, match="own unit"):
        as_(officer, lambda: actions.add_link(officer, official, kind="phone", value="07700900100"))
    graded = make_report("compass", "OFFICIAL")
    with pytest.raises(PermissionDenied, match="own unit"):
        as_(people["tasking_officer"], lambda: actions.disseminate_report(
            people["tasking_officer"], graded, recipient_kind="unit", recipient="rvctf", version="original"))
