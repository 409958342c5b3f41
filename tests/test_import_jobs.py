"""Imports from the browser: an administrator's upload becomes a background job that imports the file as them,
with a report of every file and every rejected line; nobody else may upload; a file too large, of the wrong
kind or with a bad option is refused field by field, and nothing is kept."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import make_persona, read_rows, write_csv
from tests.kit import client_for, latest_seq
from vcdhub.audit.models import AuditEntry, EntryKind
from vcdhub.crime.models import Crime
from vcdhub.ingest.jobs import safe_file_name, upload_root
from vcdhub.platform.jobs import run_pending_jobs
from vcdhub.platform.models import Job

pytestmark = pytest.mark.django_db


def _upload(path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def _leftover_uploads() -> list:
    root = upload_root()
    return list(root.rglob("*")) if root.exists() else []


@pytest.fixture
def admin_client(london, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return client_for(make_persona("administrator"))


def test_an_administrators_upload_is_imported_by_a_job_as_them_with_a_report(admin_client, street_sample,
                                                                               django_capture_on_commit_callbacks):
    path = street_sample(150)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/imports/", {"file": _upload(path)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status) == ("ingest.import", "queued")
    assert "<h1>Import of police.uk files</h1>" in admin_client.get(f"/jobs/{job.pk}/").content.decode()

    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert Crime.objects.count() == 150
    assert job.summary.startswith("1 files: 1 imported, 0 unchanged, 0 rejected. Rows: 150 read, 150 imported")
    # The import is on the audit chain as the administrator who uploaded it, in the request that asked.
    entry = AuditEntry.objects.get(action="import")
    admin = job.requested_by
    assert (entry.actor, entry.user_id, entry.request_id) == ("user:administrator", admin.pk, job.request_id)
    assert _leftover_uploads() == []  # the upload is removed once imported
    # Done: the summary and the report, as a link on the page (not a redirect that would leave the page stale).
    status = admin_client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in status and job.summary in status.content.decode()
    report = list(csv.DictReader(io.StringIO(admin_client.get(job.result_url).content.decode())))
    assert [(r["file"], r["status"], r["imported"]) for r in report] == [(path.name, "imported", "150")]
    # The page lists the file as held now, and the job as the administrator's.
    page = admin_client.get("/imports/").content.decode()
    assert path.name in page and f'href="/jobs/{job.pk}/"' in page


def test_a_file_with_bad_rows_is_rejected_whole_and_the_report_gives_each_line(admin_client, tmp_path,
                                                                                 street_sample):
    header, rows = read_rows(street_sample(40))
    month = header.index("Month")
    rows[9][month] = "2017-13"
    rows[30][month] = "July"
    bad = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows)
    admin_client.post("/imports/", {"file": _upload(bad)})
    run_pending_jobs()
    job = Job.objects.get()
    assert job.status == "done" and "1 rejected" in job.summary
    assert Crime.objects.count() == 0
    report = list(csv.DictReader(io.StringIO(bytes(job.output).decode())))
    assert report[0]["status"] == "rejected"
    assert [(r["line"], r["column"]) for r in report[1:]] == [("11", "Month"), ("32", "Month")]
    assert _leftover_uploads() == []


def test_only_administrators_may_upload_and_a_refusal_is_audited(london, street_sample):
    for name in ("vcd_analyst", "authority_member", "auditor"):
        user = make_persona(name)
        before = latest_seq()
        response = client_for(user).post("/imports/", {"file": _upload(street_sample(5))})
        assert response.status_code == 403, name
        assert AuditEntry.objects.filter(seq__gt=before, kind=EntryKind.DENIED, user_id=user.pk).exists()
    assert not Job.objects.exists() and not Crime.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": "crimes.xlsx"}, "file", "Upload a police.uk file"),
    ({"month": "2017-13"}, "month", "2017-13"),
    ({"force": "x" * 101}, "force", "at most 100 characters"),
])
def test_an_upload_that_cannot_be_imported_is_refused_field_by_field(admin_client, street_sample, fields, field,
                                                                     message):
    path = street_sample(5)
    data = {"file": _upload(path, fields.get("name")), "force": fields.get("force", ""),
            "month": fields.get("month", "")}
    response = admin_client.post("/imports/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-field="{field}"' in page and message in page
    assert not Job.objects.exists() and _leftover_uploads() == []


def test_an_upload_over_the_size_limit_is_stopped_with_a_clear_error(admin_client, street_sample):
    with override_settings(VCDHUB_MAX_UPLOAD_BYTES=1000):
        response = admin_client.post("/imports/", {"file": _upload(street_sample(50))})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-field="file"' in page and "larger than the" in page
    assert not Job.objects.exists() and _leftover_uploads() == []


@pytest.mark.parametrize(("given", "kept"), [
    ("2017-07-metropolitan-street.csv", "2017-07-metropolitan-street.csv"),
    ("../../etc/2017-07-metropolitan-street.csv", "2017-07-metropolitan-street.csv"),
    ("C:\\Users\\x\\2017-07-city-of-london-street.csv.gz", "2017-07-city-of-london-street.csv.gz"),
    ("m[/bold] <b>.zip", "bold___b_.zip"),  # a slash is a folder separator, whatever else it looks like
    ("m[bold] <b>.zip", "m_bold___b_.zip"),
    ("..", "upload.csv"),
])
def test_an_uploaded_file_keeps_its_own_name_and_nothing_else(given, kept):
    assert safe_file_name(given) == kept


def test_file_names_that_look_like_markup_are_printed_as_they_are(london, tmp_path, street_sample):
    """A rejected file under a folder named like rich markup used to crash the summary (issue 10)."""
    header, rows = read_rows(street_sample(5))
    rows[0][header.index("Month")] = "bad"
    bad = write_csv(tmp_path / "m[/bold]" / "2017-07-metropolitan-street.csv", header, rows)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", str(bad), "--actor", "test", stdout=out, stderr=io.StringIO())
    assert "m[/bold]" in out.getvalue() and "Rejected" in out.getvalue()
