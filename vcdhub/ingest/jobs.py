"""Imports from the web, as background jobs: an administrator uploads a police.uk file (a bulk-download zip
of a year of a force is hundreds of megabytes), and a worker imports it as them.

The upload is kept under VAR_DIR/uploads/<job token>/ until its job ends, then removed, imported or not:
the database holds what was imported, and the job keeps the report.
"""

import csv
import io
import re
import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from vcdhub.audit.context import current_actor
from vcdhub.crime.policeuk import police_month
from vcdhub.ingest.files import UsageError, discover
from vcdhub.ingest.pipeline import ImportSummary, run_import
from vcdhub.platform.inputs import InputError
from vcdhub.platform.jobs import JobError, JobOutcome, enqueue, job_kind

UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".zip")
REPORT_COLUMNS = ("file", "kind", "status", "rows read", "imported", "rejected", "replaced", "line", "column",
                  "error")


def upload_root() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, as the importer reads it (the name says the month, force and kind),
    without any folder part or character a file system might treat specially."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return cleaned[:200] or "upload.csv"


def check_upload(file_name: str, size: int, *, force: str = "", month: str = "") -> None:
    """What can be known of an upload before it is imported: its name, its size, and the two options."""
    errors = {}
    if not file_name.lower().endswith(UPLOAD_SUFFIXES):
        errors["file"] = f"Upload a police.uk file: {', '.join(UPLOAD_SUFFIXES)}."
    elif size > settings.VCDHUB_MAX_UPLOAD_BYTES:
        errors["file"] = (f"The file is {filesizeformat(size)}; the limit is "
                          f"{filesizeformat(settings.VCDHUB_MAX_UPLOAD_BYTES)} (VCDHUB_MAX_UPLOAD_BYTES).")
    elif size == 0:
        errors["file"] = "The file is empty."
    if len(force) > 100:
        errors["force"] = "A force name is at most 100 characters."
    if month:
        try:
            police_month(month)
        except ValueError as exc:
            errors["month"] = str(exc)
    if errors:
        raise InputError(errors)


def enqueue_upload(upload, *, user, force: str = "", month: str = ""):
    """Check an uploaded file, store it, and queue its import for `user`: InputError, field by field, for an
    upload that cannot be imported. The import itself checks every row."""
    force, month = force.strip(), month.strip()
    check_upload(upload.name, upload.size, force=force, month=month)
    folder = upload_root() / secrets.token_hex(16)
    folder.mkdir(parents=True)
    path = folder / safe_file_name(upload.name)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return enqueue("ingest.import", user=user, folder=folder.name, file_name=path.name, force=force, month=month)


@job_kind("ingest.import", label="Import of police.uk files")
def import_upload(job, *, folder: str, file_name: str, force: str = "", month: str = "") -> JobOutcome:
    root = upload_root()
    directory = (root / folder).resolve()
    if directory.parent != root.resolve():  # the job's own parameters, but never trust a path blindly
        raise JobError("The uploaded file is not where its job says.")
    try:
        path = directory / file_name
        if not path.is_file():
            raise JobError("The uploaded file is gone: upload it again.")
        try:
            sources = discover([path])
        except UsageError as exc:
            raise JobError(str(exc)) from exc
        total = max(len(sources), 1)
        done = [0]

        def on_file(source) -> None:
            job.progress(int(100 * done[0] / total), f"file {done[0] + 1} of {total}: {source.name}")
            done[0] += 1

        summary = run_import([], sources=sources, actor=current_actor().name, force=force, month=month,
                             on_file=on_file)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return JobOutcome(summary=summary.sentence(), content=report_csv(summary).encode("utf-8"),
                      file_name="vcdhub-import-report.csv", content_type="text/csv; charset=utf-8")


def report_csv(summary: ImportSummary) -> str:
    """One line per file, and one per rejected row under its file, with the row's line number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for f in summary.files:
        counts = (f.rows_read, f.rows_imported, f.rows_rejected, f.rows_replaced)
        writer.writerow((f.name, f.kind, f.status, *counts, "", "", ""))
        for error in f.errors:
            writer.writerow((f.name, f.kind, "rejected row", "", "", "", "", error.line or "", error.column or "",
                             error.reason))
    return out.getvalue()
