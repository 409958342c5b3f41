"""The auditors' two questions, as querysets: who touched this record, and what did this user look at."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from vcdhub.audit.models import AuditEntry, EntryKind


class RecordQueryForm(forms.Form):
    object_type = forms.ChoiceField(label="Record type", choices=[
        ("crime.crime", "Crime"), ("crime.outcome", "Outcome"), ("crime.stopsearch", "Stop and search"),
        ("access.accessgrant", "Access grant"), ("auth.user", "User"),
    ])
    object_id = forms.CharField(label="Record id", max_length=64)


class UserQueryForm(forms.Form):
    username = forms.CharField(max_length=150)
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    reads_only = forms.BooleanField(required=False, initial=True, label="Only what they looked at")

    def clean_username(self):
        username = self.cleaned_data["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("No such user.")
        self.cleaned_data["user"] = user
        return username

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


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
