"""One search over intelligence, people and places (platform.fulltext), each part restricted to what the user
may see. A part's count is a count of the records the user may see, so it reveals nothing hidden."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from vcdhub.audit.log import record_reads
from vcdhub.intel.models import Report, SharedReport
from vcdhub.people.models import Person, PlaceLink
from vcdhub.platform import fulltext

SHOWN = 20  # rows shown in each part; the count covers them all
MAX_QUERY_LENGTH = 500  # characters of a query: the web page reads this many, the API refuses more
# Counted up to this many: beyond it a count says "or more". Counting every match of a common word takes half
# a second at a million reports (docs/benchmarks.md), and more words serve the reader better than the number.
COUNT_CAP = 1000


@dataclass
class Hit:
    title: str
    url: str
    snippet: str  # HTML: escaped text, the matched words in <mark>
    detail: str = ""


@dataclass
class Part:
    name: str
    count: int  # records the user may see that match, at most COUNT_CAP
    hits: list[Hit] = field(default_factory=list)
    capped: bool = False  # more than COUNT_CAP match


def _part(name: str, matches, hit: Callable) -> Part:
    """The part's count (capped) and its first SHOWN records as hits; their reads are audited."""
    counted = matches.order_by()[:COUNT_CAP + 1].count()  # in any order: the cheapest plan
    rows = list(matches[:SHOWN])
    record_reads(rows, "search")
    return Part(name, min(counted, COUNT_CAP), [hit(row) for row in rows], counted > COUNT_CAP)


def reports_part(user, query: str) -> Part:
    """The reports the user may see that hold every word of `query`, newest first, with snippets."""
    reports = fulltext.matching(Report.objects.restrict(user), query).order_by("-submitted_at", "-pk")
    return _part("Intelligence reports", reports, lambda r: Hit(
        r.reference, reverse("intel:report_detail", args=[r.pk]),
        fulltext.highlight(f"{r.text}\n{r.sanitised_text}", query),
        f"{r.grade} · {r.get_state_display()} · {r.submitted_at:%Y-%m-%d}"))


def search(user, query: str) -> list[Part]:
    """The parts of the answer, each newest or alphabetical first, with snippets; sensitive rows shown are
    audited as read on the "search" channel."""
    query = query.strip()
    if not fulltext.query_terms(query):
        return []
    shared = fulltext.matching(SharedReport.objects.restrict(user), query).order_by("-received_at", "-pk")
    people = fulltext.matching(Person.objects.restrict(user), query).order_by("surname_key", "given_key", "pk")
    places = fulltext.matching(PlaceLink.objects.restrict(user), query).order_by("place", "pk")
    return [
        reports_part(user, query),
        _part("Reports shared with your units", shared, lambda s: Hit(
            s.reference, reverse("intel:sharedreport_detail", args=[s.pk]), fulltext.highlight(s.text, query),
            f"{s.grade} · from {s.from_unit_id} · {s.received_at:%Y-%m-%d}")),
        _part("People", people, lambda p: Hit(
            str(p), reverse("people:person_detail", args=[p.pk]), fulltext.highlight(p.search_text(), query),
            f"{p.source_id} · {p.owner_unit_id}")),
        _part("Places linked to people", places, lambda pl: Hit(
            pl.get_kind_display(), reverse("people:placelink_detail", args=[pl.pk]),
            fulltext.highlight(pl.place, query), pl.linked_on.isoformat())),
    ]
