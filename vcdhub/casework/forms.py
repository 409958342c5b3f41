"""The case-work pages' forms. They convert text to values; casework.actions checks them."""

from django import forms

from vcdhub.access.models import Unit
from vcdhub.casework.actions import NDM_FIELDS
from vcdhub.casework.choices import LinkKind, RiskLevel
from vcdhub.platform.forms import MarkingForm, ValuesForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReasonForm(ValuesForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


def unit_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Units grouped by kind, for a choice of who does an action or who a referral came from."""
    groups: dict[str, list] = {}
    for unit in Unit.objects.order_by("kind", "name"):
        groups.setdefault(unit.get_kind_display(), []).append((unit.code, unit.name))
    return [("", "Choose…"), *groups.items()]


class ActionForm(ValuesForm):
    title = forms.CharField(max_length=200, help_text="What is to be done, in a line")
    detail = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                             help_text="Partner agencies see the title and this, and nothing else of the case")
    assignee = forms.ChoiceField(label="Who does it", help_text="A unit, a borough or a partner agency")
    due = forms.DateField(widget=DATE, help_text="YYYY-MM-DD")

    def __init__(self, *args, headings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = unit_choices  # read when shown: the API's schema is made without them
        if headings:
            self.fields["heading"] = forms.ChoiceField(choices=[("", "None"), *headings], required=False,
                                                       label="Plan pillar")


class CompleteForm(ValuesForm):
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000,
                             help_text="What was done, and what came of it")


class ReviewForm(ValuesForm):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000,
                              help_text="What the review found")
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label="Risk level now",
                                   help_text="Sets when the next review is due")


class LinkForm(ValuesForm):
    kind = forms.ChoiceField(choices=LinkKind.choices)
    value = forms.CharField(max_length=64, label="Reference or Crime ID")


class MeetingForm(MarkingForm):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(widget=DATETIME, label="Starts", help_text="Local time")
    ends_at = forms.DateTimeField(widget=DATETIME, label="Ends", help_text="Local time")
    location = forms.CharField(required=False, max_length=200)


class AttendeeForm(ValuesForm):
    name = forms.CharField(max_length=150)
    role = forms.CharField(required=False, max_length=100, help_text="e.g. chair, probation officer")
    unit = forms.ChoiceField(required=False, label="Unit or agency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices()


class DiscussionForm(ValuesForm):
    discussion = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000)


NDM_LABELS = {"information": "Information and intelligence", "threat_and_risk": "Threat and risk assessment",
              "powers_and_policy": "Powers and policy", "options": "Options considered",
              "action_taken": "Action taken"}


class DecisionForm(ValuesForm):
    summary = forms.CharField(max_length=200, help_text="The decision, in a line")
    review_date = forms.DateField(widget=DATE, help_text="When the decision is reviewed")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in NDM_FIELDS:
            self.fields[field] = forms.CharField(label=NDM_LABELS[field], max_length=10_000,
                                                 widget=forms.Textarea(attrs={"rows": 2}))


class HoldForm(ValuesForm):
    present = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Who was there")

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(a.pk), a.name) for a in attendees]
