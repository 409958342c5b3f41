"""The people API's writes: through the actions, refused field by field, restricted like the pages."""

import pytest

from tests.conftest import make_persona
from tests.kit import client_for
from tests.people.factories import make_person
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.people.models import Flag, Person

pytestmark = pytest.mark.django_db
MARKING = {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL"}


@pytest.fixture
def investigator(london):
    return client_for(make_persona("csu_investigator"))


def test_a_person_and_a_flag_are_made_and_refused_field_by_field(investigator):
    response = investigator.post("/api/people/", {"source_id": "API-1", "given_name": "Ann", "surname": "Lee",
                                                  "date_of_birth": "19900230", **MARKING},
                                 content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"date_of_birth"}
    response = investigator.post("/api/people/", {"source_id": "API-1", "given_name": "Ann", "surname": "Lee",
                                                  "date_of_birth": "1990-02-28", **MARKING},
                                 content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["born"], body["owner_unit"], body["fictitious"]) == ("1990-02-28", "csu", False)
    person = Person.objects.get(source_id="API-1")
    # The same record again is well formed, but the register holds it already: a 409 by field. With a field
    # wrong too, it is a 400 that names both.
    again = {"source_id": "API-1", "surname": "Lee", **MARKING}
    response = investigator.post("/api/people/", again, content_type="application/json")
    assert response.status_code == 409 and set(response.json()) == {"source_id"}
    response = investigator.post("/api/people/", {**again, "date_of_birth": "1990-02-30"},
                                 content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"source_id", "date_of_birth"}
    assert Person.objects.filter(source_id="API-1").count() == 1
    response = investigator.post("/api/person-flags/", {"person": person.pk, "kind": "mappa", "flagged_on":
                                                        "2026-11-01", "review_on": "2027-05-01", "source": "MAPPA",
                                                        **MARKING}, content_type="application/json")
    assert response.status_code == 400 and {"mappa_category", "mappa_level"} <= set(response.json())
    response = investigator.post("/api/person-flags/", {"person": person.pk, "kind": "mappa", "mappa_category": 1,
                                                        "mappa_level": 2, "flagged_on": "2026-11-01",
                                                        "review_on": "2027-05-01", "source": "MAPPA", **MARKING},
                                 content_type="application/json")
    assert response.status_code == 201 and Flag.objects.get().mappa_level == 2
    response = investigator.patch(f"/api/people/{person.pk}/", {"surname": "Leigh"},
                                  content_type="application/json")
    assert response.status_code == 200 and Person.objects.get().surname == "Leigh"
    assert Person.objects.get().birth_day == 28  # a change leaves the date of birth as it was


def test_another_units_person_cannot_be_written_to(investigator):
    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    response = investigator.post("/api/person-flags/", {"person": hidden.pk, "kind": "weapons", "flagged_on":
                                                        "2026-11-01", "review_on": "2027-05-01", "source": "x",
                                                        **MARKING}, content_type="application/json")
    assert response.status_code == 400
    missing = investigator.post("/api/person-flags/", {"person": 10**9, "kind": "weapons", "flagged_on":
                                                       "2026-11-01", "review_on": "2027-05-01", "source": "x",
                                                       **MARKING}, content_type="application/json")
    # A hidden person and no person answer alike, and both attempts are audited refusals.
    assert response.json()["person"][0].replace(str(hidden.pk), "N") == missing.json()["person"][0].replace(
        str(10**9), "N")
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person",
                                     object_id=str(hidden.pk)).exists()
    assert investigator.patch(f"/api/people/{hidden.pk}/", {"surname": "X"},
                              content_type="application/json").status_code == 404
    assert investigator.delete(f"/api/people/{hidden.pk}/").status_code == 405  # people are merged, not deleted


def test_a_source_id_a_hidden_person_holds_is_a_conflict_and_an_audited_refusal(investigator):
    """The register holds each source id once, so the writer learns the id is taken; who tried is on the chain,
    though the write's transaction is rolled back."""
    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    response = investigator.post("/api/people/", {"source_id": hidden.source_id, "surname": "Lee", **MARKING},
                                 content_type="application/json")
    assert response.status_code == 409 and set(response.json()) == {"source_id"}
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.person",
                                     object_id=str(hidden.pk)).count() == 1
    seen = make_person("csu", "OFFICIAL")  # one the writer may see: a plain duplicate, no refusal
    assert investigator.post("/api/people/", {"source_id": seen.source_id, "surname": "Lee", **MARKING},
                             content_type="application/json").status_code == 409
    assert not AuditEntry.objects.filter(kind=EntryKind.DENIED, object_id=str(seen.pk)).exists()


def test_an_aggregate_reader_may_not_write(london):
    client = client_for(make_persona("authority_member"))
    assert client.post("/api/people/", {"source_id": "X", **MARKING},
                       content_type="application/json").status_code == 403
