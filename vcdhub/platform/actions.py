"""What every records module's actions share: the marking a new record states, the check before a save, and
the check that the actor may see what they act on. A module's own actions (`people.actions`, `intel.actions`)
call these; forms, the API and the CLI call the module's actions.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from vcdhub.access.markings import marking_errors, split_descriptors
from vcdhub.access.policy import can_see, profile
from vcdhub.audit.log import record_denied, record_event
from vcdhub.audit.models import EntryKind


class StateConflict(ValidationError):
    """A step the record's current state does not allow: done or decided already, or taken from the wrong state.
    A ValidationError, so a page shows it on its form as any other; the API answers 409 Conflict rather than
    400, since the request itself was well formed and another state would accept it (platform.api.answered)."""


def raise_problems(errors: dict, conflicts: dict, about=None) -> None:
    """Raise what is wrong, if anything, by field: the input's `errors` and the state's `conflicts` together as a
    ValidationError, or the conflicts alone, when the input is right, as a StateConflict: a refusal, on the
    audit chain against the record it is `about` (the case whose state refused the step)."""
    if errors:
        raise ValidationError({**conflicts, **errors})
    if conflicts:
        if about is not None:
            record_event(EntryKind.DENIED, "act", about, reason=" ".join(ValidationError(conflicts).messages)[:500])
        raise StateConflict(conflicts)


def writable_units(actor) -> frozenset[str] | None:
    """The units whose records `actor` may make: their own. None (any unit) for no user: a command run by the
    administrator of the machine, whose actor the audit chain names."""
    return None if actor is None else profile(actor).units


def marking_fields(actor, values: dict, errors: dict) -> dict:
    """The marking in `values` (owner_unit, sensitivity, descriptors, handling) as model fields; what is wrong
    with it goes into `errors`, by field, and {} is returned. The marking is stated, never defaulted."""
    marking = {"owner_unit": str(values.get("owner_unit") or ""), "sensitivity": str(values.get("sensitivity") or ""),
               "descriptors": ",".join(split_descriptors(str(values.get("descriptors") or ""))),
               "handling": str(values.get("handling") or "").strip()}
    wrong = marking_errors(marking["owner_unit"], marking["sensitivity"], marking["descriptors"],
                           units=writable_units(actor))
    errors.update({field: [message] for field, message in wrong.items()})
    if wrong:
        return {}
    return {"owner_unit_id" if k == "owner_unit" else k: v for k, v in marking.items()}


UNIQUENESS_CODES = {"unique", "unique_together"}  # Django's codes for a record that exists already


def check_and_save(obj, errors: dict | None = None, exclude: tuple[str, ...] = (), conflicts: dict | None = None,
                   about=None):
    """Model validation (lengths, choices, uniqueness) merged with the action's own `errors`, then save. A record
    that would only duplicate one that exists is a StateConflict (a 409 in the API): the input is right, but
    the records already held do not allow it; so are the action's own `conflicts` (a case's state), a refusal
    audited against the record they are `about`."""
    errors, duplicates = dict(errors or {}), dict(conflicts or {})
    # PostgreSQL cannot store a NUL character (SQLite would, silently); refused before full_clean, whose
    # uniqueness check would send it to the database.
    with_nul = [f.name for f in obj._meta.fields if "\x00" in str(getattr(obj, f.attname, "") or "")]
    if with_nul:
        raise ValidationError({**errors, **{name: ["Must not contain a NUL character."] for name in with_nul}})
    try:
        _full_clean(obj, set(exclude))
    except ValidationError as exc:
        for field, problems in exc.error_dict.items():
            found = duplicates if all(p.code in UNIQUENESS_CODES for p in problems) else errors
            found.setdefault("owner_unit" if field == "owner_unit_id" else field, ValidationError(problems).messages)
    raise_problems(errors, duplicates, about)
    obj.save()  # ChangeLoggedModel: the record and its change-log entry, in one transaction
    return obj


def _full_clean(obj, exclude: set[str]) -> None:
    """Model.full_clean, step for step, except that a foreign key to a record the caller holds is not queried
    (_held_relations): it is left out of the field checks only, and still takes part in the uniqueness and
    constraint checks (leaving it out of full_clean would skip every unique constraint that names it)."""
    errors: dict = {}
    try:
        obj.clean_fields(exclude={*exclude, *_held_relations(obj)})
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for check in (obj.validate_unique, obj.validate_constraints):  # over the fields that passed, as full_clean
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            check(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _held_relations(obj) -> list[str]:
    """Foreign keys whose related record the caller holds, read from or saved to the database. full_clean would
    query each to see that it exists (a query per key on every change), which the database's own constraint
    checks anyway. A key with a choice limit, or with no constraint in the database, is still checked."""
    held = []
    for field in obj._meta.concrete_fields:
        if not (field.many_to_one and field.db_constraint and not field.remote_field.limit_choices_to
                and field.is_cached(obj)):
            continue
        related = field.get_cached_value(obj)
        if (related is not None and not related._state.adding
                and getattr(related, field.target_field.attname) == getattr(obj, field.attname)):
            held.append(field.name)
    return held


def may_see(actor, record) -> None:
    """Refuse (PermissionDenied) an actor who may not see `record`, on the audit chain; no actor is the machine's
    administrator."""
    if actor is not None and not can_see(actor, record):
        record_denied(type(record), str(record.pk), "act")
        raise PermissionDenied("You may not see that record.")


def audit_a_hidden_twin(actor, record, fields: tuple[str, ...]) -> None:
    """Before saving a record that must be unique on `fields`: if a record the actor may not see has those values
    already, the save will be refused as a duplicate. That the twin exists cannot be hidden then, so the attempt
    goes on the audit chain as a refusal of that record, for an auditor to see who probes for hidden records."""
    if actor is None:
        return
    twin = type(record)._default_manager.filter(**{name: getattr(record, name) for name in fields}).exclude(
        pk=record.pk).first()
    if twin is not None and not can_see(actor, twin):
        record_denied(type(twin), str(twin.pk), "act", detail={"why": "the record being saved would duplicate it"})
