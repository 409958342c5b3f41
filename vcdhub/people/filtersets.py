import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from vcdhub.people import search
from vcdhub.people.choices import CrimeRoleKind, FlagKind
from vcdhub.people.models import CrimeRole, Flag, Person, PersonLink, PlaceLink


@extend_schema_field({"type": "string", "enum": ["false", "true"]})
class ShowMergedFilter(django_filters.ChoiceFilter):
    """Whether records merged into another person's are listed too ("true"), or only the survivors."""


class BornField(forms.CharField):
    """A year or a range of years; anything else is refused by the form, with the reason. Not stripped by the
    form: Django would trim any Unicode space (a newline, \xa0), which the schema's pattern refuses; the parser
    allows spaces and tabs around the years, as the pattern does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, strip=False, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value:  # only empty is left out: spaces alone are no year, to the schema's pattern as to the parser
            try:
                search.born_q(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc


@extend_schema_field({"type": "string", "pattern": search.YEARS.pattern, "example": "1980-1985"})
class BornFilter(django_filters.CharFilter):
    field_class = BornField

    def filter(self, qs, value):
        return qs.filter(search.born_q(value)) if value else qs


class PersonFilterSet(django_filters.FilterSet):
    """The person search: the list, the CSV and the API share it."""

    name = django_filters.CharFilter(method="by_name", label="Name",
                                     help_text="Any spelling; aliases and nicknames count. The last word is the "
                                               "surname.")
    born = BornFilter(label="Born", help_text="A year (1984) or a range (1980-1985)")
    identifier = django_filters.CharFilter(method="by_identifier", label="Identifier",
                                           help_text="PNC id, CRO, NHS number, passport, licence or custody number")
    postcode = django_filters.CharFilter(method="by_postcode", label="Postcode",
                                         help_text="Whole, or the district (SW2)")
    merged = ShowMergedFilter(method="by_merged", label="Records merged into another",
                                         choices=[("false", "Hide them"), ("true", "Show them too")],
                                         empty_label="Hide them")

    class Meta:
        model = Person
        fields = ["name", "born", "identifier", "postcode", "merged"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("merged") != "true":
            queryset = queryset.filter(merged_into__isnull=True)
        return super().filter_queryset(queryset)

    def by_name(self, queryset, name, value):
        if not value.strip():
            return queryset
        return (queryset.filter(search.name_q(value)).annotate(closeness=search.closeness(value))
                .order_by("closeness", "surname_key", "given_key", "pk"))

    def by_identifier(self, queryset, name, value):
        return queryset.filter(search.identifier_q(value))

    def by_postcode(self, queryset, name, value):
        return queryset.filter(search.postcode_q(value))

    def by_merged(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that leaving it out hides merged records


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class PersonIdFilter(django_filters.NumberFilter):
    """A person's id: a whole number in the database's range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


class _PersonPartFilterSet(django_filters.FilterSet):
    # A number, not a choice of people: a choice would answer "not a valid choice" only for ids that do not
    # exist, telling a user which hidden people do.
    person = PersonIdFilter(field_name="person_id", label="Person id")


@extend_schema_field({"type": "string", "enum": ["overdue", "30", "90"]})
class ReviewFilter(django_filters.ChoiceFilter):
    """Flags whose review is overdue, or due within 30 or 90 days (counted from today)."""

    def filter(self, qs, value):
        if not value:
            return qs
        today = timezone.localdate()
        if value == "overdue":
            return qs.filter(review_on__lt=today)
        return qs.filter(review_on__lte=today + dt.timedelta(days=int(value)))


class FlagFilterSet(_PersonPartFilterSet):
    kind = django_filters.ChoiceFilter(choices=FlagKind.choices, label="Flag")
    review = ReviewFilter(label="Review", choices=[("overdue", "Overdue"), ("30", "Due within 30 days"),
                                                   ("90", "Due within 90 days")], empty_label="Any time")

    class Meta:
        model = Flag
        fields = ["kind", "review", "person"]


class CrimeRoleFilterSet(_PersonPartFilterSet):
    role = django_filters.ChoiceFilter(choices=CrimeRoleKind.choices)

    class Meta:
        model = CrimeRole
        fields = ["role", "crime_ref", "person"]


class PersonLinkFilterSet(_PersonPartFilterSet):
    other = PersonIdFilter(field_name="other_id", label="Other person's id")

    class Meta:
        model = PersonLink
        fields = ["kind", "person", "other", "confidence"]


class PlaceLinkFilterSet(_PersonPartFilterSet):
    class Meta:
        model = PlaceLink
        fields = ["kind", "person", "confidence"]
