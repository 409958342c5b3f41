"""A published run in words: its title, summary lines (headline, totals, coverage warnings), options and the facts
needed to reproduce it. The pages, the PNG and the `analyse` command all say it with these."""

from django.utils import timezone

from vcdhub.geography.models import Borough
from vcdhub.places.forms import KIND_LABELS
from vcdhub.places.published import count_text, crimes_text
from vcdhub.places.tables import format_value
from vcdhub.platform.months import format_month, month_range, parse_month

LEVEL_WORDS = {"ward": ("ward", "wards"), "lsoa": ("LSOA", "LSOAs"), "borough": ("borough", "boroughs")}
SHORT_TITLES = {"concentration": "Concentration", "challenged": "Most challenged areas",
                "hotspots": "Hot and cold spots (Gi*)", "clusters": "Clusters and outliers (local Moran's I)",
                "emerging": "Emerging hot spots", "alerts": "Exceedance alerts"}
COMMON_PARAMETERS = ("kind", "crime_types", "from", "to", "level", "boroughs")
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


def not_assessed_line(result: dict) -> str:
    """How many areas an alerts run could not assess, and why; '' when it assessed them all."""
    s = result["summary"]
    n = s.get("not_assessed")
    if not n:
        return ""
    one, many = level_words(result)
    reasons = s.get("not_assessed_reasons") or {}
    parts = [f"{k:,}: {str(reason).removeprefix('not assessed: ').replace('; ', ', ')}"
             for reason, k in sorted(reasons.items(), key=lambda item: -item[1])]
    return f"{plural(n, one, many)} not assessed" + (f" ({'; '.join(parts)})." if parts else ".")


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
        lines += [f"{found:,} of {plural(n, one, many)} significant. {s.get('statistic', '')}.",
                  _fdr_text(s.get("fdr"))]
        if s.get("islands"):
            lines.append(f"{plural(len(s['islands']), one, many)} with no neighbours (not tested).")
        if s.get("components", 1) > 1:
            lines.append(f"The areas form {s['components']:,} separate groups of neighbours.")
    elif kind == "emerging":
        patterns = sum(1 for a in result["areas"] if a["class"] != "no pattern detected")
        lines += [f"{patterns:,} of {plural(n, one, many)} show{'s' if patterns == 1 else ''} a pattern over "
                  f"{plural(s['months'], 'month') if 'months' in s else '? months'}.", s.get("method", "")]
    elif kind == "alerts":
        lines += [f"{plural(len(s.get('alerts', [])), 'alert')} among {plural(n, one, many)} for "
                  f"{s.get('latest', result['to'])}.", not_assessed_line(result), s.get("method", "")]
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

def options_text(parameters: dict) -> str:
    """The options that change the result, in words: 'FDR correction on; 999 permutations; seed 1; ...'."""
    p = parameters or {}
    parts = []
    if "fdr" in p:
        parts.append(f"FDR correction {'on' if p['fdr'] else 'off'}")
    if "permutations" in p:
        parts.append(f"{p['permutations']:,} permutations")
    if "seed" in p:
        parts.append(f"seed {p['seed']}")
    if "inference" in p:
        parts.append(f"inference {p['inference']}")
    parts += [f"{k.replace('_', ' ')} {format_value(v)}" for k, v in p.items()
              if k not in COMMON_PARAMETERS and k not in SPATIAL_OPTIONS]
    return "; ".join(parts) or "none"


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
            ("Counts", "perturbed, for readers of aggregates (docs/disclosure.md)" if run.perturbed else "exact")]
    if "seed" in p:
        rows.append(("Permutation seed", str(p["seed"])))
    rows += [("Input SHA-256", run.input_sha256), ("Code version", run.code_version),
             ("Libraries", ", ".join(f"{k} {v}" for k, v in (run.libraries or {}).items())),
             ("Run", f"{run.pk} by {run.created_by}, {timezone.localtime(run.created_at):%Y-%m-%d %H:%M %Z}, "
                     f"{run.seconds:.1f} s"),
             ("Reproduce", f"vcdhub analyse reproduce {run.pk}")]
    return rows
