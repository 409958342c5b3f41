"""People for the people register's tests, made through the actions as a user would make them."""

import datetime as dt
import itertools

from vcdhub.audit.context import acting_as
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink

_numbers = itertools.count(1)


def make_person(unit: str = "csu", sensitivity: str = "OFFICIAL", **fields) -> Person:
    """A person owned by `unit` with that marking. Written directly (the actions are tested on their own)."""
    number = next(_numbers)
    values = {"source_id": f"T-{unit}-{number:05d}", "given_name": "Test", "surname": f"Person{number}",
              "birth_year": 1980, "birth_month": 1, "birth_day": 1 + number % 28, "fictitious": True, **fields}
    with acting_as("test:setup"):
        return Person.objects.create(owner_unit_id=unit, sensitivity=sensitivity,
                                     descriptors="PERSONAL" if sensitivity != "OFFICIAL" else "", **values)


def make_flag(person: Person, unit: str, sensitivity: str, kind: str = "violence", detail: str = "") -> Flag:
    with acting_as("test:setup"):
        return Flag.objects.create(person=person, kind=kind, detail=detail or f"flag-{next(_numbers)}",
                                   flagged_on=dt.date(2026, 1, 1), source="test", review_on=dt.date(2026, 7, 1),
                                   owner_unit_id=unit, sensitivity=sensitivity)


def make_role(person: Person, crime_ref: str, unit: str, sensitivity: str, role: str = "victim") -> CrimeRole:
    with acting_as("test:setup"):
        return CrimeRole.objects.create(person=person, crime_ref=crime_ref, role=role, owner_unit_id=unit,
                                        sensitivity=sensitivity)


def make_link(person: Person, other: Person, unit: str, sensitivity: str, kind: str = "associate") -> PersonLink:
    with acting_as("test:setup"):
        return PersonLink.objects.create(person=person, other=other, kind=kind, source=f"link-{next(_numbers)}",
                                         linked_on=dt.date(2026, 1, 1), confidence="confirmed",
                                         owner_unit_id=unit, sensitivity=sensitivity)


def make_place(person: Person, unit: str, sensitivity: str) -> PlaceLink:
    with acting_as("test:setup"):
        return PlaceLink.objects.create(person=person, kind="frequents", place=f"place-{next(_numbers)}",
                                        source="test", linked_on=dt.date(2026, 1, 1), confidence="tentative",
                                        owner_unit_id=unit, sensitivity=sensitivity)
