"""Reports in the import schema (`intel.imports.COLUMNS`): the CSV download and `vcdhub intel export`.
A row names only the people its reader may see; a source is never exported."""

from collections.abc import Iterator

from vcdhub.access.choices import Sensitivity
from vcdhub.intel.choices import LinkKind
from vcdhub.intel.models import Report, ReportLink
from vcdhub.people.models import Person

COLUMNS = ["reference", "submitted_at", "owner_unit", "sensitivity", "grading_scheme", "source_evaluation",
           "intelligence_assessment", "handling_code", "handling_conditions", "text", "sanitised_text",
           "person_source_ids", "latitude", "longitude"]
CHUNK = 1000


def report_rows(user, queryset) -> Iterator[list[str]]:
    """One row per report of `queryset` (already restricted to `user`), in COLUMNS order. The caller audits
    the export (as the kit's export view and the CLI do, before the first row)."""
    visible_people = (Person.objects.restrict(user) if user is not None
                      else Person.objects.filter(sensitivity=Sensitivity.OFFICIAL))
    reports = queryset.iterator(chunk_size=CHUNK)
    while True:
        chunk = [r for _, r in zip(range(CHUNK), reports, strict=False)]
        if not chunk:
            return
        people: dict[int, list[str]] = {}
        links = ReportLink.objects.filter(report__in=[r.pk for r in chunk], kind=LinkKind.PERSON,
                                          person__in=visible_people).order_by("pk")
        for report_id, source_id in links.values_list("report_id", "person__source_id"):
            people.setdefault(report_id, []).append(source_id)
        for report in chunk:
            yield report_row(report, people.get(report.pk, []))


def report_row(report: Report, person_source_ids: list[str]) -> list[str]:
    return [report.reference, report.submitted_at.isoformat(timespec="seconds"), report.owner_unit_id,
            report.sensitivity, report.grading_scheme, report.source_evaluation, report.intelligence_assessment,
            report.handling_code, report.handling_conditions, report.text, report.sanitised_text,
            ";".join(person_source_ids), "" if report.latitude is None else f"{report.latitude:.6f}",
            "" if report.longitude is None else f"{report.longitude:.6f}"]
