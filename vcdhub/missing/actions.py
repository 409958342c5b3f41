"""Every change to a missing-person episode: the report, the risk-information log, grading and regrading,
reviews and supervision, protocol forms, the find, the return interview and closure, and the referral proposals
repeat episodes raise. Each checks its own input once (the pages, the API and the CLI only convert), then goes
through the case-work core (casework.actions), which checks the workflow, the unit and the role, writes the step
with its actor, time and reason, and audits it."""

import calendar
import datetime as dt
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vcdhub.access.policy import has_role
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.casework import actions as core
from vcdhub.casework.models import Case
from vcdhub.missing import roles, timing
from vcdhub.missing.choices import FoundHow, FromKind, Grade, Indicator, ProposalStatus, ProtocolKind, State
from vcdhub.missing.models import Episode, GradeChange, InfoItem, Proposal, ProtocolForm, Review
from vcdhub.missing.workflow import KIND
from vcdhub.people.normalise import postcode as normal_postcode
from vcdhub.platform.actions import StateConflict, check_and_save, raise_problems

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
CLOCK_SLACK = dt.timedelta(minutes=5)  # a time "now" typed on a device a little ahead of the server's clock


def age_on(person, day: dt.date) -> int | None:
    """Age in whole years on `day` from the register's date of birth, which may be partial (a missing month is
    taken as July, a missing day as the 15th: mid-year and mid-month); None without a year of birth."""
    if not person.birth_year:
        return None
    month = person.birth_month or 7
    last = calendar.monthrange(person.birth_year, month)[1]
    born = dt.date(person.birth_year, month, min(person.birth_day or 15, last))
    return max(day.year - born.year - ((day.month, day.day) < (born.month, born.day)), 0)


def _moment(values: dict, field: str, errors: dict, *, now: dt.datetime, required: bool = True,
            not_before: dt.datetime | None = None, before_label: str = "") -> dt.datetime | None:
    """A date and time that has happened: not in the future, not before `not_before`."""
    value = core.when(values, field, errors, required=required)
    if value is None or field in errors:
        return None
    if value < EARLIEST:
        errors[field] = ["Before 1900: check the year."]
    elif value > now + CLOCK_SLACK:
        errors[field] = ["In the future: give the time it happened."]
    elif not_before is not None and value < not_before:
        errors[field] = [f"Before {before_label} ({timezone.localtime(not_before):%Y-%m-%d %H:%M})."]
    return value


def _coordinates(values: dict, prefix: str, errors: dict) -> tuple[float | None, float | None]:
    """Optional longitude and latitude (`{prefix}_longitude`, `{prefix}_latitude`): both or neither."""
    raw = {axis: str(values.get(f"{prefix}_{axis}") or "").strip() for axis in ("longitude", "latitude")}
    if not raw["longitude"] and not raw["latitude"]:
        return None, None
    found = {}
    for axis, limit in (("longitude", 180), ("latitude", 90)):
        try:
            number = float(raw[axis])
        except ValueError:
            errors[f"{prefix}_{axis}"] = ["Give both longitude and latitude as decimal degrees, or neither."]
            continue
        if not -limit <= number <= limit or number != number:
            errors[f"{prefix}_{axis}"] = [f"Between -{limit} and {limit} degrees."]
        found[axis] = number
    return found.get("longitude"), found.get("latitude")


def _choice(values: dict, field: str, choices, errors: dict, message: str) -> str:
    value = str(values.get(field) or "")
    if value not in choices.values:
        errors[field] = [message]
    return value


def _indicators(raw, errors: dict) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else str(raw or "").replace(",", " ").split()
    items = [str(i).strip() for i in items if str(i).strip()]
    unknown = [i[:30] for i in items if i not in Indicator.values]
    repeated = [code for code, times in Counter(items).items() if times > 1]
    if unknown:
        errors["indicators"] = [f"Not an indicator: {', '.join(unknown[:5])}. Choose from "
                                f"{', '.join(Indicator.values)}."]
    elif repeated:
        errors["indicators"] = [f"Give each indicator once: {', '.join(repeated)} given more than once."]
    return [i for i in Indicator.values if i in items]


def placement_key(from_kind: str, place: str, postcode: str) -> str:
    """A care placement's key: the same home typed twice groups as one ("12 Oak Road" and "12 oak road ")."""
    if from_kind != FromKind.CARE:
        return ""
    words = "".join(c if c.isalnum() else " " for c in place.lower()).split()
    return f"{postcode.replace(' ', '')}|{' '.join(words)}"[:240]


def report(actor, values: dict, *, now: dt.datetime | None = None) -> Case:
    """A report of a person missing: one episode, opened in "missing" and graded.

    `values`: subject (a Person the actor may see); reported_at (default now), reported_by, reporter_contact;
    from_kind (home, care, hospital, school, other), from_place, from_postcode, from_longitude/from_latitude;
    last_seen_at, last_seen_place, last_seen_longitude/last_seen_latitude; indicators (codes); grade and
    grade_rationale; the case's marking and lead_officer. Repeat episodes may raise a referral proposal."""
    if actor is not None and not has_role(actor, *roles.WORKERS):
        raise PermissionDenied("Your role may not record missing-person reports.")
    now = now or timezone.now()
    errors: dict = {}
    reported_at = _moment(values, "reported_at", errors, now=now, required=False) or now
    episode = Episode(reported_at=reported_at, graded_at=reported_at, reviewed_at=reported_at,
                      supervised_at=reported_at)
    episode.reported_by = core.text(values, "reported_by", errors, limit=150, required="Say who reported it.")
    episode.reporter_contact = core.text(values, "reporter_contact", errors, limit=150)
    episode.from_kind = _choice(values, "from_kind", FromKind, errors, "Say where the person went missing from.")
    episode.from_place = core.text(values, "from_place", errors, limit=200,
                                   required="Name the home, placement, hospital or school.")
    episode.from_postcode = normal_postcode(core.text(values, "from_postcode", errors, limit=16))
    episode.from_longitude, episode.from_latitude = _coordinates(values, "from", errors)
    episode.placement_key = placement_key(episode.from_kind, episode.from_place, episode.from_postcode)
    episode.last_seen_at = _moment(values, "last_seen_at", errors, now=now)
    if episode.last_seen_at and "last_seen_at" not in errors and episode.last_seen_at > reported_at:
        errors["last_seen_at"] = ["After the report: a person is last seen before they are reported missing."]
    episode.last_seen_place = core.text(values, "last_seen_place", errors, limit=200)
    episode.last_seen_longitude, episode.last_seen_latitude = _coordinates(values, "last_seen", errors)
    episode.indicators = _indicators(values.get("indicators"), errors)
    episode.grade = _choice(values, "grade", Grade, errors, f"Grade the risk: {', '.join(Grade.values)}.")
    episode.grade_rationale = core.text(values, "grade_rationale", errors, required="Give the grade's rationale.")
    subject = values.get("subject")
    if subject is not None:
        episode.age_at_report = age_on(subject, timezone.localdate(reported_at))
    if episode.grade in Grade.values and episode.reported_at:
        timing.schedule(episode, State.MISSING)
    with atomic_keeping_refusals():
        case = core.open_case(actor, KIND.name, subject, values, at=reported_at, errors=errors)
        episode.case = case
        check_and_save(episode)
        check_and_save(GradeChange(case=case, at=reported_at, by=actor, from_grade="", to_grade=episode.grade,
                                   rationale=episode.grade_rationale))
        propose_referral(case, episode, at=reported_at)
    return case


def _episode(case: Case) -> Episode:
    return Episode.objects.get(case=case)


def log_information(actor, case: Case, values: dict, *, now: dt.datetime | None = None) -> InfoItem:
    """An item of risk information: text, supplied_by, supplier_contact, obtained_at (when it was obtained), and
    optionally corrects (the id of an earlier item on this episode it corrects)."""
    core.may_work(actor, case, "log_information")
    now = now or timezone.now()
    errors: dict = {}
    item = InfoItem(case=case, recorded_by=actor, recorded_at=now,
                    recorded_by_name=(actor.get_full_name() or actor.get_username()) if actor else "vcdhub")
    item.text = core.text(values, "text", errors, required="Record the information.")
    item.supplied_by = core.text(values, "supplied_by", errors, limit=150, required="Say who supplied it.")
    item.supplier_contact = core.text(values, "supplier_contact", errors, limit=150)
    item.obtained_at = _moment(values, "obtained_at", errors, now=now)
    corrects = str(values.get("corrects") or "").strip()
    if corrects:
        item.corrects = (InfoItem.objects.filter(case=case, pk=int(corrects)).first()
                         if corrects.isascii() and corrects.isdigit() and len(corrects) < 12 else None)
        if item.corrects is None:
            errors["corrects"] = ["Not an item of this episode's log."]
    if errors:
        raise ValidationError(errors)
    return check_and_save(item)


def _grade(values: dict, errors: dict, field: str = "grade") -> str:
    return _choice(values, field, Grade, errors, f"Choose a grade: {', '.join(Grade.values)}.")


def _apply_grade(actor, case: Case, episode: Episode, grade: str, rationale: str, at: dt.datetime) -> None:
    """The new grade, its rationale and the review timing it sets (a regrade is a review). A higher grade's
    shorter supervision interval brings the next supervision forward, never back."""
    check_and_save(GradeChange(case=case, at=at, by=actor, from_grade=episode.grade, to_grade=grade,
                               rationale=rationale))
    before = episode.next_supervision_at
    episode.grade, episode.graded_at, episode.grade_rationale, episode.reviewed_at = grade, at, rationale, at
    timing.schedule(episode, State.MISSING)
    if before is not None and episode.next_supervision_at is not None:
        episode.next_supervision_at = min(before, timing.after(at, "supervision", grade))
    check_and_save(episode)


def regrade(actor, case: Case, values: dict, *, now: dt.datetime | None = None):
    """A new risk grade with its rationale (`reason`): a step of the episode's workflow."""
    now = now or timezone.now()
    errors: dict = {}
    grade = _grade(values, errors)
    episode = _episode(case)

    def guard(case):
        if errors:
            raise ValidationError(errors)
        if grade == episode.grade:  # right input; the episode holds that grade already
            raise StateConflict({"grade": [f"The episode is graded {episode.get_grade_display().lower()} already."]})

    reason = str(values.get("reason") or "")
    return core.take_step(actor, case, "regrade", reason, at=now, guard=guard,
                          then=lambda case: _apply_grade(actor, case, episode, grade, reason.strip(), now))


def review(actor, case: Case, values: dict, *, now: dt.datetime | None = None) -> Review:
    """A review of the risk while the person is missing: summary, and grade (blank: unchanged; a change is also
    a regrade step, with the summary as its reason). A supervisor's review is also the supervision."""
    core.may_work(actor, case, "review")
    now = now or timezone.now()
    errors: dict = {}
    episode = _episode(case)
    summary = core.text(values, "summary", errors, required="Say what the review found.")
    grade = str(values.get("grade") or "") or episode.grade
    if grade not in Grade.values:
        errors["grade"] = [f"Choose a grade: {', '.join(Grade.values)}."]
    conflicts = {} if case.state == State.MISSING else {
        "state": [f"An episode that is {case.state_label.lower()} is not reviewed: the person is found."]}
    raise_problems(errors, conflicts, about=case)
    supervisor = actor is not None and has_role(actor, *roles.SUPERVISORS)
    with atomic_keeping_refusals():
        was_due = episode.next_review_at
        if grade != episode.grade:
            regrade(actor, case, {"grade": grade, "reason": summary}, now=now)
            episode.refresh_from_db()
        episode.reviewed_at = now
        if supervisor:
            episode.supervised_at = now
        timing.schedule(episode, State.MISSING)
        check_and_save(episode)
        return check_and_save(Review(case=case, at=now, by=actor, by_supervisor=supervisor, summary=summary,
                                     grade=grade, was_due_at=was_due))


def add_protocol_form(actor, case: Case, values: dict, *, now: dt.datetime | None = None) -> ProtocolForm:
    """A Herbert or Philomena Protocol form handed over: kind, given_by, given_at, and what it held (photo: yes or
    no; description, medical, contacts, places, associates)."""
    core.may_work(actor, case, "protocol_form")
    now = now or timezone.now()
    errors: dict = {}
    form = ProtocolForm(case=case, received_by=actor)
    form.kind = _choice(values, "kind", ProtocolKind, errors, "Choose the protocol: herbert or philomena.")
    form.given_by = core.text(values, "given_by", errors, limit=150, required="Say who handed it over.")
    form.given_at = _moment(values, "given_at", errors, now=now)
    form.photo = str(values.get("photo") or "").strip().lower() in ("yes", "true", "1", "on")
    for field in ("description", "medical", "contacts", "places", "associates"):
        setattr(form, field, core.text(values, field, errors))
    if not errors and not any(getattr(form, f) for f in ("description", "medical", "contacts", "places",
                                                          "associates")) and not form.photo:
        errors["description"] = ["Record what the form held."]
    if errors:
        raise ValidationError(errors)
    return check_and_save(form)


def found(actor, case: Case, values: dict, *, now: dt.datetime | None = None):
    """The person is found or has returned: found_at, found_how (by_police, returned, elsewhere, dead),
    found_place, found_longitude/found_latitude, and the circumstances (`reason`). The return interview falls
    due by the grade's interval (none when the person is found dead)."""
    now = now or timezone.now()
    errors: dict = {}
    episode = _episode(case)
    episode.found_at = _moment(values, "found_at", errors, now=now, not_before=episode.last_seen_at,
                               before_label="the time last seen")
    episode.found_how = _choice(values, "found_how", FoundHow, errors, "Say how the person was found.")
    episode.found_place = core.text(values, "found_place", errors, limit=200, required="Say where.")
    episode.found_longitude, episode.found_latitude = _coordinates(values, "found", errors)
    episode.found_note = core.text(values, "reason", errors, required="Record the circumstances.")

    def guard(case):
        if errors:
            raise ValidationError(errors)

    def then(case):
        episode.interview_due_at = (None if episode.found_how == FoundHow.DEAD else
                                    timing.after(episode.found_at, "interview", episode.grade))
        timing.schedule(episode, State.FOUND)
        check_and_save(episode)

    return core.take_step(actor, case, "found", episode.found_note, at=now, guard=guard, then=then)


def reopen(actor, case: Case, values: dict, *, now: dt.datetime | None = None):
    """A find recorded in error: the person is still missing (a supervisor's step, with the reason). The find's
    details are cleared (the change log keeps them) and the reviews fall due again from now."""
    now = now or timezone.now()
    episode = _episode(case)

    def then(case):
        for field in ("found_at", "interview_due_at"):
            setattr(episode, field, None)
        episode.found_how = episode.found_place = episode.found_note = ""
        episode.found_longitude = episode.found_latitude = None
        episode.reviewed_at = episode.supervised_at = now
        timing.schedule(episode, State.MISSING)
        check_and_save(episode)

    return core.take_step(actor, case, "reopen", str(values.get("reason") or ""), at=now, then=then)


def close(actor, case: Case, values: dict, *, now: dt.datetime | None = None):
    """Close a found person's episode with the return interview: interview_at, interview_by, interview_summary.
    Without an interview (the person declined one, or was found dead), `reason` says why."""
    now = now or timezone.now()
    errors: dict = {}
    episode = _episode(case)
    interview_at = _moment(values, "interview_at", errors, now=now, required=False, not_before=episode.found_at,
                           before_label="the find")
    by = core.text(values, "interview_by", errors, limit=150)
    summary = core.text(values, "interview_summary", errors)
    reason = core.text(values, "reason", errors)
    if interview_at is None and "interview_at" not in errors:
        if episode.found_how != FoundHow.DEAD and not reason:
            errors["reason"] = ["Record the return interview, or say why there is none."]
    elif interview_at is not None:
        if not by:
            errors["interview_by"] = ["Say who held the interview."]
        if not summary:
            errors["interview_summary"] = ["Say what the interview found."]

    def guard(case):
        if errors:
            raise ValidationError(errors)

    def then(case):
        episode.interview_at, episode.interview_by, episode.interview_summary = interview_at, by, summary
        timing.schedule(episode, State.CLOSED)
        check_and_save(episode)

    return core.take_step(actor, case, "close", reason or "Return interview held.", at=now, guard=guard, then=then)


def repeat_rule(episode: Episode) -> dict:
    """The repeat threshold for the episode's subject: a child's or an adult's (settings.VCDHUB_MISSING_REPEAT)."""
    return settings.VCDHUB_MISSING_REPEAT["child" if episode.is_child else "adult"]


def propose_referral(case: Case, episode: Episode, *, at: dt.datetime) -> Proposal | None:
    """Propose a referral to the risk panel when the subject's episodes reach the repeat threshold, unless a
    proposal within the window is waiting or decided already, or the subject has an open risk-panel case."""
    rule = repeat_rule(episode)
    since = at - dt.timedelta(days=rule["days"])
    counted = list(Case.objects.filter(kind=KIND.name, subject_id=case.subject_id,
                                       missing_episode__reported_at__gt=since,
                                       missing_episode__reported_at__lte=at).values_list("pk", flat=True))
    if len(counted) < rule["episodes"]:
        return None
    if Proposal.objects.filter(case__subject_id=case.subject_id, proposed_at__gt=since).exists():
        return None
    from vcdhub.ramp.choices import OPEN_STATES as RAMP_OPEN

    if Case.objects.filter(kind="ramp", subject_id=case.subject_id, state__in=RAMP_OPEN).exists():
        return None
    who = "a child" if episode.is_child else "an adult"
    return check_and_save(Proposal(case=case, proposed_at=at, episodes=sorted(counted),
                                   rule=f"{rule['episodes']} or more episodes in {rule['days']} days ({who})"))


def decide_proposal(actor, proposal: Proposal, *, accept: bool, reason: str) -> Proposal:
    """Accept a proposal (the subject is referred to the risk panel as a vulnerable person, from the episode's
    unit, with the episode's marking) or decline it; either way with the reason."""
    case = proposal.case
    core.may_work(actor, case, "decide_proposal", allow_read_only=True)
    errors: dict = {}
    reason = core.text({"reason": reason}, "reason", errors, required="Say why.")
    if proposal.status != ProposalStatus.PROPOSED:
        errors["status"] = [f"Decided already: {proposal.get_status_display().lower()}."]
    if errors:
        raise ValidationError(errors)
    with atomic_keeping_refusals():
        if accept:
            from vcdhub.ramp import actions as ramp

            episodes = Case.objects.filter(pk__in=proposal.episodes).order_by("opened_at")
            basis = (f"Repeat missing episodes: {proposal.rule}. Episodes: "
                     f"{', '.join(e.reference for e in episodes)}.\n{reason}")
            proposal.ramp_case = ramp.refer(actor, {
                "subject": case.subject, "subject_type": "vulnerable", "referring_unit": case.owner_unit_id,
                "basis": basis, "owner_unit": case.owner_unit_id, "sensitivity": case.sensitivity,
                "descriptors": case.descriptors, "handling": case.handling, "fictitious": case.fictitious})
        proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
        proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason
        return check_and_save(proposal)
