"""Duplicate people: the model proposes, a reviewer decides, only a decision merges, and a merge is undone."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_persona
from tests.kit import client_for
from tests.people.factories import make_flag, make_person, make_role
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import Decision
from vcdhub.people import duplicates
from vcdhub.people.models import Address, DuplicatePair, Person

pytestmark = pytest.mark.django_db


def twins(unit_a="vcd-analysts", unit_b="vcd-analysts", sensitivity_b="OFFICIAL"):
    """Jon Smith and Jonathan Smyth, born the same day at the same address: one person, twice recorded."""
    a = make_person(unit_a, "OFFICIAL", given_name="Jon", surname="Smith", birth_year=1984, birth_month=3,
                    birth_day=7, sex="male")
    b = make_person(unit_b, sensitivity_b, given_name="Jonathan", surname="Smyth", birth_year=1984, birth_month=3,
                    birth_day=7, sex="male")
    c = make_person("vcd-analysts", "OFFICIAL", given_name="Mary", surname="Jones", birth_year=1990,
                    birth_month=1, birth_day=1, sex="female")
    with acting_as("test:setup"):
        for person in (a, b):
            Address.objects.create(person=person, street_number="12", address_1="Acre Lane", postcode="SW2 1AA")
    return a, b, c


@pytest.fixture
def analyst(london):
    return make_persona("vcd_analyst")


def queue(user=None):
    with acting_as("test"):
        return duplicates.propose_pairs(duplicates.find_duplicates(user=user, threshold=0.5))


def test_a_proposed_pair_is_decided_and_only_then_merged(analyst):
    a, b, c = twins()
    assert queue() == 1
    pair = DuplicatePair.objects.get()
    assert (pair.left, pair.right) == (a, b) and pair.probability > 0.9
    assert pair.evidence and pair.evidence[0][2] == max(e[2] for e in pair.evidence)  # strongest first
    assert Person.objects.get(pk=b.pk).merged_into is None  # proposing merges nothing
    make_role(b, "crime-9", "vcd-analysts", "OFFICIAL")
    client = client_for(analyst)
    page = client.get(f"/people/duplicates/{pair.pk}/")
    assert page.status_code == 200 and "Jonathan" in page.content.decode()
    assert client.post(f"/people/duplicates/{pair.pk}/", {"decision": "same"}).status_code == 400  # no reason
    response = client.post(f"/people/duplicates/{pair.pk}/", {"decision": "same", "reason": "Same DOB, address"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    decision = Decision.objects.get(object_type="people.duplicatepair", object_id=str(pair.pk))
    assert decision.kind == "merge_people" and decision.action_taken == "Same DOB, address"
    survivor = client.get(f"/people/{a.pk}/")
    assert [r["role"].crime_ref for r in survivor.context["roles"]] == ["crime-9"]  # the merged record's roles
    assert {p.pk for p in survivor.context["group"]} == {a.pk, b.pk}
    rows = client.get("/people/", {"name": "smith"}).context["rows"]
    assert [row["object"].source_id for row in rows] == [a.source_id]  # a merged record is not listed twice
    response = client.post(f"/people/{b.pk}/undo-merge/", {"reason": "Different NHS numbers found"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into is None and Person.objects.filter(pk=b.pk).exists()
    assert DuplicatePair.objects.get().status == "not_same"
    again = client.post(f"/people/{b.pk}/undo-merge/", {"reason": "Once more"})  # the kit's form page: a 400
    assert again.status_code == 400 and "This record is not merged into another." in again.content.decode()


def test_a_pair_decided_not_the_same_is_proposed_again_only_when_a_record_changes(analyst):
    a, b, c = twins()
    queue()
    pair = DuplicatePair.objects.get()
    with acting_as("test", user=analyst):
        duplicates.decide(analyst, pair, decision="not_same", reason="Twins, per custody record")
    assert queue() == 0
    assert DuplicatePair.objects.get().status == "not_same"
    with acting_as("test:setup"):
        b.given_name = "Johnny"
        b.save()
    assert queue() == 1
    assert DuplicatePair.objects.get().status == "proposed"


def test_a_decision_needs_both_records_visible_and_a_reason(analyst):
    a, b, c = twins(unit_b="csu", sensitivity_b="OFFICIAL-SENSITIVE")
    queue()  # the administrator's run sees everyone
    pair = DuplicatePair.objects.get()
    assert list(duplicates.queue_for(analyst)) == []  # the analyst may not see one of the two
    assert client_for(analyst).get(f"/people/duplicates/{pair.pk}/").status_code == 404
    supervisor = make_persona("vcd_supervisor")
    with acting_as("test", user=supervisor), pytest.raises(PermissionDenied):
        duplicates.decide(supervisor, pair, decision="same", reason="looks alike")
    csu_analyst = make_persona("csu_investigator")
    with pytest.raises(ValidationError) as refused:
        duplicates.decide(csu_analyst, pair, decision="maybe", reason="")
    assert set(refused.value.message_dict) == {"decision", "reason"}


def test_a_user_scores_only_the_people_they_may_see(analyst):
    twins(unit_b="csu", sensitivity_b="OFFICIAL-SENSITIVE")
    assert duplicates.find_duplicates(user=analyst, threshold=0.5).pairs == []
    assert len(duplicates.find_duplicates(user=None, threshold=0.5).pairs) == 1


def test_flags_of_every_merged_record_show_on_the_survivor(analyst):
    a, b, c = twins()
    make_flag(b, "vcd-analysts", "OFFICIAL", kind="weapons", detail="Knife, 2025")
    queue()
    with acting_as("test", user=analyst):
        duplicates.decide(analyst, DuplicatePair.objects.get(), decision="same", reason="Same person")
    assert "Knife, 2025" in client_for(analyst).get(f"/people/{a.pk}/").content.decode()
