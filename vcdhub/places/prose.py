"""A published run in words: its title, summary lines (headline, totals, coverage warnings), options and the facts
needed to reproduce it. The pages, the PNG and the `analyse` command all say it with these."""

import re

from django.utils import timezone

from vcdhub.geography.models import Borough
from vcdhub.places import parameters as specs
from vcdhub.places.forms import KIND_LABELS
from vcdhub.places.published import count_text, crimes_text
from vcdhub.places.tables import format_value
from vcdhub.platform.months import format_month, month_range, parse_month

LEVEL_WORDS = {"ward": ("ward", "wards"), "lsoa": ("LSOA", "LSOAs"), "borough": ("borough", "boroughs")}
SHORT_TITLES = {"concentration": "Concentration", "challenged": "Most challenged areas",
                "hotspots": "Hot and cold spots (Gi*)", "clusters": "Clusters and outliers (local Moran's I)",
                "emerging": "Emerging hot spots", "alerts": "Exceedance alerts"}
COMMON_PARAMETERS = ("kind", "crime_types", "from", "to", "level", "boroughs")
# The method in words, by kind: older runs stored library names (esda.G_Local) in their summaries, so the words
# come from here, never from the stored result.
METHOD_WORDS = {
    "hotspots": "Getis-Ord Gi*: each {one} with its neighbours (areas sharing a boundary or a corner) against the "
                "average of all {many}",
    "clusters": "Local Moran's I: each {one} against the average of its neighbours (areas sharing a boundary or a "
                "corner), so that high-high and low-low are clusters and high-low and low-high are outliers",
    "emerging": "Gi* hot and cold spots in each month, then a Mann-Kendall trend test of each {one}'s Gi* z-scores; "
                "the classes are those of ArcGIS Pro's Emerging Hot Spot Analysis",
}
SPATIAL_OPTIONS = ("fdr", "permutations", "seed", "inference")


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 ward', '3 wards', '1,204 LSOAs'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def level_words(result: dict) -> tuple[str, str]:
    return LEVEL_WORDS.get(result["level"], (result["level"], result["level"] + "s"))


def percent(x: float, places: int = 1) -> str:
    """0.2 -> '20%', 0.223 -> '22.3%', 0.125 -> '12.5%'."""
    text = f"{x * 100:.{places}f}".rstrip("0").rstrip(".")
    return text + "%"


def span(first: str, last: str) -> str:
    return first if first == last else f"{first} to {last}"


def month_spans(months: list[str]) -> str:
    """'2016-03, 2016-05 to 2016-07': consecutive months joined into spans."""
    spans: list[list] = []
    for month in sorted(set(months)):
        date = parse_month(month)
        index = date.year * 12 + date.month
        if spans and index == spans[-1][2] + 1:
            spans[-1][1:] = [month, index]
        else:
            spans.append([month, month, index])
    return ", ".join(span(first, last) for first, last, _ in spans)


def period_text(result: dict) -> str:
    if result["kind"] == "alerts":
        months = month_range(parse_month(result["from"]), parse_month(result["to"]))
        if len(months) < 2:
            return f"{result['to']} (no earlier data for a baseline)"
        return f"{result['to']}, against a baseline from {span(result['from'], format_month(months[-2]))}"
    return span(result["from"], result["to"])


def title(run, result: dict) -> str:
    return f"{SHORT_TITLES.get(run.kind, run.kind)}: {', '.join(result['crime_types'])}, {period_text(result)}"


# --- the summary -------------------------------------------------------------------------------------------------

def _fdr_text(fdr: dict | None) -> str:
    if not fdr:
        return ""
    tested = plural(fdr.get("n_tests", 0), "area")
    if fdr.get("applied"):
        text = f"{fdr.get('method') or 'false-discovery-rate'} correction across {tested} tested"
    else:
        text = f"no correction for testing {tested}"
    if fdr.get("smallest_p"):
        text += f"; the smallest p-value the permutations can give is {fdr['smallest_p']:.3g}"
    return text[:1].upper() + text[1:] + "."


def _borough_names(codes) -> dict[str, str]:
    return dict(Borough.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _concentration_line(result: dict, one: str, many: str) -> list[str]:
    s, minimum = result["summary"], result["suppressed_below"]
    needed, considered = s.get("areas_needed", 0), s.get("areas_considered", len(result["areas"]))
    if not needed:
        return ["No crimes to concentrate."]
    last = next((a for a in result["areas"] if a["detail"].get("rank") == needed), None)
    held = last["detail"].get("cumulative_share") if last else None
    areas = f"{needed:,} of {plural(considered, one, many)}"
    verb = "holds" if needed == 1 else "hold"
    if held is not None:
        line = f"{areas} {verb} {percent(held)} of the crimes (at least {percent(s['share'])})"
    else:
        line = f"{areas} {verb} at least {percent(s['share'])} of the crimes"
    if s.get("gini") is not None:
        return [f"{line}; Gini {s['gini']:.3f}."]
    lines = [line + "."]
    if "gini" in result.get("summary_withheld", []):
        lines.append(f"The exact share, the Gini and the Lorenz curve are withheld: with the counts shown they "
                     f"would reveal counts under {minimum}.")
    return lines


def _most_challenged(result: dict) -> str:
    top = [a for a in result["areas"] if a["class"] == "most challenged"]
    ranked = sorted((a for a in top if a["detail"].get("rank") is not None), key=lambda a: a["detail"]["rank"])
    unranked = sorted((a for a in top if a["detail"].get("rank") is None), key=lambda a: a["name"])
    text = "Most challenged, in rank order: " + ("; ".join(a["name"] for a in ranked) or "none")
    if unranked:
        text += (f"; and, with {'its count' if len(unranked) == 1 else 'their counts'} and rank withheld, "
                 + "; ".join(a["name"] for a in unranked))
    return text + "."


def _totals_line(result: dict, one: str, many: str) -> str:
    minimum = result["suppressed_below"]
    n = len(result["areas"])
    elsewhere = (f"{count_text(result['unplaced'], minimum)} in no known area; "
                 f"{count_text(result['outside'], minimum)} outside the areas analysed")
    if result["kind"] == "alerts":
        # The areas' counts are the month assessed; with any withheld, their sum has the same lower bound.
        month = {**result, "total": None if result.get("total_at_least") is not None
                 else sum(a["count"] or 0 for a in result["areas"])}
        line = (f"{crimes_text(result).capitalize()} placed in the {plural(n, one, many)} over the whole "
                f"period read, {span(result['from'], result['to'])} (the baseline and the month assessed); "
                f"{elsewhere}. The map and the table show {result['to']} only, the month assessed: "
                f"{crimes_text(month)}.")
    else:
        line = (f"{crimes_text(result).capitalize()} placed in the {plural(n, one, many)} analysed; "
                f"{elsewhere}.")
    if result.get("total_at_least") is not None:
        line += f" The exact total is withheld: with the counts shown it would reveal counts under {minimum}."
    return line


def coverage_lines(result: dict) -> list[str]:
    """Warnings about months and boroughs the data does not cover."""
    many = level_words(result)[1]
    lines = []
    if result.get("months_without_data"):
        # months_without_data is empty for alerts, which leave such months out of their baselines
        lines.append(f"No records loaded for {month_spans(result['months_without_data'])}: this analysis counts "
                     "those months as zero.")
    absent = result.get("boroughs_without_data") or []
    pairs = result.get("borough_months_without_data", []) or []
    names = _borough_names(set(absent) | {code for code, _ in pairs}) if absent or pairs else {}
    if absent:
        listed = ", ".join(sorted(names.get(c, c) for c in absent))
        lines.append(f"No records at all for {listed} in this period: "
                     f"{'its' if len(absent) == 1 else 'their'} {many} show no crime, which means no data, "
                     "not no crime.")
    if pairs:
        by_month: dict[str, set[str]] = {}
        for code, month in pairs:
            by_month.setdefault(month, set()).add(names.get(code, code))
        groups: dict[tuple[str, ...], list[str]] = {}
        for month in sorted(by_month):
            groups.setdefault(tuple(sorted(by_month[month])), []).append(month)
        clauses = "; ".join(f"{', '.join(boroughs)} in {month_spans(months)}" for boroughs, months in groups.items())
        tail = ("those months are left out of the alerts baselines of their areas" if result["kind"] == "alerts"
                else "those months count as zero in this analysis")
        lines.append(f"No data for {clauses}: {tail} (the other boroughs have data then).")
    return lines


# Older runs stored the reasons not assessed with each number replaced by "N"; these put them into words.
_LEGACY_REASONS = [
    (re.compile(r"only N earlier (\w+) counts? before (\d{4}-\d{2}); needs N"),
     r"fewer earlier \1 counts before \2 than the history needed"),
    (re.compile(r"only N earlier years? with data within N month\(s\) of (\w+) before (\d{4}-\d{2}); needs N"),
     r"fewer earlier years with data near \1 before \2 than the history needed"),
    (re.compile(r"expected count N is below the minimum of N"), "expected count below the minimum"),
    (re.compile(r"no crimes in the N baseline months"), "no crimes in the baseline months"),
    (re.compile(r"too few baseline months \(N\)"), "too few baseline months"),
]


def reason_words(reason: str) -> str:
    """A reason not assessed as the page shows it: without the 'not assessed: ' prefix, and never with a
    placeholder for a number."""
    text = str(reason).removeprefix("not assessed: ")
    for pattern, words in _LEGACY_REASONS:
        text = pattern.sub(words, text)
    return re.sub(r"\s*\bN\b\s*", " ", text).strip()


def not_assessed_line(result: dict) -> str:
    """How many areas an alerts run could not assess, and why; '' when it assessed them all."""
    s = result["summary"]
    n = s.get("not_assessed")
    if not n:
        return ""
    one, many = level_words(result)
    reasons = s.get("not_assessed_reasons") or {}
    parts = [f"{k:,}: {reason_words(reason).replace('; ', ', ')}"
             for reason, k in sorted(reasons.items(), key=lambda item: -item[1])]
    return f"{plural(n, one, many)} not assessed" + (f" ({'; '.join(parts)})." if parts else ".")


def new_activity_line(result: dict) -> str:
    """How many areas show new activity, and the rule, in words; '' when none do."""
    s = result["summary"]
    codes = s.get("new_activity") or []
    if not codes:
        return ""
    one, many = level_words(result)
    rule = s.get("new_activity_rule") or {}
    floor, least = rule.get("floor", 1), rule.get("min_count", 5)
    crimes = f"{floor:g} crime{'' if floor == 1 else 's'}"
    return (f"{plural(len(codes), one, many)} with new activity: fewer than {crimes} expected, too few to assess "
            f"against, but {least:,} or more in {s.get('latest', result['to'])}, beyond chance even against "
            f"{crimes} or the {one}'s average month, whichever is more.")


# --- when a run finds nothing: which setting to change --------------------------------------------------------------

def _quoted_choice(spec, value) -> str:
    return "\u201c" + dict(spec.choices).get(value, value) + "\u201d"


def _set(spec, shown: str, flag: str) -> str:
    """'set “Permutations” to 9,999 (--permutations 9999)': the form's words, and the command's."""
    return f"set \u201c{spec.label}\u201d to {shown} ({flag})"


NO_CORRECTION = _set(specs.FDR, _quoted_choice(specs.FDR, "off"), "--no-fdr")


def _finer_options(p: dict, months: int, *, confidence: bool = False) -> list[str]:
    """The settings that give a finer or longer look, for an analysis that found nothing with them as they are."""
    options = []
    if p.get("fdr") and p.get("inference", "pseudo") == "pseudo" and p.get("permutations", 9_999) < 9_999:
        options.append(_set(specs.PERMUTATIONS, "9,999", "--permutations 9999") + " for a finer test")
    if confidence and p.get("confidence", 0.9) > 0.9:
        options.append(_set(specs.CONFIDENCE, _quoted_choice(specs.CONFIDENCE, "0.9"), "--confidence 0.90"))
    if months < 12:
        options.append("choose a period of 12 months or more")
    return options


def _options_text(options: list[str]) -> str:
    """'To look further, set A. Or set B.': one sentence per option, since an option may hold commas."""
    first, *rest = options
    return " ".join([f"To look further, {first}.", *(f"Or {option}." for option in rest)])


def advice_lines(result: dict) -> list[str]:
    """When a run finds nothing, say so plainly and which setting to change; [] when it found something."""
    kind, s, p = result["kind"], result["summary"], result.get("parameters") or {}
    one, many = level_words(result)
    n = len(result["areas"])
    months = len(month_range(parse_month(result["from"]), parse_month(result["to"])))
    quiet = {"hotspots": ("not significant", "no neighbours"), "clusters": ("not significant", "no neighbours"),
             "emerging": ("no pattern detected",)}
    if kind in quiet:
        if any(a["class"] not in quiet[kind] for a in result["areas"]):
            return []
        level = {"hotspots": "90%", "clusters": f"the {p.get('alpha', 0.05):g} level",
                 "emerging": f"{p.get('confidence', 0.9):.0%}"}[kind]
        what = {"hotspots": "is a hot or cold spot", "clusters": "is in a cluster or an outlier",
                "emerging": "shows a pattern of hot or cold spots"}[kind]
        correction = "after the false-discovery-rate correction" if p.get("fdr") else "even without a correction"
        if kind == "emerging" and p.get("fdr"):
            correction += " within each month"
        head = f"No {one} {what} at {level} {correction}."
        options = []
        if p.get("fdr"):
            loose = s.get("significant_without_correction")
            if loose:
                chance = (0.10 if kind == "hotspots" else p.get("alpha", 0.05)) * n
                options.append(f"{NO_CORRECTION}: {plural(loose, one, many)} would then reach {level}, though "
                               f"about {chance:,.0f} of {n:,} would by chance alone, so read them as leads")
            elif loose is None:
                options.append(NO_CORRECTION + ", reading what it shows as leads")
        options += _finer_options(p, months, confidence=kind == "emerging")
        if kind == "clusters" and p.get("alpha", 0.05) < 0.1:
            options.append(_set(specs.ALPHA, "0.1", "--alpha 0.1"))
        if not options:
            return [head + " The counts show no clustering that chance alone would not give; another crime type or "
                           "a longer period may."]
        return [f"{head} {_options_text(options)}"]
    if kind == "alerts":
        assessed = sum(1 for a in result["areas"] if a["class"] in ("alert", "no alert"))
        if not assessed and not s.get("new_activity"):
            years, needed = s.get("years_of_history", 0), p.get("min_history_years", 2)
            month = parse_month(result["to"]).strftime("%B")
            if 1 <= years < needed:
                return [f"No {one} could be assessed: the data hold {plural(years, 'earlier ' + month)} before "
                        f"{result['to']} and {needed:,} are needed. To assess them against a weaker baseline, "
                        + _set(specs.MIN_HISTORY_YEARS, f"{years:,}", f"--min-history-years {years}") + "."]
            if years == 0:
                return [f"No {one} could be assessed: the data hold no earlier {month} before {result['to']}. "
                        "Load earlier years, or assess a later month."]
            return []
        if s.get("alerts") or s.get("new_activity") or p.get("method") == "cusum":
            return []
        alpha = p.get("alpha", 0.05)
        if p.get("fdr") and s.get("significant_without_correction"):
            loose = s["significant_without_correction"]
            return [f"No {one} is above its baseline at the {alpha:g} level after the false-discovery-rate "
                    f"correction. {NO_CORRECTION[0].upper() + NO_CORRECTION[1:]} to see the "
                    f"{plural(loose, one, many)} above it before the correction; about {alpha * assessed:,.0f} of "
                    f"{assessed:,} would be by chance alone."]
        return [f"No {one} is above its baseline at the {alpha:g} level: a quiet month."]
    return []


def summary_lines(result: dict) -> list[str]:
    """The run's headline and method in plain words."""
    one, many = level_words(result)
    minimum, s = result["suppressed_below"], result["summary"]
    n = len(result["areas"])
    lines = []
    kind = result["kind"]
    if kind == "concentration":
        lines += _concentration_line(result, one, many)
    elif kind == "challenged":
        lines += [_most_challenged(result), s.get("method", "")]
    elif kind in ("hotspots", "clusters"):
        found = sum(1 for a in result["areas"] if a["class"] not in ("not significant", "no neighbours"))
        lines += [f"{found:,} of {plural(n, one, many)} significant. "
                  f"{METHOD_WORDS[kind].format(one=one, many=many)}.", _fdr_text(s.get("fdr"))]
        if s.get("islands"):
            lines.append(f"{plural(len(s['islands']), one, many)} with no neighbours (not tested).")
        if s.get("components", 1) > 1:
            lines.append(f"The areas form {s['components']:,} separate groups of neighbours.")
    elif kind == "emerging":
        patterns = sum(1 for a in result["areas"] if a["class"] != "no pattern detected")
        lines += [f"{patterns:,} of {plural(n, one, many)} show{'s' if patterns == 1 else ''} a pattern over "
                  f"{plural(s['months'], 'month') if 'months' in s else 'the period'}.",
                  METHOD_WORDS[kind].format(one=one, many=many) + "."]
    elif kind == "alerts":
        lines += [f"{plural(len(s.get('alerts', [])), 'alert')} among {plural(n, one, many)} for "
                  f"{s.get('latest', result['to'])}.", new_activity_line(result), not_assessed_line(result),
                  s.get("method", "")]
    lines += advice_lines(result)
    if s.get("note"):
        lines.append(s["note"])
    lines.append(_totals_line(result, one, many))
    lines += coverage_lines(result)
    if result.get("perturbed"):
        lines.append(PERTURBED_LINE)
    if minimum:
        lines.append(f"Counts from 1 to {minimum - 1} are withheld, with the figures worked out from them.")
    return [line for line in lines if line]


PERTURBED_LINE = ("To protect individuals, every count was adjusted by a small, fixed amount (cell key perturbation) "
                  "before any statistic was computed, so figures can differ slightly from other tables.")


# --- how the run was made ----------------------------------------------------------------------------------------

def _option_text(name: str, value) -> str:
    """One option in words, named as on the form: 'share of crimes 20%', 'alert method: Poisson CUSUM'."""
    spec = specs.ALL_OPTIONS.get(name)
    if spec is None:
        return f"{name.replace('_', ' ')} {format_value(value)}"
    label = spec.label[:1].lower() + spec.label[1:]
    if isinstance(spec, specs.Choice):
        key = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{label}: {dict(spec.choices).get(key, key)}"
    return f"{label} {percent(value) if spec is specs.SHARE else format_value(value)}"


def options_text(parameters: dict) -> str:
    """The options that change the result, in words: 'false-discovery-rate correction on; 999 permutations; ...'."""
    p = parameters or {}
    parts = []
    if "fdr" in p:
        parts.append(f"false-discovery-rate correction {'on' if p['fdr'] else 'off'}")
    if "permutations" in p:
        parts.append(f"{p['permutations']:,} permutations")
    if "seed" in p:
        parts.append(f"seed {p['seed']}")
    if "inference" in p:
        parts.append(INFERENCE_WORDS.get(p["inference"], str(p["inference"])))
    parts += [_option_text(k, v) for k, v in p.items() if k not in COMMON_PARAMETERS and k not in SPATIAL_OPTIONS]
    return "; ".join(parts) or "none"


INFERENCE_WORDS = {"pseudo": "p-values by counting permutations",
                   "permutation-normal": "p-values from the mean and spread of the permutations"}


def areas_text(run, result: dict) -> str:
    """'42 wards in Brent, Lambeth', or the boroughs themselves at borough level; says when none were asked for."""
    boroughs = result.get("boroughs") or []
    names = _borough_names(boroughs)
    one, many = level_words(result)
    listed = ", ".join(names.get(c, c) for c in boroughs)
    areas = plural(len(result["areas"]), one, many)
    # Borough level: the areas are the boroughs, so name them rather than say "4 boroughs in 4 boroughs".
    areas += (": " if result["level"] == "borough" else " in ") + listed
    return areas + ("" if run.parameters.get("boroughs") else " (every borough the data covers)")


def facts(run, result: dict) -> list[tuple[str, str]]:
    """Everything needed to reproduce the run, as label and value."""
    p = run.parameters
    rows = [("Analysis", KIND_LABELS.get(run.kind, run.kind)), ("Crime types", ", ".join(result["crime_types"])),
            ("Period", period_text(result)), ("Areas", areas_text(run, result)), ("Options", options_text(p)),
            ("Counts", "perturbed: every count adjusted by a small fixed amount before any statistic, so that "
                       "readers of aggregates only may open the run" if run.perturbed else "exact")]
    if "seed" in p:
        rows.append(("Permutation seed", str(p["seed"])))
    rows += [("Input SHA-256", run.input_sha256), ("Code version", run.code_version),
             ("Libraries", ", ".join(f"{k} {v}" for k, v in (run.libraries or {}).items())),
             ("Run", f"{run.pk} by {run.author}, {timezone.localtime(run.created_at):%Y-%m-%d %H:%M %Z}, "
                     f"in {run.seconds:,.1f} seconds"),
             ("Reproduce", f"vcdhub analyse reproduce {run.pk}")]
    return rows
