"""Scoring the register for duplicates runs in the background: Splink trains on every person the requester may
see, seconds for thousands of people, half a minute for a hundred thousand."""

from django.urls import reverse

from vcdhub.platform.jobs import JobOutcome, job_kind


@job_kind("people.duplicates", label="Scoring the register for duplicate people")
def score_duplicates(job, *, threshold: float = 0.9) -> JobOutcome:
    from vcdhub.people.duplicates import find_duplicates, propose_pairs

    job.progress(10, "training the linkage model on the people you may see")
    found = find_duplicates(user=job.requested_by, threshold=threshold)
    job.progress(80, "putting new pairs on the review queue")
    queued = propose_pairs(found)
    return JobOutcome(url=reverse("people:duplicates"),
                      summary=f"{len(found.pairs)} pairs scored {threshold} or more; {queued} new on the queue")
