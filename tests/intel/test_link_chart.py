"""Link charts: hidden nodes are left out and nothing is reached through them; filters; measures; exports."""

import datetime as dt
import io

import networkx as nx
import pytest

from tests.conftest import make_persona
from tests.intel.factories import make_report
from tests.kit import client_for
from tests.people.factories import make_link, make_person, make_role
from vcdhub.audit.context import acting_as
from vcdhub.intel import network
from vcdhub.intel.models import ReportLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(london):
    """a - h - b, where h is the CSU's sensitive person; a - c (tentative); c in a crime with d; a named in a
    report with vehicle AB12CDE, which a second report names with e; a hidden report naming a and f."""
    made = {name: make_person("vcd-analysts", "OFFICIAL", surname=f"Node{name.upper()}") for name in "abcdef"}
    made["h"] = make_person("csu", "OFFICIAL-SENSITIVE", surname="NodeH")
    make_link(made["a"], made["h"], "vcd-analysts", "OFFICIAL")
    make_link(made["h"], made["b"], "vcd-analysts", "OFFICIAL")
    with acting_as("test:setup"):
        link = make_link(made["a"], made["c"], "vcd-analysts", "OFFICIAL")
        link.confidence, link.linked_on = "tentative", dt.date(2025, 6, 1)
        link.save()
    make_role(made["c"], "crime-1", "vcd-analysts", "OFFICIAL", role="suspect")
    make_role(made["d"], "crime-1", "vcd-analysts", "OFFICIAL", role="suspect")
    first = make_report("vcd-analysts", "OFFICIAL", intelligence_assessment="A")
    second = make_report("vcd-analysts", "OFFICIAL", intelligence_assessment="C")
    hidden = make_report("csu", "OFFICIAL-SENSITIVE")
    with acting_as("test:setup"):
        ReportLink.objects.create(report=first, kind="person", person=made["a"])
        ReportLink.objects.create(report=first, kind="vehicle", value="AB12CDE")
        ReportLink.objects.create(report=second, kind="vehicle", value="AB12CDE")
        ReportLink.objects.create(report=second, kind="person", person=made["e"])
        ReportLink.objects.create(report=hidden, kind="person", person=made["a"])
        ReportLink.objects.create(report=hidden, kind="person", person=made["f"])
    made.update(first=first, second=second, hidden=hidden)
    return made


def labels(chart) -> set[str]:
    return {n.label.split(" (")[0] for n in chart.nodes.values()}


def test_hidden_nodes_are_left_out_and_paths_through_them_cut(web):
    compass = make_persona("compass_officer")
    chart = network.build(compass, web["a"], network.Filters(hops=3))
    ids = set(chart.nodes)
    assert f"person:{web['h'].pk}" not in ids and f"person:{web['b'].pk}" not in ids  # b only through h
    assert f"report:{web['hidden'].pk}" not in ids and f"person:{web['f'].pk}" not in ids
    assert {f"person:{web[n].pk}" for n in "acd"} <= ids
    # a, the first report (1 hop), its vehicle (2), the second report naming the vehicle (3); e would be 4
    assert "vehicle:AB12CDE" in ids and f"report:{web['second'].pk}" in ids and f"person:{web['e'].pk}" not in ids
    assert all(e.source in chart.nodes and e.target in chart.nodes for e in chart.edges)
    csu = make_persona("csu_investigator")
    seen = set(network.build(csu, web["a"], network.Filters(hops=3)).nodes)
    assert {f"person:{web['h'].pk}", f"person:{web['b'].pk}", f"report:{web['hidden'].pk}"} <= seen


def test_hops_types_confidence_and_dates_filter_the_chart(web):
    user = make_persona("compass_officer")
    one = network.build(user, web["a"], network.Filters(hops=1))
    assert f"person:{web['c'].pk}" in one.nodes and f"person:{web['d'].pk}" not in one.nodes
    confirmed = network.build(user, web["a"], network.Filters(hops=3, confidence="confirmed"))
    assert f"person:{web['c'].pk}" not in confirmed.nodes  # the a-c link is only tentative
    people_only = network.build(user, web["a"], network.Filters(hops=3, types=frozenset({"person"})))
    assert set(people_only.nodes) == {f"person:{web['a'].pk}", f"person:{web['c'].pk}"}
    later = network.build(user, web["a"], network.Filters(hops=1, types=frozenset({"person"}),
                                                        date_from=dt.date(2025, 7, 1)))
    assert set(later.nodes) == {f"person:{web['a'].pk}"}


def test_the_chart_page_shows_tables_and_measures_and_exports_what_is_shown(web):
    client = client_for(make_persona("compass_officer"))
    page = client.get(f"/intel/network/{web['a'].pk}/", {"hops": 3})
    assert page.status_code == 200
    text = page.content.decode()
    assert "NODEC" in text.upper() and "NODEH" not in text.upper() and "Betweenness" in text
    # The links table names each end as the chart labels it, never by the chart's internal key.
    links = text.split('id="chart-links"')[1].split("</table>")[0]
    assert "person:" not in links and "report:" not in links and "vehicle:" not in links
    assert "NODEC" in links.upper() and "AB12CDE" in links
    graphml = client.get(f"/intel/network/{web['a'].pk}/", {"hops": 3, "format": "graphml"})
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert f"person:{web['h'].pk}" not in graph and f"person:{web['d'].pk}" in graph
    assert {"degree", "betweenness", "community"} <= set(graph.nodes[f"person:{web['a'].pk}"])
    edges = client.get(f"/intel/network/{web['a'].pk}/", {"hops": 3, "format": "csv"}).content.decode()
    assert "AB12CDE" in edges and "NodeH" not in edges
    assert client.get(f"/intel/network/{web['a'].pk}/", {"hops": 9}).status_code == 400
    assert client.get(f"/intel/network/{web['h'].pk}/").status_code == 404


def test_the_person_page_shows_the_reports_naming_them_by_grade(web):
    page = client_for(make_persona("compass_officer")).get(f"/people/{web['a'].pk}/").content.decode()
    assert web["first"].reference in page and web["hidden"].reference not in page
    assert f"/intel/network/{web['a'].pk}/" in page
