"""A missing-person episode's life as data (platform.workflow), and its kind of case for the case-work core: the
report opens it (missing), each regrade is a step with its reason, the person is found (or returns), and the
return interview closes it. missing.actions adds each step's own checks and records."""

from vcdhub.casework.kinds import CaseKind
from vcdhub.missing import roles
from vcdhub.missing.choices import OPEN_STATES, State
from vcdhub.platform.workflow import Transition, Workflow

EPISODE = Workflow(
    states=dict(State.choices), initial=State.MISSING, noun="missing-person episode",
    transitions=(
        Transition("regrade", "Regrade the risk", {State.MISSING}, State.MISSING, roles=roles.WORKERS,
                   needs_reason=True, past="regraded"),
        Transition("found", "Record the person found", {State.MISSING}, State.FOUND, roles=roles.WORKERS,
                   past="found"),
        Transition("reopen", "Reopen: still missing", {State.FOUND}, State.MISSING, roles=roles.SUPERVISORS,
                   needs_reason=True, past="reopened"),
        Transition("close", "Close after the return interview", {State.FOUND}, State.CLOSED, roles=roles.WORKERS,
                   past="closed"),
    ))


def overdue_reviews(user) -> int:
    """Open episodes the user may see whose review or supervision is overdue (the landing page's count)."""
    from vcdhub.missing.timing import overdue_count

    return overdue_count(user, "missing")


def describe(case) -> dict:
    """The episode's grade and next review for the core's lists (the person page's panel)."""
    from django.utils import timezone

    from vcdhub.missing.models import Episode

    episode = Episode.objects.filter(case=case).first()
    if episode is None:
        return {"risk": "Not graded", "next_review": "—", "overdue": False}
    from vcdhub.missing.timing import overdue

    due = [d for d in (episode.next_review_at, episode.next_supervision_at) if d is not None]
    return {"risk": f"{episode.get_grade_display()} (missing-person grade)",
            "next_review": f"{timezone.localtime(min(due)):%Y-%m-%d %H:%M}" if due else "—",
            "overdue": bool(overdue(episode, case.state))}


KIND = CaseKind(
    name="missing", label="missing-person episode", workflow=EPISODE, prefix="MIS",
    detail_url="missing:case_detail", reviews_url="missing:queue",
    open_states=OPEN_STATES, read_only_states=frozenset({State.CLOSED}),
    read_only_reasons={State.CLOSED: "closed"}, worker_roles=roles.WORKERS,
    overdue_reviews=overdue_reviews, describe=describe, start_url="missing:case_add", start_label="Report missing")
