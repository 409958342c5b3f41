"""People in the import schema (people.imports.COLUMNS): what `vcdhub people export` writes, so an export
imports again unchanged."""

import csv
from collections.abc import Iterable

from django.db.models import Prefetch

from vcdhub.people.imports import ADDRESS_COLUMNS, COLUMNS, IDENTIFIER_COLUMNS
from vcdhub.people.models import Address, Person
from vcdhub.platform.csvsafe import safe_cell


def person_row(person: Person) -> list[str]:
    """One person as a row: their latest address and the first identifier of each kind."""
    addresses = list(person.addresses.all())
    address = addresses[0] if addresses else None
    identifiers: dict[str, str] = {}
    for identifier in sorted(person.identifiers.all(), key=lambda i: i.pk):
        identifiers.setdefault(identifier.kind, identifier.value)
    return ([person.source_id, person.given_name, person.surname, person.date_of_birth]
            + [getattr(address, c) if address else "" for c in ADDRESS_COLUMNS]
            + [identifiers.get(kind, "") for kind in IDENTIFIER_COLUMNS])


def write_people(queryset, stream, *, spreadsheet_safe: bool = False) -> int:
    """Write the header and one row per person of `queryset` to `stream`; the number of people."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    people: Iterable[Person] = queryset.order_by("pk").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("-date_from", "-pk")), "identifiers"
    ).iterator(chunk_size=2000)
    for person in people:
        row = person_row(person)
        writer.writerow([safe_cell(v) for v in row] if spreadsheet_safe else row)
        count += 1
    return count
