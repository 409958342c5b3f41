"""What a place-analysis request may hold, declared once.

`check_request` is the one validation of a request: run_analysis calls it, the page calls it before queueing
a job (so bad input is shown field by field at once), and the form fields and the `analyse` options are made
from the same declarations. Field names are the form's; the CLI maps them to its flags.
"""

from vcdhub.crime.inputs import crime_types as check_crime_types
from vcdhub.geography.inputs import resolve_boroughs
from vcdhub.platform.inputs import Choice, InputError, Number, collect, month, month_span
from vcdhub.platform.months import format_month, month_range

KINDS = ("concentration", "challenged", "hotspots", "clusters", "emerging", "alerts")
LEVELS = ("ward", "lsoa", "borough")
ALERT_LEVELS = ("ward", "borough")
EMERGING_MIN_MONTHS = 4

KIND = Choice("kind", "Analysis", tuple((k, k) for k in KINDS))
LEVEL = Choice("level", "Areas", (("ward", "Ward"), ("lsoa", "LSOA"), ("borough", "Borough")), default="ward")

SHARE = Number("share", "Share of crimes", float, default=0.20, minimum=0.01, maximum=1.0,
               help="0.01 to 1, e.g. 0.20")
COUNT_WEIGHT = Number("count_weight", "Weight of the count", float, default=0.5, minimum=0.0, maximum=1.0)
RATE_WEIGHT = Number("rate_weight", "Weight of the rate", float, default=0.5, minimum=0.0, maximum=1.0)
MIN_POPULATION = Number("min_population", "Fewest residents", int, default=1000, minimum=0, maximum=100_000)
TOP = Number("top", "How many to name", int, default=5, minimum=1, maximum=100)
PERMUTATIONS = Number("permutations", "Permutations", int, default=999, minimum=99, maximum=9_999,
                      help="99 to 9,999")
SEED = Number("seed", "Seed", int, default=None, minimum=0, maximum=2**32 - 1,
              help="Empty: one is chosen and stored with the run")
FDR = Choice("fdr", "Multiple testing", (("on", "Benjamini-Hochberg FDR"), ("off", "No correction")), default="on")
INFERENCE = Choice("inference", "p-values", (("pseudo", "Counting permutations"),
                                            ("permutation-normal", "Mean and spread of the permutations")),
                   help="Counting permutations is exact; the mean and spread can find hot spots that are not there "
                        "when counts are skewed")
ALPHA = Number("alpha", "Significance level", float, default=0.05, minimum=0.001, maximum=0.2,
               help="0.001 to 0.2")
CONFIDENCE = Choice("confidence", "Confidence", (("0.9", "90%"), ("0.95", "95%"), ("0.99", "99%")), default="0.9")
METHOD = Choice("method", "Alert method", (("poisson", "Seasonal Poisson baseline"), ("cusum", "Poisson CUSUM")),
                default="poisson")
MIN_HISTORY_YEARS = Number("min_history_years", "Years of history needed", int, default=2, minimum=1, maximum=5,
                           help="past years of the same month needed before an area is assessed")

PERMUTATION_OPTIONS = (PERMUTATIONS, SEED, FDR, INFERENCE)
KIND_OPTIONS = {
    "concentration": (SHARE,),
    "challenged": (COUNT_WEIGHT, RATE_WEIGHT, MIN_POPULATION, TOP),
    "hotspots": PERMUTATION_OPTIONS,
    "clusters": (*PERMUTATION_OPTIONS, ALPHA),
    "emerging": (*PERMUTATION_OPTIONS, CONFIDENCE),
    "alerts": (METHOD, ALPHA, FDR, MIN_HISTORY_YEARS),
}
ALL_OPTIONS = {spec.name: spec for specs in KIND_OPTIONS.values() for spec in specs}


def _option_value(spec, raw):
    """An option as the analysis takes it: fdr as a bool, confidence as a float, the rest as declared."""
    if spec is FDR:
        if isinstance(raw, bool):
            return raw
        return FDR.value(raw) == "on"
    if spec is CONFIDENCE:
        if isinstance(raw, float):
            raw = f"{raw:g}"
        return float(CONFIDENCE.value(raw))
    return spec.value(raw)


def check_request(kind, *, crime_types, month_from, month_to, level=None, boroughs=None, **options) -> dict:
    """The request, checked and normalised: keyword arguments for places.analyses.compute, with months as
    dates, boroughs as GSS codes and every option of the analysis given (defaults filled in, a seed left out
    when none is given). Raises InputError naming each bad field."""
    kind = KIND.clean(kind)
    if kind is None:
        raise InputError({"kind": "Choose an analysis."})
    unknown = sorted(set(options) - {spec.name for spec in KIND_OPTIONS[kind]})
    alerts = kind == "alerts"

    def months():
        if alerts:
            return None, month(month_to, "month_to")
        start, end = month_span(month_from, month_to)
        if kind == "emerging" and len(month_range(start, end)) < EMERGING_MIN_MONTHS:
            raise InputError({"month_from": f"Emerging hot spots need at least {EMERGING_MIN_MONTHS} months; "
                                            "12 or more is usual."})
        return start, end

    def area_level():
        chosen = LEVEL.value(level) if not alerts or level else None
        if alerts and chosen not in (None, *ALERT_LEVELS):
            raise InputError({"level": "Alerts are for wards or boroughs."})
        return chosen

    def option_values():
        values, errors = {}, {}
        for spec in KIND_OPTIONS[kind]:
            try:
                value = _option_value(spec, options.get(spec.name))
            except InputError as exc:
                errors.update(exc.errors)
                continue
            if value is not None:
                values[spec.name] = value
        if kind == "challenged" and not errors and not (values["count_weight"] or values["rate_weight"]):
            errors["rate_weight"] = "At least one weight must be above zero."
        if errors:
            raise InputError(errors)
        return values

    def nothing_unknown():
        if unknown:
            raise InputError({name: f"The {kind} analysis takes no {name.replace('_', ' ')}." for name in unknown})

    types, (start, end), chosen_level, codes, values, _ = collect(
        lambda: check_crime_types(crime_types), months, area_level,
        lambda: resolve_boroughs(boroughs) if boroughs else None, option_values, nothing_unknown)
    return {"kind": kind, "crime_types": types, "month_from": start, "month_to": end, "level": chosen_level,
            "boroughs": codes, **values}


def request_text(checked: dict) -> dict:
    """A checked request as JSON-safe text (months as YYYY-MM), for a job's parameters or a stored run."""
    return {**checked, "month_from": format_month(checked["month_from"]) if checked["month_from"] else None,
            "month_to": format_month(checked["month_to"])}
