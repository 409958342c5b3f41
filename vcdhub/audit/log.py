"""What the rest of vcdhub calls to audit: changes, reads of sensitive records, denials, decisions."""

from collections.abc import Iterable

from django.db import models, transaction
from django.forms.models import model_to_dict

from vcdhub.audit import chain
from vcdhub.audit.chain import NewEntry
from vcdhub.audit.context import current_actor
from vcdhub.audit.models import Decision, EntryKind


def printable_id(text) -> str:
    """An id as a user typed it, fit to store: NUL bytes (which PostgreSQL text refuses) made visible, and
    cut to the column's 64 characters."""
    return str(text).replace("\x00", "\\x00")[:64]


def label(model_or_obj) -> str:
    meta = model_or_obj._meta
    return f"{meta.app_label}.{meta.model_name}"


def snapshot(obj: models.Model) -> dict:
    """Every concrete field's value, foreign keys as ids: what a version of the record looked like."""
    data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields])
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            data[field.name] = getattr(obj, field.attname)
    return data


def record_change(obj: models.Model, action: str, before: dict | None, after: dict | None, reason: str = "") -> None:
    chain.append(current_actor(), [NewEntry(
        EntryKind.CHANGE, action, label(obj), str(obj.pk), str(obj), before, after, reason)])


def record_event(kind: str, action: str, obj: models.Model | None = None, *, object_type: str = "",
                 object_id: str = "", reason: str = "", detail: dict | None = None) -> None:
    if obj is not None:
        object_type, object_id = label(obj), str(obj.pk)
    object_id = printable_id(object_id)
    chain.append(current_actor(), [NewEntry(kind, action, object_type, object_id,
                                            str(obj) if obj is not None else "", reason=reason, detail=detail)])


def record_reads(objects: Iterable[models.Model], channel: str, detail: dict | None = None) -> int:
    """One READ entry per OFFICIAL-SENSITIVE record in `objects` (detail view, API fetch, export row)."""
    entries = [
        NewEntry(EntryKind.READ, channel, label(obj), str(obj.pk), str(obj), detail=detail)
        for obj in objects if getattr(obj, "is_sensitive", False)
    ]
    chain.append(current_actor(), entries)
    return len(entries)


def record_denied(model, object_id: str, channel: str, detail: dict | None = None) -> None:
    """An attempt to reach a record the user may not see (or that does not exist: we cannot tell them apart)."""
    chain.append(current_actor(), [NewEntry(EntryKind.DENIED, channel, label(model), printable_id(object_id),
                                            detail=detail)])


def record_decision(obj: models.Model, *, kind: str, summary: str, information: str, threat_and_risk: str,
                    powers_and_policy: str, options: str, action_taken: str, review_date, decided_by) -> Decision:
    """Record a decision with its National Decision Model rationale, in the record's history."""
    with transaction.atomic():
        decision = Decision.objects.create(
            kind=kind, object_type=label(obj), object_id=str(obj.pk), summary=summary, information=information,
            threat_and_risk=threat_and_risk, powers_and_policy=powers_and_policy, options=options,
            action_taken=action_taken, review_date=review_date, decided_by=decided_by,
        )
        [entry] = chain.append(current_actor(), [NewEntry(
            EntryKind.DECISION, kind, label(obj), str(obj.pk), str(obj), after=snapshot(decision),
            reason=summary, detail={"decision_id": decision.pk})])
        # Linking the decision to its audit entry is the one write after creation (save() refuses edits).
        Decision.objects.filter(pk=decision.pk).update(audit_seq=entry.seq)
        decision.audit_seq = entry.seq
    return decision
