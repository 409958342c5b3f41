"""Every change to a case, whatever its module: opening it, its steps, actions, reviews, links, meetings and the
panel's decisions. Each takes the acting user, checks its input and guards once, writes in a transaction, is
on the audit chain, and returns what it saved. A module's own actions (`ramp.actions`) call these, adding their
own guards; the pages, the API and the CLI only convert input.

An actor of None is the machine's administrator running a command (the demo load), whom the audit chain names.
A refusal that the audit chain must keep is written before the exception and outside any transaction, so a
view calls these without wrapping them in one.
"""

import datetime as dt
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from vcdhub.access.models import Unit
from vcdhub.access.policy import has_role, profile
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.context import current_actor
from vcdhub.audit.log import record_decision, record_event
from vcdhub.audit.models import DecisionKind, EntryKind
from vcdhub.casework.choices import RISK_ORDER, ActionStatus, LinkKind, MeetingStatus
from vcdhub.casework.kinds import CaseKind, kind
from vcdhub.casework.models import (
    AgendaItem,
    Attendee,
    Case,
    CaseAction,
    CaseLink,
    CaseReview,
    CaseStep,
    Meeting,
    today,
)
from vcdhub.platform.actions import StateConflict, check_and_save, marking_fields, may_see, raise_problems
from vcdhub.platform.inputs import InputError, day
from vcdhub.platform.workflow import IllegalTransition

MAX_TEXT = 10_000  # characters in a reason, result, review or discussion
MAX_DAYS_AHEAD = 3 * 366  # a due date more than three years ahead is a typing mistake


class Refused(PermissionDenied):
    """A change the case's unit, state or the actor's role does not allow; the refusal is on the audit chain."""


def refuse(obj, action: str, why: str, detail: dict | None = None):
    """Refuse, on the audit chain (written outside the failed change's transaction, so the refusal stays)."""
    record_event(EntryKind.DENIED, action, obj, reason=why, detail=detail)
    raise Refused(why)


def text(values: dict, field: str, errors: dict, *, required: str = "", limit: int = MAX_TEXT) -> str:
    """A text field, trimmed; `required` is the message when it is empty."""
    value = str(values.get(field) or "").replace("\r\n", "\n").strip()
    if required and not value:
        errors[field] = [required]
    elif len(value) > limit:
        errors[field] = [f"At most {limit:,} characters (this has {len(value):,})."]
    return value


def date_value(values: dict, field: str, errors: dict, *, required: str = "", not_before: dt.date | None = None):
    """A date (a date, or text YYYY-MM-DD), within a sensible range."""
    raw = values.get(field)
    if raw in (None, ""):
        if required:
            errors[field] = [required]
        return None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if not isinstance(raw, dt.date):
        try:
            raw = day(str(raw), field)  # the one reading of YYYY-MM-DD text (platform.inputs)
        except InputError:
            raw = None
        if raw is None:
            errors[field] = ["Give a date as YYYY-MM-DD."]
            return None
    if not_before is not None and raw < not_before:
        errors[field] = [f"Not before {not_before:%Y-%m-%d}."]
    elif raw > today() + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors[field] = ["More than three years ahead: check the year."]
    return raw


def _reason(reason, required: bool) -> str:
    value = str(reason or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ValidationError({"reason": ["Say why."]})
    if len(value) > MAX_TEXT:
        raise ValidationError({"reason": [f"At most {MAX_TEXT:,} characters."]})
    return value


def may_work(actor, case: Case, doing: str, *, allow_read_only: bool = False) -> CaseKind:
    """The actor may change `case`: they may see it, belong to its unit, hold a role that works on its kind, and
    the case is not read-only. Otherwise a refusal, audited."""
    may_see(actor, case)
    case_kind = case.case_kind
    if actor is None:
        return case_kind
    if case.owner_unit_id not in profile(actor).units:
        refuse(case, f"casework_{doing}", "Only the case's own unit works on it.")
    if case_kind.worker_roles is not None and not has_role(actor, *case_kind.worker_roles):
        refuse(case, f"casework_{doing}", f"Your role may not work on {case_kind.label}s.")
    if not allow_read_only and case.state in case_kind.read_only_states:
        refuse(case, f"casework_{doing}", f"This case is {case_kind.read_only_reason(case.state)}: it is read-only.")
    return case_kind


def _next_reference(case_kind: CaseKind, at: dt.datetime) -> str:
    prefix = f"{case_kind.prefix}-{at:%Y}-"
    last = (Case.objects.filter(reference__startswith=prefix).order_by("-reference")
            .values_list("reference", flat=True).first())
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:06d}"


def open_case(actor, kind_name: str, subject, values: dict, *, at: dt.datetime | None = None,
              errors: dict | None = None) -> Case:
    """A new case of `kind_name` about `subject` (a person the actor may see), in its kind's first state.
    `values`: the marking (owner_unit, sensitivity, descriptors, handling), lead_officer (a user, optional).
    `errors`: the module's own errors so far, reported with these. Call inside the module's transaction."""
    case_kind = kind(kind_name)
    errors = dict(errors or {})
    if subject is None:
        errors["subject"] = ["Choose the person the case is about."]
    else:
        may_see(actor, subject)
    at = at or timezone.now()
    case = Case(kind=case_kind.name, subject=subject, state=case_kind.workflow.initial, opened_at=at, state_since=at,
                lead_officer=values.get("lead_officer") or actor, fictitious=bool(values.get("fictitious")))
    for field, value in marking_fields(actor, values, errors).items():
        setattr(case, field, value)
    if errors:
        raise ValidationError(errors)
    for attempt in range(5):  # two referrals at the same moment may draw the same number: the second draws again
        case.reference = _next_reference(case_kind, at)
        try:
            with atomic_keeping_refusals():
                check_and_save(case, errors)
            break
        except (IntegrityError, ValidationError) as exc:
            clash = isinstance(exc, IntegrityError) or set(getattr(exc, "message_dict", {})) == {"reference"}
            if not clash or attempt == 4:
                raise
            case.pk = None
    write_step(actor, case, "open", "", case.state, at=at)
    return case


def write_step(actor, case: Case, step: str, from_state: str, to_state: str, reason: str = "",
               at: dt.datetime | None = None) -> CaseStep:
    """The step in the case's life cycle and on the audit chain (the case is saved already)."""
    entry = CaseStep.objects.create(case=case, step=step, from_state=from_state, to_state=to_state, actor=actor,
                                    actor_name=current_actor().name, at=at or timezone.now(), reason=reason)
    record_event(EntryKind.CHANGE, f"casework_{step}", case, reason=reason,
                 detail={"from": from_state, "to": to_state})
    return entry


def take_step(actor, case: Case, step: str, reason: str = "", *, at: dt.datetime | None = None,
              guard: Callable[[Case], None] | None = None, then: Callable[[Case], None] | None = None) -> CaseStep:
    """Move `case` along its kind's workflow by `step`.

    The workflow decides whether the step may be taken from the case's state and by the actor's roles (an
    illegal step is refused with the workflow's message, and audited); `guard(case)` is the module's own check
    (raise ValidationError); `then(case)` writes what the step records (a plan, an escalation) in the same
    transaction. The step's actor, time and reason are on the case and on the audit chain."""
    case_kind = may_work(actor, case, step, allow_read_only=True)
    try:
        transition = case_kind.workflow.check(case.state, step)
    except IllegalTransition as exc:  # the state does not allow it: a conflict that says which states would
        record_event(EntryKind.DENIED, f"casework_{str(step)[:30]}", case, reason=str(exc),
                     detail={"state": case.state})
        known = any(t.name == step for t in case_kind.workflow.transitions)  # an unknown step is bad input
        raise (StateConflict if known else ValidationError)({"state": [str(exc)]}) from None
    if actor is not None:
        try:
            case_kind.workflow.check(case.state, step, profile(actor).roles)
        except IllegalTransition as exc:  # the role does not: a 403
            refuse(case, f"casework_{transition.name}", str(exc), {"state": case.state})
    problems: dict = {}  # the reason's and the guard's, reported together, field by field
    conflicts: dict = {}  # the guard's StateConflict: what the case holds does not allow the step yet
    try:
        reason = _reason(reason, transition.needs_reason)
    except ValidationError as exc:
        exc.update_error_dict(problems)
    if guard is not None:
        try:
            guard(case)
        except StateConflict as exc:
            exc.update_error_dict(conflicts)
        except ValidationError as exc:
            exc.update_error_dict(problems)
    raise_problems(problems, conflicts, about=case)
    at = at or timezone.now()
    with atomic_keeping_refusals():
        from_state = case.state
        case.state, case.state_since = transition.target, at
        if case.state not in case_kind.open_states:
            case.closed_at = case.closed_at or at
            case.next_review_due = None
            _end_actions(actor, case, f"the case was {(transition.past or case_kind.workflow.label(case.state))}"
                                      f".{' ' + reason if reason else ''}", at)
        else:
            case.closed_at = None
        if then is not None:
            then(case)
        check_and_save(case)
        return write_step(actor, case, transition.name, from_state, transition.target, reason, at)


def _end_actions(actor, case: Case, why: str, at: dt.datetime) -> None:
    """A case that ends (closed, declined, escalated) ends its open actions too, saying why, so no action is left
    overdue in a queue for a case nobody may work any more."""
    for action in case.actions.filter(status=ActionStatus.OPEN):
        action.status, action.result = ActionStatus.CANCELLED, f"Cancelled: {why}"[:MAX_TEXT]
        action.closed_by, action.closed_at = actor, at
        check_and_save(action)


def review_days(level: str) -> int | None:
    """Days to the next review at a risk level (settings.VCDHUB_CASE_REVIEW_DAYS); None with no level."""
    return settings.VCDHUB_CASE_REVIEW_DAYS.get(level) if level else None


def set_risk(actor, case: Case, level: str, *, on: dt.date | None = None) -> None:
    """The case's risk level, and the next review the cadence for that level sets (from `on`, default today).
    The case is saved by the caller (a step or an assessment)."""
    if level and level not in RISK_ORDER:
        raise ValidationError({"risk_level": [f"Choose one of {', '.join(RISK_ORDER)}."]})
    case.risk_level = level
    days = review_days(level)
    if case.state in case.case_kind.open_states and days is not None:
        case.next_review_due = (on or today()) + dt.timedelta(days=days)


def record_review(actor, case: Case, values: dict, *, at: dt.datetime | None = None) -> CaseReview:
    """A review of an open case: the summary, the risk level it leaves (optional: unchanged), and so the next
    review date, set by the cadence for that level."""
    may_work(actor, case, "review")
    errors: dict = {}
    summary = text(values, "summary", errors, required="Say what the review found.")
    level = str(values.get("risk_level") or case.risk_level or "")
    if level not in RISK_ORDER:
        errors["risk_level"] = [f"Choose one of {', '.join(RISK_ORDER)}."]
    conflicts = {} if case.is_open else {
        "state": [f"A {case.case_kind.label} that is {case.state_label.lower()} has no reviews."]}
    raise_problems(errors, conflicts, about=case)
    at = at or timezone.now()
    with atomic_keeping_refusals():
        was_due = case.next_review_due
        set_risk(actor, case, level, on=timezone.localdate(at))
        check_and_save(case)
        review = check_and_save(CaseReview(case=case, reviewed_at=at, reviewed_by=actor, was_due=was_due,
                                           summary=summary, risk_level=level, next_due=case.next_review_due))
    return review


def searchable(text: str, limit: int) -> bool:
    """Whether `text` can be looked up at all: not too long, and no NUL character (which PostgreSQL refuses)."""
    return bool(text) and len(text) <= limit and "\x00" not in text


def unit_by_code(code: str) -> Unit | None:
    """The unit (or partner agency) with this code, or None."""
    return Unit.objects.filter(code=code).first() if searchable(code, 40) else None


def _assignee(values: dict, errors: dict) -> Unit | None:
    code = str(values.get("assignee") or "").strip()
    if not code:
        errors["assignee"] = ["Say which unit, borough or partner agency does it."]
        return None
    unit = unit_by_code(code)
    if unit is None:
        errors["assignee"] = [f"There is no unit or agency {code[:40]!r}."]
    return unit


def assign_action(actor, case: Case, values: dict, *, agreed_at: AgendaItem | None = None,
                  at: dt.datetime | None = None) -> CaseAction:
    """An action for `case`: title, detail, assignee (a unit code: a unit, a borough or a partner agency), due
    (a date), heading (the module's grouping). Marked as its case."""
    may_work(actor, case, "assign_action")
    errors: dict = {}
    action = CaseAction(case=case, title=text(values, "title", errors, required="Say what is to be done.", limit=200),
                        detail=text(values, "detail", errors), heading=text(values, "heading", errors, limit=40),
                        agreed_at=agreed_at, set_by=actor, set_at=at or timezone.now(),
                        fictitious=case.fictitious,
                        owner_unit_id=case.owner_unit_id, sensitivity=case.sensitivity,
                        descriptors=case.descriptors, handling=case.handling)
    unit = _assignee(values, errors)
    action.assignee = unit
    action.due = date_value(values, "due", errors, required="Give the date it is due.",
                            not_before=None if actor is None else today())
    conflicts = {} if case.is_open else {
        "state": [f"A {case.case_kind.label} that is {case.state_label.lower()} takes no new actions."]}
    return check_and_save(action, errors, conflicts=conflicts, about=case)


def _may_close_action(actor, action: CaseAction, doing: str) -> None:
    """The action's assignee (any member of the unit or agency it is assigned to) or the case's own workers."""
    if actor is None:
        return
    units = profile(actor).units
    if action.assignee_id in units:
        return
    worker_roles = action.case.case_kind.worker_roles
    if action.owner_unit_id in units and (worker_roles is None or has_role(actor, *worker_roles)):
        return
    refuse(action, f"casework_{doing}", "Only the unit the action is assigned to, or the case's unit, closes it.")


def complete_action(actor, action: CaseAction, result: str, *, at: dt.datetime | None = None) -> CaseAction:
    """Done, with its result."""
    may_see(actor, action)
    _may_close_action(actor, action, "complete_action")
    errors: dict = {}
    result = text({"result": result}, "result", errors, required="Say what was done and what came of it.")
    conflicts = {}
    if action.status != ActionStatus.OPEN:
        conflicts["status"] = [f"This action is {action.get_status_display().lower()} already."]
    if action.case.state in action.case.case_kind.read_only_states:
        conflicts["status"] = [f"The case is {action.case.case_kind.read_only_reason(action.case.state)}: "
                               "its actions are read-only."]
    raise_problems(errors, conflicts, about=action)
    action.status, action.result = ActionStatus.DONE, result
    action.closed_by, action.closed_at = actor, at or timezone.now()
    return check_and_save(action, errors)


def cancel_action(actor, action: CaseAction, reason: str) -> CaseAction:
    """No longer needed, and why. Only the case's own unit cancels an action."""
    may_work(actor, action.case, "cancel_action")
    reason = _reason(reason, True)
    if action.status != ActionStatus.OPEN:
        raise_problems({}, {"status": [f"This action is {action.get_status_display().lower()} already."]},
                       about=action)
    action.status, action.result = ActionStatus.CANCELLED, f"Cancelled: {reason}"
    action.closed_by, action.closed_at = actor, timezone.now()
    return check_and_save(action)


def link(actor, case: Case, kind_name: str, value: str) -> CaseLink:
    """What the case rests on: an intelligence report (by reference) or a crime (by Crime ID), each one the
    actor may see. A link already there is returned as it is."""
    from vcdhub.crime.models import Crime
    from vcdhub.intel.models import Report

    may_work(actor, case, "link")
    value = str(value or "").strip()
    if kind_name == LinkKind.REPORT:
        reports = Report.objects.all() if actor is None else Report.objects.restrict(actor)
        report = reports.filter(reference=value).first() if searchable(value, 40) else None
        if report is None:
            raise ValidationError({"value": ["There is no intelligence report with that reference that you may see."]})
        existing = case.links.filter(report=report).first()
        return existing or check_and_save(CaseLink(case=case, kind=LinkKind.REPORT, report=report))
    if kind_name == LinkKind.CRIME:
        crimes = Crime.objects.all() if actor is None else Crime.objects.restrict(actor)
        if not searchable(value, 64) or not crimes.filter(crime_id=value).exists():
            raise ValidationError({"value": ["There is no crime with that Crime ID that you may see."]})
        existing = case.links.filter(crime_ref=value).first()
        return existing or check_and_save(CaseLink(case=case, kind=LinkKind.CRIME, crime_ref=value))
    raise ValidationError({"kind": [f"Link a report or a crime, not {str(kind_name)[:20]!r}."]})


def schedule_meeting(actor, kind_name: str, values: dict) -> Meeting:
    """A panel meeting: title, starts_at and ends_at (aware datetimes, or ISO text), location, chair (a user),
    and the marking. Any of the kind's workers may schedule one for their own unit."""
    case_kind = kind(kind_name)
    if actor is not None and case_kind.worker_roles is not None and not has_role(actor, *case_kind.worker_roles):
        raise PermissionDenied(f"Your role may not schedule {case_kind.label} meetings.")
    errors: dict = {}
    meeting = Meeting(kind=case_kind.name, title=text(values, "title", errors, required="Name the meeting.", limit=200),
                      location=text(values, "location", errors, limit=200), chair=values.get("chair"),
                      fictitious=bool(values.get("fictitious")))
    meeting.starts_at = when(values, "starts_at", errors)
    meeting.ends_at = when(values, "ends_at", errors)
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = ["A meeting ends after it starts."]
    for field, value in marking_fields(actor, values, errors).items():
        setattr(meeting, field, value)
    meeting.uid = f"{uuid.uuid4()}@vcdhub"
    return check_and_save(meeting, errors)


def when(values: dict, field: str, errors: dict, *, required: bool = True):
    """A date and time (an aware or naive datetime, or ISO text YYYY-MM-DD HH:MM, read as local time); with
    `required` false, a blank is None."""
    raw = values.get(field)
    if raw in (None, "") and not required:
        return None
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        try:
            value = dt.datetime.fromisoformat(str(raw or "").strip()) if raw else None
        except (ValueError, OverflowError):
            value = None
        if value is None:
            errors[field] = ["Give a date and time as YYYY-MM-DD HH:MM."]
            return None
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)  # local time, as people write it (the zone's rules apply)
        except (ValueError, OverflowError):
            errors[field] = ["That time does not exist here (the clocks change)."]
            return None
    return value


def _may_run(actor, meeting: Meeting, doing: str) -> None:
    may_see(actor, meeting)
    if actor is None:
        return
    case_kind = kind(meeting.kind)
    if meeting.owner_unit_id not in profile(actor).units or (
            case_kind.worker_roles is not None and not has_role(actor, *case_kind.worker_roles)):
        refuse(meeting, f"casework_{doing}", "Only the meeting's own unit runs it.")
    # A planned meeting is prepared; a held one is minuted (its discussion, decisions and actions); a cancelled
    # one takes nothing.
    minuting = doing in ("discuss", "decide", "assign_action")
    if meeting.status == MeetingStatus.CANCELLED or (meeting.status == MeetingStatus.HELD and not minuting):
        refuse(meeting, f"casework_{doing}", f"The meeting is {meeting.get_status_display().lower()}.")


def add_attendee(actor, meeting: Meeting, values: dict) -> Attendee:
    """Someone invited: name, unit (a unit or agency code, optional), role, user (optional)."""
    _may_run(actor, meeting, "add_attendee")
    errors: dict = {}
    attendee = Attendee(meeting=meeting, name=text(values, "name", errors, required="Give their name.", limit=150),
                        role=text(values, "role", errors, limit=100), user=values.get("user"))
    code = str(values.get("unit") or "").strip()
    if code:
        attendee.unit = unit_by_code(code)
        if attendee.unit is None:
            errors["unit"] = [f"There is no unit or agency {code[:40]!r}."]
    return check_and_save(attendee, errors)


def check_agenda(actor, meeting: Meeting, case: Case) -> None:
    """Whether `case` may go on `meeting`'s agenda: a planned meeting of the actor's unit, for the case's kind, and a
    case the actor works. Refusals are audited: call it before any transaction opens (as a step's caller does)."""
    _may_run(actor, meeting, "agenda")
    may_work(actor, case, "agenda", allow_read_only=True)
    if case.kind != meeting.kind:
        raise ValidationError({"meeting": ["That meeting is not this kind of case's panel."]})


def add_to_agenda(actor, meeting: Meeting, case: Case, *, checked: bool = False) -> AgendaItem:
    """Put a case on a planned meeting's agenda (its own unit's meeting, for the case's kind). `checked`: the
    caller ran `check_agenda` already (before its step's transaction)."""
    if not checked:
        check_agenda(actor, meeting, case)
        may_work(actor, case, "agenda")
    existing = meeting.items.filter(case=case).first()
    if existing is not None:
        return existing
    position = (meeting.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return check_and_save(AgendaItem(meeting=meeting, case=case, position=position))


def record_discussion(actor, item: AgendaItem, discussion: str) -> AgendaItem:
    _may_run(actor, item.meeting, "discuss")
    may_work(actor, item.case, "discuss", allow_read_only=True)
    errors: dict = {}
    item.discussion = text({"discussion": discussion}, "discussion", errors, required="Record the discussion.")
    return check_and_save(item, errors)


def hold_meeting(actor, meeting: Meeting, present: set[int], *, cancel: bool = False) -> Meeting:
    """The meeting was held (who was there), or cancelled."""
    _may_run(actor, meeting, "hold")
    with atomic_keeping_refusals():
        if not cancel:
            for attendee in meeting.attendees.all():
                attendee.present = attendee.pk in present
                check_and_save(attendee)
        meeting.status = MeetingStatus.CANCELLED if cancel else MeetingStatus.HELD
        meeting.sequence += 1
        return check_and_save(meeting)


NDM_FIELDS = ("information", "threat_and_risk", "powers_and_policy", "options", "action_taken")


def decide(actor, item: AgendaItem, values: dict, *, decision_kind: str = DecisionKind.PANEL):
    """A panel's decision on a case at a meeting, with its National Decision Model rationale (audit.Decision,
    on the agenda item): summary, the five NDM fields, review_date."""
    _may_run(actor, item.meeting, "decide")
    may_work(actor, item.case, "decide", allow_read_only=True)
    errors: dict = {}
    summary = text(values, "summary", errors, required="Say what was decided.", limit=200)
    ndm = {field: text(values, field, errors, required="Record this part of the rationale.")
           for field in NDM_FIELDS}
    review_date = date_value(values, "review_date", errors, required="Say when the decision is reviewed.")
    if errors:
        raise ValidationError(errors)
    if actor is None:
        raise InputError({"decided_by": "A decision is made by a person."})
    return record_decision(item, kind=decision_kind, summary=summary, review_date=review_date, decided_by=actor,
                           **ndm)
