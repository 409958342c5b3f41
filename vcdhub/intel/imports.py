"""`vcdhub intel import FILE.csv`: graded reports with their links to people, all or nothing per file.

Each row is a report already graded elsewhere (`intel.exports.COLUMNS` is the schema). Every line is checked by
the actions the pages use: the grade under its own scheme (3x5x2 unless `grading_scheme` says 5x5x5), a C code's
conditions, the sanitised version, the people named, the marking. If any line is wrong nothing is written, and
each wrong line is named with its number. A report already held with the same content changes nothing, so
importing a file twice is the same as importing it once; one held with other content is refused (reports move
through their steps, they are not overwritten).
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.intel import actions
from vcdhub.intel.choices import LinkKind, Scheme, State, Step
from vcdhub.intel.exports import COLUMNS, report_row
from vcdhub.intel.models import Report, ReportLink
from vcdhub.people.models import Person
from vcdhub.platform.actions import check_and_save, marking_fields, may_see
from vcdhub.platform.csvimport import ImportResult, Schema, import_file

REQUIRED = {"reference", "submitted_at", "owner_unit", "source_evaluation", "intelligence_assessment",
            "handling_code", "text"}
MAX_CELL = 20_000
MAX_PEOPLE = 50  # person_source_ids on one row


SCHEMA = Schema(COLUMNS, REQUIRED, key="reference", max_cell=MAX_CELL)


def import_reports(path: Path, *, actor, sensitivity: str,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import `path` as `actor` (a user, or None for the machine's administrator). `sensitivity` marks rows
    whose `sensitivity` cell is blank. Raises ImportRefused, having written nothing."""
    path = Path(path)
    result = ImportResult()
    with atomic_keeping_refusals():  # all or nothing, but a refused row's entry stays on the chain
        result.rows = import_file(path, SCHEMA, lambda row: _write_row(row, actor, sensitivity, result),
                                  progress=progress)
        record_event(EntryKind.IMPORT, "import", object_type="intel.report", object_id=path.name[:64],
                     reason=f"intelligence reports imported from {path.name}",
                     detail={"rows": result.rows, "created": result.created, "unchanged": result.unchanged})
    return result


def _submitted_at(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({"submitted_at": ["Give the date and time as YYYY-MM-DDTHH:MM:SS."]}) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    if value > timezone.now() + dt.timedelta(days=1):
        raise ValidationError({"submitted_at": ["This is in the future."]})
    return value


def _people(actor, text: str) -> list[Person]:
    ids = [part.strip() for part in text.split(";") if part.strip()]
    if len(ids) > MAX_PEOPLE:
        raise ValidationError({"person_source_ids": [f"At most {MAX_PEOPLE} people on one report."]})
    visible = Person.objects.all() if actor is None else Person.objects.restrict(actor)
    found = {p.source_id: p for p in visible.filter(source_id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"person_source_ids": [f"No person {missing[0][:64]!r} among the people you may see."]})
    return [found[i] for i in dict.fromkeys(ids)]


def _write_row(row: dict, actor, sensitivity: str, result: ImportResult) -> None:
    submitted_at = _submitted_at(row["submitted_at"])
    scheme = row.get("grading_scheme") or Scheme.THREE_FIVE_TWO
    grades = {f: row.get(f, "").upper() for f in ("source_evaluation", "intelligence_assessment", "handling_code")}
    errors = actions.grade_errors(scheme, grades, row.get("handling_conditions", ""))
    marking = marking_fields(actor, {"owner_unit": row["owner_unit"],
                                     "sensitivity": row.get("sensitivity") or sensitivity}, errors)
    people = _people(actor, row.get("person_source_ids", ""))
    if errors:
        raise ValidationError(errors)
    held = Report.objects.filter(reference=row["reference"]).first()
    if held is not None:
        may_see(actor, held)
        names = [p.source_id for p in people]
        as_held = report_row(held, list(ReportLink.objects.filter(report=held, kind=LinkKind.PERSON)
                                        .values_list("person__source_id", flat=True).order_by("pk")))
        as_given = _as_row(row, submitted_at, scheme, grades, marking, names)
        if as_held != as_given:
            raise ValidationError({"reference": ["This report is held already with other content; reports are "
                                                 "not overwritten."]})
        result.unchanged += 1
        return
    report = Report(reference=row["reference"], submitted_at=submitted_at, grading_scheme=scheme,
                    handling_conditions=row.get("handling_conditions", ""), text=row["text"],
                    sanitised_text=row.get("sanitised_text", ""), submitted_by=None, **grades, **marking)
    report.needs_sanitising = actions.must_sanitise(scheme, grades["handling_code"], bool(report.sanitised_text))
    if report.needs_sanitising and report.sanitised_text:
        errors.update(actions.sanitise_errors(report, report.sanitised_text))
    place = actions.place({"longitude": row.get("longitude"), "latitude": row.get("latitude")}, errors)
    if errors:
        raise ValidationError(errors)
    for field, value in place.items():
        setattr(report, field, value)
    state = State.SANITISED if report.sanitised_text else State.GRADED
    report.state = state
    check_and_save(report)
    actions.record_step(actor, report, Step.IMPORT, "", state, reason="imported", at=submitted_at)
    for person in people:
        actions.add_link(actor, report, kind=LinkKind.PERSON, person=person)
    result.created += 1


def _as_row(row: dict, submitted_at, scheme, grades, marking, names) -> list[str]:
    probe = Report(reference=row["reference"], submitted_at=submitted_at, grading_scheme=scheme,
                   handling_conditions=row.get("handling_conditions", ""), text=row["text"],
                   sanitised_text=row.get("sanitised_text", ""), **grades,
                   owner_unit_id=marking.get("owner_unit_id"), sensitivity=marking.get("sensitivity"))
    for field in ("latitude", "longitude"):
        try:
            setattr(probe, field, float(row[field]) if row.get(field) else None)
        except ValueError:
            setattr(probe, field, None)
    return report_row(probe, names)
