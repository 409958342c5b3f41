"""What an import file can cost is bounded (issue 10): zip and gzip bombs stop at the limits with a clear error,
only regular files are read, a junk archive is one refusal on the audit chain, and nothing is written."""

import gzip
import os
import tracemalloc
import zipfile

import pytest

from tests.conftest import read_rows, write_csv
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.crime.models import Crime
from vcdhub.ingest.files import Limits, UsageError, discover
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db
NAME = "2017-07-metropolitan-street.csv"


def _rejected_with(summary, text: str) -> None:
    assert not summary.ok and Crime.objects.count() == 0
    reasons = [str(e) for f in summary.files for e in f.errors]
    assert any(text in r for r in reasons), reasons


def test_a_zip_member_of_zeros_stops_at_the_ratio_limit_without_decompressing_it(london, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"2017-07/{NAME}", b"\0" * (200 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    tracemalloc.start()
    summary = run_import([bomb], actor="test")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _rejected_with(summary, "decompression bomb")
    assert peak < 50 * 1024 * 1024, f"peak {peak:,} bytes"  # it used to reach 1.65 GB


def test_a_gzip_bomb_stops_at_the_ratio_limit(london, tmp_path):
    bomb = tmp_path / f"{NAME}.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (50 * 1024 * 1024)))
    tracemalloc.start()
    summary = run_import([bomb], actor="test")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _rejected_with(summary, "decompression bomb")
    assert peak < 30 * 1024 * 1024, f"peak {peak:,} bytes"


def test_a_file_over_the_size_limit_is_refused_by_name(london, tmp_path, street_sample, settings):
    path = street_sample(200)
    settings.VCDHUB_IMPORT_MAX_FILE_BYTES = path.stat().st_size - 1
    _rejected_with(run_import([path], actor="test"), "VCDHUB_IMPORT_MAX_FILE_BYTES")
    settings.VCDHUB_IMPORT_MAX_FILE_BYTES = path.stat().st_size
    assert run_import([path], actor="test").ok


def test_a_real_gzip_file_within_the_limits_imports(london, demo_file):
    path = demo_file("2017-07", "metropolitan-street")
    assert run_import([path], actor="test").ok and Crime.objects.count() == len(read_rows(path)[1])


def test_devices_and_pipes_are_never_read(london, tmp_path):
    device = tmp_path / NAME
    device.symlink_to("/dev/zero")
    with pytest.raises(UsageError, match="not a regular file"):
        discover([device])
    fifo = tmp_path / "fifo" / NAME
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        discover([fifo])
    with pytest.raises(UsageError, match="holds no .csv"):  # a folder lists regular files only
        discover([fifo.parent], Limits())


def test_an_archive_of_many_junk_files_is_one_refusal_on_the_audit_chain(london, tmp_path, settings):
    junk = tmp_path / "junk.zip"
    with zipfile.ZipFile(junk, "w") as archive:
        for i in range(300):
            archive.writestr(f"junk/{i}.txt", b"x")
    before = AuditEntry.objects.filter(kind=EntryKind.IMPORT).count()
    summary = run_import([junk], actor="test")
    assert not summary.ok and len(summary.files) == 300
    entries = AuditEntry.objects.filter(kind=EntryKind.IMPORT).order_by("seq")[before:]
    assert [(e.action, e.detail["files_rejected"]) for e in entries] == [("import_rejected", 300)]
    settings.VCDHUB_IMPORT_MAX_MEMBERS = 100  # over the member limit: refused whole, before any is read
    summary = run_import([junk], actor="test")
    assert len(summary.files) == 1 and "VCDHUB_IMPORT_MAX_MEMBERS" in str(summary.files[0].errors[0])


def test_a_zip_member_over_the_size_limit_is_refused(london, tmp_path, settings, street_sample):
    """The cap counts the bytes as they are read, whatever size the archive declares."""
    header, rows = read_rows(street_sample(300))
    path = write_csv(tmp_path / "x" / NAME, header, rows)
    archive_path = tmp_path / "lies.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, f"2017-07/{NAME}")
    settings.VCDHUB_IMPORT_MAX_FILE_BYTES = path.stat().st_size // 2
    _rejected_with(run_import([archive_path], actor="test"), "VCDHUB_IMPORT_MAX_FILE_BYTES")
