"""Intelligence records for the tests. Written directly; the actions are tested on their own."""

import datetime as dt
import itertools

from django.utils import timezone

from vcdhub.audit.context import acting_as
from vcdhub.intel.models import Dissemination, Report, SharedReport, Source, SourceLink

_numbers = itertools.count(1)
WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def make_report(unit: str = "csu", sensitivity: str = "OFFICIAL-SENSITIVE", **fields) -> Report:
    number = next(_numbers)
    values = {"reference": f"IR-T-{number:05d}", "submitted_at": WHEN, "state": "graded",
              "source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P",
              "needs_sanitising": False, "text": f"Report text {number} about a stash", "fictitious": True, **fields}
    with acting_as("test:setup"):
        return Report.objects.create(owner_unit_id=unit, sensitivity=sensitivity, **values)


def make_source(unit: str = "csu", sensitivity: str = "OFFICIAL-SENSITIVE", **fields) -> Source:
    number = next(_numbers)
    values = {"reference": f"SRC-T-{number:04d}", "name": f"Fictitious Source {number}", "fictitious": True,
              **fields}
    with acting_as("test:setup"):
        return Source.objects.create(owner_unit_id=unit, sensitivity=sensitivity, **values)


def make_source_link(unit: str, sensitivity: str) -> SourceLink:
    source = make_source(unit, sensitivity)
    with acting_as("test:setup"):
        return SourceLink.objects.create(report=make_report(unit, sensitivity), source=source, owner_unit_id=unit,
                                         sensitivity=sensitivity)


def make_dissemination(unit: str, sensitivity: str, to: str = "compass") -> Dissemination:
    report = make_report(unit, sensitivity)
    with acting_as("test:setup"):
        return Dissemination.objects.create(
            report=report, recipient_kind="unit", recipient_unit_id=to, version="original", grade=report.grade,
            handling_code="P", text=report.text, shared_at=timezone.now(), reason=f"share-{next(_numbers)}",
            owner_unit_id=unit, sensitivity=sensitivity)


def make_shared(unit: str, sensitivity: str) -> SharedReport:
    """A report another unit (compass) shared with `unit`."""
    shared = make_dissemination("compass", sensitivity, to=unit)
    with acting_as("test:setup"):
        return SharedReport.objects.create(
            dissemination=shared, reference=shared.report.reference, from_unit_id="compass",
            grading_scheme="3x5x2", grade=shared.grade, handling_code="P", text=f"shared text {next(_numbers)}",
            received_at=shared.shared_at, owner_unit_id=unit, sensitivity=sensitivity)
