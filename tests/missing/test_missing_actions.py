"""A missing-person episode's life through its actions: the report and its checks (hostile input included), every
illegal step refused and audited, the risk-information log that is never edited, gradings and the review and
supervision intervals they set (across a clock change), the find, the return interview and closure, protocol
forms, and the referral to the risk panel that repeat episodes propose."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.missing.factories import as_, child, report
from tests.people.factories import make_person
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.casework.models import Case, CaseStep
from vcdhub.missing import actions, timing
from vcdhub.missing.choices import State
from vcdhub.missing.models import Episode, GradeChange, InfoItem, Proposal, Review
from vcdhub.missing.workflow import EPISODE

LONDON = ZoneInfo("Europe/London")
TIMING = {"review_hours": {"high": 2, "medium": 8, "low": 24, "very_low": 72},
          "supervision_hours": {"high": 6, "medium": 24, "low": 72, "very_low": 168},
          "interview_hours": {"high": 24, "medium": 72, "low": 72, "very_low": 72}}


@pytest.fixture
def team(personas):
    from tests.conftest import make_persona

    return {"worker": personas["compass_officer"], "supervisor": personas["compass_supervisor"],
            "other": personas["csu_investigator"], "authority": personas["authority_member"],
            "admin": make_persona("administrator")}


def episode(case) -> Episode:
    return Episode.objects.get(case=case)


def found_values(**values):
    return {"found_at": timezone.now() - dt.timedelta(minutes=10), "found_how": "by_police",
            "found_place": "Victoria coach station", "reason": "Seen by a PCSO and spoken to.", **values}


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_a_report_opens_an_episode_graded_with_its_intervals(team):
    now = timezone.now().replace(microsecond=0)
    case = report(team["worker"], now=now, grade="high", indicators=["cse", "looked_after"], from_kind="care",
                  from_place="Oak House Children's Home", from_postcode="sw9 8ab")
    e = episode(case)
    assert case.kind == "missing" and case.state == State.MISSING and case.reference.startswith("MIS-")
    assert e.grade == "high" and e.indicators == ["looked_after", "cse"]  # in the vocabulary's order
    assert e.next_review_at == now + dt.timedelta(hours=2)
    assert e.next_supervision_at == now + dt.timedelta(hours=6)
    assert e.from_postcode == "SW9 8AB" and e.placement_key == "SW98AB|oak house children s home"
    assert [(g.from_grade, g.to_grade) for g in GradeChange.objects.filter(case=case)] == [("", "high")]
    assert CaseStep.objects.filter(case=case, step="open").exists()


def test_a_report_checks_each_field(team):
    with pytest.raises(ValidationError) as caught:
        report(team["worker"], reported_by="", from_kind="castle", from_place="", grade="extreme",
               grade_rationale="", last_seen_at="yesterday", indicators=["cse", "vampires"],
               from_longitude="200", from_latitude="51.5")
    errors = caught.value.message_dict
    assert set(errors) >= {"reported_by", "from_kind", "from_place", "grade", "grade_rationale", "last_seen_at",
                           "indicators", "from_longitude"}
    assert "vampires" in errors["indicators"][0]
    assert not Case.objects.filter(kind="missing").exists()  # nothing half-written


def test_an_indicator_given_twice_is_refused_by_name(team):
    """It had been refused as "Not an indicator: ." once more were given than the vocabulary holds."""
    with pytest.raises(ValidationError) as caught:
        report(team["worker"], indicators=["cce"] * 19)
    assert caught.value.message_dict["indicators"] == ["Give each indicator once: cce given more than once."]


def test_times_must_have_happened_and_be_in_order(team):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        report(team["worker"], now=now, last_seen_at=now + dt.timedelta(hours=2))
    assert "future" in caught.value.message_dict["last_seen_at"][0]
    with pytest.raises(ValidationError) as caught:
        report(team["worker"], now=now, reported_at=now - dt.timedelta(hours=5),
               last_seen_at=now - dt.timedelta(hours=1))
    assert "before they are reported" in caught.value.message_dict["last_seen_at"][0]


def test_only_workers_report_and_only_of_people_they_may_see(team):
    with pytest.raises(PermissionDenied):
        report(team["authority"])
    hidden = make_person("csu", "OFFICIAL-SENSITIVE")
    with pytest.raises(PermissionDenied):
        report(team["worker"], subject=hidden)


@given(st.dictionaries(st.sampled_from(["reported_by", "from_kind", "from_place", "from_postcode", "grade",
                                        "grade_rationale", "last_seen_at", "reported_at", "indicators",
                                        "from_longitude", "from_latitude", "last_seen_place"]),
                       st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text(max_size=20)))))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hostile_reports_are_refused_by_field_or_saved_whole(team, values):
    before = Case.objects.filter(kind="missing").count()
    try:
        case = report(team["worker"], **values)
    except ValidationError as exc:
        assert exc.message_dict  # a field-by-field answer
        assert Case.objects.filter(kind="missing").count() == before
    else:
        assert Episode.objects.filter(case=case).exists()


@pytest.mark.parametrize("state", [State.MISSING, State.FOUND, State.CLOSED])
def test_every_illegal_step_is_refused_and_audited(team, state):
    case = report(team["worker"])
    if state in (State.FOUND, State.CLOSED):
        as_(team["worker"], lambda: actions.found(team["worker"], case, found_values()))
    if state == State.CLOSED:
        as_(team["worker"], lambda: actions.close(team["worker"], case, {"reason": "Declined an interview."}))
    case.refresh_from_db()
    for transition in EPISODE.transitions:
        if state in transition.sources:
            continue
        with pytest.raises((ValidationError, PermissionDenied)):
            as_(team["supervisor"], lambda t=transition: {
                "regrade": lambda: actions.regrade(team["supervisor"], case, {"grade": "high", "reason": "x"}),
                "found": lambda: actions.found(team["supervisor"], case, found_values()),
                "reopen": lambda: actions.reopen(team["supervisor"], case, {"reason": "x"}),
                "close": lambda: actions.close(team["supervisor"], case, {"reason": "x"}),
            }[t.name]())
        assert AuditEntry.objects.filter(kind=EntryKind.DENIED, action=f"casework_{transition.name}",
                                         object_id=str(case.pk)).exists()
        case.refresh_from_db()
        assert case.state == state


def test_another_unit_and_a_non_worker_are_refused(team):
    case = report(team["worker"])
    with pytest.raises(PermissionDenied):
        as_(team["other"], lambda: actions.log_information(team["other"], case, {
            "text": "x", "supplied_by": "y", "obtained_at": timezone.now()}))
    with pytest.raises(PermissionDenied):  # reopening is a supervisor's step
        as_(team["worker"], lambda: actions.found(team["worker"], case, found_values()))
        as_(team["worker"], lambda: actions.reopen(team["worker"], case, {"reason": "Wrong person found."}))


def test_the_information_log_is_never_edited_and_corrections_are_new_items(team):
    case = report(team["worker"])
    first = as_(team["worker"], lambda: actions.log_information(team["worker"], case, {
        "text": "Seen at Brixton station at 14:00.", "supplied_by": "Sam Friend", "supplier_contact": "07700 900123",
        "obtained_at": timezone.now() - dt.timedelta(minutes=30)}))
    assert first.recorded_by == team["worker"] and first.recorded_by_name
    first.text = "changed"
    with pytest.raises(ValueError):
        first.save()
    fix = as_(team["worker"], lambda: actions.log_information(team["worker"], case, {
        "text": "It was Stockwell station, not Brixton.", "supplied_by": "Sam Friend",
        "obtained_at": timezone.now(), "corrects": str(first.pk)}))
    assert fix.corrects_id == first.pk
    assert InfoItem.objects.get(pk=first.pk).text == "Seen at Brixton station at 14:00."
    with pytest.raises(ValidationError) as caught:
        as_(team["worker"], lambda: actions.log_information(team["worker"], case, {
            "text": "x", "supplied_by": "", "obtained_at": "", "corrects": "999999"}))
    assert set(caught.value.message_dict) == {"supplied_by", "obtained_at", "corrects"}


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_a_regrade_is_a_step_with_its_reason_and_resets_the_review(team):
    now = timezone.now().replace(microsecond=0)
    case = report(team["worker"], now=now - dt.timedelta(hours=1), grade="low")
    with pytest.raises(ValidationError) as caught:
        as_(team["worker"], lambda: actions.regrade(team["worker"], case, {"grade": "high", "reason": ""}))
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        as_(team["worker"], lambda: actions.regrade(team["worker"], case, {"grade": "low", "reason": "Same"}))
    as_(team["worker"], lambda: actions.regrade(team["worker"], case, {"grade": "high", "reason": "Suicidal text."},
                                                now=now))
    e = episode(case)
    assert e.grade == "high" and e.grade_rationale == "Suicidal text."
    assert e.next_review_at == now + dt.timedelta(hours=2)
    # The supervision comes forward to six hours from the regrade, not left at 72 hours from the report.
    assert e.next_supervision_at == now + dt.timedelta(hours=6)
    step = CaseStep.objects.get(case=case, step="regrade")
    assert step.reason == "Suicidal text." and step.from_state == step.to_state == State.MISSING


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_overdue_is_elapsed_hours_across_the_clock_change(team):
    # The clocks go back at 02:00 BST on 2026-10-25: 00:30 BST plus two real hours is 01:30 GMT, not 02:30.
    reported = dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    case = report(team["worker"], now=reported, grade="high", last_seen_at=reported - dt.timedelta(hours=1))
    e = episode(case)
    assert timezone.localtime(e.next_review_at, LONDON).strftime("%H:%M %Z") == "01:30 GMT"
    assert e.next_review_at - e.reviewed_at == dt.timedelta(hours=2)
    just_before = e.next_review_at - dt.timedelta(minutes=1)
    assert timing.overdue(e, State.MISSING, just_before) == []
    late = timing.overdue(e, State.MISSING, e.next_review_at + dt.timedelta(minutes=90))
    assert late == ["Review overdue by 1 h 30 min (due 2026-10-25 01:30)"]


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_reviews_and_supervision_reset_their_clocks(team):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=30)
    case = report(team["worker"], now=start, grade="medium", last_seen_at=start - dt.timedelta(hours=1))
    e = episode(case)
    assert "Review overdue" in timing.overdue(e, State.MISSING)[0]  # 8 hours passed long ago
    assert timing.overdue_count(team["worker"], "missing") == 1
    as_(team["worker"], lambda: actions.review(team["worker"], case, {"summary": "Phone still off."}))
    e.refresh_from_db()
    lines = timing.overdue(e, State.MISSING)
    assert len(lines) == 1 and lines[0].startswith("Supervision overdue")  # only a supervisor resets that
    as_(team["supervisor"], lambda: actions.review(team["supervisor"], case, {"summary": "Agreed.",
                                                                              "grade": "high"}))
    e.refresh_from_db()
    assert timing.overdue(e, State.MISSING) == [] and e.grade == "high"
    review = Review.objects.filter(case=case).last()
    assert review.by_supervisor and review.grade == "high"
    assert CaseStep.objects.filter(case=case, step="regrade").count() == 1  # the grade change was a step


@override_settings(VCDHUB_MISSING_TIMING=TIMING)
def test_found_then_the_interview_falls_due_and_closes_the_episode(team):
    case = report(team["worker"], grade="high")
    with pytest.raises(ValidationError) as caught:
        as_(team["worker"], lambda: actions.found(team["worker"], case, found_values(
            found_at=episode(case).last_seen_at - dt.timedelta(hours=1))))
    assert "found_at" in caught.value.message_dict
    found_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=30)
    case.refresh_from_db()
    as_(team["worker"], lambda: actions.report and actions.found(team["worker"], case, found_values(
        found_at=max(found_at, episode(case).last_seen_at))))
    case.refresh_from_db()
    e = episode(case)
    assert case.state == State.FOUND and e.next_review_at is None
    assert e.interview_due_at == e.found_at + dt.timedelta(hours=24)
    assert timing.overdue(e, case.state, e.found_at + dt.timedelta(hours=25))[0].startswith("Return interview")
    with pytest.raises(ValidationError) as caught:
        as_(team["worker"], lambda: actions.close(team["worker"], case, {"interview_at": timezone.now()}))
    assert set(caught.value.message_dict) == {"interview_by", "interview_summary"}
    as_(team["worker"], lambda: actions.close(team["worker"], case, {
        "interview_at": timezone.now(), "interview_by": "PC Ray", "interview_summary": "Stayed with a friend."}))
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.closed_at is not None
    with pytest.raises(PermissionDenied):  # a closed episode is read-only
        as_(team["worker"], lambda: actions.log_information(team["worker"], case, {
            "text": "x", "supplied_by": "y", "obtained_at": timezone.now()}))


def test_a_person_found_dead_has_no_interview_due(team):
    case = report(team["worker"])
    as_(team["worker"], lambda: actions.found(team["worker"], case, found_values(found_how="dead")))
    case.refresh_from_db()
    assert episode(case).interview_due_at is None
    as_(team["worker"], lambda: actions.close(team["worker"], case, {}))
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_a_supervisor_reopens_a_find_recorded_in_error(team):
    case = report(team["worker"])
    as_(team["worker"], lambda: actions.found(team["worker"], case, found_values()))
    case.refresh_from_db()
    as_(team["supervisor"], lambda: actions.reopen(team["supervisor"], case, {"reason": "It was her sister."}))
    case.refresh_from_db()
    e = episode(case)
    assert case.state == State.MISSING and e.found_at is None and e.next_review_at is not None


def test_protocol_forms_record_what_they_held(team):
    case = report(team["worker"])
    with pytest.raises(ValidationError) as caught:
        as_(team["worker"], lambda: actions.add_protocol_form(team["worker"], case, {
            "kind": "herbert", "given_by": "Ann Daughter", "given_at": timezone.now()}))
    assert "description" in caught.value.message_dict  # an empty form records nothing
    form = as_(team["worker"], lambda: actions.add_protocol_form(team["worker"], case, {
        "kind": "herbert", "given_by": "Ann Daughter", "given_at": timezone.now(), "photo": "on",
        "medical": "Donepezil, morning", "places": "Walks to the war memorial; found at his old house in 2025."}))
    assert form.photo and form.received_by == team["worker"] and "memorial" in form.places


@override_settings(VCDHUB_MISSING_REPEAT={"child": {"episodes": 3, "days": 90},
                                          "adult": {"episodes": 5, "days": 365}})
def test_three_episodes_of_a_child_in_90_days_propose_a_referral(team):
    kid = child(age=14)
    start = timezone.now() - dt.timedelta(days=80)
    cases = [report(team["worker"], subject=kid, now=start + dt.timedelta(days=d),
                    last_seen_at=start + dt.timedelta(days=d, hours=-2)) for d in (0, 40)]
    assert not Proposal.objects.exists()
    third = report(team["worker"], subject=kid, now=start + dt.timedelta(days=79),
                   last_seen_at=start + dt.timedelta(days=79, hours=-2))
    proposal = Proposal.objects.get()
    assert proposal.case == third and sorted(proposal.episodes) == sorted([*(c.pk for c in cases), third.pk])
    assert "3 or more episodes in 90 days (a child)" == proposal.rule
    report(team["worker"], subject=kid)  # a fourth within the window proposes nothing more
    assert Proposal.objects.count() == 1
    with pytest.raises(ValidationError):
        as_(team["worker"], lambda: actions.decide_proposal(team["worker"], proposal, accept=True, reason=""))
    as_(team["worker"], lambda: actions.decide_proposal(team["worker"], proposal, accept=True,
                                                        reason="Exploitation indicators at the same address."))
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.ramp_case.kind == "ramp"
    assert proposal.ramp_case.subject == kid and proposal.ramp_case.state == "referred"
    assert proposal.ramp_case.ramp_referral.subject_type == "vulnerable"
    with pytest.raises(ValidationError):  # decided once
        as_(team["worker"], lambda: actions.decide_proposal(team["worker"], proposal, accept=False, reason="x"))


@override_settings(VCDHUB_MISSING_REPEAT={"child": {"episodes": 3, "days": 90},
                                          "adult": {"episodes": 5, "days": 365}})
def test_an_adult_and_episodes_spread_out_propose_nothing(team):
    adult = make_person("compass", "OFFICIAL", birth_year=1980)
    for days in (0, 30, 60):
        report(team["worker"], subject=adult, now=timezone.now() - dt.timedelta(days=days))
    kid = child(age=12)
    for days in (0, 100, 200):
        report(team["worker"], subject=kid, now=timezone.now() - dt.timedelta(days=days))
    assert not Proposal.objects.exists()


def test_a_declined_proposal_records_why(team):
    kid = child(age=13)
    for days in (50, 20, 0):
        case = report(team["worker"], subject=kid, now=timezone.now() - dt.timedelta(days=days))
    proposal = Proposal.objects.get(case=case)
    as_(team["worker"], lambda: actions.decide_proposal(team["worker"], proposal, accept=False,
                                                        reason="Already open to the MASH."))
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.ramp_case is None and proposal.decided_by == team["worker"]


def test_age_from_a_partial_date_of_birth():
    from vcdhub.people.models import Person

    person = Person(birth_year=2010)
    assert actions.age_on(person, dt.date(2026, 7, 14)) == 15  # taken as born mid-year: 15 July 2010
    assert actions.age_on(person, dt.date(2026, 7, 15)) == 16
    assert actions.age_on(Person(birth_year=2010, birth_month=3, birth_day=31), dt.date(2026, 3, 30)) == 15
    assert actions.age_on(Person(), dt.date(2026, 1, 1)) is None
