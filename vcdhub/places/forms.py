"""The place-analysis request, checked field by field before anything is computed or stored."""

from django import forms
from django.db.models import Max

from vcdhub.crime.inputs import CRIME_TYPE_CHOICES
from vcdhub.crime.models import Crime
from vcdhub.geography.models import Borough
from vcdhub.places import parameters
from vcdhub.platform.fields import MonthField
from vcdhub.platform.inputs import InputError
from vcdhub.platform.months import format_month, month_range

KIND_LABELS = {
    "concentration": "Concentration: the few areas holding a share of the crimes",
    "challenged": "Most challenged areas: counts and rates per 1,000 residents",
    "hotspots": "Hot and cold spots (Getis-Ord Gi*)",
    "clusters": "Clusters and outliers (local Moran's I)",
    "emerging": "Emerging hot spots (Gi* each month, then Mann-Kendall)",
    "alerts": "Exceedance alerts: the latest month against a seasonal baseline",
}


def _option_field(spec):
    if spec is parameters.INFERENCE:
        return spec.form_field(blank_label="Default (counting permutations)")
    return spec.form_field()


class AnalysisForm(forms.Form):
    """Converts the page's text to values; places.parameters.check_request, the same check run_analysis makes,
    decides what is allowed, and its messages are shown beside their fields."""

    kind = forms.ChoiceField(label="Analysis", choices=[(k, KIND_LABELS.get(k, k)) for k in parameters.KINDS])
    crime_type = forms.MultipleChoiceField(label="Crime type", choices=CRIME_TYPE_CHOICES,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    month_from = MonthField(label="From (YYYY-MM)", required=False,
                            help_text="Not used by alerts, which read up to five years before the month assessed")
    month_to = MonthField(label="To (YYYY-MM)", help_text="Alerts: the month assessed")
    level = forms.ChoiceField(label="Areas", choices=list(parameters.LEVEL.choices), initial=parameters.LEVEL.default,
                              help_text="Alerts: ward or borough")
    borough = forms.ModelMultipleChoiceField(
        label="Boroughs", queryset=Borough.objects.order_by("name"), to_field_name="code", required=False,
        help_text="None chosen: every borough the data covers in the period",
        widget=forms.SelectMultiple(attrs={"size": 8}))

    COMMON = ("kind", "crime_type", "month_from", "month_to", "level", "borough")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, spec in parameters.ALL_OPTIONS.items():  # declared once, in places.parameters
            self.fields[name] = _option_field(spec)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.checked = parameters.check_request(**self._raw_request())
        except InputError as exc:
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data

    def _raw_request(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        options = {spec.name: data.get(spec.name) for spec in parameters.KIND_OPTIONS[kind]}
        return {"kind": kind, "crime_types": list(data["crime_type"]),
                "month_from": None if kind == "alerts" else data.get("month_from"), "month_to": data["month_to"],
                "level": data.get("level"), "boroughs": [b.code for b in data.get("borough") or []] or None,
                **{name: value for name, value in options.items() if value not in (None, "")}}

    def request(self) -> dict:
        """Keyword arguments for vcdhub.places.actions.run_analysis (the actor aside), as JSON-safe text."""
        text = parameters.request_text(self.checked)
        return {**text, "boroughs": text["boroughs"] or None}

    def common_fields(self) -> list:
        return [self[name] for name in self.COMMON]

    def option_fields(self) -> list[dict]:
        """Every option field with the analyses that use it (the page shows only the chosen analysis's)."""
        kinds = parameters.KIND_OPTIONS
        return [{"field": self[name], "kinds": " ".join(k for k in parameters.KINDS if spec in kinds[k])}
                for name, spec in parameters.ALL_OPTIONS.items()]


def default_initial() -> dict:
    """The latest 12 months with data, robbery by ward: what the directorate looks at most."""
    initial = {"kind": "concentration", "crime_type": ["Robbery"], "level": "ward"}
    latest = Crime.objects.aggregate(m=Max("month"))["m"]
    if latest is not None:
        initial["month_from"] = format_month(month_range(latest.replace(year=latest.year - 1), latest)[1])
        initial["month_to"] = format_month(latest)
    return initial
