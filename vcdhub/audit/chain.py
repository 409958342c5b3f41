"""Appending to and verifying the hash chain.

Each entry's hash is sha256 over the previous entry's hash and a canonical serialisation of the
entry (sorted keys, no whitespace, UTC timestamps in ISO form). Editing, deleting or reordering any
row breaks the chain at that row, and `verify()` reports the first broken link. Removing the tail with the head
row, or rebuilding the chain without some entries, leaves links that hold: signed checkpoints (checkpoints.py)
find those.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from vcdhub.audit.context import Actor
from vcdhub.audit.models import AuditEntry, ChainHead, EntryKind

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


_after_append: list[Callable[[], None]] = []


def after_append(hook: Callable[[], None]) -> None:
    """Call `hook` after every append (the checkpoint schedule, registered by the app). A hook must be cheap and
    must never raise: it runs on the writer's request."""
    if hook not in _after_append:
        _after_append.append(hook)


# The refusals appended inside the innermost open `atomic_keeping_refusals` block, with their actors.
_refusals_inside: ContextVar[list[tuple["Actor", list["NewEntry"]]] | None] = ContextVar("refusals_inside",
                                                                                         default=None)


@contextmanager
def atomic_keeping_refusals() -> Iterator[None]:
    """`transaction.atomic()`, except that a refusal appended inside it stays on the chain when it rolls back: a
    write refused part way is undone, its refusal is not. Each is appended again after the rollback, with its
    actor, in order; inside an outer block of these, that block keeps them in turn. Use it for the transaction
    a whole write runs in (an API write, a page's save, an import), where a refusal deep in an action would
    otherwise go with the rollback."""
    outer, kept = _refusals_inside.get(), []
    token = _refusals_inside.set(kept)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _refusals_inside.reset(token)
        token = None
        for actor, entries in kept:
            append(actor, entries)  # kept by the outer block, if any, as it appends
        raise
    finally:
        if token is not None:  # committed, or released into the outer block's transaction: its to keep now
            _refusals_inside.reset(token)
            if outer is not None:
                outer.extend(kept)


def append(actor: Actor, entries: Iterable[NewEntry]) -> list[AuditEntry]:
    """Append entries for one actor, in order, under the chain head's lock."""
    entries = list(entries)
    if not entries:
        return []
    kept = _refusals_inside.get()
    if kept is not None:
        refusals = [entry for entry in entries if entry.kind == EntryKind.DENIED]
        if refusals:
            kept.append((actor, refusals))
    # No savepoint of its own inside a caller's transaction (two round trips fewer on PostgreSQL): if the append
    # fails, Django will not let that transaction commit.
    with transaction.atomic(savepoint=False):
        seq, prev = _locked_head()
        now = timezone.now()
        rows = []
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
            rows.append(values)
        _write(rows, seq, prev)
    for hook in _after_append:
        hook()
    return [AuditEntry(**values) for values in rows]


# Every write is audited, so an append is on the path of every change and every refusal. It is written in SQL of
# its own: through the ORM (get_or_create, bulk_create, save) it cost three times as much (docs/benchmarks.md).
_WRITTEN = (*HASHED_FIELDS, "hash")
# Up to this many entries go in one statement with the head's move on PostgreSQL; more, and a parameter for every
# value of every row (17 each) cost more than the round trip saved: an export's reads, 1,000 to an append, took
# 299 µs each so and about 150 µs through bulk_create (bench/audit.py, docs/benchmarks.md "Session 18").
ROWS_IN_ONE_STATEMENT = 20


def _locked_head() -> tuple[int, str]:
    """The head's sequence number and hash, its row locked until the transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway). The row is made on the first append."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_quoted(ChainHead)} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is not None:
        return row[0], row[1]
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    return head.seq, head.hash


def _write(rows: list[dict], seq: int, last_hash: str) -> None:
    move_head = f"UPDATE {_quoted(ChainHead)} SET seq = %s, hash = %s WHERE id = 1"  # noqa: S608
    postgresql = connection.vendor == "postgresql"
    if postgresql and len(rows) > ROWS_IN_ONE_STATEMENT:
        # A batch (an export's reads): Django sends many rows to PostgreSQL as one array a column (UNNEST).
        AuditEntry.objects.bulk_create([AuditEntry(**row) for row in rows], batch_size=1000)
        with connection.cursor() as cursor:
            cursor.execute(move_head, [seq, last_hash])
        return
    fields = [AuditEntry._meta.get_field(name) for name in _WRITTEN]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [[f.get_db_prep_save(row[f.name], connection) for f in fields] for row in rows]
    insert = f"INSERT INTO {_quoted(AuditEntry)} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if postgresql:  # one round trip: the rows and the head in one statement
            values = ", ".join([f"({placeholders})"] * len(rows))
            cursor.execute(f"WITH written AS ({insert}{values}) {move_head}",
                           [value for row in params for value in row] + [seq, last_hash])
        else:
            cursor.executemany(f"{insert}({placeholders})", params)
            cursor.execute(move_head, [seq, last_hash])


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_seq: int | None = None
    problem: str = ""


def walk(after_seq: int = 0, after_hash: str = GENESIS, *, head: tuple[int, str] | None = None,
         chunk_size: int = 5000) -> tuple[VerifyResult, str]:
    """Check every entry after `after_seq`, starting from that entry's hash (the genesis hash from the start),
    and that the chain ends where its head says. With `head` (a (seq, hash) read beforehand) only the entries up
    to it are walked, so entries appended meanwhile are not mistaken for a broken head. Returns the result and
    the hash of the last entry checked; stops at the first broken link."""
    expected_seq, prev = after_seq + 1, after_hash
    checked = 0
    rows = AuditEntry.objects.filter(seq__gt=after_seq)
    if head is not None:
        rows = rows.filter(seq__lte=head[0])
    values = rows.order_by("seq").values(*HASHED_FIELDS, "hash")
    for row in values.iterator(chunk_size=chunk_size):
        if row["seq"] != expected_seq:
            problem = (f"entry {expected_seq} is missing (the next is {row['seq']})" if row["seq"] > expected_seq
                       else f"entry {row['seq']} is out of order")
            return VerifyResult(False, checked, _head_seq(), expected_seq, problem), prev
        if row["prev_hash"] != prev:
            return VerifyResult(False, checked, _head_seq(), row["seq"],
                                f"entry {row['seq']} does not follow entry {row['seq'] - 1} (moved or replaced)"), prev
        if entry_hash(row) != row["hash"]:
            return VerifyResult(False, checked, _head_seq(), row["seq"],
                                f"entry {row['seq']} was altered after it was written"), prev
        prev = row["hash"]
        expected_seq += 1
        checked += 1
    last = after_seq + checked
    if head is None:
        row = ChainHead.objects.filter(pk=1).first()
        head = (row.seq, row.hash) if row else None
    if head and (head[0] != last or head[1] != prev):
        return VerifyResult(False, checked, head[0], last + 1,
                            f"the chain ends at entry {last} but its head says {head[0]}: entries were removed "
                            "from the end, or the head was altered"), prev
    return VerifyResult(True, checked, last), prev


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the whole chain. Stops at the first broken link and says what is wrong there."""
    return walk(chunk_size=chunk_size)[0]


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
