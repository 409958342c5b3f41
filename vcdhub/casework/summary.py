"""What case work tells a user's landing page: the actions assigned to their units or agency (open, and how many
overdue), and the reviews of cases they may see that are overdue, counted as the queues list them."""

from django.db.models import Count, Q
from django.urls import reverse

from vcdhub.access.policy import profile
from vcdhub.casework.choices import ActionStatus
from vcdhub.casework.kinds import kinds
from vcdhub.casework.models import Case, CaseAction, today


def waiting(user) -> dict:
    on = today()
    actions = CaseAction.objects.restrict(user).filter(assignee_id__in=profile(user).units,
                                                       status=ActionStatus.OPEN)
    reviews = []  # (kind of case, overdue reviews, the queue's URL), for the kinds the user works
    for case_kind in kinds():
        if case_kind.reviews_url and (case_kind.worker_roles is None or profile(user).roles & case_kind.worker_roles):
            overdue = (case_kind.overdue_reviews(user) if case_kind.overdue_reviews is not None else
                       Case.objects.restrict(user).filter(kind=case_kind.name, state__in=case_kind.open_states,
                                                          next_review_due__lt=on).count())
            reviews.append((case_kind.label, overdue, reverse(case_kind.reviews_url)))
    counts = actions.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=on)))  # one query, not two
    return {"actions": counts["open"], "overdue": counts["overdue"], "reviews": reviews}
