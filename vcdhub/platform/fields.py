import django_filters
from django import forms

from vcdhub.platform.months import parse_month


class MonthField(forms.CharField):
    """A YYYY-MM month; cleans to the first day of that month."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value.strip())
        except ValueError as exc:
            raise forms.ValidationError("Enter a month as YYYY-MM, e.g. 2017-04.", code="invalid_month") from exc


class MonthFilter(django_filters.Filter):
    field_class = MonthField
