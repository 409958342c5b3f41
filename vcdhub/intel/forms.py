"""The intelligence pages' forms. They convert text to values; intel.actions checks them."""

from django import forms

from vcdhub.intel.choices import Agency, LinkKind, RecipientKind, Scheme, Version
from vcdhub.people.choices import PersonLinkKind
from vcdhub.platform.forms import MarkingForm, ValuesForm


class ReportForm(MarkingForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
                           help_text="What you know, how you know it, when and where")
    source = forms.CharField(required=False, max_length=40, label="Source reference",
                             help_text="Only for a source you handle; leave blank otherwise")
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)


class ReasonForm(ValuesForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReturnForm(ReasonForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="What detail the submitter should add")


class ResubmitForm(ReasonForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)


class GradeForm(ReasonForm):
    grading_scheme = forms.ChoiceField(choices=Scheme.choices, initial=Scheme.THREE_FIVE_TWO)
    source_evaluation = forms.CharField(max_length=1, help_text="3x5x2: 1 to 3. 5x5x5: A to E")
    intelligence_assessment = forms.CharField(max_length=1, help_text="3x5x2: A to E. 5x5x5: 1 to 5")
    handling_code = forms.CharField(max_length=1, help_text="3x5x2: P or C. 5x5x5: 1 to 5")
    handling_conditions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                          help_text="Needed for a C code")
    needs_sanitising = forms.BooleanField(required=False, label="Only a sanitised version may be shared",
                                          help_text="Always so for a C code")


class SanitiseForm(ReasonForm):
    sanitised_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
                                     label="Sanitised text",
                                     help_text="Remove the source and anything that could identify them")


class DisseminateForm(ReasonForm):
    recipient_kind = forms.ChoiceField(choices=RecipientKind.choices, label="Share with")
    recipient = forms.CharField(max_length=60, help_text="A unit's or borough's code, or a partner agency's",
                                widget=forms.TextInput(attrs={"list": "recipients"}))
    version = forms.ChoiceField(choices=Version.choices, initial=Version.SANITISED)

    agencies = Agency.choices


class LinkForm(ValuesForm):
    kind = forms.ChoiceField(choices=LinkKind.choices)
    value = forms.CharField(required=False, max_length=200,
                            help_text="A person's source id, a Crime ID, a registration, a number, a report's "
                                      "reference or an address")


class SourceForm(MarkingForm):
    reference = forms.CharField(max_length=40)
    name = forms.CharField(max_length=200, label="Identity")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProposalForm(ValuesForm):
    decision = forms.ChoiceField(choices=[("confirmed", "Confirm the link"), ("rejected", "Reject it")],
                                 widget=forms.RadioSelect)
    kind = forms.ChoiceField(choices=[("", "As the evidence suggests"), *PersonLinkKind.choices], required=False,
                             label="Kind of link", help_text="For a confirmation")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
