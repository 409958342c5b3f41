"""The link chart around a subject: people, places, crimes, reports, vehicles and phones, to one, two or three
hops, built only from records the user may see.

Every edge comes from a record the user may see (a person link, a place link, a crime role, a report's link),
and every node it reaches must be visible too: a hidden person is never a node, and nothing is reached through
it (the hop stops there). Each hop asks the database once per kind of record, however many nodes it holds.
"""

import datetime as dt
from dataclasses import dataclass, field

from vcdhub.intel.choices import LinkKind
from vcdhub.intel.models import Report, ReportLink
from vcdhub.people.choices import Confidence
from vcdhub.people.models import CrimeRole, Person, PersonLink, PlaceLink
from vcdhub.stats.network import NetworkMeasures

MAX_NODES = 400  # a chart larger than this is unreadable; the page says it was cut
EDGE_TYPES = {"person": "Person to person", "place": "Person to place", "crime": "Role in a crime",
              "report": "Named in a report", "item": "Vehicle or phone in a report"}
CONFIDENCE_ORDER = [Confidence.CONFIRMED, Confidence.TENTATIVE, Confidence.UNCONFIRMED]
# A report's links are as sure as the report's grade: 3x5x2 A or 5x5x5 1 is known directly, B/2 and 3
# corroborated; the rest is not confirmed.
_GRADE_CONFIDENCE = {"A": Confidence.CONFIRMED, "1": Confidence.CONFIRMED, "B": Confidence.TENTATIVE,
                     "2": Confidence.TENTATIVE, "3": Confidence.TENTATIVE}


@dataclass
class Node:
    id: str
    kind: str  # person, place, crime, report, vehicle, phone
    label: str
    url: str = ""
    hop: int = 0


@dataclass
class Edge:
    source: str
    target: str
    type: str  # a key of EDGE_TYPES
    label: str
    confidence: str
    date: dt.date | None = None


@dataclass
class Chart:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    cut: bool = False  # MAX_NODES reached: not every node within the hops is shown
    measures: NetworkMeasures | None = None


@dataclass(frozen=True)
class Filters:
    hops: int = 2
    types: frozenset[str] = frozenset(EDGE_TYPES)
    confidence: str = Confidence.UNCONFIRMED  # the least sure kept
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def keeps(self, edge: Edge) -> bool:
        if edge.type not in self.types:
            return False
        if CONFIDENCE_ORDER.index(edge.confidence) > CONFIDENCE_ORDER.index(self.confidence):
            return False
        if edge.date is not None and self.date_from and edge.date < self.date_from:
            return False
        return not (edge.date is not None and self.date_to and edge.date > self.date_to)


def build(user, subject: Person, filters: Filters = Filters()) -> Chart:
    """The chart around `subject` (a person the user may see), to `filters.hops` hops."""
    chart = Chart()
    people = Person.objects.restrict(user)
    reports = Report.objects.restrict(user)
    chart.nodes[f"person:{subject.pk}"] = _person_node(subject, 0)
    frontier = {f"person:{subject.pk}"}
    seen_edges: set[tuple] = set()
    for hop in range(1, filters.hops + 1):
        found: list[tuple[Edge, Node]] = []
        person_ids = [int(n.split(":")[1]) for n in frontier if n.startswith("person:")]
        crime_refs = [n.split(":", 1)[1] for n in frontier if n.startswith("crime:")]
        report_ids = [int(n.split(":")[1]) for n in frontier if n.startswith("report:")]
        items = [n.split(":", 1) for n in frontier if n.startswith(("vehicle:", "phone:"))]
        if person_ids:
            found += _from_people(user, people, reports, person_ids, hop)
        if crime_refs:
            found += _from_crimes(user, people, crime_refs, hop)
        if report_ids or items:
            found += _from_reports(people, reports, report_ids, items, hop)
        frontier = set()
        for edge, node in found:  # `node` is the end the edge reaches; the other end is on the chart
            if not filters.keeps(edge):
                continue
            if node.id not in chart.nodes:
                if len(chart.nodes) >= MAX_NODES:
                    chart.cut = True
                    continue
                chart.nodes[node.id] = node
                frontier.add(node.id)
            key = (min(edge.source, edge.target), max(edge.source, edge.target), edge.type, edge.label)
            if key not in seen_edges and edge.source in chart.nodes and edge.target in chart.nodes:
                seen_edges.add(key)
                chart.edges.append(edge)
        if not frontier:
            break
    chart.measures = NetworkMeasures().fit(list(chart.nodes), [(e.source, e.target) for e in chart.edges])
    return chart


def _person_node(person: Person, hop: int) -> Node:
    return Node(f"person:{person.pk}", "person", str(person), f"/people/{person.pk}/", hop)


def _from_people(user, people, reports, ids, hop):
    found = []
    links = PersonLink.objects.restrict(user).filter(person__in=ids) | PersonLink.objects.restrict(user).filter(
        other__in=ids)
    links = list(links.values("person_id", "other_id", "kind", "confidence", "linked_on"))
    ends = {link[end] for link in links for end in ("person_id", "other_id")}
    visible = {p.pk: p for p in people.filter(pk__in=ends)}
    for link in links:
        a, b = link["person_id"], link["other_id"]
        if a in visible and b in visible:
            for here, there in ((a, b), (b, a)):
                if here in ids:
                    found.append((Edge(f"person:{here}", f"person:{there}", "person",
                                       link["kind"].replace("_", "-"), link["confidence"], link["linked_on"]),
                                  _person_node(visible[there], hop)))
    for place in PlaceLink.objects.restrict(user).filter(person__in=ids):
        node = Node(f"place:{place.pk}", "place", place.place, f"/people/place-links/{place.pk}/", hop)
        found.append((Edge(f"person:{place.person_id}", node.id, "place", place.get_kind_display().lower(),
                           place.confidence, place.linked_on), node))
    for role in CrimeRole.objects.restrict(user).filter(person__in=ids):
        node = Node(f"crime:{role.crime_ref}", "crime", f"Crime {role.crime_ref[:10]}", "", hop)
        found.append((Edge(f"person:{role.person_id}", node.id, "crime", role.get_role_display().lower(),
                           Confidence.CONFIRMED, role.recorded_on), node))
    named = ReportLink.objects.filter(kind=LinkKind.PERSON, person__in=ids, report__in=reports).select_related(
        "report")
    for link in named:
        found.append((Edge(f"person:{link.person_id}", f"report:{link.report_id}", "report", "named in",
                           _report_confidence(link.report), link.report.submitted_at.date()),
                      _report_node(link.report, hop)))
    return found


def _from_crimes(user, people, refs, hop):
    roles = list(CrimeRole.objects.restrict(user).filter(crime_ref__in=refs))
    visible = {p.pk: p for p in people.filter(pk__in={r.person_id for r in roles})}
    return [(Edge(f"person:{r.person_id}", f"crime:{r.crime_ref}", "crime", r.get_role_display().lower(),
                  Confidence.CONFIRMED, r.recorded_on), _person_node(visible[r.person_id], hop))
            for r in roles if r.person_id in visible]


def _report_node(report: Report, hop: int) -> Node:
    return Node(f"report:{report.pk}", "report", f"{report.reference} ({report.grade})", f"/intel/{report.pk}/",
                hop)


def _report_confidence(report: Report) -> str:
    return _GRADE_CONFIDENCE.get(report.intelligence_assessment, Confidence.UNCONFIRMED)


def _from_reports(people, reports, report_ids, items, hop):
    found = []
    links = list(ReportLink.objects.filter(report__in=reports.filter(pk__in=report_ids)).select_related("report"))
    for kind, value in items:  # the other reports naming the same vehicle or phone
        links += list(ReportLink.objects.filter(kind=kind, value=value, report__in=reports).select_related("report"))
    visible_people = {p.pk: p for p in people.filter(pk__in={k.person_id for k in links if k.person_id})}
    visible_reports = {r.pk: r for r in reports.filter(pk__in={k.other_report_id for k in links
                                                               if k.other_report_id})}
    for link in links:
        report, here = link.report, f"report:{link.report_id}"
        when, sure = report.submitted_at.date(), _report_confidence(report)
        if link.kind == LinkKind.PERSON and link.person_id in visible_people:
            found.append((Edge(f"person:{link.person_id}", here, "report", "named in", sure, when),
                          _person_node(visible_people[link.person_id], hop)))
        elif link.kind in (LinkKind.VEHICLE, LinkKind.PHONE):
            node = Node(f"{link.kind}:{link.value}", link.kind, link.value, "", hop)
            found.append((Edge(here, node.id, "item", link.kind, sure, when), node))
            if link.report_id not in report_ids:
                found.append((Edge(here, node.id, "item", link.kind, sure, when), _report_node(report, hop)))
        elif link.kind == LinkKind.CRIME:
            node = Node(f"crime:{link.value}", "crime", f"Crime {link.value[:10]}", "", hop)
            found.append((Edge(here, node.id, "report", "about", sure, when), node))
        elif link.kind == LinkKind.REPORT and link.other_report_id in visible_reports:
            other = visible_reports[link.other_report_id]
            found.append((Edge(here, f"report:{other.pk}", "report", "refers to", sure, when),
                          _report_node(other, hop)))
    return found
