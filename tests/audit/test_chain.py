"""The audit chain: appends link up, and editing, deleting or reordering rows behind the app's back is found."""

import json
import subprocess
import sys
import threading
from unittest import mock

import pytest
from django.db import DatabaseError, connection, connections, transaction

from vcdhub.audit import chain
from vcdhub.audit.chain import GENESIS, entry_hash, verify
from vcdhub.audit.context import UnattributedError, acting_as, current_actor
from vcdhub.audit.log import record_event
from vcdhub.audit.models import AppendOnlyError, AuditEntry, EntryKind

pytestmark = pytest.mark.django_db


def _entries(n=6):
    with acting_as("test:auditor", reason="testing the chain"):
        for i in range(n):
            record_event("access", "test", object_type="test.thing", object_id=str(i),
                         detail={"i": i, "text": "café – ünïcode", "nested": {"b": 1, "a": [1.5, None]}})


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_link_each_to_the_one_before():
    _entries()
    rows = list(AuditEntry.objects.order_by("seq").values())
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    for row in rows:
        assert entry_hash(row) == row["hash"]  # recomputed from what the database gives back
    assert rows[2]["actor"] == "test:auditor" and rows[2]["reason"] == "testing the chain"
    result = verify()
    assert result.ok and result.checked == 6


def test_nothing_is_written_without_an_actor():
    with pytest.raises(UnattributedError):
        record_event("access", "test")


def test_the_app_cannot_edit_or_delete_entries():
    _entries(1)
    entry = AuditEntry.objects.get()
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(reason="x")
    assert verify().ok


@pytest.mark.parametrize("field,value", [("reason", "nothing to see"), ("actor", "user:someone-else"),
                                         ("object_id", "99"), ("detail", '{"i": 3}')])
def test_an_edited_row_is_found(field, value):
    _entries()
    _raw(f"UPDATE audit_auditentry SET {field} = %s WHERE seq = 4", [value])  # noqa: S608 - test-chosen column
    result = verify()
    assert not result.ok and result.broken_seq == 4 and "altered" in result.problem


def test_an_edited_timestamp_is_found():
    _entries()
    _raw("UPDATE audit_auditentry SET at = %s WHERE seq = 2", ["2020-01-01 00:00:00"])
    assert verify().broken_seq == 2


def test_a_deleted_row_is_found():
    _entries()
    _raw("DELETE FROM audit_auditentry WHERE seq = 3")
    result = verify()
    assert not result.ok and result.broken_seq == 3 and "missing" in result.problem


def test_a_deleted_tail_is_found():
    _entries()
    _raw("DELETE FROM audit_auditentry WHERE seq >= 5")
    result = verify()
    assert not result.ok and result.broken_seq == 5


def test_reordered_rows_are_found():
    _entries()
    # Swap rows 2 and 5 wholesale (sequence numbers stay in place, contents move).
    _raw("UPDATE audit_auditentry SET seq = -2 WHERE seq = 2")
    _raw("UPDATE audit_auditentry SET seq = 2 WHERE seq = 5")
    _raw("UPDATE audit_auditentry SET seq = 5 WHERE seq = -2")
    result = verify()
    assert not result.ok and result.broken_seq == 2


def test_a_rehashed_edit_is_still_found_downstream():
    """Recomputing the edited row's own hash does not help: the next row no longer follows it."""
    _entries()
    row = AuditEntry.objects.filter(seq=3).values().get()
    row["reason"] = "rewritten"
    _raw("UPDATE audit_auditentry SET reason = %s, hash = %s WHERE seq = 3", ["rewritten", entry_hash(row)])
    result = verify()
    assert not result.ok and result.broken_seq == 4


@pytest.mark.django_db(transaction=True)
def test_verify_and_anchor_commands(tmp_path):
    _entries(3)
    from tests.conftest import database_url

    env = {"DATABASE_URL": database_url()}
    import os

    def run(*args):
        return subprocess.run([sys.executable, "-m", "vcdhub.cli", "audit", *args], capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=120)

    ok = run("verify")
    assert ok.returncode == 0 and "3 entries verified" in ok.stdout
    anchor_file = tmp_path / "anchor.json"
    assert run("anchor", "-o", str(anchor_file)).returncode == 0
    assert json.loads(anchor_file.read_text())["seq"] == 3
    assert run("verify", "--anchor", str(anchor_file)).returncode == 0
    _raw("UPDATE audit_auditentry SET reason = 'x' WHERE seq = 2")
    broken = run("verify", "--json")
    assert broken.returncode == 1 and json.loads(broken.stdout)["broken_seq"] == 2


@pytest.mark.django_db(transaction=True)
def test_writers_appending_at_once_keep_one_unbroken_chain():
    """Each append locks the chain's head (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer at a time),
    so writers in separate transactions at the same moment never take the same place in the chain."""
    per_writer, writers = 25, 3
    start = threading.Barrier(writers)
    failures = []

    def write(name):
        try:
            start.wait()
            with acting_as(f"test:{name}"):
                for i in range(per_writer):
                    with transaction.atomic():
                        record_event("access", "test", object_type="test.thing", object_id=f"{name}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, per_writer * writers + 1))
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_an_append_that_fails_is_never_committed_even_when_its_caller_carries_on():
    with acting_as("test:auditor"):
        record_event("access", "first", object_type="test.thing", object_id="1")
        real = chain._quoted
        broken_head = mock.patch.object(chain, "_quoted",
                                        lambda model: real(model) if model is AuditEntry else '"no_such_table"')
        with transaction.atomic():
            try:
                with broken_head:
                    record_event("access", "second", object_type="test.thing", object_id="2")
            except DatabaseError:
                pass  # a caller that swallows the failure cannot commit what the append half wrote
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["first"]
    assert verify().ok


@pytest.mark.parametrize("batch", [1, chain.ROWS_IN_ONE_STATEMENT, chain.ROWS_IN_ONE_STATEMENT + 1, 1000])
def test_a_batch_of_any_size_links_up_with_what_came_before_and_after(batch):
    with acting_as("test:exporter"):
        record_event("access", "before", object_type="test.thing", object_id="0")
        chain.append(current_actor(), [chain.NewEntry("read", "export", "test.thing", str(i), f"thing {i}")
                                       for i in range(batch)])
        record_event("access", "after", object_type="test.thing", object_id="0")
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, batch + 3))
    assert AuditEntry.objects.get(seq=batch + 1).object_id == str(batch - 1)
    assert verify().ok


class Refused(Exception):
    pass


def test_a_refusal_outlives_the_rolled_back_write_it_refused_and_a_change_does_not():
    """An API write, a page's save and an import each run in one transaction; a refusal recorded deep inside
    (a hidden record named) went with its rollback, and was never on the chain."""
    with acting_as("test:writer"), pytest.raises(Refused):
        with chain.atomic_keeping_refusals():
            record_event(EntryKind.CHANGE, "update", object_type="test.thing", object_id="1")
            record_event(EntryKind.DENIED, "act", object_type="test.thing", object_id="2")
            raise Refused
    kept = list(AuditEntry.objects.values_list("kind", "object_id", "actor"))
    assert kept == [(EntryKind.DENIED, "2", "test:writer")]
    assert verify().ok


def test_a_refusal_in_nested_blocks_is_kept_once_and_a_committed_block_adds_nothing():
    with acting_as("test:writer"), pytest.raises(Refused):
        with chain.atomic_keeping_refusals():
            with chain.atomic_keeping_refusals():
                record_event(EntryKind.DENIED, "act", object_type="test.thing", object_id="inner")
            try:
                with chain.atomic_keeping_refusals():
                    record_event(EntryKind.DENIED, "act", object_type="test.thing", object_id="row")
                    raise Refused
            except Refused:
                pass
            raise Refused
    assert sorted(AuditEntry.objects.values_list("object_id", flat=True)) == ["inner", "row"]
    with acting_as("test:writer"), chain.atomic_keeping_refusals():
        record_event(EntryKind.DENIED, "act", object_type="test.thing", object_id="committed")
    assert AuditEntry.objects.filter(object_id="committed").count() == 1
