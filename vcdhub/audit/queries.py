"""The auditors' two questions, as querysets: who touched this record, and what did this user look at."""

import datetime as dt

from django.utils import timezone

from vcdhub.audit.models import AuditEntry, EntryKind


def record_trail(object_type: str, object_id: str):
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("seq")


def user_activity(user, date_from: dt.date, date_to: dt.date, reads_only: bool = True):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    entries = AuditEntry.objects.filter(user_id=user.pk, at__gte=start, at__lt=end)
    if reads_only:
        entries = entries.filter(kind__in=[EntryKind.READ, EntryKind.DENIED])
    return entries.order_by("seq")


COLUMNS = [("seq", "Entry"), ("at", "When"), ("actor", "Who"), ("ip", "From"), ("kind", "Kind"),
           ("action", "Action"), ("object_type", "Record type"), ("object_id", "Record id"),
           ("object_repr", "Record"), ("reason", "Reason"), ("request_id", "Request")]
