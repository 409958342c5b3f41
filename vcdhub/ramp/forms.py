"""The risk panel's forms. They convert text to values; ramp.actions checks them."""

from django import forms

from vcdhub.casework.choices import RiskLevel
from vcdhub.casework.forms import DATE, ReasonForm, unit_choices
from vcdhub.platform.forms import MarkingForm, ValuesForm
from vcdhub.ramp.choices import MappaCategory, MappaLevel, SubjectType
from vcdhub.ramp.models import GROUP_FIELDS, PILLAR_FIELDS, RiskGroup

YES_NO = [("", "Choose…"), ("yes", "Yes"), ("no", "No")]


class ReferralForm(MarkingForm):
    subject = forms.IntegerField(min_value=1, label="Person (register number)",
                                 help_text="The person's number on the register, from their page")
    subject_type = forms.ChoiceField(choices=[("", "Choose…"), *SubjectType.choices], label="The referral is about")
    referred_by = forms.CharField(required=False, max_length=150, help_text="Name and role; blank: you")
    referring_unit = forms.ChoiceField(label="Referred from", help_text="The unit or partner agency")
    basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000,
                            help_text="Why: what the intelligence and crimes show")
    reports = forms.CharField(required=False, max_length=2000, label="Intelligence reports",
                              help_text="References, separated by spaces or commas (e.g. IR-2026-000123)")
    crimes = forms.CharField(required=False, max_length=4000, label="Crimes",
                             help_text="Crime IDs, separated by spaces or commas")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_unit"].choices = unit_choices()


class ScreenForm(ReasonForm):
    field_order = ["decision", "reason"]
    decision = forms.ChoiceField(choices=[("", "Choose…"), ("accept", "Accept for a risk assessment"),
                                          ("decline", "Decline")])


class AssessmentForm(ValuesForm):
    pdp_serious_harm = forms.ChoiceField(choices=YES_NO, required=False,
                                         label="Would the feared offence cause serious harm?",
                                         help_text="Life-threatening or traumatic, recovery difficult or impossible")
    pdp_imminent = forms.ChoiceField(choices=YES_NO, required=False, label="Is it imminent?")
    pdp_more_likely = forms.ChoiceField(choices=YES_NO, required=False, label="Is it more likely than not?")
    pdp_rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                                    label="Rationale for the test")

    def __init__(self, *args, vulnerable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if vulnerable:  # the potentially dangerous person test is not for a vulnerable subject
            for name in ("pdp_serious_harm", "pdp_imminent", "pdp_more_likely", "pdp_rationale"):
                del self.fields[name]
        for group, name in GROUP_FIELDS.items():
            self.fields[name] = forms.ChoiceField(choices=[("", "Choose…"), *RiskLevel.choices],
                                                  label=f"Risk of serious harm to {RiskGroup(group).label.lower()}")
        self.fields["rosh_rationale"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000,
                                                        label="Rationale for the grades")


class ListForm(ValuesForm):
    meeting = forms.ChoiceField(label="Panel meeting")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000)

    def __init__(self, *args, meetings=(), reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "Choose…"), *((str(m.pk), str(m)) for m in meetings)]
        self.fields["reason"].required = reason_required


class PlanForm(ValuesForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000,
                             label="Note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from vcdhub.ramp.choices import Pillar

        for pillar, name in PILLAR_FIELDS.items():
            self.fields[name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                                               label=Pillar(pillar).label)
        self.order_fields([*PILLAR_FIELDS.values(), "reason"])


class EscalateForm(ReasonForm):
    category = forms.TypedChoiceField(choices=MappaCategory.choices, coerce=int, label="MAPPA category")
    level = forms.TypedChoiceField(choices=MappaLevel.choices, coerce=int, label="MAPPA level")
    manager = forms.CharField(max_length=150, help_text="The MAPPA manager: name and agency")
    managed_from = forms.DateField(widget=DATE, label="Managed under MAPPA from")
