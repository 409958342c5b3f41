"""One search over intelligence, people and places (platform.fulltext), each part restricted to what the user
may see. A part's count is a count of the records the user may see, so it reveals nothing hidden."""

from dataclasses import dataclass, field

from django.urls import reverse

from vcdhub.audit.log import record_reads
from vcdhub.intel.models import Report, SharedReport
from vcdhub.people.models import Person, PlaceLink
from vcdhub.platform import fulltext

SHOWN = 20  # rows shown in each part; the count covers them all


@dataclass
class Hit:
    title: str
    url: str
    snippet: str  # HTML: escaped text, the matched words in <mark>
    detail: str = ""


@dataclass
class Part:
    name: str
    count: int
    hits: list[Hit] = field(default_factory=list)


def reports_part(user, query: str) -> Part:
    """The reports the user may see that hold every word of `query`: counted, the newest SHOWN with snippets."""
    reports = fulltext.matching(Report.objects.restrict(user), query).order_by("-submitted_at", "-pk")
    rows = list(reports[:SHOWN])
    record_reads(rows, "search")
    return Part("Intelligence reports", reports.count(), [
        Hit(r.reference, reverse("intel:report_detail", args=[r.pk]),
            fulltext.highlight(f"{r.text}\n{r.sanitised_text}", query),
            f"{r.grade} · {r.get_state_display()} · {r.submitted_at:%Y-%m-%d}") for r in rows])


def search(user, query: str) -> list[Part]:
    """The parts of the answer, each newest or alphabetical first, with snippets; sensitive rows shown are
    audited as read on the "search" channel."""
    query = query.strip()
    if not fulltext.query_terms(query):
        return []
    parts = [reports_part(user, query)]
    shared = fulltext.matching(SharedReport.objects.restrict(user), query).order_by("-received_at", "-pk")
    rows = list(shared[:SHOWN])
    record_reads(rows, "search")
    parts.append(Part("Reports shared with your units", shared.count(), [
        Hit(s.reference, reverse("intel:sharedreport_detail", args=[s.pk]), fulltext.highlight(s.text, query),
            f"{s.grade} · from {s.from_unit_id} · {s.received_at:%Y-%m-%d}") for s in rows]))
    people = fulltext.matching(Person.objects.restrict(user), query).order_by("surname_key", "given_key", "pk")
    rows = list(people[:SHOWN])
    record_reads(rows, "search")
    parts.append(Part("People", people.count(), [
        Hit(str(p), reverse("people:person_detail", args=[p.pk]), fulltext.highlight(p.search_text(), query),
            f"{p.source_id} · {p.owner_unit_id}") for p in rows]))
    places = fulltext.matching(PlaceLink.objects.restrict(user), query).order_by("place", "pk")
    rows = list(places[:SHOWN])
    record_reads(rows, "search")
    parts.append(Part("Places linked to people", places.count(), [
        Hit(pl.get_kind_display(), reverse("people:placelink_detail", args=[pl.pk]),
            fulltext.highlight(pl.place, query), pl.linked_on.isoformat()) for pl in rows]))
    return parts
