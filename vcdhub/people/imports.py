"""`vcdhub people import FILE.csv`: nominals from another system's CSV, all or nothing per file.

Every line is checked by the same actions the pages use (people.actions); if any line is wrong, nothing is
written and each wrong line is named with its number. A line whose person is already held, unchanged, changes
nothing, so importing a file twice is the same as importing it once. Memory does not grow with the file: rows
are read, checked and written one at a time inside the file's one transaction; at most MAX_ERRORS problems are
kept.
"""

from collections.abc import Callable
from pathlib import Path

from vcdhub.access.markings import marking_errors
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.people import actions, normalise
from vcdhub.people.choices import IdentifierKind
from vcdhub.people.models import Address, Identifier, Person
from vcdhub.platform.actions import may_see, writable_units
from vcdhub.platform.csvimport import ImportRefused, ImportResult, Schema, import_file
from vcdhub.platform.rowerrors import RowError

PERSON_COLUMNS = ["source_id", "given_name", "surname", "date_of_birth"]
ADDRESS_COLUMNS = ["street_number", "address_1", "address_2", "town", "postcode"]
IDENTIFIER_COLUMNS = list(IdentifierKind.values)  # pnc, cro, nhs, passport, driving_licence, custody
COLUMNS = PERSON_COLUMNS + ADDRESS_COLUMNS + IDENTIFIER_COLUMNS  # the documented schema, export's order
REQUIRED = {"source_id"}
MAX_CELL = 1000  # characters: no field of the schema is longer


SCHEMA = Schema(COLUMNS, REQUIRED, key="source_id", max_cell=MAX_CELL)


def import_people(path: Path, *, actor, marking: dict, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import `path` as `actor` (a user, or None for the machine's administrator), giving new people
    `marking` (owner_unit, sensitivity, descriptors, handling). Raises ImportRefused, having written nothing."""
    path = Path(path)
    wrong = marking_errors(marking.get("owner_unit", ""), marking.get("sensitivity", ""),
                           marking.get("descriptors", ""), units=writable_units(actor))
    if wrong:  # the marking new people would get: checked once, for the file, whatever its rows
        raise ImportRefused([RowError(None, field, message) for field, message in wrong.items()])
    result = ImportResult()
    with atomic_keeping_refusals():  # all or nothing, but a refused row's entry stays on the chain
        result.rows = import_file(path, SCHEMA, lambda row: _write_row(row, actor, marking, result),
                                  progress=progress)
        record_event(EntryKind.IMPORT, "import", object_type="people.person", object_id=path.name[:64],
                     reason=f"people imported from {path.name}",
                     detail={"rows": result.rows, "created": result.created, "changed": result.changed,
                             "unchanged": result.unchanged, "owner_unit": marking.get("owner_unit", "")})
    return result


def _write_row(row: dict, actor, marking: dict, result: ImportResult) -> None:
    values = {k: row[k] for k in PERSON_COLUMNS if k in row}
    person = Person.objects.filter(source_id=row["source_id"]).first()
    created = person is None
    changed = False
    if not created:
        may_see(actor, person)
    if created:
        person = actions.save_person(actor, {**values, **marking})
    elif _differs(person, values):
        actions.save_person(actor, values, person)  # a re-import keeps the person's marking
        changed = True
    address = {k: row.get(k, "") for k in ADDRESS_COLUMNS}
    if any(address.values()) and not _has_address(person, address):
        actions.add_address(actor, person, address)
        changed = True
    for kind in IDENTIFIER_COLUMNS:
        value = normalise.identifier(row.get(kind, ""))
        if value and not Identifier.objects.filter(person=person, kind=kind, value=value).exists():
            actions.add_identifier(actor, person, kind=kind, value=value)
            changed = True
    if created:
        result.created += 1
    elif changed:
        result.changed += 1
    else:
        result.unchanged += 1


def _differs(person: Person, values: dict) -> bool:
    try:
        year, month, day = normalise.parse_birth_date(values["date_of_birth"]) if "date_of_birth" in values \
            else (person.birth_year, person.birth_month, person.birth_day)
    except ValueError:
        return True  # save_person names what is wrong with the date
    return any(getattr(person, k) != values[k] for k in ("given_name", "surname") if k in values) \
        or (person.birth_year, person.birth_month, person.birth_day) != (year, month, day)


def _has_address(person: Person, address: dict) -> bool:
    wanted = {**address, "postcode": normalise.postcode(address.get("postcode", ""))}
    return Address.objects.filter(person=person, **wanted).exists()
