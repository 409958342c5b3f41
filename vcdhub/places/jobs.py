"""Place analyses as background jobs: the web form queues one; the CLI keeps running them in the foreground."""

from django.urls import reverse

from vcdhub.audit.context import current_actor
from vcdhub.places.actions import run_analysis
from vcdhub.platform.jobs import JobOutcome, job_kind
from vcdhub.platform.permissions import reads_records


@job_kind("places.analysis", label="Place analysis")
def run_place_analysis(job, **request) -> JobOutcome:
    # A reader of aggregates only gets a run computed from perturbed counts (the only kind they may open).
    run = run_analysis(**request, actor=current_actor().name, perturbed=not reads_records(job.requested_by),
                       progress=job.progress)
    return JobOutcome(url=reverse("places:run", args=[run.pk]), summary=str(run))
