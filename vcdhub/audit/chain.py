"""Appending to and verifying the hash chain.

Each entry's hash is sha256 over the previous entry's hash and a canonical serialisation of the
entry (sorted keys, no whitespace, UTC timestamps in ISO form). Editing, deleting or reordering any
row breaks the chain at that row, and `verify()` reports the first broken link.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from vcdhub.audit.context import Actor
from vcdhub.audit.models import AuditEntry, ChainHead

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "kind", "action", "actor", "user_id", "request_id", "ip", "object_type", "object_id",
                 "object_repr", "before", "after", "reason", "detail", "prev_hash")


def to_json_value(value):
    """Make a snapshot JSON-native, so what is hashed is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def canonical(entry: dict) -> bytes:
    data = {name: entry[name] for name in HASHED_FIELDS}
    at = data["at"]
    data["at"] = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if not isinstance(at, str) else at
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(entry["prev_hash"].encode("ascii") + canonical(entry)).hexdigest()


@dataclass
class NewEntry:
    kind: str
    action: str
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    before: dict | None = None
    after: dict | None = None
    reason: str = ""
    detail: dict | None = None


def append(actor: Actor, entries: Iterable[NewEntry]) -> list[AuditEntry]:
    """Append entries for one actor, in order, under the chain head's lock."""
    entries = list(entries)
    if not entries:
        return []
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        now = timezone.now()
        rows = []
        seq, prev = head.seq, head.hash
        for new in entries:
            seq += 1
            values = {
                "seq": seq, "at": now, "kind": new.kind, "action": new.action, "actor": actor.name,
                "user_id": actor.user_id, "request_id": actor.request_id, "ip": actor.ip,
                "object_type": new.object_type, "object_id": str(new.object_id),
                "object_repr": new.object_repr[:300], "before": to_json_value(new.before),
                "after": to_json_value(new.after), "reason": new.reason or actor.reason,
                "detail": to_json_value(new.detail or {}), "prev_hash": prev,
            }
            values["hash"] = entry_hash(values)
            prev = values["hash"]
            rows.append(AuditEntry(**values))
        AuditEntry.objects.bulk_create(rows, batch_size=1000)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return rows


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_seq: int | None = None
    problem: str = ""


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the whole chain. Stops at the first broken link and says what is wrong there."""
    expected_seq, prev = 1, GENESIS
    checked = 0
    values = AuditEntry.objects.order_by("seq").values(*HASHED_FIELDS, "hash")
    for row in values.iterator(chunk_size=chunk_size):
        if row["seq"] != expected_seq:
            problem = (f"entry {expected_seq} is missing (the next is {row['seq']})" if row["seq"] > expected_seq
                       else f"entry {row['seq']} is out of order")
            return VerifyResult(False, checked, _head_seq(), expected_seq, problem)
        if row["prev_hash"] != prev:
            return VerifyResult(False, checked, _head_seq(), row["seq"],
                                f"entry {row['seq']} does not follow entry {row['seq'] - 1} (moved or replaced)")
        if entry_hash(row) != row["hash"]:
            return VerifyResult(False, checked, _head_seq(), row["seq"],
                                f"entry {row['seq']} was altered after it was written")
        prev = row["hash"]
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return VerifyResult(False, checked, head.seq, checked + 1,
                            f"the chain ends at entry {checked} but its head says {head.seq}: entries were removed "
                            "from the end, or the head was altered")
    return VerifyResult(True, checked, checked)


def _head_seq() -> int:
    head = ChainHead.objects.filter(pk=1).first()
    return head.seq if head else 0


def anchor() -> dict:
    """The latest link, to be kept outside the system: a later verify proves the chain still holds it."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return {"seq": 0, "hash": GENESIS, "at": timezone.now().isoformat()}
    return {"seq": head.seq, "hash": head.hash, "at": timezone.now().isoformat()}


def check_anchor(saved: dict) -> tuple[bool, str]:
    if saved.get("seq", 0) == 0:
        return True, "the anchor predates the first entry"
    entry = AuditEntry.objects.filter(seq=saved["seq"]).values("hash").first()
    if entry is None:
        return False, f"entry {saved['seq']} named by the anchor is gone"
    if entry["hash"] != saved["hash"]:
        return False, f"entry {saved['seq']} no longer has the anchored hash"
    return True, f"entry {saved['seq']} still carries the anchored hash"
