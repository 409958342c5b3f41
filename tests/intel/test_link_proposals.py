"""Proposed links: made from shared evidence, never for people already linked or for evidence decided on, shown
only with both people visible, and turned into a link only by an audited decision."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests.conftest import make_persona
from tests.intel.factories import make_report
from tests.kit import client_for
from tests.people.factories import make_link, make_person, make_role
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import Decision
from vcdhub.intel import proposals
from vcdhub.intel.models import LinkProposal, ReportLink
from vcdhub.people.models import Address, PersonLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(london):
    p = {name: make_person("vcd-analysts", "OFFICIAL", surname=f"Prop{name}") for name in "abcdefg"}
    p["h"] = make_person("csu", "OFFICIAL-SENSITIVE", surname="Prophidden")
    make_role(p["a"], "crime-9", "vcd-analysts", "OFFICIAL", role="suspect")
    make_role(p["b"], "crime-9", "vcd-analysts", "OFFICIAL", role="convicted")
    make_role(p["g"], "crime-9", "vcd-analysts", "OFFICIAL", role="victim")  # a victim is not a co-offender
    make_link(p["a"], p["b"], "vcd-analysts", "OFFICIAL")  # a and b are linked already
    make_role(p["h"], "crime-9", "csu", "OFFICIAL-SENSITIVE", role="suspect")
    first, second = make_report("vcd-analysts", "OFFICIAL"), make_report("csu", "OFFICIAL-SENSITIVE")
    with acting_as("test:setup"):
        for report, person in ((first, p["c"]), (first, p["d"]), (second, p["e"])):
            ReportLink.objects.create(report=report, kind="person", person=person)
        ReportLink.objects.create(report=first, kind="phone", value="07700900123")
        ReportLink.objects.create(report=second, kind="phone", value="07700900123")
        for person in (p["f"], p["g"]):
            Address.objects.create(person=person, address_1="3 Acre Lane", postcode="SW2 5SG")
    return p


def pairs(basis):
    return {(x.person.surname, x.other.surname) for x in LinkProposal.objects.filter(basis=basis)}


def test_proposals_come_from_shared_evidence_and_skip_linked_pairs(evidence):
    with acting_as("test"):
        made = proposals.propose_links()
    assert pairs("co_offending") == {("Propa", "Prophidden"), ("Propb", "Prophidden")}  # a-b linked already
    assert pairs("named_together") == {("Propc", "Propd")}
    assert pairs("shared_phone") == {("Propc", "Propd"), ("Propc", "Prope"), ("Propd", "Prope")}
    assert pairs("shared_address") == {("Propf", "Propg")}
    assert made == LinkProposal.objects.count() == 7
    hidden_report = LinkProposal.objects.get(basis="shared_phone", other__surname="Prope", person__surname="Propc")
    assert (hidden_report.owner_unit_id, hidden_report.sensitivity) == ("vcd-analysts", "OFFICIAL-SENSITIVE")
    with acting_as("test"):
        assert proposals.propose_links() == 0  # nothing new


def test_the_queue_shows_only_proposals_with_both_people_visible(evidence):
    with acting_as("test"):
        proposals.propose_links()
    analyst = make_persona("vcd_analyst")
    shown = {(x.person.surname, x.other.surname) for x in proposals.queue_for(analyst)}
    assert ("Propa", "Prophidden") not in shown and ("Propf", "Propg") in shown
    page = client_for(analyst).get("/intel/proposals/").content.decode()
    assert "Prophidden".upper() not in page.upper()


def test_a_confirmation_is_a_decision_and_makes_the_link_and_a_rejection_is_not_proposed_again(evidence):
    with acting_as("test"):
        proposals.propose_links()
    analyst = make_persona("vcd_analyst")
    pair = LinkProposal.objects.get(basis="shared_address")
    with pytest.raises(ValidationError) as refused:
        with acting_as("test", user=analyst):
            proposals.decide(analyst, pair, decision="confirmed", reason="")
    assert "reason" in refused.value.message_dict
    client = client_for(analyst)
    response = client.post(f"/intel/proposals/{pair.pk}/decide/", {"decision": "confirmed", "kind": "family",
                                                                    "reason": "Same flat, same surname on the lease"})
    assert response.status_code == 302
    pair.refresh_from_db()
    link = PersonLink.objects.get(pk=pair.link_id)
    assert (link.kind, link.confidence, pair.status) == ("family", "confirmed", "confirmed")
    assert Decision.objects.filter(kind="confirm_link", object_id=str(pair.pk)).exists()
    other = LinkProposal.objects.get(basis="named_together")
    client.post(f"/intel/proposals/{other.pk}/decide/", {"decision": "rejected", "reason": "Different cases"})
    with acting_as("test"):
        proposals.propose_links()
    assert LinkProposal.objects.filter(basis="named_together").count() == 1
    investigator = make_persona("compass_officer")
    with pytest.raises(PermissionDenied):
        with acting_as("test", user=investigator):
            proposals.decide(investigator, LinkProposal.objects.filter(status="proposed").first(),
                             decision="rejected", reason="no")


def test_the_cli_proposes_links(evidence):
    out = io.StringIO()
    call_command("intel", "propose-links", stdout=out)
    assert "7 new link proposals" in out.getvalue()
