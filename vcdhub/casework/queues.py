"""The case-work queues: each unit's and partner agency's actions, and the cases whose review is due, most
overdue first. Overdue is counted in whole calendar days in the force's time zone (casework.models.today), so
it does not shift by an hour's difference when the clocks change."""

import datetime as dt

from django.db.models import Case as When_
from django.db.models import F, IntegerField, Value, When

from vcdhub.access.policy import profile
from vcdhub.casework.choices import ActionStatus
from vcdhub.casework.kinds import kind
from vcdhub.casework.models import Case, CaseAction, today


def action_queue(user, *, include_closed: bool = False) -> list[CaseAction]:
    """The actions assigned to the user's own units and agencies, open ones first by due date (the most overdue
    first), then closed ones, newest first."""
    actions = (CaseAction.objects.restrict(user).filter(assignee_id__in=profile(user).units)
               .select_related("case", "assignee"))
    if not include_closed:
        actions = actions.filter(status=ActionStatus.OPEN)
    order = When_(When(status=ActionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(actions.annotate(closed_first=order).order_by("closed_first", "due", "pk")[:1000])


def review_queue(user, kind_name: str, *, on: dt.date | None = None, within_days: int = 14) -> list[Case]:
    """The open cases of a kind the user may see whose review is due within `within_days` or overdue, the most
    overdue first."""
    on = on or today()
    case_kind = kind(kind_name)
    cases = (Case.objects.restrict(user).filter(kind=kind_name, state__in=case_kind.open_states,
                                                next_review_due__lte=on + dt.timedelta(days=within_days))
             .select_related("subject", "lead_officer").order_by(F("next_review_due").asc(), "reference"))
    return list(cases)


def overdue_actions(queryset, on: dt.date | None = None):
    """The open actions in `queryset` past their due date."""
    return queryset.filter(status=ActionStatus.OPEN, due__lt=on or today())
