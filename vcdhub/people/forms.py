"""The people pages' forms. They convert text to values; the actions (people.actions) check them."""

from django import forms

from vcdhub.people.choices import (
    Confidence,
    CrimeRoleKind,
    FlagKind,
    IdentifierKind,
    MappaCategory,
    MappaLevel,
    NameKind,
    OfficerDefinedEthnicity,
    PersonLinkKind,
    PlaceLinkKind,
    SelfDefinedEthnicity,
    Sex,
)
from vcdhub.platform.forms import MarkingForm, ValuesForm

DATE = forms.DateInput(attrs={"type": "date"})


class PersonForm(MarkingForm):
    source_id = forms.CharField(max_length=64, label="Source id",
                                help_text="The record's id in the system it came from")
    given_name = forms.CharField(max_length=100, required=False)
    surname = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.CharField(required=False, max_length=10, label="Date of birth",
                                    help_text="YYYY-MM-DD, or YYYY-MM or YYYY when only part is known")
    birth_estimated = forms.BooleanField(required=False, label="The date of birth is an estimate")
    sex = forms.ChoiceField(choices=[("", "—"), *Sex.choices], required=False)
    self_defined_ethnicity = forms.ChoiceField(choices=[("", "—"), *SelfDefinedEthnicity.choices], required=False)
    officer_defined_ethnicity = forms.ChoiceField(choices=[("", "—"), *OfficerDefinedEthnicity.choices],
                                                  required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    distinguishing_marks = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    field_order = ["source_id", "given_name", "surname", "date_of_birth", "birth_estimated", "sex",
                   "self_defined_ethnicity", "officer_defined_ethnicity", "description", "distinguishing_marks",
                   "owner_unit", "sensitivity", "descriptors", "handling"]


class PersonEditForm(PersonForm):
    """Editing a person changes what is known of them; the marking is changed on its own (not here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("owner_unit", "sensitivity", "descriptors", "handling"):
            del self.fields[name]


class NameForm(ValuesForm):
    kind = forms.ChoiceField(choices=NameKind.choices)
    given_name = forms.CharField(max_length=100, required=False)
    surname = forms.CharField(max_length=100, required=False)


class IdentifierForm(ValuesForm):
    kind = forms.ChoiceField(choices=IdentifierKind.choices)
    value = forms.CharField(max_length=40)


class AddressForm(ValuesForm):
    street_number = forms.CharField(max_length=20, required=False)
    address_1 = forms.CharField(max_length=200, required=False, label="Address line 1")
    address_2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    town = forms.CharField(max_length=100, required=False)
    postcode = forms.CharField(max_length=16, required=False, help_text="Any country's; a UK postcode is tidied")
    lsoa = forms.CharField(max_length=12, required=False, label="LSOA code", help_text="If known, e.g. E01003013")
    date_from = forms.DateField(required=False, widget=DATE, label="Lived there from")
    date_to = forms.DateField(required=False, widget=DATE, label="Until")


class FlagForm(MarkingForm):
    kind = forms.ChoiceField(choices=FlagKind.choices, label="Flag")
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    mappa_category = forms.TypedChoiceField(choices=[("", "—"), *MappaCategory.choices], coerce=int,
                                            empty_value=None, required=False, label="MAPPA category")
    mappa_level = forms.TypedChoiceField(choices=[("", "—"), *MappaLevel.choices], coerce=int, empty_value=None,
                                         required=False, label="MAPPA level")
    flagged_on = forms.DateField(widget=DATE, label="Set on")
    source = forms.CharField(max_length=200, help_text="Where the information comes from")
    review_on = forms.DateField(widget=DATE, label="Review by")

    field_order = ["kind", "detail", "mappa_category", "mappa_level", "flagged_on", "source", "review_on",
                   "owner_unit", "sensitivity", "descriptors", "handling"]


class CrimeRoleForm(MarkingForm):
    crime_ref = forms.CharField(max_length=64, label="Crime ID", help_text="The crime's police.uk Crime ID")
    role = forms.ChoiceField(choices=CrimeRoleKind.choices)
    recorded_on = forms.DateField(widget=DATE, required=False)

    field_order = ["crime_ref", "role", "recorded_on", "owner_unit", "sensitivity", "descriptors", "handling"]


class PersonLinkForm(MarkingForm):
    other = forms.CharField(max_length=64, label="Other person's source id")
    kind = forms.ChoiceField(choices=PersonLinkKind.choices, label="Link")
    source = forms.CharField(max_length=200)
    linked_on = forms.DateField(widget=DATE, label="Date")
    confidence = forms.ChoiceField(choices=Confidence.choices)

    field_order = ["other", "kind", "source", "linked_on", "confidence", "owner_unit", "sensitivity",
                   "descriptors", "handling"]


class PlaceLinkForm(MarkingForm):
    kind = forms.ChoiceField(choices=PlaceLinkKind.choices, label="Link")
    place = forms.CharField(max_length=200, help_text="What the place is, e.g. a shop's name and street")
    lsoa = forms.CharField(max_length=12, required=False, label="LSOA code")
    longitude = forms.FloatField(required=False)
    latitude = forms.FloatField(required=False)
    source = forms.CharField(max_length=200)
    linked_on = forms.DateField(widget=DATE, label="Date")
    confidence = forms.ChoiceField(choices=Confidence.choices)

    field_order = ["kind", "place", "lsoa", "longitude", "latitude", "source", "linked_on", "confidence",
                   "owner_unit", "sensitivity", "descriptors", "handling"]


class DecisionForm(ValuesForm):
    decision = forms.ChoiceField(choices=[("same", "Same person"), ("not_same", "Not the same"),
                                          ("unsure", "Unsure")], widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept with the decision")


class UndoMergeForm(ValuesForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the merge was wrong")
