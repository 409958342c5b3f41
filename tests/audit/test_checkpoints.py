"""Signed checkpoints of the audit chain: removing its tail, or rebuilding it without some entries, leaves a
consistent chain that `verify` alone passes; a checkpoint signed earlier shows what was lost."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from vcdhub.audit import checkpoints
from vcdhub.audit.chain import GENESIS, entry_hash, verify
from vcdhub.audit.checkpoints import (
    CheckpointError,
    create_checkpoint,
    generate_key,
    sign_checkpoint,
    write_checkpoint,
)
from vcdhub.audit.context import acting_as
from vcdhub.audit.log import record_event
from vcdhub.audit.models import AuditEntry, ChainHead, CheckpointSchedule

pytestmark = pytest.mark.django_db
TASK_PATH = "vcdhub.audit.checkpoints.sign_checkpoint"


def _entries(n=6, start=0):
    with acting_as("test:auditor", reason="testing checkpoints"):
        for i in range(start, start + n):
            record_event("access", "test", object_type="test.thing", object_id=str(i), detail={"i": i})


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _keys(folder):
    key = folder / "signing.pem"
    generate_key(key)
    return key, folder / "signing.pem.pub"


@pytest.fixture
def configured(settings, tmp_path):
    """Checkpoints in a temporary folder, signed by a fresh key; verify derives the public key from it."""
    key, public = _keys(tmp_path / "keys")
    settings.VCDHUB_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.VCDHUB_AUDIT_SIGNING_KEY = str(key)
    settings.VCDHUB_AUDIT_VERIFY_KEY = []
    settings.VCDHUB_AUDIT_CHECKPOINT_INTERVAL = 3600
    return tmp_path / "checkpoints", key, public


def _verify(*args):
    """`vcdhub audit verify --json`: (exit status, report)."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def _kinds(report):
    return [p["kind"] for p in report["checkpoints"]["problems"]]


def test_deleting_the_tail_and_the_head_row_is_found_by_a_checkpoint(configured):
    _entries(6)
    create_checkpoint()
    _raw("DELETE FROM audit_auditentry WHERE seq >= 5")
    _raw("DELETE FROM audit_chainhead")
    assert verify().ok  # the finding: what is left is a consistent chain
    code, report = _verify()
    assert code == 1 and not report["ok"] and _kinds(report) == ["missing_tail"]
    assert "entries 5 to 6 were removed" in report["checkpoints"]["problems"][0]["message"]
    # And a scheduled checkpoint would not bless the shortened chain, even with its head put right.
    ChainHead.objects.create(pk=1, seq=4, hash=AuditEntry.objects.get(seq=4).hash)
    with pytest.raises(CheckpointError, match="tail was removed"):
        create_checkpoint()


def _rebuild_without(*removed):
    """What an attacker with the database but not the key can do: drop entries, renumber and re-hash the rest so
    every link holds, and set the head to the new end."""
    kept = [row for row in AuditEntry.objects.order_by("seq").values() if row["seq"] not in removed]
    _raw("DELETE FROM audit_auditentry")
    prev, rows = GENESIS, []
    for seq, row in enumerate(kept, start=1):
        row.pop("id")
        row.update(seq=seq, prev_hash=prev)
        row["hash"] = prev = entry_hash(row)
        rows.append(AuditEntry(**row))
    AuditEntry.objects.bulk_create(rows)
    ChainHead.objects.filter(pk=1).update(seq=len(rows), hash=prev)


def test_a_chain_rebuilt_without_some_entries_is_found(configured):
    _entries(6)
    create_checkpoint()
    _rebuild_without(2, 3)
    assert verify().ok
    code, report = _verify()
    assert code == 1 and _kinds(report) == ["missing_tail"]


def test_a_rebuilt_chain_padded_back_to_length_is_found_as_rewritten(configured):
    _entries(3)
    create_checkpoint()
    _entries(3, start=3)
    create_checkpoint()
    _rebuild_without(2)
    _entries(2, start=10)  # the chain is as long as before, and longer
    assert verify().ok and AuditEntry.objects.count() == 7
    code, report = _verify()
    assert code == 1 and _kinds(report) == ["rewritten", "rewritten"]
    assert "entry 3 no longer has the hash signed" in report["checkpoints"]["problems"][0]["message"]
    with pytest.raises(CheckpointError, match="rewritten"):
        create_checkpoint()


def _rewrite(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.chmod(0o644)
    path.write_text(json.dumps(document))


def test_a_tampered_checkpoint_file_has_a_bad_signature(configured):
    folder, _, _ = configured
    _entries(6)
    made = create_checkpoint()
    assert _verify()[0] == 0
    _rewrite(made.path, lambda d: d["checkpoint"].update(seq=4, hash=AuditEntry.objects.get(seq=4).hash))
    code, report = _verify()
    assert code == 1 and _kinds(report) == ["bad_signature"]
    (folder / "junk.json").write_text("not a checkpoint")
    assert _kinds(_verify()[1]) == ["bad_signature", "unreadable"]


def test_a_checkpoint_signed_by_another_key_is_refused(configured, settings, tmp_path):
    folder, key, public = configured
    _entries(3)
    create_checkpoint()
    _, other_public = _keys(tmp_path / "other")
    code, report = _verify("--verify-key", str(other_public))
    assert code == 1 and _kinds(report) == ["unknown_key"]
    assert "not a configured verify key" in report["checkpoints"]["problems"][0]["message"]
    # A signing key that the configured verify keys do not include signs nothing: verify could not check it.
    settings.VCDHUB_AUDIT_VERIFY_KEY = [str(other_public)]
    with pytest.raises(CheckpointError, match="not among the verify keys"):
        create_checkpoint()
    # Nor does a private key that other users can read.
    settings.VCDHUB_AUDIT_VERIFY_KEY = []
    key.chmod(0o644)
    with pytest.raises(CheckpointError, match="open to other users"):
        create_checkpoint()
    # A forged key id (naming the right key, over a different checkpoint) is a bad signature.
    key.chmod(0o600)
    other_key = tmp_path / "other" / "signing.pem"
    settings.VCDHUB_AUDIT_SIGNING_KEY = str(other_key)
    settings.VCDHUB_AUDIT_VERIFY_KEY = [str(public), str(other_public)]
    forged = create_checkpoint()
    real_id = checkpoints.key_id(checkpoints.load_public_key(public))
    _rewrite(forged.path, lambda d: d["checkpoint"].update(key_id=real_id))
    assert _kinds(_verify()[1]) == ["bad_signature"]


def test_verify_needs_only_the_public_key(configured, settings, tmp_path):
    folder, key, public = configured
    _entries(4)
    create_checkpoint()
    raw_public = tmp_path / "raw.pub"
    raw_public.write_bytes(checkpoints.load_public_key(public).public_bytes_raw())
    key.unlink()  # the verifier's machine has no private key
    for verify_key in (public, raw_public):
        settings.VCDHUB_AUDIT_VERIFY_KEY = [str(verify_key)]
        code, report = _verify()
        assert code == 0 and report["checkpoints"]["ok"] and report["checkpoints"]["latest"]["seq"] == 4


def test_without_checkpoints_configured_verify_says_truncation_cannot_be_detected(settings, tmp_path):
    _entries(2)
    settings.VCDHUB_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.VCDHUB_AUDIT_SIGNING_KEY = str(tmp_path / "no-such-key.pem")
    settings.VCDHUB_AUDIT_VERIFY_KEY = []
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)  # the chain holds: exit 0, as before checkpoints
    assert "2 entries verified" in out.getvalue()
    assert "No checkpoints configured: tail truncation cannot be detected" in out.getvalue()
    settings.VCDHUB_AUDIT_CHECKPOINT_DIR = ""
    assert _verify()[1]["checkpoints"] == {"configured": False, "ok": True, "note": checkpoints.NOT_CONFIGURED,
                                           "checked": 0, "latest": None, "problems": []}
    with pytest.raises(CommandError, match="not configured"):
        call_command("audit", "checkpoint", stdout=io.StringIO())


def test_checkpoints_without_new_entries_are_new_files_that_all_hold(configured):
    folder, _, _ = configured
    _entries(3)
    first, second = create_checkpoint(), create_checkpoint()
    assert (first.seq, first.hash) == (second.seq, second.hash) and first.path != second.path
    assert create_checkpoint(skip_unchanged=True) is None  # the scheduled task writes nothing new
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.path.name, second.path.name])  # no temp files
    assert oct(first.path.stat().st_mode & 0o777) == "0o444"
    with pytest.raises(CheckpointError, match="never overwritten"):
        write_checkpoint(folder, first, checkpoints.load_signing_key(configured[1]))
    code, report = _verify()
    assert code == 0 and report["checkpoints"]["checked"] == 2
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "Checkpoint signed: entry 3" in out.getvalue()


def test_the_latest_checkpoint_need_not_cover_entries_written_since(configured):
    _entries(2)
    create_checkpoint()
    _entries(2, start=2)
    code, report = _verify()
    assert code == 0 and "entries 3 to 4 came after the latest checkpoint" in report["checkpoints"]["note"]


def test_keygen_makes_a_private_key_only_its_owner_reads_and_never_overwrites_one(tmp_path):
    key = tmp_path / "keys" / "audit.pem"
    out = io.StringIO()
    call_command("audit", "keygen", "--key", str(key), stdout=out)
    assert oct(key.stat().st_mode & 0o777) == "0o600" and key.read_text().startswith("-----BEGIN PRIVATE KEY")
    assert (tmp_path / "keys" / "audit.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY")
    before = key.read_bytes()
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("audit", "keygen", "--key", str(key), stdout=io.StringIO())
    call_command("audit", "keygen", "--key", str(key), "--if-missing", stdout=out)
    assert key.read_bytes() == before and "kept" in out.getvalue()


def _queued():
    return DBTaskResult.objects.filter(task_path=TASK_PATH).count()


def test_audit_writes_queue_at_most_one_checkpoint_per_interval(configured, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    folder, _, _ = configured
    monkeypatch.setattr(checkpoints, "_next_check", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        _entries(5)
    assert _queued() == 1
    # Another process (its own clock gate) writing in the same interval: the schedule row says not yet.
    monkeypatch.setattr(checkpoints, "_next_check", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        _entries(5, start=5)
    assert _queued() == 1
    # Between checks, writing costs no query of the schedule at all.
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        _entries(3, start=10)
    assert _queued() == 1 and not [q for q in queries if "checkpointschedule" in q["sql"].lower()]
    # The worker runs the task: one checkpoint of the whole chain.
    made = sign_checkpoint.call()
    assert made and json.loads(open(made).read())["checkpoint"]["seq"] == 13
    # Once the interval has passed, the next write queues the next one.
    CheckpointSchedule.objects.update(due_at="2000-01-01T00:00:00Z")
    monkeypatch.setattr(checkpoints, "_next_check", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        _entries(2, start=13)
    assert _queued() == 2
    assert _verify()[0] == 0


def test_nothing_is_queued_when_checkpoints_are_off(configured, settings, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    key = str(configured[1])
    for interval, signing_key in ((0, key), (3600, key + ".missing"), (3600, "")):
        settings.VCDHUB_AUDIT_CHECKPOINT_INTERVAL, settings.VCDHUB_AUDIT_SIGNING_KEY = interval, signing_key
        monkeypatch.setattr(checkpoints, "_next_check", 0.0)
        with django_capture_on_commit_callbacks(execute=True):
            _entries(2)
        assert _queued() == 0


@pytest.mark.django_db(transaction=True)
def test_the_commands_from_the_environment(tmp_path):
    """keygen, checkpoint and verify as an operator runs them, configured by environment variables."""
    from tests.conftest import database_url

    _entries(4)
    env = {**os.environ, "DATABASE_URL": database_url(), "VCDHUB_AUDIT_CHECKPOINT_DIR": str(tmp_path / "ckpt"),
           "VCDHUB_AUDIT_SIGNING_KEY": str(tmp_path / "key.pem"), "VCDHUB_AUDIT_CHECKPOINT_INTERVAL": "0"}

    def run(*args, **extra):
        return subprocess.run([sys.executable, "-m", "vcdhub.cli", "audit", *args], capture_output=True, text=True,
                              env={**env, **extra}, timeout=120)

    assert run("keygen").returncode == 0
    assert run("keygen").returncode == 1
    signed = run("checkpoint")
    assert signed.returncode == 0 and "entry 4" in signed.stdout
    ok = run("verify", VCDHUB_AUDIT_SIGNING_KEY="", VCDHUB_AUDIT_VERIFY_KEY=str(tmp_path / "key.pem.pub"))
    assert ok.returncode == 0 and "all hold" in ok.stdout
    _raw("DELETE FROM audit_auditentry WHERE seq = 4")
    _raw("DELETE FROM audit_chainhead")
    broken = run("verify")
    assert broken.returncode == 1 and "CHECKPOINT FAILED: missing tail" in broken.stdout
