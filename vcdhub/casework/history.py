"""A case as it stood on a past date, from its steps: its state then, and how long it spent in each state up to
then. Reports "as of" a date (`vcdhub report ramp --as-of`) read these, so a report run today about last month
says what was true last month."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from vcdhub.casework.models import CaseStep


def end_of(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the force's time zone (aware). The last days of year 9999 end with it."""
    day = min(day, dt.date(9999, 12, 30))
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time())) - dt.timedelta(
        microseconds=1)


def steps_by_case(case_ids, until: dt.datetime) -> dict[int, list[CaseStep]]:
    """Each case's steps up to `until`, in order, in one query."""
    found = defaultdict(list)
    for step in CaseStep.objects.filter(case_id__in=list(case_ids), at__lte=until).order_by("at", "pk"):
        found[step.case_id].append(step)
    return found


def state_at(steps: list[CaseStep]) -> str | None:
    """The state the steps left the case in (None: not yet opened)."""
    return steps[-1].to_state if steps else None


def days_in_states(steps: list[CaseStep], until: dt.datetime) -> dict[str, float]:
    """Days the case spent in each state it entered, up to `until` (the present state counts to `until`)."""
    spent: dict[str, float] = defaultdict(float)
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        leaving = following.at if following is not None else until
        spent[step.to_state] += max((leaving - step.at).total_seconds(), 0) / 86400
    return dict(spent)
