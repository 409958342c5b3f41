"""The auditors' query forms. Record kinds come from the module registry."""

from django import forms
from django.contrib.auth import get_user_model

from vcdhub.platform.registry import record_choices


class RecordQueryForm(forms.Form):
    object_type = forms.ChoiceField(label="Record type", choices=lambda: [
        *record_choices(), ("access.accessgrant", "Access grant"), ("auth.user", "User")])
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
