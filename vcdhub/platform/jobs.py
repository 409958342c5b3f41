"""Long work as background jobs: place analyses, report builds, large imports.

A module registers a job kind with the function that does the work:

    @job_kind("places.analysis")
    def run_place_analysis(job, *, kind, crime_types, ...):
        job.progress(10, "counting crimes")
        ...
        return JobOutcome(url=reverse("places:run", args=[run.pk]))

and a view enqueues it for the signed-in user with `enqueue("places.analysis", user=request.user, **params)`.

The queue is django-tasks with its database backend (django-tasks-db): no broker, the same on SQLite and
PostgreSQL; `vcdhub db_worker` runs the jobs (make demo starts one). Our own `Job` row keeps what the task
framework does not: who asked, progress, the message a user may read and the traceback only an
administrator reads. The job runs as its requester's actor, so its reads and writes are audited to them.
"""

import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from vcdhub.audit.context import acting_as, actor_or_none, user_actor_name
from vcdhub.platform.models import Job, JobStatus

_KINDS: dict[str, Callable] = {}
_LABELS: dict[str, str] = {}


class JobError(Exception):
    """A failure whose message is written for the user (bad parameters, no data): shown as it is."""


@dataclass
class JobOutcome:
    url: str = ""  # where the result is shown
    summary: str = ""
    # or a file the job made, offered for download to its requester
    content: bytes | None = None
    file_name: str = ""
    content_type: str = "application/octet-stream"


def job_kind(name: str, label: str = ""):
    """Register the function that does one kind of job; `label` is how its page names it."""

    def register(function):
        _KINDS[name] = function
        _LABELS[name] = label or name
        return function

    return register


def enqueue(kind: str, /, *, user, request_id: str = "", **parameters) -> Job:
    """Queue a job for `user`. It starts when a worker picks it up (at once with the immediate backend)."""
    if kind not in _KINDS:
        raise ValueError(f"no such job kind: {kind}")
    if not request_id:
        current = actor_or_none()
        request_id = current.request_id if current else ""
    job = Job.objects.create(kind=kind, parameters=parameters, requested_by=user, request_id=request_id)
    # Enqueue once the job row is committed, so a worker never looks for a row it cannot see yet.
    transaction.on_commit(lambda: _enqueue_task(job))
    return job


def _enqueue_task(job: Job) -> None:
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))


def label(job) -> str:
    """The job's kind in words, for its page."""
    return _LABELS.get(job.kind, job.kind)


def _user_message(exc: Exception) -> str:
    if isinstance(exc, JobError | ValueError):
        return str(exc)
    return "The job failed unexpectedly. An administrator can see the details; try again, or report it."


@task()
def run_job(job_id: int) -> None:
    """The one task the queue runs: look the job up, run its kind's function as its requester, record how it
    ended. A failure is kept on the job (message for the user, traceback for an administrator), not raised."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return  # already run, or not there: a job runs once
    job = Job.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=job.requested_by_id)
    with acting_as(user_actor_name(user), user=user, request_id=job.request_id,
                   reason=f"background job {job.pk} ({job.kind})"):
        try:
            outcome = _KINDS[job.kind](job, **job.parameters) or JobOutcome()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job for the user to see
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                                 error=_user_message(exc), traceback=traceback.format_exc())
            return
    url = outcome.url or (reverse("job_download", args=[job.pk]) if outcome.content is not None else "")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now(), result_url=url,
                                         summary=outcome.summary[:300], progress_percent=100,
                                         output=outcome.content, output_name=outcome.file_name[:200],
                                         output_type=outcome.content_type[:100] if outcome.content is not None else "")


def run_pending_jobs() -> int:
    """Run every queued job now, in this process (tests, and `vcdhub jobs run`); returns how many ran."""
    ran = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("pk").values_list("pk", flat=True):
        run_job.call(job_id)
        ran += 1
    return ran
