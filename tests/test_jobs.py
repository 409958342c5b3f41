"""Background jobs: queued by a page, run by the real database worker as the user who asked, shown as
queued, running, done or failed; a failure keeps its traceback for administrators only."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.conftest import make_persona
from vcdhub.audit.models import AuditEntry
from vcdhub.ingest.pipeline import run_import
from vcdhub.places.models import AnalysisRun
from vcdhub.platform.jobs import enqueue, job_kind, run_pending_jobs
from vcdhub.platform.models import Job

pytestmark = pytest.mark.django_db
REQUEST = {"kind": "concentration", "crime_type": "Robbery", "month_from": "2017-07", "month_to": "2017-07",
           "level": "borough"}


@pytest.fixture
def loaded(london, demo_file):
    assert run_import([demo_file("2017-07", "metropolitan-street")], actor="test").ok


@job_kind("test.explodes")
def _explodes(job, **parameters):
    job.progress(50, "half way")
    raise RuntimeError("secret internals: connection string postgres://...")


def test_the_database_worker_runs_a_queued_analysis_as_the_user_who_asked(client, loaded, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    analyst = make_persona("vcd_analyst")
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/places/", REQUEST)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and DBTaskResult.objects.filter(id=job.task_id).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 1s"' in page  # the panel polls itself
    assert "<h1>Place analysis</h1>" in page

    # The worker recycles database connections between jobs; here that would end the test's transaction.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker", verbosity=0)

    job.refresh_from_db()
    run = AnalysisRun.objects.get()
    assert (job.status, job.result_url, job.progress_percent) == ("done", f"/places/runs/{run.pk}/", 100)
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    # The run, and its audit entry, belong to the analyst who asked, with the request that asked.
    assert run.created_by == "user:vcd_analyst"
    entry = AuditEntry.objects.get(action="analysis_run", object_id=str(run.pk))
    assert (entry.actor, entry.user_id, entry.request_id) == ("user:vcd_analyst", analyst.pk, job.request_id)
    status = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == job.result_url and "hx-trigger" not in status.content.decode()


def test_a_failed_job_shows_a_plain_message_and_keeps_the_traceback_for_administrators(client, london):
    analyst, admin = make_persona("vcd_analyst"), make_persona("administrator")
    job = enqueue("test.explodes", user=analyst)
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.progress_message == "half way"
    assert "secret internals" not in job.error and "RuntimeError" in job.traceback
    client.force_login(analyst)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Failed." in page and "administrator can see the details" in page and "Traceback" not in page
    assert run_pending_jobs() == 0, "a job runs once"
    # An administrator reading their own failed job sees the traceback.
    own = enqueue("test.explodes", user=admin)
    run_pending_jobs()
    client.force_login(admin)
    assert "RuntimeError" in client.get(f"/jobs/{own.pk}/").content.decode()
    # ... and any job's, read-only, in the Django admin (a superuser's tool for operators).
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    assert "secret internals" in client.get(f"/admin/platform/job/{job.pk}/change/").content.decode()


def test_a_job_is_seen_only_by_whoever_asked_for_it_and_a_look_at_another_is_audited(client, loaded):
    analyst, other = make_persona("vcd_analyst"), make_persona("borough_analyst")
    job = enqueue("places.analysis", user=analyst, kind="concentration", crime_types=["Robbery"],
                  month_from="2017-07", month_to="2017-07", level="borough")
    client.force_login(other)
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/", "/jobs/999999/", "/jobs/x%00/"):
        assert client.get(url).status_code == 404, url
    denied = AuditEntry.objects.filter(user_id=other.pk, kind="denied", object_type="platform.job")
    assert set(denied.values_list("object_id", flat=True)) >= {str(job.pk), "999999"}
