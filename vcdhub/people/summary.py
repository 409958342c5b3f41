"""What the people register tells a user's landing page: their flags whose review is overdue or falls due soon.
Counted over the flags the user may see, as the flag reviews page lists them, so the two always agree."""

import datetime as dt

from django.utils import timezone

from vcdhub.people.models import Flag

SOON = 30  # days


def reviews_due(user) -> dict:
    today = timezone.localdate()
    flags = Flag.objects.restrict(user)
    return {"overdue": flags.filter(review_on__lt=today).count(),
            "soon": flags.filter(review_on__gte=today, review_on__lte=today + dt.timedelta(days=SOON)).count(),
            "days": SOON}
