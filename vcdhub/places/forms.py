"""The place-analysis request, checked field by field before anything is computed or stored."""

from django import forms
from django.db.models import Max

from vcdhub.crime.choices import CRIME_TYPES, HISTORIC_CRIME_TYPES
from vcdhub.crime.models import Crime
from vcdhub.geography.models import Borough
from vcdhub.places.analyses import KINDS
from vcdhub.platform.fields import MonthField
from vcdhub.platform.months import format_month, month_range

KIND_LABELS = {
    "concentration": "Concentration: the few areas holding a share of the crimes",
    "challenged": "Most challenged areas: counts and rates per 1,000 residents",
    "hotspots": "Hot and cold spots (Getis-Ord Gi*)",
    "clusters": "Clusters and outliers (local Moran's I)",
    "emerging": "Emerging hot spots (Gi* each month, then Mann-Kendall)",
    "alerts": "Exceedance alerts: the latest month against a seasonal baseline",
}
LEVEL_CHOICES = [("ward", "Ward"), ("lsoa", "LSOA"), ("borough", "Borough")]
ALERT_LEVELS = ("ward", "borough")
EMERGING_MIN_MONTHS = 4

# The options each analysis takes, by the keyword run_analysis expects.
PERMUTATION_OPTIONS = ("permutations", "seed", "fdr", "inference")
KIND_OPTIONS = {
    "concentration": ("share",),
    "challenged": ("count_weight", "rate_weight", "min_population", "top"),
    "hotspots": PERMUTATION_OPTIONS,
    "clusters": (*PERMUTATION_OPTIONS, "alpha"),
    "emerging": (*PERMUTATION_OPTIONS, "confidence"),
    "alerts": ("method", "alpha", "fdr", "min_history_years"),
}


def _yes(value) -> bool:
    return value == "on"


class AnalysisForm(forms.Form):
    kind = forms.ChoiceField(label="Analysis", choices=[(k, KIND_LABELS.get(k, k)) for k in KINDS])
    crime_type = forms.MultipleChoiceField(
        label="Crime type", choices=[(t, t) for t in CRIME_TYPES + HISTORIC_CRIME_TYPES],
        widget=forms.SelectMultiple(attrs={"size": 8}))
    month_from = MonthField(label="From (YYYY-MM)", required=False,
                            help_text="Not used by alerts, which read up to five years before the month assessed")
    month_to = MonthField(label="To (YYYY-MM)", help_text="Alerts: the month assessed")
    level = forms.ChoiceField(label="Areas", choices=LEVEL_CHOICES, initial="ward",
                              help_text="Alerts: ward or borough")
    borough = forms.ModelMultipleChoiceField(
        label="Boroughs", queryset=Borough.objects.order_by("name"), to_field_name="code", required=False,
        help_text="None chosen: every borough the data covers in the period",
        widget=forms.SelectMultiple(attrs={"size": 8}))

    share = forms.FloatField(label="Share of crimes", min_value=0.01, max_value=1.0, initial=0.20, required=False,
                             help_text="0.01 to 1, e.g. 0.20")
    count_weight = forms.FloatField(label="Weight of the count", min_value=0.0, max_value=1.0, initial=0.5,
                                    required=False)
    rate_weight = forms.FloatField(label="Weight of the rate", min_value=0.0, max_value=1.0, initial=0.5,
                                   required=False)
    min_population = forms.IntegerField(label="Fewest residents", min_value=0, max_value=100_000, initial=1000,
                                        required=False)
    top = forms.IntegerField(label="How many to name", min_value=1, max_value=100, initial=5, required=False)
    permutations = forms.IntegerField(label="Permutations", min_value=99, max_value=9999, initial=999,
                                      required=False, help_text="99 to 9,999")
    seed = forms.IntegerField(label="Seed", min_value=0, max_value=2**32 - 1, required=False,
                              help_text="Empty: one is chosen and stored with the run")
    fdr = forms.TypedChoiceField(label="Multiple testing", coerce=_yes, empty_value=True, required=False,
                                 initial="on", choices=[("on", "Benjamini-Hochberg FDR"), ("off", "No correction")])
    inference = forms.ChoiceField(
        label="p-values", required=False, initial="",
        choices=[("", "Default (counting permutations)"), ("pseudo", "Counting permutations"),
                 ("permutation-normal", "Mean and spread of the permutations")])
    alpha = forms.FloatField(label="Significance level", min_value=0.001, max_value=0.2, initial=0.05,
                             required=False, help_text="0.001 to 0.2")
    confidence = forms.TypedChoiceField(label="Confidence", coerce=float, empty_value=0.90, required=False,
                                        initial="0.9", choices=[("0.9", "90%"), ("0.95", "95%"), ("0.99", "99%")])
    method = forms.ChoiceField(label="Alert method", initial="poisson", required=False,
                               choices=[("poisson", "Seasonal Poisson baseline"), ("cusum", "Poisson CUSUM")])
    min_history_years = forms.IntegerField(label="Years of history needed", min_value=1, max_value=5, initial=2,
                                           required=False)

    COMMON = ("kind", "crime_type", "month_from", "month_to", "level", "borough")

    def clean(self):
        data = super().clean()
        kind, start, end = data.get("kind"), data.get("month_from"), data.get("month_to")
        if kind and kind != "alerts":
            if start and end and start > end:
                self.add_error("month_to", "The end month is before the start month.")
            elif not start and "month_from" not in self.errors:
                self.add_error("month_from", "Give the first month of the period.")
            elif kind == "emerging" and start and end and len(month_range(start, end)) < EMERGING_MIN_MONTHS:
                self.add_error("month_from", f"Emerging hot spots need at least {EMERGING_MIN_MONTHS} months; "
                                             "12 or more is usual.")
        if kind == "alerts" and data.get("level") not in (None, *ALERT_LEVELS):
            self.add_error("level", "Alerts are for wards or boroughs.")
        if kind == "challenged" and not (self._option("count_weight") or self._option("rate_weight")):
            self.add_error("rate_weight", "At least one weight must be above zero.")
        return data

    def _option(self, name: str):
        value = self.cleaned_data.get(name)
        return self.fields[name].initial if value is None or value == "" else value

    def options(self) -> dict:
        """The chosen analysis's own options, defaults filled in."""
        options = {name: self._option(name) for name in KIND_OPTIONS.get(self.cleaned_data["kind"], ())}
        # Left empty (seed, inference): the analysis's own default, chosen and stored with the run.
        options = {name: value for name, value in options.items() if value is not None and value != ""}
        if isinstance(options.get("fdr"), str):
            options["fdr"] = _yes(options["fdr"])
        if isinstance(options.get("confidence"), str):
            options["confidence"] = float(options["confidence"])
        return options

    def request(self) -> dict:
        """Keyword arguments for vcdhub.places.actions.run_analysis (the actor aside)."""
        data = self.cleaned_data
        alerts = data["kind"] == "alerts"
        return {"kind": data["kind"], "crime_types": list(data["crime_type"]),
                "month_from": None if alerts else format_month(data["month_from"]),
                "month_to": format_month(data["month_to"]), "level": data["level"],
                "boroughs": [b.code for b in data["borough"]] or None, **self.options()}

    def common_fields(self) -> list:
        return [self[name] for name in self.COMMON]

    def option_fields(self) -> list[dict]:
        """Every option field with the analyses that use it (the page shows only the chosen analysis's)."""
        names = dict.fromkeys(n for kind in KINDS for n in KIND_OPTIONS.get(kind, ()))
        return [{"field": self[name], "kinds": " ".join(k for k in KINDS if name in KIND_OPTIONS.get(k, ()))}
                for name in names]


def default_initial() -> dict:
    """The latest 12 months with data, robbery by ward: what the directorate looks at most."""
    initial = {"kind": "concentration", "crime_type": ["Robbery"], "level": "ward"}
    latest = Crime.objects.aggregate(m=Max("month"))["m"]
    if latest is not None:
        initial["month_from"] = format_month(month_range(latest.replace(year=latest.year - 1), latest)[1])
        initial["month_to"] = format_month(latest)
    return initial
