from html import escape

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


class QuickSelectMultiple(forms.SelectMultiple):
    """A multiple select rendered in Python: Django renders each option through a template, which took 170 ms
    for the explorer's 637 wards, on every page. Same markup, without option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        final["multiple"] = True
        chosen = {str(v) for v in self.format_value(value)}
        # The standard library's escape, as Django's own escape calls it, without format_html's per-argument
        # work: the explorer renders about 700 options on every page.
        options = "".join(
            f'<option value="{escape("" if option is None else str(option))}"'
            f'{" selected" if str(option) in chosen else ""}>{escape(str(label))}</option>'
            for option, label in self.choices)
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))
