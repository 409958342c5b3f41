"""Form parts every records module shares."""

from django import forms

from vcdhub.access.choices import Descriptor, Sensitivity
from vcdhub.access.models import Unit


class ValuesForm(forms.Form):
    """A form whose values go to an action as they are (platform.pages.form_page calls `values()`)."""

    def values(self) -> dict:
        return dict(self.cleaned_data)


class MarkingForm(forms.Form):
    """The owning unit and marking every new record states."""

    owner_unit = forms.ChoiceField(label="Owning unit", help_text="One of your units")
    sensitivity = forms.ChoiceField(choices=Sensitivity.choices, initial=Sensitivity.OFFICIAL_SENSITIVE)
    descriptors = forms.MultipleChoiceField(choices=Descriptor.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, initial=[Descriptor.PERSONAL])
    handling = forms.CharField(required=False, max_length=200, help_text="A handling code and its conditions")

    def __init__(self, *args, units: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(Unit.objects.filter(code__in=units or []).values_list("code", "name"))
        self.fields["owner_unit"].choices = [(code, names.get(code, code)) for code in sorted(units or [])]
        if len(units or []) == 1:
            self.fields["owner_unit"].initial = units[0]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if "descriptors" in data:  # not on a form that leaves the marking as it is (PersonEditForm)
            data["descriptors"] = ",".join(data["descriptors"])
        return data
