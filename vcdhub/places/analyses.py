"""The place analyses: counts from the records in, a stored and reproducible result out.

Each analysis takes an AreaSeries (vcdhub.places.inputs), calls the Django-free estimator in vcdhub.stats,
and returns one result shape that the command, the map, the table and the downloads all read:

    {"kind", "parameters", "level", "crime_types", "from", "to", "boroughs", "total", "unplaced", "outside",
     "summary": {...}, "legend": [{"class", "colour", "areas"}], "areas": [{"code", "name", "count", "class",
     "detail": {...}}]}

Every area considered is in "areas", in code order, with exactly one class; the legend lists every class in
a fixed order with the number of areas in it, so the legend and the table can be checked against each other.
"""

import dataclasses
import datetime as dt
import math
import random
import warnings
from collections import Counter

import numpy as np

from vcdhub.places.inputs import AreaSeries, area_series, populations, weights_for
from vcdhub.places.parameters import KINDS
from vcdhub.platform.months import month_range

# Colours. Hot spots and clusters: diverging red (hot) / blue (cold), as analysts read GIS hot-spot maps, ordered by
# confidence. Emerging hot spots: 16 classes with no order, so a qualitative palette, warm hues for hot and cool for
# cold, from Paul Tol's and Okabe and Ito's colour-blind-safe sets (and three ColorBrewer qualitative colours):
# every two classes differ by a CIELAB distance of at least 12 in normal vision and under simulated protanopia,
# deuteranopia and tritanopia (tests/places/test_palettes.py; the sequential reds and blues it replaces came down to
# 7). Grey for "nothing here". Text is never drawn on a swatch: each class is named beside its colour.
NOT_SIGNIFICANT = "#f0f0f0"
PALETTES: dict[str, list[tuple[str, str]]] = {
    "concentration": [("holds the share", "#b2182b"), ("rest", NOT_SIGNIFICANT)],
    "challenged": [("most challenged", "#b2182b"), ("ranked", "#fddbc7"), ("excluded: population", "#bdbdbd")],
    "hotspots": [("hot 99%", "#b2182b"), ("hot 95%", "#ef8a62"), ("hot 90%", "#fddbc7"),
                 ("not significant", NOT_SIGNIFICANT),
                 ("cold 90%", "#d1e5f0"), ("cold 95%", "#67a9cf"), ("cold 99%", "#2166ac"),
                 ("no neighbours", "#bdbdbd")],
    "clusters": [("high-high", "#b2182b"), ("high-low", "#f4a582"), ("low-high", "#92c5de"), ("low-low", "#2166ac"),
                 ("not significant", NOT_SIGNIFICANT), ("no neighbours", "#bdbdbd")],
    "emerging": [("new hot spot", "#ee7733"), ("consecutive hot spot", "#e69f00"),
                 ("intensifying hot spot", "#cc3311"), ("persistent hot spot", "#663333"),
                 ("diminishing hot spot", "#cc79a7"), ("sporadic hot spot", "#fdbf6f"),
                 ("oscillating hot spot", "#aa3377"), ("historical hot spot", "#ffed6f"),
                 ("no pattern detected", NOT_SIGNIFICANT),
                 ("new cold spot", "#56b4e9"), ("consecutive cold spot", "#1b9e77"),
                 ("intensifying cold spot", "#222255"), ("persistent cold spot", "#4477aa"),
                 ("diminishing cold spot", "#8dd3c7"), ("sporadic cold spot", "#225555"),
                 ("oscillating cold spot", "#6a3d9a"), ("historical cold spot", "#bbccee")],
    # New activity: a jump from a zero or tiny baseline (vcdhub.stats.alerts), Okabe-Ito's orange beside the red.
    "alerts": [("alert", "#b2182b"), ("new activity", "#e69f00"), ("no alert", NOT_SIGNIFICANT),
               ("not assessed", "#bdbdbd")],
}


def colour(kind: str, label: str) -> str:
    return dict(PALETTES[kind]).get(label, NOT_SIGNIFICANT)


def new_seed() -> int:
    """A seed for permutation tests when the user gives none; it is stored with the run, so it reproduces."""
    return random.SystemRandom().randrange(1, 2**31 - 1)


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _result(kind: str, series: AreaSeries, parameters: dict, classes: dict[str, str], details: dict[str, dict],
            summary: dict, counts: dict[str, int] | None = None) -> dict:
    counts = counts if counts is not None else series.by_code()
    legend = [{"class": label, "colour": hue, "areas": sum(1 for c in classes.values() if c == label)}
              for label, hue in PALETTES[kind]]
    unknown = set(classes.values()) - {label for label, _ in PALETTES[kind]}
    if unknown:
        raise ValueError(f"no colour for {sorted(unknown)}")
    return {
        "kind": kind, "parameters": parameters, "level": series.level, "crime_types": series.crime_types,
        "from": series.months[0], "to": series.months[-1], "boroughs": series.boroughs,
        "total": int(series.counts.sum()), "unplaced": series.unplaced, "outside": series.outside,
        "months_without_data": series.missing_months if kind != "alerts" else [],
        "boroughs_without_data": series.boroughs_without_data,
        "borough_months_without_data": series.borough_months_without_data, "summary": summary, "legend": legend,
        "areas": [{"code": code, "name": series.names[code], "count": counts.get(code, 0), "class": classes[code],
                   "detail": details.get(code, {})} for code in series.codes],
    }


def concentration(series: AreaSeries, *, share: float = 0.20) -> dict:
    from vcdhub.stats.concentration import Concentration

    model = Concentration(share=share).fit(series.by_code())
    needed = {code for code, _, _ in model.ranked_[:model.areas_needed_]}
    details = {code: {"rank": rank, "cumulative_share": cumulative}
               for rank, (code, _, cumulative) in enumerate(model.ranked_, start=1)}
    classes = {code: "holds the share" if code in needed else "rest" for code in series.codes}
    summary = {"areas_needed": model.areas_needed_, "areas_considered": len(series.codes), "gini": model.gini_,
               "share": share,
               "lorenz": [[float(x), float(y)] for x, y in zip(*model.lorenz_, strict=True)]}
    return _result("concentration", series, {"share": share}, classes, details, summary)


def challenged(series: AreaSeries, *, count_weight: float = 0.5, rate_weight: float = 0.5,
               min_population: int = 1000, top: int = 5) -> dict:
    from vcdhub.stats.challenged import ChallengedAreas

    population = populations(series.level, series.codes)
    counts = series.by_code()
    without = [code for code in series.codes if code not in population]
    model = ChallengedAreas(weights={"count": count_weight, "rate": rate_weight}, min_population=min_population,
                            top=top).fit({code: counts[code] for code in population}, population)
    top_codes = {row["code"] for row in model.top_}
    classes, details = {}, {}
    for row in model.ranked_:
        classes[row["code"]] = "most challenged" if row["code"] in top_codes else "ranked"
        details[row["code"]] = {"rank": row["rank"], "population": row["population"], "rate": row["rate"],
                                "count_score": row["count_score"], "rate_score": row["rate_score"],
                                "composite": row["composite"], "reason": model.reason_[row["code"]]}
    for code, why in model.excluded_.items():
        classes[code], details[code] = "excluded: population", {"reason": why, "population": population.get(code)}
    for code in without:
        classes[code], details[code] = "excluded: population", {"reason": "no population estimate"}
    parameters = {"count_weight": count_weight, "rate_weight": rate_weight, "min_population": min_population,
                  "top": top}
    summary = {"weights": model.weights_, "method": model.description_,
               "top": [row["code"] for row in model.top_], "population_source": "ONS mid-2019 LSOA estimates"}
    return _result("challenged", series, parameters, classes, details, summary)


def _spatial_parameters(permutations: int, seed: int | None, fdr: bool, inference: str) -> dict:
    """The permutation options as stored with the run (checked by places.parameters.check_request)."""
    return {"permutations": permutations, "seed": seed if seed is not None else new_seed(), "fdr": fdr,
            "inference": inference}


def _weights(series: AreaSeries):
    """Contiguity weights, refusing a set of areas in which no two are neighbours."""
    w = weights_for(series.level, series.codes)
    if not any(len(n) for n in w.neighbors.values()):
        raise ValueError(f"no two of these {series.level}s share a boundary, so there are no neighbourhoods to "
                         "compare: choose a finer level (ward or LSOA) or more boroughs")
    return w


def _resolution(model, parameters: dict, n_tests: int) -> str:
    """Say when the permutations are too few for any area to pass the FDR correction at 90%."""
    if parameters["inference"] != "pseudo" or not parameters["fdr"] or not n_tests:
        return ""
    floor = 2 / (parameters["permutations"] + 1)
    at_floor = int(np.sum(model.p_two_sided_ <= floor + 1e-12))
    needed = math.ceil(floor * n_tests / 0.10)
    if at_floor >= needed:
        return ""
    return (f"With {parameters['permutations']:,} permutations no p-value can be below {floor:.4f}; after the "
            f"false-discovery-rate correction over {n_tests:,} areas, at least {needed:,} "
            f"{'area' if needed == 1 else 'areas'} would need that "
            f"p-value for any to count at 90%, and {at_floor:,} have it. "
            + ("More permutations (9,999) give a finer test." if parameters["permutations"] < 9_999
               else "Only stronger clustering, or more areas at the floor, would pass."))


def _default_inference() -> str:
    from vcdhub.stats.hotspots import DEFAULT_INFERENCE

    return DEFAULT_INFERENCE


def _shown_p(model, inference: str):
    return model.p_normal_ if inference == "permutation-normal" else model.p_two_sided_


def _uncorrected(p, level: float) -> int:
    """How many areas reach `level` on their unadjusted p-value: what turning the correction off would show."""
    p = np.asarray(p, dtype=float)
    return int(np.sum(np.isfinite(p) & (p <= level + 1e-12)))


def hot_spots(series: AreaSeries, *, permutations: int = 999, seed: int | None = None, fdr: bool = True,
              inference: str | None = None) -> dict:
    from vcdhub.stats.hotspots import GetisOrdHotSpots

    parameters = _spatial_parameters(permutations, seed, fdr, inference or _default_inference())
    totals = series.totals  # never all zero: compute() refuses a request with no crimes
    w = _weights(series)
    model = GetisOrdHotSpots(**parameters).fit(totals, w)
    classes = dict(zip(series.codes, model.label_.tolist(), strict=True))
    # z: Gi*'s analytical z-score; z_permutation: where the area sits in its own permutation distribution,
    # which is what the label's p-value rests on (they differ when counts are skewed).
    details = {code: {"z": _finite(z), "z_permutation": _finite(zp), "p": _finite(p), "p_adjusted": _finite(q)}
               for code, z, zp, p, q in zip(series.codes, model.z_, model.z_sim_,
                                            _shown_p(model, parameters["inference"]), model.p_adjusted_, strict=True)}
    summary = {"statistic": "Getis-Ord Gi* over neighbouring areas (sharing a boundary or a corner)",
               "components": int(w.n_components), "fdr": model.fdr_, "islands": list(model.islands_),
               "note": _resolution(model, parameters, len(series.codes) - len(model.islands_)),
               "significant_without_correction": _uncorrected(_shown_p(model, parameters["inference"]), 0.10)}
    return _result("hotspots", series, parameters, classes, details, summary)


def clusters(series: AreaSeries, *, permutations: int = 999, seed: int | None = None, fdr: bool = True,
             alpha: float = 0.05, inference: str | None = None) -> dict:
    from vcdhub.stats.hotspots import LocalMoranClusters

    parameters = {**_spatial_parameters(permutations, seed, fdr, inference or _default_inference()), "alpha": alpha}
    w = _weights(series)
    model = LocalMoranClusters(**parameters).fit(series.totals, w)
    classes = dict(zip(series.codes, model.label_.tolist(), strict=True))
    details = {code: {"I": _finite(i), "quadrant": q, "p": _finite(p), "p_adjusted": _finite(pa)}
               for code, i, q, p, pa in zip(series.codes, model.I_, model.quadrant_.tolist(),
                                            _shown_p(model, parameters["inference"]), model.p_adjusted_, strict=True)}
    summary = {"statistic": "local Moran's I against the average of the neighbouring areas (sharing a boundary or "
                            "a corner)",
               "components": int(w.n_components), "fdr": model.fdr_, "islands": list(model.islands_),
               "note": _resolution(model, parameters, len(series.codes) - len(model.islands_)),
               "significant_without_correction": _uncorrected(_shown_p(model, parameters["inference"]), alpha)}
    return _result("clusters", series, parameters, classes, details, summary)


def emerging(series: AreaSeries, *, permutations: int = 999, seed: int | None = None, fdr: bool = True,
             confidence: float = 0.90, inference: str | None = None) -> dict:
    from vcdhub.stats.emerging import EmergingHotSpots, gi_star_by_period

    parameters = {**_spatial_parameters(permutations, seed, fdr, inference or _default_inference()),
                  "confidence": confidence}
    if len(series.months) < 4:
        raise ValueError("emerging hot spots need at least 4 months; 12 or more is usual")
    w = _weights(series)
    z, p = gi_star_by_period(series.counts, w, permutations=permutations, seed=parameters["seed"], fdr=fdr,
                             inference=parameters["inference"])
    model = EmergingHotSpots(confidence=confidence, unit="month").fit(z, p)
    classes = dict(zip(series.codes, model.category_.tolist(), strict=True))
    details = {code: {"reason": model.reason_[i], "trend": model.trend_[i], "trend_p": _finite(model.trend_p_[i]),
                      "hot_months": int(model.n_hot_[i]), "cold_months": int(model.n_cold_[i])}
               for i, code in enumerate(series.codes)}
    summary = {"method": "Gi* hot and cold spots in each month, then a Mann-Kendall trend test of each area's "
                         "Gi* z-scores; the classes of ArcGIS Pro's Emerging Hot Spot Analysis",
               "months": len(series.months)}
    return _result("emerging", series, parameters, classes, details, summary)


def alerts(series: AreaSeries, *, method: str = "poisson", alpha: float = 0.05, fdr: bool = True,
           min_history_years: int = 2) -> dict:
    """Exceedance of the latest month of `series` over a seasonal baseline fitted to the months before it."""
    from vcdhub.stats.alerts import ExceedanceAlerts

    parameters = {"method": method, "alpha": alpha, "fdr": fdr, "min_history_years": min_history_years}
    if not series.covered[-1]:
        raise ValueError(f"there is no data for {series.months[-1]}, the month to assess")
    first = series.covered.index(True)  # the history starts where the data does
    series = dataclasses.replace(series, months=series.months[first:], counts=series.counts[:, first:],
                                 covered=series.covered[first:], covered_by_area=series.covered_by_area[:, first:])
    # A month without data for an area's borough is missing from its baseline, never a zero.
    model = ExceedanceAlerts(method=method, alpha=alpha, fdr=fdr, min_history_years=min_history_years).fit(
        {code: [int(n) if ok else None for n, ok in zip(row, has_data, strict=True)]
         for code, row, has_data in zip(series.codes, series.counts, series.covered_by_area, strict=True)},
        series.months)
    classes = {code: (("alert" if model.alert_[code] else "no alert") if model.assessed_[code]
                      else "new activity" if model.new_activity_[code] else "not assessed")
               for code in series.codes}
    details = {code: {"observed": _finite(model.observed_[code]), "expected": _finite(model.expected_[code]),
                      "excess": _finite(model.excess_[code]), "ratio": _finite(model.ratio_[code]),
                      "p": _finite(model.p_[code]), "p_adjusted": _finite(model.p_adjusted_[code]),
                      "reason": model.reason_[code]} for code in series.codes}
    latest = {code: int(row[-1]) for code, row in zip(series.codes, series.counts, strict=True)}
    # Why areas were not assessed, in the model's words without any one area's numbers (they may be withheld small
    # counts); the thresholds in them are parameters.
    reasons = Counter(model.not_assessed_[code] for code in series.codes if classes[code] == "not assessed")
    assessed = [code for code in series.codes if model.assessed_[code]]
    summary = {"latest": model.latest_, "alerts": [row["code"] for row in model.alerts_],
               "new_activity": [row["code"] for row in model.results_ if row["new_activity"]],
               "new_activity_rule": {"min_count": model.new_activity_min, "floor": model.min_expected},
               "not_assessed": sum(reasons.values()), "not_assessed_reasons": dict(reasons.most_common()),
               "years_of_history": _years_of_history(series, model.max_history_years),
               "method": ("Poisson regression on trend and month of year over up to 5 earlier years; "
                          "negative-binomial tail with the fitted dispersion; "
                          + ("Benjamini-Hochberg across areas" if fdr else "no correction across areas"))
               if method == "poisson" else "Poisson CUSUM over the last 6 months"}
    if method == "poisson":
        summary["significant_without_correction"] = sum(
            1 for code in assessed if model.p_[code] <= alpha and model.observed_[code] > model.expected_[code])
    return _result("alerts", series, parameters, classes, details, summary, counts=latest)


def _years_of_history(series: AreaSeries, most: int) -> int:
    """Earlier years with data for the calendar month assessed (up to the baseline's `most`): the history an
    area can have at best, which says what "Years of history needed" can be."""
    month = series.months[-1][5:]
    return min(most, sum(1 for m, ok in zip(series.months[:-1], series.covered[:-1], strict=True)
                         if ok and m[5:] == month))


ANALYSES = {"concentration": concentration, "challenged": challenged, "hotspots": hot_spots,
            "clusters": clusters, "emerging": emerging, "alerts": alerts}

ALERT_HISTORY_MONTHS = 60  # the baseline's five years before the month assessed


def period_for(kind: str, month_from: dt.date | None, month_to: dt.date) -> tuple[dt.date, dt.date]:
    """Alerts read the latest month and the five years before it; the rest read the period given."""
    if kind == "alerts":
        months = month_range(dt.date(month_to.year - ALERT_HISTORY_MONTHS // 12, month_to.month, 1), month_to)
        return months[0], month_to
    if month_from is None:
        raise ValueError("a period needs its first month")
    return month_from, month_to


def compute(kind: str, *, crime_types: list[str], month_from: dt.date | None, month_to: dt.date, level: str,
            boroughs: list[str] | None = None, disclosure=None, **options) -> tuple[dict, AreaSeries]:
    """The analysis and the counts it read. `disclosure` (platform.disclosure.Disclosure): with perturbation,
    the statistics see perturbed counts only (a run for aggregate-only readers)."""
    if kind not in ANALYSES:
        raise ValueError(f"unknown analysis {kind!r}; choose one of {', '.join(KINDS)}")
    start, end = period_for(kind, month_from, month_to)
    series = area_series(crime_types, start, end, level, boroughs, disclosure=disclosure)
    if not series.codes:
        raise ValueError("no areas to analyse: the data covers no borough in this period")
    if not series.counts.any():
        raise ValueError(f"no crimes of {', '.join(crime_types)} in these areas from {series.months[0]} to "
                         f"{series.months[-1]}")
    with warnings.catch_warnings():
        # Separate boroughs make separate groups of neighbours; the result says how many (summary.components).
        warnings.filterwarnings("ignore", message="The weights matrix is not fully connected")
        return ANALYSES[kind](series, **options), series
