"""Missing persons' forms. They convert text to values; missing.actions checks them (times are read there)."""

from django import forms

from vcdhub.casework.forms import DATETIME, ReasonForm
from vcdhub.missing.choices import FoundHow, FromKind, Grade, Indicator, ProtocolKind
from vcdhub.platform.forms import MarkingForm, ValuesForm

CHOOSE = [("", "Choose…")]
WHEN_HELP = "YYYY-MM-DD HH:MM, local time"


def _when(label: str, required: bool = True, help_text: str = WHEN_HELP) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=40, widget=DATETIME, help_text=help_text)


def _text(label: str, rows: int = 3, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=10_000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ReportForm(MarkingForm):
    subject = forms.IntegerField(min_value=1, label="Person (register number)",
                                 help_text="The person's number on the register, from their page")
    reported_at = _when("Reported at", required=False, help_text=f"{WHEN_HELP}; blank: now")
    reported_by = forms.CharField(max_length=150, help_text="Name and relationship to the person")
    reporter_contact = forms.CharField(max_length=150, required=False, label="Reporter's contact")
    from_kind = forms.ChoiceField(choices=CHOOSE + FromKind.choices, label="Missing from")
    from_place = forms.CharField(max_length=200, label="Name or address of the place")
    from_postcode = forms.CharField(max_length=16, required=False, label="Its postcode")
    last_seen_at = _when("Last seen at")
    last_seen_place = forms.CharField(max_length=200, required=False, label="Last seen where")
    indicators = forms.MultipleChoiceField(choices=Indicator.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple, label="Risk indicators")
    grade = forms.ChoiceField(choices=CHOOSE + Grade.choices, label="Risk grade")
    grade_rationale = _text("Rationale for the grade", 4)
    field_order = ["subject", "reported_at", "reported_by", "reporter_contact", "from_kind", "from_place",
                   "from_postcode", "last_seen_at", "last_seen_place", "indicators", "grade", "grade_rationale"]


class InfoForm(ValuesForm):
    text = _text("Information", 4)
    supplied_by = forms.CharField(max_length=150, help_text="Who supplied it: name and role")
    supplier_contact = forms.CharField(max_length=150, required=False, label="Their contact")
    obtained_at = _when("Obtained at")
    corrects = forms.ChoiceField(required=False, label="Corrects an earlier item",
                                 help_text="The log is never edited: a correction is a new item")

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].choices = [("", "No: new information"),
                                           *((str(i.pk), f"{i.obtained_at:%Y-%m-%d %H:%M}, {i.supplied_by}")
                                             for i in items)]


class RegradeForm(ReasonForm):
    field_order = ["grade", "reason"]
    grade = forms.ChoiceField(choices=CHOOSE + Grade.choices, label="New grade")


class ReviewForm(ValuesForm):
    summary = _text("What the review found", 4)
    grade = forms.ChoiceField(choices=[("", "Unchanged"), *Grade.choices], required=False, label="Grade")


class ProtocolFormForm(ValuesForm):
    kind = forms.ChoiceField(choices=CHOOSE + ProtocolKind.choices, label="Protocol")
    given_by = forms.CharField(max_length=150, help_text="Who handed it over: name and role")
    given_at = _when("Handed over at")
    photo = forms.BooleanField(required=False, label="It held a recent photograph")
    description = _text("Description, routines, vulnerabilities", required=False)
    medical = _text("Medication and medical needs", 2, required=False)
    contacts = _text("Phone numbers, social media, transport", 2, required=False)
    places = _text("Places frequented, previous addresses, where found before", required=False)
    associates = _text("Associates", 2, required=False)


class FoundForm(ValuesForm):
    found_at = _when("Found at")
    found_how = forms.ChoiceField(choices=CHOOSE + FoundHow.choices, label="How")
    found_place = forms.CharField(max_length=200, label="Where")
    found_longitude = forms.CharField(required=False, max_length=30, label="Longitude",
                                      help_text="Decimal degrees, optional (with latitude)")
    found_latitude = forms.CharField(required=False, max_length=30, label="Latitude")
    reason = _text("Circumstances", 4)


class CloseForm(ValuesForm):
    interview_at = _when("Return interview held at", required=False, help_text=f"{WHEN_HELP}; blank: none held")
    interview_by = forms.CharField(max_length=150, required=False, label="Held by")
    interview_summary = _text("What the interview found", 4, required=False)
    reason = _text("Why there is no interview (declined, found dead)", 2, required=False)


class ProposalForm(ReasonForm):
    field_order = ["decision", "reason"]
    decision = forms.ChoiceField(choices=CHOOSE + [("accept", "Accept: refer to the risk panel"),
                                                   ("decline", "Decline")])


__all__ = ["ReportForm", "InfoForm", "RegradeForm", "ReviewForm", "ProtocolFormForm", "FoundForm", "CloseForm",
           "ProposalForm", "ReasonForm"]
