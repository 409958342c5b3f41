"""The people register's actions: each rule, field by field, and hostile input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_persona
from tests.people.factories import make_person
from vcdhub.audit.context import acting_as
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.people import actions, normalise
from vcdhub.people.models import Person

pytestmark = pytest.mark.django_db
MARKING = {"owner_unit": "csu", "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "personal"}


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def investigator(london):
    return make_persona("csu_investigator")


def save(user, **values):
    with acting_as("test", user=user):
        return actions.save_person(user, {"source_id": "S-1", **MARKING, **values})


def test_a_person_is_saved_with_the_marking_stated_and_the_change_audited(investigator):
    person = save(investigator, given_name="Jon", surname="Smith", date_of_birth="19840307")
    assert (person.birth_year, person.birth_month, person.birth_day) == (1984, 3, 7)
    assert (person.owner_unit_id, person.sensitivity, person.descriptors) == ("csu", "OFFICIAL-SENSITIVE",
                                                                              "PERSONAL")
    assert (person.given_key, person.surname_key, person.surname_sound) == ("jon", "smith", "SM0")
    assert AuditEntry.objects.filter(kind=EntryKind.CHANGE, object_type="people.person",
                                     object_id=str(person.pk)).exists()


def test_each_wrong_field_is_named_and_nothing_is_written(investigator):
    errors = errors_of(lambda: save(investigator, source_id="", date_of_birth="1984-02-30", owner_unit="sapphire",
                                    sensitivity="SECRET", descriptors="PERSONAL,NOSY", sex="robot"))
    assert set(errors) == {"source_id", "date_of_birth", "owner_unit", "sensitivity", "descriptors", "sex"}
    assert "does not exist" in errors["date_of_birth"][0]
    assert "your own units" in errors["owner_unit"][0]
    assert not Person.objects.exists()


def test_the_marking_is_never_defaulted(investigator):
    with acting_as("test", user=investigator):
        errors = errors_of(lambda: actions.save_person(investigator, {"source_id": "S-2"}))
    assert {"owner_unit", "sensitivity"} <= set(errors)


def test_a_source_id_is_used_once(investigator):
    save(investigator)
    assert "source_id" in errors_of(lambda: save(investigator))


@pytest.mark.parametrize("text, expected", [
    ("1984-03-07", (1984, 3, 7)), ("19840307", (1984, 3, 7)), ("1984-03", (1984, 3, None)),
    ("1984", (1984, None, None)), ("", (None, None, None)), ("  1984-03-07 ", (1984, 3, 7))])
def test_dates_of_birth_may_be_partial(text, expected):
    assert normalise.parse_birth_date(text) == expected


@pytest.mark.parametrize("text", ["07/03/1984", "1984-13", "1899", "2999-01-01", "1984-02-30", "١٩٨٤", "84-03-07"])
def test_impossible_dates_of_birth_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match=r"\w"):
        normalise.parse_birth_date(text, today=dt.date(2026, 11, 30))


@pytest.mark.parametrize("text, expected", [
    ("sw1a1aa", "SW1A 1AA"), (" SW1A  1AA ", "SW1A 1AA"), ("e1 6an", "E1 6AN"), ("SW2", "SW2"),
    ("75008", "75008"), ("D02 X285", "D02 X285"), ("", "")])
def test_postcodes_are_tidied_never_refused(text, expected):
    assert normalise.postcode(text) == expected


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_is_a_date_or_a_clear_refusal(text):
    try:
        year, month, day = normalise.parse_birth_date(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert year is None or 1900 <= year


@given(given_name=st.text(max_size=150), surname=st.text(max_size=150), source_id=st.text(max_size=80),
       postcode=st.text(max_size=30))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_hostile_names_are_saved_or_refused_by_field_never_an_error(investigator, given_name, surname, source_id,
                                                                     postcode):
    with acting_as("test", user=investigator):
        try:
            person = actions.save_person(investigator, {"source_id": source_id, "given_name": given_name,
                                                        "surname": surname, **MARKING})
        except ValidationError as exc:
            assert set(exc.message_dict) <= {"source_id", "given_name", "surname"}
            return
        try:
            actions.add_address(investigator, person, {"postcode": postcode, "address_1": "1 High Street"})
        except ValidationError as exc:
            assert set(exc.message_dict) <= {"postcode"}
    person.refresh_from_db()
    assert person.given_name == given_name.strip() and person.surname == surname.strip()


def test_flags_follow_the_mappa_rules_and_their_dates(investigator):
    person = save(investigator)
    base = {**MARKING, "kind": "mappa", "flagged_on": dt.date(2026, 1, 1), "review_on": dt.date(2025, 1, 1),
            "source": "MAPPA coordinator"}
    with acting_as("test", user=investigator):
        errors = errors_of(lambda: actions.add_flag(investigator, person, base))
        assert {"mappa_category", "mappa_level", "review_on"} <= set(errors)
        flag = actions.add_flag(investigator, person, {**base, "mappa_category": 2, "mappa_level": 1,
                                                       "review_on": dt.date(2026, 6, 1)})
        assert flag.get_mappa_category_display().startswith("Category 2")
        errors = errors_of(lambda: actions.add_flag(investigator, person, {**base, "kind": "weapons",
                                                                          "mappa_level": 2,
                                                                          "review_on": dt.date(2026, 6, 1)}))
        assert "mappa_category" in errors


@pytest.fixture
def crimes(london, street_sample):
    from vcdhub.ingest.pipeline import run_import

    assert run_import([street_sample(50)], actor="test").ok


def test_a_role_names_a_crime_the_actor_may_see(investigator, crimes):
    from vcdhub.crime.models import Crime

    crime = Crime.objects.exclude(crime_id="").first()
    person = save(investigator)
    with acting_as("test", user=investigator):
        role = actions.add_crime_role(investigator, person, {**MARKING, "crime_ref": crime.crime_id,
                                                             "role": "victim"})
        assert role.crime_ref == crime.crime_id
        with acting_as("test:setup"):
            Crime.objects.filter(pk=crime.pk).update(owner_unit_id="sapphire", sensitivity="OFFICIAL-SENSITIVE")
        errors = errors_of(lambda: actions.add_crime_role(investigator, person, {
            **MARKING, "crime_ref": crime.crime_id, "role": "suspect"}))
        assert errors["crime_ref"] == ["No crime you may see has that Crime ID."]  # the same as no such crime
        assert "crime_ref" in errors_of(lambda: actions.add_crime_role(investigator, person, {
            **MARKING, "crime_ref": "no-such-crime", "role": "suspect"}))


def test_a_role_that_duplicates_a_hidden_one_is_a_conflict_and_an_audited_refusal(investigator, crimes):
    """A role has its own marking, so another unit's role may be hidden from a writer who sees the person. The
    same role again is refused as a duplicate, which cannot help saying that one exists: the attempt is on the
    chain as a refusal of that hidden role."""
    from tests.people.factories import make_role
    from vcdhub.crime.models import Crime
    from vcdhub.platform.actions import StateConflict

    crime = Crime.objects.exclude(crime_id="").first()
    person = save(investigator)
    hidden = make_role(person, crime.crime_id, "sapphire", "OFFICIAL-SENSITIVE", role="suspect")
    with acting_as("test", user=investigator), pytest.raises(StateConflict):
        actions.add_crime_role(investigator, person, {**MARKING, "crime_ref": crime.crime_id, "role": "suspect"})
    assert AuditEntry.objects.filter(kind=EntryKind.DENIED, object_type="people.crimerole",
                                     object_id=str(hidden.pk)).count() == 1


def test_a_person_another_unit_holds_cannot_be_added_to(investigator, london):
    hidden = make_person("sapphire", "OFFICIAL-SENSITIVE")
    with acting_as("test", user=investigator), pytest.raises(PermissionDenied):
        actions.add_name(investigator, hidden, kind="alias", given_name="Ghost")


def test_a_name_is_not_kept_without_its_search_entry(investigator, monkeypatch):
    """The name and its full-text entry are one change: add_to_person's page no longer wraps its action in a
    transaction of its own (platform.pages.form_page does not), so the action does."""
    from vcdhub.people.models import PersonName
    from vcdhub.platform import fulltext

    person = save(investigator)

    def broken(objects):
        raise RuntimeError("the index failed")

    monkeypatch.setattr(fulltext, "index", broken)
    with acting_as("test", user=investigator), pytest.raises(RuntimeError):
        actions.add_name(investigator, person, kind="alias", given_name="Ghost")
    assert not PersonName.objects.filter(person=person, given_name="Ghost").exists()


def test_a_link_joins_two_different_people(investigator):
    person = save(investigator)
    base = {**MARKING, "kind": "associate", "source": "intel", "linked_on": dt.date(2026, 1, 1),
            "confidence": "tentative"}
    with acting_as("test", user=investigator):
        assert "other" in errors_of(lambda: actions.link_people(investigator, person, person, base))
        other = actions.save_person(investigator, {"source_id": "S-9", **MARKING})
        assert actions.link_people(investigator, person, other, base).other == other
        assert "confidence" in errors_of(lambda: actions.link_people(investigator, person, other,
                                                                      {**base, "confidence": "sure"}))


def test_an_address_or_place_is_placed_by_a_loaded_lsoa_code(investigator):
    from vcdhub.geography.models import Lsoa

    lsoa = Lsoa.objects.select_related("ward", "borough").order_by("code").first()
    person = save(investigator)
    with acting_as("test", user=investigator):
        address = actions.add_address(investigator, person, {"address_1": "1 High St", "lsoa": lsoa.code.lower()})
        assert (address.lsoa.ward, address.lsoa.borough) == (lsoa.ward, lsoa.borough)
        assert errors_of(lambda: actions.add_address(investigator, person, {"address_1": "x", "lsoa": "E0199"})) \
            == {"lsoa": ["There is no LSOA 'E0199' in the loaded geography."]}
        errors = errors_of(lambda: actions.link_place(investigator, person, {
            **MARKING, "kind": "frequents", "place": "Corner shop", "lsoa": "nowhere", "longitude": 200.0,
            "latitude": 51.5, "source": "obs", "linked_on": dt.date(2026, 1, 1), "confidence": "tentative"}))
        assert {"lsoa", "longitude"} <= set(errors)
        assert errors_of(lambda: actions.add_address(investigator, person, {
            "address_1": "x", "date_from": dt.date(2026, 2, 1), "date_to": dt.date(2026, 1, 1)})) == {
            "date_to": ["The address cannot end before it starts."]}
