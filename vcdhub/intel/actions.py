"""Every change to intelligence: submitting, returning, reviewing, grading, sanitising and sharing a report, and
recording a source. Each takes the acting user, checks its input and its guard once, writes in a transaction,
puts the step on the audit chain, and returns what it saved. Pages, the API and the CLI only convert input.

An actor of None is the machine's administrator running a command (an import), whom the audit chain names.
"""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vcdhub.access.choices import UnitKind
from vcdhub.access.models import Unit
from vcdhub.access.policy import has_role, profile
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.context import current_actor
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.intel import roles
from vcdhub.intel.choices import GRADE_FIELDS, GRADES, Agency, LinkKind, RecipientKind, Scheme, State, Step, Version
from vcdhub.intel.models import Dissemination, Report, ReportLink, ReportStep, SharedReport, Source, SourceLink
from vcdhub.intel.workflow import REPORT
from vcdhub.platform import fulltext
from vcdhub.platform.actions import check_and_save, marking_fields, may_see, raise_problems
from vcdhub.platform.workflow import IllegalTransition

MAX_TEXT = 20_000  # characters in a report's text: a long report, not a document store
NAMES_SOURCE = "This still names the source or gives its reference."


class Refused(PermissionDenied):
    """A step the report's state, grade or handling code does not allow; the refusal is on the audit chain."""


def _require_role(actor, allowed: frozenset, doing: str) -> None:
    if actor is not None and not has_role(actor, *allowed):
        raise PermissionDenied(f"Your role may not {doing}.")


def _require_state(report: Report, step: str) -> None:
    """The report's life cycle (intel.workflow.REPORT) allows `step` from its state, or a StateConflict (audited)."""
    try:
        REPORT.check(report.state, step)
    except IllegalTransition as exc:
        raise_problems({}, {"state": [str(exc)]}, about=report)


def _step(actor, report: Report, step: str, to_state: str, reason: str = "", at: dt.datetime | None = None):
    """Move the report to `to_state` and write the step, here and on the audit chain."""
    from_state = report.state if report.pk else ""
    report.state = to_state
    report.save()
    return record_step(actor, report, step, from_state, to_state, reason, at)


def record_step(actor, report: Report, step: str, from_state: str, to_state: str, reason: str = "",
                at: dt.datetime | None = None) -> ReportStep:
    """The step in the report's life cycle and on the audit chain (the report is saved already)."""
    entry = ReportStep.objects.create(report=report, step=step, from_state=from_state, to_state=to_state,
                                      actor=actor, actor_name=current_actor().name, at=at or timezone.now(),
                                      reason=reason)
    record_event(EntryKind.CHANGE, f"intel_{step}", report, reason=reason,
                 detail={"from": from_state, "to": to_state})
    return entry


def _text(values: dict, field: str, errors: dict, *, required: bool = False) -> str:
    text = str(values.get(field) or "").replace("\r\n", "\n").strip()
    if required and not text:
        errors[field] = ["Write the report."] if field == "text" else ["This is needed."]
    elif len(text) > MAX_TEXT:
        errors[field] = [f"At most {MAX_TEXT:,} characters (this has {len(text):,})."]
    return text


def place(values: dict, errors: dict) -> dict:
    """longitude and latitude (both or neither), placed in their LSOA when inside the loaded geography."""
    raw_lon, raw_lat = values.get("longitude"), values.get("latitude")
    if raw_lon in (None, "") and raw_lat in (None, ""):
        return {"longitude": None, "latitude": None, "lsoa_id": None}
    try:
        lon, lat = float(raw_lon), float(raw_lat)
    except (TypeError, ValueError):
        errors["longitude" if raw_lon in (None, "") else "latitude"] = ["Give both longitude and latitude as numbers."]
        return {}
    if not (-180 <= lon <= 180) or lon != lon:
        errors["longitude"] = ["Longitude is between -180 and 180."]
    if not (-90 <= lat <= 90) or lat != lat:
        errors["latitude"] = ["Latitude is between -90 and 90."]
    if "longitude" in errors or "latitude" in errors:
        return {}
    from vcdhub.geography.placement import AreaResolver

    lsoa_id, _, _ = AreaResolver.current().by_points([lon], [lat])[0]
    return {"longitude": lon, "latitude": lat, "lsoa_id": lsoa_id}


def _source(actor, values: dict, errors: dict) -> Source | None:
    reference = str(values.get("source") or "").strip()
    if not reference:
        return None
    sources = Source.objects.all() if actor is None else Source.objects.restrict(actor)
    source = sources.filter(reference=reference).first()
    if source is None:
        errors["source"] = ["There is no source with that reference among the sources you handle."]
    return source


def submit_report(actor, values: dict, *, at: dt.datetime | None = None) -> Report:
    """A new report, submitted. `values`: text, reference (optional: one is made), longitude and latitude
    (optional), source (a source's reference, optional; only its handlers may cite it), and the marking."""
    _require_role(actor, roles.SUBMITTERS, "submit intelligence")
    errors: dict = {}
    report = Report(text=_text(values, "text", errors, required=True),
                    reference=str(values.get("reference") or "").strip(),
                    submitted_at=at or timezone.now(), submitted_by=actor, state=State.SUBMITTED,
                    fictitious=bool(values.get("fictitious")))
    source = _source(actor, values, errors)
    for field, value in {**place(values, errors), **marking_fields(actor, values, errors)}.items():
        setattr(report, field, value)
    with atomic_keeping_refusals():
        if not report.reference:
            report.reference = _next_reference(report.submitted_at)
        check_and_save(report, errors)
        if source is not None:
            check_and_save(SourceLink(report=report, source=source, owner_unit_id=source.owner_unit_id,
                                      sensitivity=source.sensitivity, descriptors=source.descriptors,
                                      handling=source.handling))
        _step(actor, report, Step.SUBMIT, State.SUBMITTED, at=report.submitted_at)
    return report


def _next_reference(at: dt.datetime) -> str:
    prefix = f"IR-{at:%Y}-"
    last = (Report.objects.filter(reference__startswith=prefix).order_by("-reference")
            .values_list("reference", flat=True).first())
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:06d}"


def return_report(actor, report: Report, reason: str) -> Report:
    """Back to the submitter for more detail: the reason says what is missing."""
    _reviewer(actor, report, "return reports")
    _require_state(report, Step.RETURN)
    _need_reason(reason)
    with atomic_keeping_refusals():
        _step(actor, report, Step.RETURN, State.RETURNED, reason)
    return report


def resubmit_report(actor, report: Report, text: str, reason: str = "") -> Report:
    """The submitter's answer to a return: the text with the detail asked for."""
    may_see(actor, report)
    if actor is not None and report.submitted_by_id not in (None, actor.pk):
        raise PermissionDenied("Only the officer who submitted the report may resubmit it.")
    _require_state(report, Step.RESUBMIT)
    errors: dict = {}
    report.text = _text({"text": text}, "text", errors, required=True)
    if errors:
        raise ValidationError(errors)
    with atomic_keeping_refusals():
        check_and_save(report)
        _step(actor, report, Step.RESUBMIT, State.SUBMITTED, reason)
    return report


def review_report(actor, report: Report, reason: str = "") -> Report:
    _reviewer(actor, report, "review reports")
    _require_state(report, Step.REVIEW)
    with atomic_keeping_refusals():
        _step(actor, report, Step.REVIEW, State.REVIEWED, reason)
    return report


def grade_errors(scheme: str, grades: dict, conditions: str) -> dict:
    """What is wrong with a grade under `scheme`, by field ({} when it is right). A report is graded on its own
    scheme: a 5x5x5 grade is never read as 3x5x2, or the reverse."""
    if scheme not in GRADES:
        return {"grading_scheme": [f"Choose 3x5x2 or 5x5x5, not {str(scheme)[:20]!r}."]}
    errors = {}
    for field in GRADE_FIELDS:
        allowed = [code for code, _ in GRADES[scheme][field]]
        value = grades.get(field) or ""
        if not value:
            errors[field] = [f"Grade it: one of {', '.join(allowed)}."]
        elif value not in allowed:
            errors[field] = [f"{str(value)[:10]!r} is not a {scheme} grade: one of {', '.join(allowed)}."]
    code = grades.get("handling_code")
    if not conditions and ((scheme == Scheme.THREE_FIVE_TWO and code == "C")
                           or (scheme == Scheme.FIVE_FIVE_FIVE and code == "3")):
        errors["handling_conditions"] = ["A report shared with conditions needs its conditions."]
    return errors


def must_sanitise(scheme: str, handling_code: str, chosen: bool) -> bool:
    """Only a sanitised version may go out: always for a C code (or 5x5x5 code 3 to 5), else as graded."""
    if scheme == Scheme.THREE_FIVE_TWO:
        return chosen or handling_code == "C"
    return chosen or handling_code in ("3", "4", "5")


def grade_report(actor, report: Report, values: dict, reason: str = "") -> Report:
    """Grade (or regrade) a reviewed report. `values`: grading_scheme, source_evaluation,
    intelligence_assessment, handling_code, handling_conditions, needs_sanitising."""
    _reviewer(actor, report, "grade reports")
    _require_state(report, Step.GRADE)
    scheme = str(values.get("grading_scheme") or Scheme.THREE_FIVE_TWO)
    grades = {field: str(values.get(field) or "").strip().upper() for field in GRADE_FIELDS}
    conditions = _text(values, "handling_conditions", {})
    errors = grade_errors(scheme, grades, conditions)
    if errors:
        raise ValidationError(errors)
    report.grading_scheme = scheme
    for field, value in grades.items():
        setattr(report, field, value)
    report.handling_conditions = conditions
    report.needs_sanitising = must_sanitise(scheme, grades["handling_code"], bool(values.get("needs_sanitising")))
    with atomic_keeping_refusals():
        check_and_save(report)
        _step(actor, report, Step.GRADE, State.GRADED, reason or f"graded {report.grade}")
    return report


def sanitise_errors(report: Report, text: str) -> dict:
    """What makes `text` unfit to go out in place of the original: empty, the original itself, or naming the
    source (its reference, or its identity to whoever holds it)."""
    if not text:
        return {"sanitised_text": ["Write the sanitised version."]}
    if _words(text) == _words(report.text):
        return {"sanitised_text": ["This is the original: remove what could identify the source."]}
    # Checked against the source whoever sanitises (they may not see it), so the answer does not say which of
    # the two it found; a refusal is on the audit chain, so probing for a name shows.
    link = SourceLink.objects.filter(report=report).select_related("source").first() if report.pk else None
    for name in (link.source.reference, link.source.name) if link else ():
        if _words(name) and _contains_words(text, name):
            return {"sanitised_text": [NAMES_SOURCE]}
    return {}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _contains_words(text: str, phrase: str) -> bool:
    words, wanted = _words(text), _words(phrase)
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def sanitise_report(actor, report: Report, text: str, reason: str = "") -> Report:
    _reviewer(actor, report, "sanitise reports")
    _require_state(report, Step.SANITISE)
    errors: dict = {}
    text = _text({"sanitised_text": text}, "sanitised_text", errors)
    if not errors:
        errors = sanitise_errors(report, text)
        if errors.get("sanitised_text") == [NAMES_SOURCE]:
            record_event(EntryKind.DENIED, "intel_sanitise", report, reason=errors["sanitised_text"][0])
    if errors:
        raise ValidationError(errors)
    report.sanitised_text = text
    with atomic_keeping_refusals():
        check_and_save(report)
        _step(actor, report, Step.SANITISE, State.SANITISED, reason)
    return report


def _own_unit(actor, report: Report, doing: str) -> None:
    """A report is worked on (reviewed, graded, sanitised, shared, linked) by its own unit, even where another
    unit may read it."""
    may_see(actor, report)
    if actor is not None and report.owner_unit_id not in profile(actor).units:
        raise PermissionDenied(f"Only the report's own unit ({report.owner_unit_id}) may {doing}.")


def _reviewer(actor, report: Report, doing: str) -> None:
    _own_unit(actor, report, doing)
    _require_role(actor, roles.REVIEWERS, doing)
    if actor is not None and report.submitted_by_id == actor.pk:
        raise PermissionDenied("A report is reviewed, graded and sanitised by someone other than its submitter.")


def _need_reason(reason: str) -> None:
    if not str(reason or "").strip():
        raise ValidationError({"reason": ["Say why."]})


def _refuse(report: Report, why: str, detail: dict) -> None:
    """Refuse a sharing, on the audit chain (outside the failed step's transaction, so the refusal stays)."""
    record_event(EntryKind.DENIED, "intel_disseminate", report, reason=why, detail=detail)
    raise Refused(why)


def disseminate_report(actor, report: Report, *, recipient_kind: str, recipient: str, version: str,
                       reason: str = "") -> Dissemination:
    """Share a graded report with a unit, a borough or a partner agency. Only the sanitised version may go out
    when the grade asks for one; sharing the original then is refused, and the refusal is audited."""
    _own_unit(actor, report, "share it")
    _require_role(actor, roles.DISSEMINATORS, "share intelligence")
    detail = {"recipient_kind": str(recipient_kind), "recipient": str(recipient)[:60], "version": str(version)}
    if report.state not in REPORT.transition(Step.DISSEMINATE).sources:
        _refuse(report, "A report is shared only once it is graded.", detail)
    errors: dict = {}
    unit, agency = _recipient(recipient_kind, recipient, errors)
    if version not in Version.values:
        errors["version"] = ["Choose the original or the sanitised version."]
    if errors:
        raise ValidationError(errors)
    scheme, code = report.grading_scheme, report.handling_code
    if scheme == Scheme.FIVE_FIVE_FIVE and code == "5":
        _refuse(report, "Handling code 5: no further dissemination; refer to the originator.", detail)
    if scheme == Scheme.FIVE_FIVE_FIVE and code == "4" and recipient_kind == RecipientKind.AGENCY:
        _refuse(report, "Handling code 4: only within the originating agency.", detail)
    if version == Version.ORIGINAL and report.needs_sanitising:
        _refuse(report, f"Only the sanitised version of a report graded {report.grade} may be shared.", detail)
    if version == Version.SANITISED and not report.sanitised_text:
        _refuse(report, "There is no sanitised version yet: sanitise the report first.", detail)
    if unit is not None and unit.code == report.owner_unit_id:
        raise ValidationError({"recipient": ["The report is already this unit's own."]})
    now = timezone.now()
    text = report.sanitised_text if version == Version.SANITISED else report.text
    with atomic_keeping_refusals():
        shared = check_and_save(Dissemination(
            report=report, recipient_kind=recipient_kind, recipient_unit=unit, recipient_agency=agency,
            version=version, grade=report.grade, handling_code=code, handling_conditions=report.handling_conditions,
            text=text, shared_by=actor, shared_at=now, reason=str(reason or "").strip(),
            owner_unit_id=report.owner_unit_id, sensitivity=report.sensitivity, descriptors=report.descriptors,
            handling=report.handling))
        if unit is not None:
            check_and_save(SharedReport(
                dissemination=shared, reference=report.reference, from_unit_id=report.owner_unit_id,
                grading_scheme=scheme, grade=report.grade, handling_code=code,
                handling_conditions=report.handling_conditions, text=text, received_at=now, owner_unit=unit,
                sensitivity=report.sensitivity, descriptors=report.descriptors, handling=report.handling))
        _step(actor, report, Step.DISSEMINATE, State.DISSEMINATED,
              f"{Version(version).label.lower()} to {shared.recipient}" + (f": {reason}" if reason else ""))
    return shared


def _recipient(kind: str, recipient: str, errors: dict) -> tuple[Unit | None, str]:
    recipient = str(recipient or "").strip()
    if kind == RecipientKind.AGENCY:
        if recipient not in Agency.values:
            errors["recipient"] = ["Choose a partner agency."]
        return None, recipient
    if kind not in (RecipientKind.UNIT, RecipientKind.BOROUGH):
        errors["recipient_kind"] = ["Choose a unit, a borough or a partner agency."]
        return None, ""
    units = Unit.objects.filter(code=recipient)
    units = units.filter(kind=UnitKind.BOROUGH) if kind == RecipientKind.BOROUGH else units.exclude(
        kind=UnitKind.BOROUGH)
    unit = units.first()
    if unit is None:
        errors["recipient"] = [f"There is no {'borough' if kind == RecipientKind.BOROUGH else 'unit'} "
                               f"{recipient[:40]!r}."]
    return unit, ""


def add_link(actor, report: Report, *, kind: str, value: str = "", person=None, other_report=None) -> ReportLink:
    """Link a report to what it is about. A person or another report must be one the actor may see."""
    _own_unit(actor, report, "add links to it")
    errors: dict = {}
    link = ReportLink(report=report, kind=kind, value=str(value or "").strip())
    if kind == LinkKind.PERSON:
        if person is None:
            errors["person"] = ["Choose a person."]
        else:
            may_see(actor, person)
            link.person = person
    elif kind == LinkKind.REPORT:
        if other_report is None or other_report.pk == report.pk:
            errors["other_report"] = ["Choose another report."]
        else:
            may_see(actor, other_report)
            link.other_report = other_report
    elif not link.value:
        errors["value"] = ["Give the Crime ID, registration, number or address."]
    elif kind == LinkKind.VEHICLE:
        link.value = re.sub(r"\s+", "", link.value).upper()
    elif kind == LinkKind.PHONE:
        link.value = re.sub(r"[^\d+]", "", link.value)
    saved = check_and_save(link, errors)
    fulltext.index([report])  # a vehicle or a phone on the report is found by full-text search
    return saved


def link_by_value(actor, report: Report, *, kind: str, value: str) -> ReportLink:
    """A link named as a person would type it: a person by their source id, another report by its reference,
    anything else by its value. A person or report the actor may not see is "not found", as a missing one is."""
    from vcdhub.people.models import Person

    value = str(value or "").strip()
    if kind == LinkKind.PERSON:
        people = Person.objects.all() if actor is None else Person.objects.restrict(actor)
        person = people.filter(source_id=value).first() if value else None
        if person is None:
            raise ValidationError({"value": ["There is no person with that source id among the people you may "
                                             "see."]})
        return add_link(actor, report, kind=kind, person=person)
    if kind == LinkKind.REPORT:
        reports = Report.objects.all() if actor is None else Report.objects.restrict(actor)
        other = reports.filter(reference=value).first() if value else None
        if other is None:
            raise ValidationError({"value": ["There is no report with that reference among those you may see."]})
        return add_link(actor, report, kind=kind, other_report=other)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": ["Choose a kind of link."]})
    return add_link(actor, report, kind=kind, value=value)


def save_source(actor, values: dict) -> Source:
    """A source, recorded by one of its unit's handlers."""
    _require_role(actor, frozenset({"source_handler"}), "record sources")
    errors: dict = {}
    source = Source(reference=str(values.get("reference") or "").strip(), name=str(values.get("name") or "").strip(),
                    notes=str(values.get("notes") or "").strip(), handler=actor,
                    fictitious=bool(values.get("fictitious")))
    for field, value in marking_fields(actor, values, errors).items():
        setattr(source, field, value)
    if actor is not None and source.owner_unit_id and source.owner_unit_id not in profile(actor).units:
        errors["owner_unit"] = ["A source belongs to its handler's own unit."]
    return check_and_save(source, errors)
