"""Every change to a RAMP case: the referral, its screening, risk assessments, listing for a panel, the risk
management plan, reviews, closure and escalation to MAPPA. Each checks its own input and guards, then goes
through the case-work core (casework.actions), which checks the workflow, the unit and the role, writes the
step with its actor, time and reason, and audits it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vcdhub.access.policy import has_role
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.casework import actions as core
from vcdhub.casework.choices import RISK_ORDER, LinkKind
from vcdhub.casework.models import AgendaItem, Case, Meeting
from vcdhub.platform.actions import StateConflict, check_and_save, raise_problems
from vcdhub.ramp import roles
from vcdhub.ramp.choices import MappaCategory, MappaLevel, State, SubjectType
from vcdhub.ramp.models import GROUP_FIELDS, PILLAR_FIELDS, MappaEscalation, Plan, Referral, RiskAssessment
from vcdhub.ramp.workflow import KIND

MAX_LINKS = 50  # reports and crimes named in one referral


def _refs(raw) -> list[str]:
    """References given as a list, or as text separated by commas, spaces or new lines."""
    if isinstance(raw, list | tuple):
        items = [str(v) for v in raw]
    else:
        items = str(raw or "").replace(",", " ").split()
    seen = []
    for item in (i.strip() for i in items):
        if item and item not in seen:
            seen.append(item)
    return seen


def refer(actor, values: dict, *, at: dt.datetime | None = None) -> Case:
    """A referral to the panel, opening a case in "referred". `values`: subject (a Person), subject_type,
    referred_by (default: the actor), referring_unit (a unit or agency code), basis, reports (intelligence
    references) and crimes (Crime IDs) it rests on, lead_officer (optional), and the case's marking."""
    if actor is not None and not has_role(actor, *roles.WORKERS):
        raise PermissionDenied("Your role may not refer cases to the risk panel.")
    errors: dict = {}
    subject_type = str(values.get("subject_type") or "")
    if subject_type not in SubjectType.values:
        errors["subject_type"] = ["Say whether the referral is about a potentially dangerous or a vulnerable person."]
    referred_by = core.text(values, "referred_by", errors, limit=150) or (
        actor.get_full_name() or actor.get_username() if actor is not None else "")
    if not referred_by:
        errors["referred_by"] = ["Say who referred."]
    code = str(values.get("referring_unit") or "").strip()
    unit = core.unit_by_code(code)
    if unit is None:
        errors["referring_unit"] = ["Say which unit or agency the referral came from."]
    basis = core.text(values, "basis", errors, required="Say why: what the intelligence and crimes show.")
    reports, crimes = _refs(values.get("reports")), _refs(values.get("crimes"))
    if len(reports) + len(crimes) > MAX_LINKS:
        errors["reports"] = [f"At most {MAX_LINKS} reports and crimes in one referral; link more on the case."]
    at = at or timezone.now()
    with atomic_keeping_refusals():
        case = core.open_case(actor, KIND.name, values.get("subject"), values, at=at, errors=errors)
        check_and_save(Referral(case=case, subject_type=subject_type, referred_by=referred_by, referring_unit=unit,
                                referred_at=at, basis=basis))
        link_errors = []
        for kind, refs in ((LinkKind.REPORT, reports), (LinkKind.CRIME, crimes)):
            for ref in refs:
                try:
                    core.link(actor, case, kind, ref)
                except ValidationError:
                    link_errors.append(ref[:40])
        if link_errors:
            field = "reports" if any(r[:40] in link_errors for r in reports) else "crimes"
            raise ValidationError({field: [f"Not found among the records you may see: {', '.join(link_errors)}."]})
    return case


def screen(actor, case: Case, *, accept: bool, reason: str, at: dt.datetime | None = None):
    """Every referral is screened: accepted for a risk assessment, or declined, with the reason."""
    return core.take_step(actor, case, "accept" if accept else "decline", reason, at=at)


def _yes_no(values: dict, field: str, errors: dict) -> bool | None:
    raw = values.get(field)
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    errors[field] = ["Answer yes or no."]
    return None


def assess(actor, case: Case, values: dict, *, at: dt.datetime | None = None) -> RiskAssessment:
    """A risk assessment: the risk of serious harm to each group (risk_public, risk_known_adult, risk_children,
    risk_staff, risk_self: low, medium, high or very_high) with rosh_rationale; and, for a potentially
    dangerous person, the test (pdp_serious_harm, pdp_imminent, pdp_more_likely: yes or no) with
    pdp_rationale. The highest group's level becomes the case's risk level and sets its review cadence."""
    core.may_work(actor, case, "assess")
    errors: dict = {}
    conflicts = {} if case.state in (State.ASSESSMENT, State.PANEL, State.MANAGED) else {
        "state": [f"A case that is {case.state_label.lower()} is not assessed: accept the referral first."]}
    assessment = RiskAssessment(case=case, assessed_at=at or timezone.now(), assessed_by=actor,
                                rosh_rationale=core.text(values, "rosh_rationale", errors,
                                                         required="Say why each group's risk is graded so."))
    for field in GROUP_FIELDS.values():
        level = str(values.get(field) or "")
        if level not in RISK_ORDER:
            errors[field] = [f"Grade it: one of {', '.join(RISK_ORDER)}."]
        setattr(assessment, field, level)
    referral = Referral.objects.filter(case=case).first()
    if referral is None or referral.subject_type == SubjectType.OFFENDER:
        for field in ("pdp_serious_harm", "pdp_imminent", "pdp_more_likely"):
            setattr(assessment, field, _yes_no(values, field, errors))
        assessment.pdp_rationale = core.text(values, "pdp_rationale", errors,
                                             required="Record the rationale for the test's answers.")
    raise_problems(errors, conflicts, about=case)
    with atomic_keeping_refusals():
        check_and_save(assessment)
        core.set_risk(actor, case, assessment.overall, on=timezone.localdate(assessment.assessed_at))
        check_and_save(case)
    return assessment


def _has_assessment(case: Case) -> None:
    if not RiskAssessment.objects.filter(case=case).exists():
        raise StateConflict({"state": ["Assess the risk before the case goes to the panel."]})


def _planned_meeting(actor, meeting: Meeting | None) -> Meeting:
    if meeting is None:
        raise ValidationError({"meeting": ["Choose the panel meeting."]})
    return meeting


def _to_panel(actor, case: Case, step: str, meeting: Meeting | None, reason: str, at, guard=None) -> AgendaItem:
    """The step, and the case on the meeting's agenda, in the step's one transaction. Everything that may be
    refused is checked first, outside it, so each refusal stays on the audit chain."""
    meeting = _planned_meeting(actor, meeting)
    core.check_agenda(actor, meeting, case)
    items = []
    core.take_step(actor, case, step, reason, at=at, guard=guard,
                   then=lambda case: items.append(core.add_to_agenda(actor, meeting, case, checked=True)))
    return items[0]


def list_for_panel(actor, case: Case, meeting: Meeting | None, reason: str = "",
                   at: dt.datetime | None = None) -> AgendaItem:
    """The case goes on a planned panel meeting's agenda (it needs a risk assessment first)."""
    return _to_panel(actor, case, "list", meeting, reason, at, guard=_has_assessment)


def relist(actor, case: Case, meeting: Meeting | None, reason: str, at: dt.datetime | None = None) -> AgendaItem:
    """A managed case back to the panel (a review found the plan no longer holds)."""
    return _to_panel(actor, case, "relist", meeting, reason, at)


def adopt_plan(actor, case: Case, values: dict, *, item: AgendaItem | None = None,
               at: dt.datetime | None = None) -> Plan:
    """The panel's risk management plan: what each of the four pillars does (supervision, monitoring,
    interventions, victim_safety; each needed). The actions under each pillar are set with `add_action`. The
    case is then managed, and its next review is set by its risk level's cadence."""
    errors: dict = {}
    at = at or timezone.now()
    plan = Plan(case=case, adopted_at=at, adopted_by=actor, agreed_at=item)
    for pillar, field in PILLAR_FIELDS.items():
        setattr(plan, field, core.text(values, field, errors,
                                       required=f"Say what the plan does for {pillar.label.lower()}."))

    def guard(case):
        if errors:
            raise ValidationError(errors)
        if not case.risk_level:
            raise StateConflict({"state": ["Assess the risk before a plan is adopted."]})

    def then(case):
        check_and_save(plan)
        core.set_risk(actor, case, case.risk_level, on=timezone.localdate(at))

    core.take_step(actor, case, "adopt_plan", str(values.get("reason") or ""), at=at, guard=guard, then=then)
    return plan


def add_action(actor, case: Case, values: dict, *, item: AgendaItem | None = None,
               at: dt.datetime | None = None) -> object:
    """An action on the case; `heading` is a plan pillar, or blank."""
    heading = str(values.get("heading") or "")
    if heading and heading not in PILLAR_FIELDS:
        raise ValidationError({"heading": [f"Choose a pillar: {', '.join(PILLAR_FIELDS)}, or none."]})
    return core.assign_action(actor, case, values, agreed_at=item, at=at)


def close(actor, case: Case, reason: str, at: dt.datetime | None = None):
    return core.take_step(actor, case, "close", reason, at=at)


def escalate(actor, case: Case, values: dict, at: dt.datetime | None = None) -> MappaEscalation:
    """To MAPPA: category (1-4), level (1-3), manager, managed_from (a date), and the reason. RAMP then only
    reads the case."""
    errors: dict = {}
    escalation = MappaEscalation(case=case, manager=core.text(values, "manager", errors, limit=150,
                                                              required="Name the MAPPA manager."))
    for field, choices in (("category", MappaCategory), ("level", MappaLevel)):
        try:
            number = int(str(values.get(field) or "").strip())
        except ValueError:
            number = None
        if number not in choices.values:
            errors[field] = [f"Choose one of {', '.join(str(v) for v in choices.values)}."]
        setattr(escalation, field, number)
    escalation.managed_from = core.date_value(values, "managed_from", errors, required="Give the date.")

    def guard(case):
        if errors:
            raise ValidationError(errors)

    core.take_step(actor, case, "escalate", str(values.get("reason") or ""), at=at, guard=guard,
                   then=lambda case: check_and_save(escalation))
    return escalation
