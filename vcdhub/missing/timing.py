"""When an episode's review, supervision and return interview fall due, and whether they are overdue.

Intervals are hours (settings.VCDHUB_MISSING_TIMING, by risk grade) counted in real elapsed time: the times are
stored in UTC, so a two-hour review interval is two hours whether or not the clocks change in it. A review or
supervision is overdue once its due time has passed while the person is still missing; a return interview once
its due time has passed while the person is found and not yet interviewed."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from vcdhub.missing.choices import State


def hours(kind: str, grade: str) -> int:
    """Hours for `kind` ("review", "supervision" or "interview") at `grade`."""
    return settings.VCDHUB_MISSING_TIMING[f"{kind}_hours"][grade]


def after(at: dt.datetime, kind: str, grade: str) -> dt.datetime:
    """`at` plus the interval, in elapsed time. Adding to a time zone's datetime adds to its wall clock (00:30
    BST plus two hours is 02:30 GMT, three real hours, on the night the clocks go back), so add in UTC."""
    return at.astimezone(dt.UTC) + dt.timedelta(hours=hours(kind, grade))


def schedule(episode, state: str) -> None:
    """Set the episode's next review and supervision from its last ones and its grade (none unless missing)."""
    if state == State.MISSING:
        episode.next_review_at = after(episode.reviewed_at, "review", episode.grade)
        episode.next_supervision_at = after(episode.supervised_at, "supervision", episode.grade)
    else:
        episode.next_review_at = episode.next_supervision_at = None


def overdue_filter(now: dt.datetime, prefix: str = "") -> Q:
    """Episodes (or, with prefix "missing_episode__", cases) with something overdue at `now`."""
    state = "case__state" if not prefix else "state"
    return (Q(**{state: State.MISSING}) & (Q(**{f"{prefix}next_review_at__lt": now})
                                           | Q(**{f"{prefix}next_supervision_at__lt": now}))
            | Q(**{state: State.FOUND, f"{prefix}interview_due_at__lt": now, f"{prefix}interview_at__isnull": True}))


def span(delta: dt.timedelta) -> str:
    """A duration as people say it: "3 h 20 min", "2 days 4 h"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours_, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours_} h"
    return f"{hours_} h {minutes} min" if hours_ else f"{minutes} min"


def overdue(episode, state: str, now: dt.datetime | None = None) -> list[str]:
    """What is overdue on the episode at `now`, in words (empty: nothing)."""
    now = now or timezone.now()
    found = []
    if state == State.MISSING:
        for label, due in (("Review", episode.next_review_at), ("Supervision", episode.next_supervision_at)):
            if due is not None and due < now:
                found.append(f"{label} overdue by {span(now - due)} (due {timezone.localtime(due):%Y-%m-%d %H:%M})")
    elif state == State.FOUND and episode.interview_due_at is not None and episode.interview_at is None:
        if episode.interview_due_at < now:
            found.append(f"Return interview overdue by {span(now - episode.interview_due_at)} "
                         f"(due {timezone.localtime(episode.interview_due_at):%Y-%m-%d %H:%M})")
    return found


def overdue_count(user, kind_name: str, now: dt.datetime | None = None) -> int:
    """Open episodes (cases of `kind_name`) the user may see with a review, supervision or interview overdue."""
    from vcdhub.casework.models import Case

    now = now or timezone.now()
    return (Case.objects.restrict(user).filter(kind=kind_name)
            .filter(overdue_filter(now, prefix="missing_episode__")).count())
