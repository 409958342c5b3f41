"""Looking for links the evidence suggests runs in the background: over every crime role, report link and
address, seconds for the demo's records."""

from django.urls import reverse

from vcdhub.platform.jobs import JobOutcome, job_kind


@job_kind("intel.propose_links", label="Looking for links between people that the evidence suggests")
def propose_links(job) -> JobOutcome:
    from vcdhub.intel.proposals import propose_links as propose

    job.progress(10, "comparing crimes, reports, vehicles, phones and addresses")
    made = propose()
    return JobOutcome(url=reverse("intel:proposals"), summary=f"{made} new link proposals")
