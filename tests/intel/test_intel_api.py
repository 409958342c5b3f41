"""Intelligence's search, link chart and proposals through the API: restricted and counted as the pages are."""

import pytest
from django.utils import timezone

from tests.conftest import make_persona
from tests.intel.factories import make_report
from tests.kit import client_for
from tests.people.factories import make_link, make_person
from vcdhub.audit.context import acting_as
from vcdhub.intel import search
from vcdhub.intel.models import LinkProposal
from vcdhub.people.models import PersonLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(london):
    return client_for(make_persona("vcd_analyst"))


def test_search_counts_only_what_the_user_may_see(analyst):
    make_report("csu", "OFFICIAL-SENSITIVE", text="A crossbow kept in the loft.")
    shown = make_report("vcd-analysts", "OFFICIAL", text="A crossbow was seen in the park.")
    parts = analyst.get("/api/intel-search/", {"q": "crossbows"}).json()
    reports = next(p for p in parts if p["name"] == "Intelligence reports")
    assert reports["count"] == 1 and [h["title"] for h in reports["hits"]] == [shown.reference]
    assert "<mark>crossbow</mark>" in reports["hits"][0]["snippet"]
    # No word in `q` (an empty one, only punctuation or spaces) searches nothing, without an error.
    for nothing in ("", "!!", " - ", "\u0301"):
        assert analyst.get("/api/intel-search/", {"q": nothing}).json() == [], nothing
    assert analyst.get("/api/intel-search/").json() == []


def test_search_finds_words_of_any_script_and_refuses_an_over_long_query_or_a_nul(analyst):
    # A word is letters or digits of any script: a query wholly outside ASCII is searched, not refused (the
    # schema's old pattern, `[^\W_]`, meant ASCII to a JSON Schema validator, so the two disagreed).
    shown = make_report("vcd-analysts", "OFFICIAL", text="Þórr and Сергей met at the café.")
    for word in ("Þórr", "Сергей", "CAFÉ"):
        parts = analyst.get("/api/intel-search/", {"q": word}).json()
        reports = next(p for p in parts if p["name"] == "Intelligence reports")
        assert [h["title"] for h in reports["hits"]] == [shown.reference], word
    longest = "knife " * (search.MAX_QUERY_LENGTH // 6) + "x" * (search.MAX_QUERY_LENGTH % 6)
    assert analyst.get("/api/intel-search/", {"q": longest}).status_code == 200
    for bad in (longest + "x", "knife\x00", ["knife", "!!"]):  # too long, a NUL, two values (the last was taken)
        refused = analyst.get("/api/intel-search/", {"q": bad})
        assert refused.status_code == 400 and list(refused.json()) == ["q"], bad


def test_the_chart_leaves_out_hidden_people_and_refuses_bad_filters(analyst):
    a, b = make_person("vcd-analysts", "OFFICIAL"), make_person("vcd-analysts", "OFFICIAL")
    hidden = make_person("csu", "OFFICIAL-SENSITIVE")
    make_link(a, b, "vcd-analysts", "OFFICIAL")
    make_link(a, hidden, "vcd-analysts", "OFFICIAL")
    chart = analyst.get(f"/api/intel-network/{a.pk}/", {"hops": 2}).json()
    assert {n["id"] for n in chart["nodes"]} == {f"person:{a.pk}", f"person:{b.pk}"}
    assert chart["edges"][0]["confidence"] == "confirmed" and chart["cut"] is False
    refused = analyst.get(f"/api/intel-network/{a.pk}/", {"hops": 5})
    assert refused.status_code == 400
    assert list(refused.json()) == ["hops"] and isinstance(refused.json()["hops"], list)  # the documented shape
    assert analyst.get(f"/api/intel-network/{hidden.pk}/").status_code == 404
    assert analyst.get("/api/intel-network/x%00/").status_code == 404


def test_a_proposal_is_listed_and_decided_through_the_api(analyst):
    a, b = make_person("vcd-analysts", "OFFICIAL"), make_person("vcd-analysts", "OFFICIAL")
    hidden = make_person("csu", "OFFICIAL-SENSITIVE")
    with acting_as("test:setup"):
        shown = LinkProposal.objects.create(person=a, other=b, basis="shared_phone", evidence="phone 07700900001",
                                            proposed_at=timezone.now(), owner_unit_id="vcd-analysts",
                                            sensitivity="OFFICIAL")
        LinkProposal.objects.create(person=a, other=hidden, basis="shared_phone", evidence="phone 07700900002",
                                    proposed_at=timezone.now(), owner_unit_id="vcd-analysts",
                                    sensitivity="OFFICIAL")
    listed = analyst.get("/api/intel-proposals/").json()
    assert [p["id"] for p in listed["results"]] == [shown.pk]
    url = f"/api/intel-proposals/{shown.pk}/decide/"
    assert analyst.post(url, {"decision": "confirmed"}, content_type="application/json").status_code == 400
    response = analyst.post(url, {"decision": "confirmed", "reason": "Same phone", "link_kind": "associate"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert PersonLink.objects.filter(person=a, other=b, confidence="confirmed").exists()
    investigator = client_for(make_persona("compass_officer"))
    assert investigator.post(url, {"decision": "rejected", "reason": "x"},
                             content_type="application/json").status_code in (403, 404)


def test_links_are_added_through_the_api_and_read_back_only_where_visible(london):
    from vcdhub.intel.models import ReportLink

    report = make_report("csu", "OFFICIAL", state="graded")
    shown, hidden = make_person("vcd-analysts", "OFFICIAL"), make_person("sapphire", "OFFICIAL-SENSITIVE")
    csu = client_for(make_persona("csu_investigator"))
    step = f"/api/intel-reports/{report.pk}/step/"
    response = csu.post(step, {"step": "link", "link_kind": "person", "value": shown.source_id},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["links"] == [{"kind": "person", "person": shown.pk, "other_report": None, "value": ""}]
    response = csu.post(step, {"step": "link", "link_kind": "person", "value": hidden.source_id},
                        content_type="application/json")
    assert response.status_code == 400 and "value" in response.json()
    assert csu.post(step, {"step": "link", "link_kind": "vehicle", "value": "ab12 cde"},
                    content_type="application/json").status_code == 200
    with acting_as("test:setup"):
        ReportLink.objects.create(report=report, kind="person", person=hidden)  # as another unit might
    compass = client_for(make_persona("compass_officer"))
    links = compass.get(f"/api/intel-reports/{report.pk}/").json()["links"]
    assert {(link["kind"], link["person"], link["value"]) for link in links} == {
        ("person", shown.pk, ""), ("vehicle", None, "AB12CDE")}
    listed = compass.get("/api/intel-reports/").json()["results"][0]["links"]
    assert len(listed) == 2
    assert compass.post(step, {"step": "link", "link_kind": "phone", "value": "07700900111"},
                        content_type="application/json").status_code == 403  # not Compass's report


def test_a_step_reads_only_its_own_fields_and_refuses_a_step_it_does_not_know(london):
    """A step's schema lists only what it reads, and the body may carry anything else; the API had checked every
    step's fields for every step, so a review with another step's long text beside it was refused."""
    report = make_report("csu", "OFFICIAL", state="submitted")
    analyst = client_for(make_persona("csu_analyst"))
    step = f"/api/intel-reports/{report.pk}/step/"
    response = analyst.post(step, {"step": "review", "source_evaluation": "far too long for a grade",
                                   "recipient_kind": 7}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "reviewed"
    for body in ({"step": "promote"}, {"step": 3}, {}):
        response = analyst.post(step, body, content_type="application/json")
        assert response.status_code == 400 and set(response.json()) == {"step"}
    assert analyst.post(step, ["review"], content_type="application/json").status_code == 400
