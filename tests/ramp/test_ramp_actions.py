"""The risk panel's life cycle through its actions: every step, every illegal step refused with a clear message
and audited, the guards (an assessment before the panel, a plan with its four pillars), the read-only case under
MAPPA, assigned actions and their owners, reviews and their cadence, and overdue dates across clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.casework.factories import make_action, make_meeting
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, Decision, EntryKind
from vcdhub.casework import actions as core
from vcdhub.casework.models import CaseAction, CaseStep, days_overdue, today
from vcdhub.ramp import actions
from vcdhub.ramp.choices import State
from vcdhub.ramp.models import MappaEscalation, Plan, RiskAssessment
from vcdhub.ramp.workflow import RAMP

LONDON = ZoneInfo("Europe/London")
ASSESSMENT = {"risk_public": "medium", "risk_known_adult": "high", "risk_children": "low", "risk_staff": "low",
              "risk_self": "medium", "rosh_rationale": "Threats to kill an ex-partner, repeated this month.",
              "pdp_serious_harm": "yes", "pdp_imminent": "yes", "pdp_more_likely": "no",
              "pdp_rationale": "Serious and imminent, but not shown to be more likely than not."}
PLAN = {"supervision": "Weekly contact by the lead officer.", "monitoring": "Flag on the address; ANPR alert.",
        "interventions": "Referral to a perpetrator programme.", "victim_safety": "IDVA support; sanctuary scheme."}


def as_(user, call):
    with acting_as(f"user:{user.username}", user=user):
        return call()


@pytest.fixture
def team(personas):
    return {"worker": personas["csu_investigator"], "chair": personas["csu_panel_chair"],
            "other": personas["compass_officer"], "partner": personas["probation_partner"],
            "analyst": personas["csu_analyst"]}


def referral(worker, **values):
    subject = values.pop("subject", None) or make_person("csu", "OFFICIAL")
    return as_(worker, lambda: actions.refer(worker, {
        "subject": subject, "subject_type": "offender", "referring_unit": "probation", "owner_unit": "csu",
        "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL",
        "basis": "Three reports of threats to an ex-partner.", **values}))


def to_state(team, state: str):
    """A case taken by its actions to `state`."""
    worker, chair = team["worker"], team["chair"]
    case = referral(worker)
    if state == State.REFERRED:
        return case
    if state == State.DECLINED:
        as_(chair, lambda: actions.screen(chair, case, accept=False, reason="Below the threshold."))
        return case
    as_(chair, lambda: actions.screen(chair, case, accept=True, reason="Meets the referral criteria."))
    if state == State.ASSESSMENT:
        return case
    as_(worker, lambda: actions.assess(worker, case, ASSESSMENT))
    meeting = make_meeting("csu")
    as_(worker, lambda: actions.list_for_panel(worker, case, meeting))
    if state == State.PANEL:
        return case
    if state in (State.CLOSED, State.MAPPA):
        if state == State.CLOSED:
            as_(chair, lambda: actions.close(chair, case, "Risk has passed: moved abroad."))
        else:
            as_(chair, lambda: actions.escalate(chair, case, {"category": 3, "level": 2, "manager": "J. Doe, NPS",
                                                              "managed_from": "2026-11-01", "reason": "Convicted."}))
        return case
    as_(chair, lambda: actions.adopt_plan(chair, case, PLAN))
    return case


def test_a_referral_opens_a_case_linked_to_its_intelligence_and_crimes_with_each_step_audited(team):
    from tests.intel.factories import make_report

    report = make_report("csu", "OFFICIAL-SENSITIVE")
    case = referral(team["worker"], reports=[report.reference])
    assert case.state == State.REFERRED and case.reference.startswith("RAMP-")
    assert [link.report_id for link in case.links.all()] == [report.pk]
    step = CaseStep.objects.get(case=case)
    assert (step.step, step.to_state, step.actor) == ("open", State.REFERRED, team["worker"])
    assert AuditEntry.objects.filter(action="casework_open", object_id=str(case.pk)).exists()


def test_a_referral_names_only_intelligence_its_referrer_may_see_and_is_all_or_nothing(team):
    from tests.intel.factories import make_report

    hidden = make_report("compass", "OFFICIAL-SENSITIVE")
    before = CaseStep.objects.count()
    with pytest.raises(ValidationError) as refused:
        referral(team["worker"], reports=[hidden.reference])
    assert "reports" in refused.value.message_dict
    assert CaseStep.objects.count() == before  # no half-made case


@pytest.mark.parametrize("field", ["subject_type", "referring_unit", "basis", "owner_unit", "sensitivity"])
def test_a_referral_refuses_each_missing_field_by_name(team, field):
    with pytest.raises(ValidationError) as refused:
        referral(team["worker"], **{field: ""})
    assert field in refused.value.message_dict


def test_the_whole_life_cycle_from_referral_to_plan_and_review(team):
    case = to_state(team, State.MANAGED)
    assert case.state == State.MANAGED
    assert case.risk_level == "high"  # the highest group's grade (a known adult)
    assert case.next_review_due == today() + dt.timedelta(days=56)  # the cadence for high
    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.is_pdp is False  # not more likely than not
    assert Plan.objects.get(case=case).victim_safety == PLAN["victim_safety"]
    steps = list(CaseStep.objects.filter(case=case).values_list("step", flat=True))
    assert steps == ["open", "accept", "list", "adopt_plan"]
    review = as_(team["worker"], lambda: core.record_review(team["worker"], case, {
        "summary": "Plan holding; no new reports.", "risk_level": "medium"}))
    case.refresh_from_db()
    assert (case.risk_level, case.next_review_due, review.next_due) == (
        "medium", today() + dt.timedelta(days=91), today() + dt.timedelta(days=91))


# Every (state, step) the workflow does not allow, each refused with the workflow's message, and audited.
ILLEGAL = [(state, step.name) for state in State.values for step in RAMP.transitions if state not in step.sources]


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_clear_message_and_audited(team, state, step):
    case = to_state(team, state)
    before = case.state
    chair = team["chair"]
    with pytest.raises(ValidationError) as refused:
        as_(chair, lambda: core.take_step(chair, case, step, "A reason."))
    message = refused.value.message_dict["state"][0]
    assert message.startswith(f"A RAMP case that is {RAMP.label(state).lower()} cannot be")
    assert "only one that is" in message
    case.refresh_from_db()
    assert case.state == before
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=str(case.pk),
                                     action=f"casework_{step}").exists()


def test_an_unknown_step_is_refused(team):
    case = to_state(team, State.REFERRED)
    with pytest.raises(ValidationError, match="There is no step"):
        as_(team["chair"], lambda: core.take_step(team["chair"], case, "teleport", "why"))


def test_steps_need_their_role_their_unit_and_their_reason(team):
    case = to_state(team, State.REFERRED)
    worker, other, chair = team["worker"], team["other"], team["chair"]
    with pytest.raises(PermissionDenied, match="Your role may not accept"):
        as_(worker, lambda: actions.screen(worker, case, accept=True, reason="ok"))  # investigators do not screen
    with pytest.raises(PermissionDenied):
        as_(other, lambda: actions.screen(other, case, accept=True, reason="ok"))  # not their unit (nor visible)
    with pytest.raises(ValidationError) as refused:
        as_(chair, lambda: actions.screen(chair, case, accept=True, reason="  "))
    assert refused.value.message_dict == {"reason": ["Say why."]}
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=str(case.pk)).count() >= 1


def test_the_panel_needs_an_assessment_and_a_plan_all_four_pillars(team):
    case = to_state(team, State.ASSESSMENT)
    worker, chair = team["worker"], team["chair"]
    meeting = make_meeting("csu")
    with pytest.raises(ValidationError, match="Assess the risk"):
        as_(worker, lambda: actions.list_for_panel(worker, case, meeting))
    as_(worker, lambda: actions.assess(worker, case, ASSESSMENT))
    item = as_(worker, lambda: actions.list_for_panel(worker, case, meeting))
    assert item.meeting == meeting and item.case == case
    with pytest.raises(ValidationError) as refused:
        as_(chair, lambda: actions.adopt_plan(chair, case, {**PLAN, "victim_safety": ""}))
    assert set(refused.value.message_dict) == {"victim_safety"}
    case.refresh_from_db()
    assert case.state == State.PANEL and not Plan.objects.filter(case=case).exists()


def test_an_assessment_checks_every_grade_and_the_pdp_test_for_an_offender_only(team):
    case = to_state(team, State.ASSESSMENT)
    worker = team["worker"]
    with pytest.raises(ValidationError) as refused:
        as_(worker, lambda: actions.assess(worker, case, {**ASSESSMENT, "risk_staff": "extreme",
                                                          "pdp_imminent": "maybe"}))
    assert set(refused.value.message_dict) == {"risk_staff", "pdp_imminent"}
    vulnerable = referral(worker, subject_type="vulnerable")
    as_(team["chair"], lambda: actions.screen(team["chair"], vulnerable, accept=True, reason="A missing child."))
    assessed = as_(worker, lambda: actions.assess(worker, vulnerable, {
        k: v for k, v in ASSESSMENT.items() if not k.startswith("pdp")}))
    assert assessed.is_pdp is None and not assessed.has_pdp_test


def test_escalation_to_mappa_records_it_and_leaves_the_case_read_only(team):
    case = to_state(team, State.MAPPA)
    escalation = MappaEscalation.objects.get(case=case)
    assert (escalation.category, escalation.level, escalation.managed_from) == (3, 2, dt.date(2026, 11, 1))
    worker = team["worker"]
    for attempt in (lambda: core.assign_action(worker, case, {"title": "x", "assignee": "probation",
                                                                "due": today()}),
                    lambda: core.record_review(worker, case, {"summary": "x", "risk_level": "low"}),
                    lambda: core.link(worker, case, "crime", "abc")):
        with pytest.raises(PermissionDenied, match="under MAPPA management"):
            as_(worker, attempt)
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=str(case.pk),
                                     reason__contains="MAPPA").count() == 3


def test_escalation_checks_category_level_and_date(team):
    case = to_state(team, State.PANEL)
    chair = team["chair"]
    with pytest.raises(ValidationError) as refused:
        as_(chair, lambda: actions.escalate(chair, case, {"category": 5, "level": 0, "manager": "",
                                                          "managed_from": "01/11/2026", "reason": "r"}))
    assert set(refused.value.message_dict) == {"category", "level", "manager", "managed_from"}
    case.refresh_from_db()
    assert case.state == State.PANEL


def test_an_action_is_done_by_its_owner_a_partner_included_and_by_nobody_else(team):
    case = to_state(team, State.MANAGED)
    worker, partner, other = team["worker"], team["partner"], team["other"]
    action = as_(worker, lambda: actions.add_action(worker, case, {
        "title": "Home visit with the offender manager", "assignee": "probation", "heading": "supervision",
        "due": today() + dt.timedelta(days=7)}))
    assert (action.owner_unit_id, action.sensitivity) == (case.owner_unit_id, case.sensitivity)
    with pytest.raises(PermissionDenied):
        as_(other, lambda: core.complete_action(other, action, "done"))  # another unit may not even see it
    done = as_(partner, lambda: core.complete_action(partner, action, "Visited; address confirmed."))
    assert (done.status, done.closed_by, done.result) == ("done", partner, "Visited; address confirmed.")
    with pytest.raises(ValidationError, match="done already"):
        as_(partner, lambda: core.complete_action(partner, action, "again"))


def test_an_action_needs_an_owner_a_due_date_in_range_and_a_pillar_of_the_plan(team):
    case = to_state(team, State.MANAGED)
    worker = team["worker"]
    with pytest.raises(ValidationError) as refused:
        as_(worker, lambda: core.assign_action(worker, case, {"title": "", "assignee": "nobody",
                                                              "due": "2026-02-30"}))
    assert set(refused.value.message_dict) == {"title", "assignee", "due"}
    with pytest.raises(ValidationError, match="pillar"):
        as_(worker, lambda: actions.add_action(worker, case, {"title": "t", "assignee": "housing",
                                                              "heading": "astrology", "due": today()}))
    with pytest.raises(ValidationError, match="Not before"):
        as_(worker, lambda: core.assign_action(worker, case, {"title": "t", "assignee": "housing",
                                                              "due": today() - dt.timedelta(days=1)}))


def test_a_panel_decision_is_recorded_with_its_ndm_rationale_on_the_agenda_item(team):
    case = to_state(team, State.PANEL)
    chair = team["chair"]
    item = case.agenda_items.get()
    values = {"summary": "Adopt a plan", "information": "i", "threat_and_risk": "t", "powers_and_policy": "p",
              "options": "o", "action_taken": "a", "review_date": "2027-01-15"}
    decision = as_(chair, lambda: core.decide(chair, item, values))
    assert Decision.objects.get(pk=decision.pk).object_type == "casework.agendaitem"
    assert AuditEntry.objects.filter(kind=EntryKind.DECISION, object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError) as refused:
        as_(chair, lambda: core.decide(chair, item, {**values, "options": ""}))
    assert set(refused.value.message_dict) == {"options"}


# --- overdue, counted in calendar days in London, across the clock changes ------------------------------------

@pytest.mark.parametrize(("utc", "due", "overdue"), [
    # Spring forward, 29 March 2026 01:00 UTC. 23:30 UTC on the 28th is 23:30 GMT: still the 28th.
    (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 28), 0),
    (dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), dt.date(2026, 3, 28), 1),
    (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 28), 2),  # 00:30 BST on the 30th
    # Fall back, 25 October 2026 01:00 UTC. 23:30 UTC on the 24th is 00:30 BST on the 25th: a day late.
    (dt.datetime(2026, 10, 24, 22, 59, tzinfo=dt.UTC), dt.date(2026, 10, 24), 0),
    (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 24), 1),
    (dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 24), 1),  # 23:30 GMT on the 25th
])
def test_overdue_days_are_london_calendar_days_across_clock_changes(utc, due, overdue, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: utc)
    assert today() == utc.astimezone(LONDON).date()
    assert days_overdue(due) == overdue


def test_an_overdue_action_shows_in_its_owners_queue_first(team):
    from vcdhub.casework.queues import action_queue

    case = to_state(team, State.MANAGED)
    make_action(case, title="soon", due=today() + dt.timedelta(days=3))
    make_action(case, title="late", due=today() - dt.timedelta(days=3))
    queue = action_queue(team["partner"])
    assert [a.title for a in queue] == ["late", "soon"]
    assert (queue[0].overdue_days, queue[1].overdue_days) == (3, 0)
    assert action_queue(team["other"]) == []


_texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({}, optional={
    "title": _texts, "detail": _texts, "heading": _texts, "assignee": _texts,
    "due": st.one_of(_texts, st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))}))
def test_hostile_action_input_is_refused_by_field_or_saved_whole(team, values):
    if "case" not in team:  # one case for every example (the fixture is made once for them all)
        team["case"] = to_state(team, State.MANAGED)
    case = team["case"]
    worker = team["worker"]
    before = CaseAction.objects.count()
    try:
        action = as_(worker, lambda: actions.add_action(worker, case, values))
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"title", "detail", "heading", "assignee", "due"}
        assert CaseAction.objects.count() == before
    else:
        assert action.pk and CaseAction.objects.count() == before + 1



@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({}, optional={
    "subject_type": _texts, "referred_by": _texts, "referring_unit": _texts, "basis": _texts, "reports": _texts,
    "crimes": _texts, "owner_unit": _texts, "sensitivity": _texts, "descriptors": _texts}))
def test_hostile_referrals_are_refused_by_field_or_saved_whole(team, values):
    from vcdhub.casework.models import Case

    worker = team["worker"]
    subject = team.setdefault("subject", make_person("csu", "OFFICIAL"))
    before = (Case.objects.count(), CaseStep.objects.count())
    try:
        case = as_(worker, lambda: actions.refer(worker, {**values, "subject": subject}))
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"subject_type", "referred_by", "referring_unit", "basis", "reports",
                                         "crimes", "owner_unit", "sensitivity", "descriptors", "handling"}
        assert (Case.objects.count(), CaseStep.objects.count()) == before  # nothing half-written
    else:
        assert case.state == State.REFERRED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({}, optional={
    "title": _texts, "location": _texts, "starts_at": _texts, "ends_at": _texts, "owner_unit": _texts,
    "sensitivity": _texts}))
def test_hostile_meetings_are_refused_by_field_or_saved_whole(team, values):
    from vcdhub.casework.models import Meeting

    worker = team["worker"]
    before = Meeting.objects.count()
    try:
        as_(worker, lambda: core.schedule_meeting(worker, "ramp", values))
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"title", "location", "starts_at", "ends_at", "owner_unit", "sensitivity",
                                         "descriptors", "handling"}
        assert Meeting.objects.count() == before


def test_a_refused_listing_stays_on_the_audit_chain(team):
    case = to_state(team, State.CLOSED)
    meeting = make_meeting("csu")
    worker = team["worker"]
    with pytest.raises(ValidationError, match="cannot be listed for panel"):
        as_(worker, lambda: actions.list_for_panel(worker, case, meeting))
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=str(case.pk), action="casework_list").exists()
    assert not case.agenda_items.filter(meeting=meeting).exists()


@pytest.mark.parametrize("end", [State.CLOSED, State.MAPPA])
def test_a_case_that_ends_ends_its_open_actions_saying_why(team, end):
    case = to_state(team, State.MANAGED)
    worker, chair = team["worker"], team["chair"]
    action = as_(worker, lambda: actions.add_action(worker, case, {"title": "Visit", "assignee": "probation",
                                                                    "due": today()}))
    if end == State.CLOSED:
        as_(chair, lambda: actions.close(chair, case, "The risk has passed."))
    else:
        as_(chair, lambda: actions.escalate(chair, case, {"category": 1, "level": 1, "manager": "m",
                                                          "managed_from": "2026-11-01", "reason": "Convicted."}))
    action.refresh_from_db()
    assert action.status == "cancelled"
    assert action.result.startswith("Cancelled: the case was " + ("closed" if end == State.CLOSED
                                                                   else "escalated to MAPPA"))
