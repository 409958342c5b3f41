"""One FilterSet per record type. The explorer, its CSV download, the map and the API all use these,
so the same filter gives the same rows and counts everywhere.

Empty values: a parameter sent empty (`borough=`, `month_from=`, `force=`) is the same as leaving it out, for every
filter; among several values of one filter, the empty ones are dropped (`crime_type=Robbery&crime_type=` is
`crime_type=Robbery`). A form submits its empty fields, and an empty field asks for nothing."""

import django_filters
from django import forms
from django.http import QueryDict

from vcdhub.crime.choices import CRIME_TYPES, HISTORIC_CRIME_TYPES
from vcdhub.crime.models import Crime, StopSearch
from vcdhub.geography.models import Borough, Ward
from vcdhub.platform.fields import MonthFilter, QuickSelectMultiple


def without_empty_values(data):
    """The filter's data with every empty value dropped (None stays None: no filter at all)."""
    if data is None:
        return None
    if hasattr(data, "lists"):
        kept = QueryDict(mutable=True)
        for name, values in data.lists():
            values = [v for v in values if v != ""]
            if values:
                kept.setlist(name, values)
        return kept
    kept = {}
    for name, value in data.items():
        if isinstance(value, list | tuple):
            value = [v for v in value if v != ""]
        if value not in ("", [], None):
            kept[name] = value
    return kept


class MonthRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        # Bounds the wrong way round are the user's mistake, not an empty answer.
        if data.get("month_from") and data.get("month_to") and data["month_from"] > data["month_to"]:
            self.add_error("month_to", "The end month is before the start month.")
        return data


class AreaChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Areas chosen by code, filtered by their ids (borough_id = 12), not their codes through a join: the planner
    then knows how few rows one borough holds and reads the (borough, month) index (a year of one borough's
    robbery, newest first, went from 310 ms to a few on PostgreSQL)."""

    def get_filter_predicate(self, v):
        return {f"{self.field_name}_id": v.pk}


class WardChoiceFilter(AreaChoiceFilter):
    """Ward names repeat across boroughs (there are several "Abbey" wards), so the label names both."""

    schema_note = ". With `borough`, only wards in the chosen boroughs are accepted."  # in the API's schema

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["queryset"] = Ward.objects.select_related("borough").only("code", "name", "borough__name").order_by(
            "name", "borough__name")  # not the boundaries: a ward's outline is many kilobytes
        self.extra.setdefault("widget", QuickSelectMultiple)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda ward: ward_label(ward.name, ward.borough.name)
        return field


def ward_label(name: str, borough_name: str) -> str:
    return f"{name}, {borough_name}"


def ward_choices(wards, with_data, chosen) -> list[tuple[str, str]]:
    """The ward picker's options, (code, label), in the queryset's order: wards whose ids are in `with_data`,
    and any whose code is in `chosen`. Plain values, not 637 model instances with their boroughs."""
    return [(code, ward_label(name, borough)) for pk, code, name, borough
            in wards.values_list("pk", "code", "name", "borough__name") if pk in with_data or code in chosen]


class PlacedRecordFilterSet(django_filters.FilterSet):
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="From (YYYY-MM)")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="To (YYYY-MM)")
    month_to.schema_note = ", not before `month_from`"  # MonthRangeForm's rule, in the API's schema
    # distinct=False: each row matches one borough, ward or type, so DISTINCT (django-filter's default for
    # multiple choices) only makes PostgreSQL sort every matching row before counting.
    borough = AreaChoiceFilter(
        field_name="borough", to_field_name="code", label="Borough", distinct=False,
        queryset=Borough.objects.only("code", "name").order_by("name"), widget=QuickSelectMultiple,
    )
    ward = WardChoiceFilter(field_name="ward", to_field_name="code", label="Ward", distinct=False)

    def __init__(self, data=None, *args, **kwargs):
        data = without_empty_values(data)
        super().__init__(data, *args, **kwargs)
        raw = data.getlist("borough") if hasattr(data, "getlist") else (data or {}).get("borough") or []
        boroughs = [raw] if isinstance(raw, str) else list(raw)
        if boroughs:
            # Offer (and accept) only wards in the chosen boroughs: a ward elsewhere is a mistake, not a zero.
            ward_filter = self.filters["ward"]
            ward_filter.extra["queryset"] = ward_filter.extra["queryset"].filter(borough__code__in=boroughs)



class CrimeFilterSet(PlacedRecordFilterSet):
    crime_type = django_filters.MultipleChoiceFilter(
        choices=[(t, t) for t in CRIME_TYPES + HISTORIC_CRIME_TYPES], label="Crime type", distinct=False,
        widget=QuickSelectMultiple,
    )
    force = django_filters.CharFilter(field_name="reported_by", lookup_expr="icontains", label="Force")

    class Meta:
        model = Crime
        form = MonthRangeForm
        fields = ["month_from", "month_to", "crime_type", "borough", "ward", "force"]


class StopSearchFilterSet(PlacedRecordFilterSet):
    force = django_filters.CharFilter(field_name="force", lookup_expr="icontains", label="Force")
    object_of_search = django_filters.CharFilter(lookup_expr="iexact")
    officer_defined_ethnicity = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = StopSearch
        form = MonthRangeForm
        fields = ["month_from", "month_to", "borough", "ward", "force", "object_of_search",
                  "officer_defined_ethnicity"]
