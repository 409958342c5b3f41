"""A link chart's filters from a request, and its exports: Cytoscape.js elements, GraphML (for i2 Analyst's
Notebook and Gephi) and a CSV edge list. Only what intel.network put on the chart goes out."""

import csv
import datetime as dt
import io

import networkx as nx

from vcdhub.intel.network import CONFIDENCE_ORDER, EDGE_TYPES, Chart, Filters
from vcdhub.platform.csvsafe import safe_cell
from vcdhub.platform.inputs import InputError


def filters_from(query) -> Filters:
    """Filters from a query string; a wrong value is an InputError naming its field."""
    errors = {}
    try:
        hops = int(query.get("hops") or 2)
        if hops not in (1, 2, 3):
            raise ValueError
    except ValueError:
        errors["hops"] = "Choose 1, 2 or 3 hops."
        hops = 2
    types = frozenset(query.getlist("types")) or frozenset(EDGE_TYPES)
    if not types <= set(EDGE_TYPES):
        errors["types"] = "Choose among: " + ", ".join(EDGE_TYPES) + "."
    confidence = query.get("confidence") or CONFIDENCE_ORDER[-1]
    if confidence not in CONFIDENCE_ORDER:
        errors["confidence"] = "Choose confirmed, tentative or unconfirmed."
        confidence = CONFIDENCE_ORDER[-1]
    dates = {}
    for field in ("date_from", "date_to"):
        text = (query.get(field) or "").strip()
        try:
            dates[field] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            errors[field] = "Give a date as YYYY-MM-DD."
            dates[field] = None
    if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
        errors["date_to"] = "The end is before the start."
    if errors:
        raise InputError(errors)
    return Filters(hops, types, confidence, dates["date_from"], dates["date_to"])


def elements(chart: Chart) -> list[dict]:
    """Cytoscape.js elements: labels are text (Cytoscape draws them on a canvas; nothing is parsed as HTML)."""
    measures = chart.measures
    nodes = [{"data": {"id": n.id, "label": n.label[:60], "kind": n.kind, "hop": n.hop, "url": n.url,
                       "degree": measures.degree_.get(n.id, 0),
                       "betweenness": round(measures.betweenness_.get(n.id, 0.0), 4),
                       "community": measures.community_.get(n.id, 0)}} for n in chart.nodes.values()]
    edges = [{"data": {"id": f"e{i}", "source": e.source, "target": e.target, "type": e.type, "label": e.label,
                       "confidence": e.confidence}} for i, e in enumerate(chart.edges)]
    return nodes + edges


def graphml(chart: Chart) -> bytes:
    graph = nx.MultiGraph()
    measures = chart.measures
    for node in chart.nodes.values():
        graph.add_node(node.id, label=str(node.label), kind=str(node.kind), hop=node.hop,
                       degree=measures.degree_.get(node.id, 0),
                       betweenness=float(measures.betweenness_.get(node.id, 0.0)),
                       community=measures.community_.get(node.id, 0))
    for edge in chart.edges:
        graph.add_edge(edge.source, edge.target, type=str(edge.type), label=str(edge.label),
                       confidence=str(edge.confidence), date=edge.date.isoformat() if edge.date else "")
    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8")
    return out.getvalue()


def edge_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "source_label", "target", "target_label", "type", "label", "confidence", "date"])
    for e in chart.edges:
        writer.writerow([safe_cell(v) for v in (e.source, chart.nodes[e.source].label, e.target,
                                                chart.nodes[e.target].label, e.type, e.label, e.confidence,
                                                e.date.isoformat() if e.date else "")])
    return out.getvalue()
