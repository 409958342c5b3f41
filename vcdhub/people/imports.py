"""`vcdhub people import FILE.csv`: nominals from another system's CSV, all or nothing per file.

Every line is checked by the same actions the pages use (people.actions); if any line is wrong, nothing is
written and each wrong line is named with its number. A line whose person is already held, unchanged, changes
nothing, so importing a file twice is the same as importing it once. Memory does not grow with the file: rows
are read, checked and written one at a time inside the file's one transaction; at most MAX_ERRORS problems are
kept.
"""

import csv
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from vcdhub.access.markings import marking_errors
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.people import actions, normalise
from vcdhub.people.choices import IdentifierKind
from vcdhub.people.models import Address, Identifier, Person
from vcdhub.platform.actions import may_see, writable_units
from vcdhub.platform.csvimport import BadBytes, ImportRefused, ImportResult, check_header, decoded_lines
from vcdhub.platform.rowerrors import RowError

PERSON_COLUMNS = ["source_id", "given_name", "surname", "date_of_birth"]
ADDRESS_COLUMNS = ["street_number", "address_1", "address_2", "town", "postcode"]
IDENTIFIER_COLUMNS = list(IdentifierKind.values)  # pnc, cro, nhs, passport, driving_licence, custody
COLUMNS = PERSON_COLUMNS + ADDRESS_COLUMNS + IDENTIFIER_COLUMNS  # the documented schema, export's order
REQUIRED = {"source_id"}
MAX_ERRORS = 200
MAX_CELL = 1000  # characters: no field of the schema is longer


def import_people(path: Path, *, actor, marking: dict, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import `path` as `actor` (a user, or None for the machine's administrator), giving new people
    `marking` (owner_unit, sensitivity, descriptors, handling). Raises ImportRefused, having written nothing."""
    path = Path(path)
    limit = settings.VCDHUB_IMPORT_MAX_FILE_BYTES
    if path.stat().st_size > limit:
        raise ImportRefused([RowError(None, None, f"the file is larger than the limit of {limit:,} bytes")])
    wrong = marking_errors(marking.get("owner_unit", ""), marking.get("sensitivity", ""),
                           marking.get("descriptors", ""), units=writable_units(actor))
    if wrong:  # the marking new people would get: checked once, for the file, whatever its rows
        raise ImportRefused([RowError(None, field, message) for field, message in wrong.items()])
    errors: list[RowError] = []
    more = 0
    result = ImportResult()

    def problem(line: int | None, column: str | None, reason: str) -> None:
        nonlocal more
        if len(errors) < MAX_ERRORS:
            errors.append(RowError(line, column, reason))
        else:
            more += 1

    with path.open("rb") as raw, transaction.atomic():
        reader = csv.reader(decoded_lines(raw), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRefused([RowError(None, None, "the file is empty")])
            columns = _check_header(header)
            seen: dict[str, int] = {}
            line = reader.line_num
            for cells in reader:
                first_line, line = line + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                result.rows += 1
                _import_row(first_line, columns, cells, seen, actor, marking, result, problem)
                if progress is not None:
                    progress(result.rows)
        except BadBytes as exc:
            problem(exc.line, None, exc.reason)
        except csv.Error as exc:
            problem(reader.line_num, None, f"not readable as CSV: {exc}")
        if not errors and not result.rows:
            problem(None, None, "the file has a header but no rows")
        if errors:
            transaction.set_rollback(True)
            raise ImportRefused(errors, more)
        record_event(EntryKind.IMPORT, "import", object_type="people.person", object_id=path.name[:64],
                     reason=f"people imported from {path.name}",
                     detail={"rows": result.rows, "created": result.created, "changed": result.changed,
                             "unchanged": result.unchanged, "owner_unit": marking.get("owner_unit", "")})
    return result


def _check_header(header: list[str]) -> list[str]:
    return check_header(header, COLUMNS, REQUIRED)


def _import_row(line, columns, cells, seen, actor, marking, result, problem) -> None:
    if len(cells) != len(columns):
        problem(line, None, f"{len(cells)} cells where the header has {len(columns)} columns")
        return
    long = next((c for c, v in zip(columns, cells, strict=True) if len(v) > MAX_CELL), None)
    if long:
        problem(line, long, f"longer than {MAX_CELL:,} characters")
        return
    row = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
    source_id = row["source_id"]
    if not source_id:
        problem(line, "source_id", "required: the record's id in the system it came from")
        return
    if source_id in seen:
        problem(line, "source_id", f"{source_id[:64]!r} is also on line {seen[source_id]}")
        return
    seen[source_id] = line
    try:
        with transaction.atomic():
            _write_row(row, actor, marking, result)
    except ValidationError as exc:
        for column, messages in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
            problem(line, column, " ".join(messages))
    except PermissionDenied:
        problem(line, "source_id", "a record with this source_id exists and you may not see it")


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
