"""Signed checkpoints of the audit chain: the defence against removing its tail.

The hash chain (chain.py) shows an entry edited, removed or reordered inside the chain, but not its tail removed
together with the head row, nor a chain rebuilt and re-hashed without some entries: what is left is a consistent
chain. A checkpoint, in the spirit of Certificate Transparency's signed tree head, says "the chain had `seq`
entries, the last with hash `hash`, at time `at`". It is signed with an Ed25519 key kept outside the database and
written as a file to a directory outside the database (in production, another machine or write-once storage).
`verify_checkpoints()` then requires every checkpoint's entry to be in the chain still, with the signed hash:
the chain may only have grown since. Without the private key nobody can sign a checkpoint for a shortened chain.

A checkpoint file (never rewritten; its name sorts by `seq`, then time):

    {"checkpoint": {"format": "vcdhub-audit-checkpoint/1", "seq": 6, "hash": "<sha256 hex of entry 6>",
                    "at": "2026-11-30T01:00:00.000000Z", "key_id": "<16 hex: sha256 of the public key>"},
     "signature": "<base64 Ed25519 signature of the canonical JSON of checkpoint>"}

Checkpoints are signed on demand (`vcdhub audit checkpoint`, also from a timer) and automatically: after an
append, once the interval has passed, one background task is queued (`after_append`, `sign_checkpoint`).
Before signing, the entries added since the latest checkpoint are verified, so a checkpoint never blesses a
chain that no longer holds an earlier one.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from vcdhub.audit.chain import GENESIS, walk
from vcdhub.audit.models import AuditEntry, ChainHead, CheckpointSchedule

FORMAT = "vcdhub-audit-checkpoint/1"
NOT_CONFIGURED = "no checkpoints configured: tail truncation cannot be detected"
RECHECK_SECONDS = 60  # how often one process may look at the schedule in the database, at most

logger = logging.getLogger(__name__)


class CheckpointError(Exception):
    """A checkpoint cannot be made, or a key cannot be used: the message says why, for the operator."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # UTC, ISO 8601 with microseconds and Z
    key_id: str
    path: Path | None = None

    def body(self) -> dict:
        return {"format": FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id}

    @property
    def name(self) -> str:
        return self.path.name if self.path else f"checkpoint of entry {self.seq}"


@dataclass(frozen=True)
class Problem:
    kind: str  # missing_tail, rewritten, bad_signature, unknown_key, unreadable, key
    file: str
    message: str


class CheckpointProblem(Exception):
    """A checkpoint file that does not hold (unreadable, unknown key, bad signature)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class CheckpointReport:
    configured: bool
    ok: bool
    note: str = ""
    checked: int = 0
    latest: Checkpoint | None = None
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"configured": self.configured, "ok": self.ok, "note": self.note, "checked": self.checked,
                "latest": None if self.latest is None else {**self.latest.body(), "file": self.latest.name},
                "problems": [{"kind": p.kind, "file": p.file, "message": p.message} for p in self.problems]}


# Keys ----------------------------------------------------------------------------------------------------------

def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key: which key signed, named in each checkpoint."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The private key: PEM (PKCS#8, unencrypted) or 32 raw bytes, in a file only its owner can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise CheckpointError(f"no signing key at {path}: make one with `vcdhub audit keygen`") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(f"the signing key {path} is open to other users (mode {stat.S_IMODE(mode):o}): "
                              f"refusing to use it; chmod 600 it")
    return _parse_key(path.read_bytes(), path, "signing key", "key",
                      lambda data: serialization.load_pem_private_key(data, password=None),
                      Ed25519PrivateKey.from_private_bytes, Ed25519PrivateKey)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A verify key: PEM (SubjectPublicKeyInfo) or 32 raw bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read the verify key {path}: {exc.strerror or exc}") from None
    return _parse_key(data, path, "verify key", "public key", serialization.load_pem_public_key,
                      Ed25519PublicKey.from_public_bytes, Ed25519PublicKey)


def _parse_key(data: bytes, path: Path, role: str, kind: str, from_pem, from_raw, key_class):
    """A key of `key_class` from PEM or 32 raw bytes; CheckpointError naming the file otherwise."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = from_pem(data)
        elif len(data) == 32:
            key = from_raw(data)
        else:
            raise ValueError("neither PEM nor 32 raw bytes")
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CheckpointError(f"cannot read the {role} {path}: {exc}") from None
    if not isinstance(key, key_class):
        raise CheckpointError(f"the {role} {path} is not an Ed25519 {kind}")
    return key


def _setting_path(name: str) -> Path | None:
    value = getattr(settings, name, "")
    return Path(value) if value else None


def verify_keys(paths: list[Path] | None = None) -> dict[str, Ed25519PublicKey]:
    """The public keys checkpoints are checked with, by key id: the given files, else VCDHUB_AUDIT_VERIFY_KEY,
    else the public half of the signing key when that file is here. Empty when none is available."""
    if paths is None:
        paths = [Path(p) for p in getattr(settings, "VCDHUB_AUDIT_VERIFY_KEY", [])]
    if paths:
        return {key_id(key): key for key in map(load_public_key, paths)}
    signing = _setting_path("VCDHUB_AUDIT_SIGNING_KEY")
    if signing is not None and signing.exists():
        public = load_signing_key(signing).public_key()
        return {key_id(public): public}
    return {}


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `data`; fail if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # exactly this mode, whatever the umask
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def generate_key(path: Path, public_path: Path | None = None, *, keep_existing: bool = False) -> tuple[str, bool]:
    """Make an Ed25519 key pair: the private key as PEM with mode 0600, the public key beside it (`KEY.pub`).
    Never overwrites a key: with `keep_existing` an existing private key is kept (its public half written if
    missing). Returns the key id and whether a new key was made."""
    public_path = public_path or path.with_name(path.name + ".pub")
    if path.exists():
        if not keep_existing:
            raise CheckpointError(f"{path} already exists: refusing to overwrite a signing key")
        public = load_signing_key(path).public_key()
        if not public_path.exists():
            _write_exclusive(public_path, _public_pem(public), 0o644)
        return key_id(public), False
    if public_path.exists():
        raise CheckpointError(f"{public_path} already exists: refusing to overwrite a verify key")
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    key = Ed25519PrivateKey.generate()
    _write_exclusive(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()), 0o600)
    _write_exclusive(public_path, _public_pem(key.public_key()), 0o644)
    return key_id(key.public_key()), True


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# Checkpoint files ----------------------------------------------------------------------------------------------

def _message(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_files(directory: Path) -> list[Path]:
    """The checkpoint files in `directory`, oldest position first (the names sort by entry, then time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))


def read_checkpoint(path: Path, keys: dict[str, Ed25519PublicKey]) -> Checkpoint:
    """A checkpoint whose signature holds under one of `keys`; otherwise a Problem (raised) says what is wrong."""
    try:
        document = json.loads(path.read_bytes())
        body, signature = document["checkpoint"], base64.b64decode(document["signature"], validate=True)
        checkpoint = Checkpoint(seq=body["seq"], hash=body["hash"], at=body["at"], key_id=body["key_id"], path=path)
        if (body.get("format") != FORMAT or set(body) != set(checkpoint.body()) or type(checkpoint.seq) is not int
                or checkpoint.seq < 0 or not isinstance(checkpoint.hash, str) or len(checkpoint.hash) != 64
                or not isinstance(checkpoint.at, str) or not isinstance(checkpoint.key_id, str)):
            raise ValueError("not a vcdhub audit checkpoint")
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise CheckpointProblem(Problem("unreadable", path.name, f"{path.name} cannot be read as a checkpoint: "
                                                                 f"{exc}")) from None
    key = keys.get(checkpoint.key_id)
    if key is None:
        raise CheckpointProblem(Problem("unknown_key", path.name,
                                        f"unknown key: {path.name} names key {checkpoint.key_id}, which is not a "
                                        f"configured verify key ({', '.join(sorted(keys)) or 'none'})"))
    try:
        key.verify(signature, _message(body))
    except InvalidSignature:
        raise CheckpointProblem(Problem("bad_signature", path.name,
                                        f"bad signature: {path.name} was altered after it was signed, or was not "
                                        f"signed by key {checkpoint.key_id}")) from None
    return checkpoint


def write_checkpoint(directory: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign and write a new file, atomically (a fsynced temporary file, then linked into place) and never over
    another file."""
    body = checkpoint.body()
    document = {"checkpoint": body, "signature": base64.b64encode(key.sign(_message(body))).decode("ascii")}
    data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
    stamp = checkpoint.at.replace("-", "").replace(":", "").replace(".", "")
    target = directory / f"{checkpoint.seq:012d}-{stamp}-{checkpoint.key_id[:8]}.json"
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".checkpoint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o444)
        try:
            os.link(temporary, target)  # unlike rename, link never replaces an existing file
        except FileExistsError:
            raise CheckpointError(f"{target} already exists: a checkpoint is never overwritten") from None
        except OSError:  # a file system without hard links: rename, having checked the name is free
            if target.exists():
                raise CheckpointError(f"{target} already exists: a checkpoint is never overwritten") from None
            os.rename(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _fsync_directory(directory)
    return Checkpoint(checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.key_id, target)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _latest(directory: Path, keys: dict[str, Ed25519PublicKey]) -> Checkpoint | None:
    """The furthest checkpoint with a good signature (files that fail are verify's to report)."""
    for path in reversed(checkpoint_files(directory)):
        try:
            return read_checkpoint(path, keys)
        except CheckpointProblem:
            continue
    return None


# Signing -------------------------------------------------------------------------------------------------------

def create_checkpoint(*, skip_unchanged: bool = False) -> Checkpoint | None:
    """Sign the chain's current end and write it to VCDHUB_AUDIT_CHECKPOINT_DIR. The entries since the latest
    checkpoint are verified first, and nothing is signed if the chain no longer holds that checkpoint. Returns
    None when there is nothing to sign: an empty chain, or (with `skip_unchanged`) no entry since the latest."""
    directory = _setting_path("VCDHUB_AUDIT_CHECKPOINT_DIR")
    signing = _setting_path("VCDHUB_AUDIT_SIGNING_KEY")
    if directory is None or signing is None:
        raise CheckpointError("checkpoints are not configured: set VCDHUB_AUDIT_CHECKPOINT_DIR and "
                              "VCDHUB_AUDIT_SIGNING_KEY")
    key = load_signing_key(signing)
    keys = verify_keys()
    own_id = key_id(key.public_key())
    if own_id not in keys:
        raise CheckpointError(f"the signing key {signing} (key {own_id}) is not among the verify keys "
                              f"({', '.join(sorted(keys))}): verify could not check what it signs; refusing to sign")
    head_row = ChainHead.objects.filter(pk=1).first()
    if head_row is None:
        if AuditEntry.objects.exists():
            raise CheckpointError("the chain has entries but no head row: it was tampered with; refusing to sign "
                                  "(run `vcdhub audit verify`)")
        return None
    head = (head_row.seq, head_row.hash)
    latest = _latest(directory, keys)
    after_seq, after_hash = 0, GENESIS
    if latest is not None and latest.seq > 0:
        if head[0] < latest.seq:
            raise CheckpointError(f"the chain ends at entry {head[0]}, before entry {latest.seq} signed in "
                                  f"{latest.name}: its tail was removed; refusing to sign (run `vcdhub audit verify`)")
        held = AuditEntry.objects.filter(seq=latest.seq).values_list("hash", flat=True).first()
        if held != latest.hash:
            raise CheckpointError(f"entry {latest.seq} no longer has the hash signed in {latest.name}: the chain was "
                                  "rewritten; refusing to sign (run `vcdhub audit verify`)")
        after_seq, after_hash = latest.seq, latest.hash
    result, last_hash = walk(after_seq, after_hash, head=head)
    if not result.ok:
        raise CheckpointError(f"the chain is broken at entry {result.broken_seq}: {result.problem}; refusing to sign")
    _push_schedule()
    if head[0] == 0 or (skip_unchanged and latest is not None and (latest.seq, latest.hash) == head):
        return None
    checkpoint = Checkpoint(seq=head[0], hash=last_hash, at=_utc(timezone.now()), key_id=own_id)
    return write_checkpoint(directory, checkpoint, key)


# Verifying -----------------------------------------------------------------------------------------------------

def verify_checkpoints(directory: Path | None = None, key_paths: list[Path] | None = None) -> CheckpointReport:
    """Every checkpoint's signature, and its entry still in the chain with the signed hash (so the chain is at
    least as long as the latest). Without a directory or a key: not configured, said plainly."""
    directory = directory or _setting_path("VCDHUB_AUDIT_CHECKPOINT_DIR")
    try:
        keys = verify_keys(key_paths or None)
    except CheckpointError as exc:
        return CheckpointReport(True, False, str(exc), problems=[Problem("key", "", str(exc))])
    if directory is None or not keys:
        return CheckpointReport(False, True, NOT_CONFIGURED)
    paths = checkpoint_files(directory)
    if not paths:
        return CheckpointReport(True, True, f"no checkpoints in {directory} yet: tail truncation cannot be detected "
                                            "until one is signed (`vcdhub audit checkpoint`)")
    problems, good = [], []
    for path in paths:
        try:
            good.append(read_checkpoint(path, keys))
        except CheckpointProblem as exc:
            problems.append(exc.problem)
    tail = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0
    wanted = sorted({c.seq for c in good if 0 < c.seq <= tail})
    held: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        held.update(AuditEntry.objects.filter(seq__in=wanted[start:start + 500]).values_list("seq", "hash"))
    for checkpoint in sorted(good, key=lambda c: (c.seq, c.at)):
        if checkpoint.seq == 0:
            continue
        if checkpoint.seq > tail:
            problems.append(Problem("missing_tail", checkpoint.name,
                                    f"missing tail: {checkpoint.name} (signed {checkpoint.at}) covers entries up to "
                                    f"{checkpoint.seq}, but the chain now ends at entry {tail}: entries "
                                    f"{tail + 1} to {checkpoint.seq} were removed"))
        elif checkpoint.seq not in held:
            problems.append(Problem("rewritten", checkpoint.name,
                                    f"rewritten chain: entry {checkpoint.seq}, signed in {checkpoint.name}, is gone"))
        elif held[checkpoint.seq] != checkpoint.hash:
            problems.append(Problem("rewritten", checkpoint.name,
                                    f"rewritten chain: entry {checkpoint.seq} no longer has the hash signed in "
                                    f"{checkpoint.name} at {checkpoint.at}"))
    latest = max(good, key=lambda c: (c.seq, c.at)) if good else None
    report = CheckpointReport(True, not problems, checked=len(paths), latest=latest, problems=problems)
    if latest is None:
        report.note = f"no checkpoint in {directory} could be checked"
    elif latest.seq < tail:
        report.note = (f"entries {latest.seq + 1} to {tail} came after the latest checkpoint ({latest.at}) "
                       "and are not covered by one yet")
    return report


# The schedule --------------------------------------------------------------------------------------------------

_next_check = 0.0  # time.monotonic() before which this process does not look at the schedule


def after_append() -> None:
    """Called after every append (registered in apps.py). Mostly a clock comparison; at most every minute per
    process, and only when checkpoints are configured, it queues a look at the schedule for after the commit.
    Never raises: a checkpoint must not fail the user's request."""
    global _next_check
    now = time.monotonic()
    if now < _next_check:
        return
    try:
        interval = int(getattr(settings, "VCDHUB_AUDIT_CHECKPOINT_INTERVAL", 0))
        _next_check = now + (min(interval, RECHECK_SECONDS) if interval > 0 else RECHECK_SECONDS)
        if interval <= 0 or not _signing_configured():
            return
        transaction.on_commit(_claim_and_enqueue, robust=True)
    except Exception:  # noqa: BLE001 - logged, never the writer's problem
        logger.warning("could not schedule an audit checkpoint", exc_info=True)


def _signing_configured() -> bool:
    directory, signing = _setting_path("VCDHUB_AUDIT_CHECKPOINT_DIR"), _setting_path("VCDHUB_AUDIT_SIGNING_KEY")
    return directory is not None and signing is not None and signing.exists()


def _claim(now: dt.datetime, interval: int) -> bool:
    """Take the schedule's slot if it is due: one conditional UPDATE, so one process wins per interval."""
    due = now + dt.timedelta(seconds=interval)
    if CheckpointSchedule.objects.filter(pk=1, due_at__lte=now).update(due_at=due):
        return True
    if CheckpointSchedule.objects.filter(pk=1).exists():
        return False
    try:
        with transaction.atomic():
            CheckpointSchedule.objects.create(pk=1, due_at=due)
    except IntegrityError:  # another process created it first, and so took this interval
        return False
    return True


def _claim_and_enqueue() -> None:
    global _next_check
    try:
        interval = int(settings.VCDHUB_AUDIT_CHECKPOINT_INTERVAL)
        if _claim(timezone.now(), interval):
            _next_check = time.monotonic() + interval
            sign_checkpoint.enqueue()
    except Exception:  # noqa: BLE001 - logged, never the writer's problem
        logger.warning("could not queue an audit checkpoint", exc_info=True)


def _push_schedule() -> None:
    """A checkpoint was just made (or found unnecessary): the next automatic one is due an interval from now."""
    interval = int(getattr(settings, "VCDHUB_AUDIT_CHECKPOINT_INTERVAL", 0))
    due = timezone.now() + dt.timedelta(seconds=max(interval, 0))
    if not CheckpointSchedule.objects.filter(pk=1).update(due_at=due):
        try:
            with transaction.atomic():
                CheckpointSchedule.objects.create(pk=1, due_at=due)
        except IntegrityError:
            pass


@task()
def sign_checkpoint() -> str:
    """The scheduled checkpoint, run by the worker. Nothing new since the latest checkpoint: nothing written.
    A refusal (a broken or shortened chain, a key problem) fails the task, with the reason logged."""
    try:
        made = create_checkpoint(skip_unchanged=True)
    except CheckpointError as exc:
        logger.error("audit checkpoint refused: %s", exc)
        raise
    return str(made.path) if made else ""
