"""Every change to the people register: each takes the acting user, validates its input once, writes in a
transaction (the models' change log puts each write on the audit chain) and returns what it saved. Forms, the
API and the CLI only convert their input and call these.

Each new marked record states its owning unit and marking: nothing here defaults them to the public data's.
"""

import datetime as dt

from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.people import normalise
from vcdhub.people.choices import MappaCategory, MappaLevel
from vcdhub.people.models import Address, CrimeRole, Flag, Identifier, Person, PersonLink, PersonName, PlaceLink
from vcdhub.platform import fulltext
from vcdhub.platform.actions import audit_a_hidden_twin, check_and_save, marking_fields, may_see

PERSON_FIELDS = ("source_id", "given_name", "surname", "birth_estimated", "sex", "self_defined_ethnicity",
                 "officer_defined_ethnicity", "description", "distinguishing_marks", "fictitious")


def _lsoa(values: dict, errors: dict):
    """The loaded LSOA `values["lsoa"]` names (its ONS code), or None; an unknown code goes into `errors`."""
    from vcdhub.geography.models import Lsoa

    code = str(values.get("lsoa") or "").strip().upper()
    if not code:
        return None
    lsoa = Lsoa.objects.filter(code=code).first()
    if lsoa is None:
        errors["lsoa"] = [f"There is no LSOA {code[:12]!r} in the loaded geography."]
    return lsoa


def _birth(values: dict, errors: dict) -> tuple[int | None, int | None, int | None]:
    try:
        return normalise.parse_birth_date(str(values.get("date_of_birth") or ""))
    except ValueError as exc:
        errors["date_of_birth"] = str(exc)
        return None, None, None


def save_person(actor, values: dict, person: Person | None = None) -> Person:
    """Create a person (person=None) or change one. `values`: the PERSON_FIELDS, `date_of_birth` as
    YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY, and the marking (a change keeps the person's marking where `values`
    leaves it out)."""
    if person is not None:
        may_see(actor, person)
        values = {"owner_unit": person.owner_unit_id, "sensitivity": person.sensitivity,
                  "descriptors": person.descriptors, "handling": person.handling, **values}
    errors: dict = {}
    year, month, day = _birth(values, errors)
    marking = marking_fields(actor, values, errors)
    obj = person or Person()
    for field in PERSON_FIELDS:
        if field in values:
            value = values[field]
            setattr(obj, field, bool(value) if field in ("birth_estimated", "fictitious") else
                    str(value if value is not None else "").strip())
    obj.birth_year, obj.birth_month, obj.birth_day = year, month, day
    for field, value in marking.items():
        setattr(obj, field, value)
    if not obj.source_id:
        errors.setdefault("source_id", ["Give the record's id in the system it came from."])
    else:
        audit_a_hidden_twin(actor, obj, ("source_id",))  # the register holds each source id once
    return check_and_save(obj, errors, exclude=("merged_into",))


def add_name(actor, person: Person, *, kind: str, given_name: str = "", surname: str = "") -> PersonName:
    may_see(actor, person)
    name = PersonName(person=person, kind=kind, given_name=given_name.strip(), surname=surname.strip())
    errors = {} if (name.given_name or name.surname) else {"surname": ["Give at least one part of the name."]}
    with atomic_keeping_refusals():  # the name and its search entry together (after may_see: a refusal's entry stays)
        saved = check_and_save(name, errors)
        fulltext.index([person])  # an alias is found by full-text search too
    return saved


def add_identifier(actor, person: Person, *, kind: str, value: str) -> Identifier:
    may_see(actor, person)
    identifier = Identifier(person=person, kind=kind, value=normalise.identifier(value))
    errors = {} if identifier.value else {"value": ["Give the identifier."]}
    return check_and_save(identifier, errors)


def add_address(actor, person: Person, values: dict) -> Address:
    """An address; `lsoa` (an LSOA code) is optional. Dates are datetime.date or None."""
    may_see(actor, person)
    errors: dict = {}
    lsoa = _lsoa(values, errors)
    address = Address(person=person, lsoa=lsoa, postcode=normalise.postcode(values.get("postcode", "")),
                      date_from=values.get("date_from"), date_to=values.get("date_to"),
                      **{k: str(values.get(k) or "").strip() for k in ("street_number", "address_1", "address_2",
                                                                       "town")})
    if address.date_from and address.date_to and address.date_to < address.date_from:
        errors["date_to"] = ["The address cannot end before it starts."]
    if not str(address):
        errors.setdefault("address_1", ["Give at least one line of the address or its postcode."])
    return check_and_save(address, errors)


def add_flag(actor, person: Person, values: dict) -> Flag:
    """A warning marker with its own marking. MAPPA flags carry a category and a level; others carry none."""
    may_see(actor, person)
    errors: dict = {}
    marking = marking_fields(actor, values, errors)
    flag = Flag(person=person, kind=values.get("kind", ""), detail=str(values.get("detail") or "").strip(),
                mappa_category=values.get("mappa_category") or None, mappa_level=values.get("mappa_level") or None,
                flagged_on=values.get("flagged_on"), source=str(values.get("source") or "").strip(),
                review_on=values.get("review_on"), **marking)
    if flag.kind == "mappa":
        if flag.mappa_category not in MappaCategory.values:
            errors["mappa_category"] = ["A MAPPA flag needs its category (1, 2 or 3)."]
        if flag.mappa_level not in MappaLevel.values:
            errors["mappa_level"] = ["A MAPPA flag needs its level (1, 2 or 3)."]
    elif flag.mappa_category or flag.mappa_level:
        errors["mappa_category"] = ["Only a MAPPA flag has a category and a level."]
    if isinstance(flag.flagged_on, dt.date) and isinstance(flag.review_on, dt.date) \
            and flag.review_on < flag.flagged_on:
        errors["review_on"] = ["The review cannot come before the flag was set."]
    return check_and_save(flag, errors)


def add_crime_role(actor, person: Person, values: dict) -> CrimeRole:
    """The person's role in a crime, named by its Crime ID, which must be a crime the actor may see."""
    from vcdhub.crime.models import Crime

    may_see(actor, person)
    errors: dict = {}
    marking = marking_fields(actor, values, errors)
    crime_ref = str(values.get("crime_ref") or "").strip()
    crimes = Crime.objects.filter(crime_id=crime_ref) if crime_ref else Crime.objects.none()
    if actor is not None:
        crimes = crimes.restrict(actor)
    if not crime_ref or not crimes.exists():
        errors["crime_ref"] = ["No crime you may see has that Crime ID."]
    role = CrimeRole(person=person, crime_ref=crime_ref, role=values.get("role", ""),
                     recorded_on=values.get("recorded_on"), **marking)
    audit_a_hidden_twin(actor, role, ("person", "crime_ref", "role"))  # a role has its own marking
    return check_and_save(role, errors)


def link_people(actor, person: Person, other: Person, values: dict) -> PersonLink:
    may_see(actor, person)
    may_see(actor, other)
    errors: dict = {}
    marking = marking_fields(actor, values, errors)
    if person.pk == other.pk:
        errors["other"] = ["A person cannot be linked to themselves."]
    link = PersonLink(person=person, other=other, kind=values.get("kind", ""),
                      source=str(values.get("source") or "").strip(), linked_on=values.get("linked_on"),
                      confidence=values.get("confidence", ""), **marking)
    return check_and_save(link, errors)


def link_place(actor, person: Person, values: dict) -> PlaceLink:
    may_see(actor, person)
    errors: dict = {}
    marking = marking_fields(actor, values, errors)
    lsoa = _lsoa(values, errors)
    longitude, latitude = values.get("longitude"), values.get("latitude")
    if (longitude is None) != (latitude is None):
        errors["longitude"] = ["Give both the longitude and the latitude, or neither."]
    elif longitude is not None and not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        errors["longitude"] = ["That point is not on the Earth."]
    link = PlaceLink(person=person, kind=values.get("kind", ""), place=str(values.get("place") or "").strip(),
                     lsoa=lsoa, longitude=longitude, latitude=latitude,
                     source=str(values.get("source") or "").strip(), linked_on=values.get("linked_on"),
                     confidence=values.get("confidence", ""), **marking)
    return check_and_save(link, errors)
