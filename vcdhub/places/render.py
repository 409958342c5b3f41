"""What the place pages and downloads show of a stored analysis run: its numbers with small cells withheld where
the user reads aggregates only, as a table, CSV, GeoJSON, a PNG map, and one area's monthly chart.

Everything starts from `published(run, user)`, so the map, the table and every download show the same numbers.
"""

import csv
import io
import math
from html import escape
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from vcdhub.crime.counts import LEVELS
from vcdhub.crime.models import Crime
from vcdhub.geography.loader import geometry_feature
from vcdhub.geography.models import Borough, Lsoa
from vcdhub.places.forms import KIND_LABELS
from vcdhub.platform.charts import Trend, bar_chart_svg, control_chart_svg
from vcdhub.platform.csvsafe import safe_cell
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import format_month, month_range, parse_month
from vcdhub.platform.permissions import reads_records

LEVEL_WORDS = {"ward": ("ward", "wards"), "lsoa": ("LSOA", "LSOAs"), "borough": ("borough", "boroughs")}
SHORT_TITLES = {"concentration": "Concentration", "challenged": "Most challenged areas",
                "hotspots": "Hot and cold spots (Gi*)", "clusters": "Clusters and outliers (local Moran's I)",
                "emerging": "Emerging hot spots", "alerts": "Exceedance alerts"}
COMMON_PARAMETERS = ("kind", "crime_types", "from", "to", "level", "boroughs")
WITHHELD = "withheld"


# --- withholding small cells ------------------------------------------------------------------------------------

def withhold(result: dict, minimum: int | None) -> dict:
    """A copy of a run's result with counts from 1 to minimum-1, and whatever they could be worked out from, withheld.

    `minimum` None leaves the numbers as they are. An area with a small count keeps its class and nothing else:
    its count and every detail (scores, p-values, expected counts, reasons quoting numbers, rank) become None.
    Each area says whether it is `withheld` and which detail fields were (`withheld_fields`). When any area is
    withheld, figures that would give the withheld counts away by differencing go too: the exact total becomes
    `total_at_least` (the sum of the counts shown), small unplaced and outside counts are withheld, and a
    concentration run loses its Lorenz points, its Gini and every cumulative share (a shown area's count over
    its cumulative share is the exact total). `summary_withheld` names what went from the summary; the result
    carries `suppressed_below`.
    """
    kind = result["kind"]
    policy = Disclosure(minimum or None)
    hide = policy.cell
    areas, shown = [], 0
    for area in result["areas"]:
        detail = dict(area["detail"])
        small = policy.is_small(area["count"]) or policy.is_small(detail.get("observed"))
        hidden = list(detail) if small else []
        for key in hidden:
            detail[key] = None
        if not small and isinstance(area["count"], int | float):
            shown += area["count"]
        areas.append({**area, "count": None if small else area["count"], "detail": detail, "withheld": small,
                      "withheld_fields": hidden})
    partial = any(a["withheld"] for a in areas)
    summary, summary_withheld = dict(result.get("summary") or {}), []
    if partial:
        withheld_codes = {a["code"] for a in areas if a["withheld"]}
        for key in ("top", "alerts"):  # lists of codes in rank order: the order of withheld areas would tell
            if isinstance(summary.get(key), list):
                summary[key] = ([c for c in summary[key] if c not in withheld_codes]
                                + sorted(c for c in summary[key] if c in withheld_codes))
        if kind == "concentration":
            for a in areas:
                if "cumulative_share" in a["detail"] and "cumulative_share" not in a["withheld_fields"]:
                    a["detail"]["cumulative_share"] = None
                    a["withheld_fields"] = [*a["withheld_fields"], "cumulative_share"]
            summary.pop("lorenz", None)
            summary["gini"] = None
            summary_withheld = ["lorenz", "gini", "share held"]
    return {**result, "summary": summary, "areas": areas, "suppressed_below": minimum or None,
            "total": None if partial else hide(result["total"]), "total_at_least": shown if partial else None,
            "unplaced": hide(result["unplaced"]), "outside": hide(result["outside"]),
            "summary_withheld": summary_withheld}


def published(run, user) -> dict:
    """The run's result as this user may see it (the disclosure policy decides how exact)."""
    return withhold(run.result, Disclosure.for_user(user).minimum)


def count_text(n, minimum: int | None) -> str:
    if n is None:
        return f"fewer than {minimum}" if minimum else "—"
    return f"{n:,}"


def total_text(result: dict) -> str:
    """The run's total as this user may see it: exact, or "at least X" when some area counts are withheld."""
    if result["total"] is None and result.get("total_at_least") is not None:
        # Every withheld area has at least one crime, so the total is never below 1.
        return f"at least {max(result['total_at_least'], 1):,}"
    return count_text(result["total"], result["suppressed_below"])


def crimes_text(result: dict) -> str:
    """'1 crime', '1,204 crimes', 'at least 1 crime', 'fewer than 5 crimes'."""
    text = total_text(result)
    return f"{text} {'crime' if text in ('1', 'at least 1') else 'crimes'}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 ward', '3 wards', '1,204 LSOAs'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def level_words(result: dict) -> tuple[str, str]:
    return LEVEL_WORDS.get(result["level"], (result["level"], result["level"] + "s"))


def percent(x: float, places: int = 1) -> str:
    """0.2 -> '20%', 0.223 -> '22.3%', 0.125 -> '12.5%'."""
    text = f"{x * 100:.{places}f}".rstrip("0").rstrip(".")
    return text + "%"


# --- table and CSV -----------------------------------------------------------------------------------------------

def detail_columns(result: dict) -> list[str]:
    """Every detail key any area has, in first-seen order."""
    return list(dict.fromkeys(key for area in result["areas"] for key in area["detail"]))


def colours(result: dict) -> dict[str, str]:
    return {item["class"]: item["colour"] for item in result["legend"]}


def format_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.3g}" if math.isfinite(value) else "—"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {format_value(v)}" for k, v in value.items())
    return str(value)


def table(result: dict) -> dict:
    """Rows for the table page: every area with its count, class, colour and details, formatted."""
    columns = detail_columns(result)
    hue = colours(result)
    minimum = result["suppressed_below"]
    rows = [{"code": a["code"], "name": a["name"], "count": a["count"], "count_text": count_text(a["count"], minimum),
             "withheld": a["withheld"], "class": a["class"], "colour": hue.get(a["class"], ""),
             "details": [WITHHELD if key in a["withheld_fields"] else format_value(a["detail"].get(key))
                         for key in columns]}
            for a in result["areas"]]
    # Counted from the rows, not copied from the legend: the page shows the two agree.
    counted = class_counts(result)
    classes = [{"class": item["class"], "colour": item["colour"], "areas": counted.pop(item["class"], 0)}
               for item in result["legend"]]
    classes += [{"class": label, "colour": "", "areas": n} for label, n in counted.items()]
    return {"columns": columns, "rows": rows, "classes": classes}


def class_counts(result: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for area in result["areas"]:
        counts[area["class"]] = counts.get(area["class"], 0) + 1
    return counts


def csv_text(result: dict) -> str:
    columns = detail_columns(result)
    hue = colours(result)
    minimum = result["suppressed_below"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in ["code", "name", "count", "class", "colour", *columns]])
    for a in result["areas"]:
        count = f"fewer than {minimum}" if a["withheld"] else a["count"]
        details = [WITHHELD if key in a["withheld_fields"] else a["detail"].get(key) for key in columns]
        writer.writerow([safe_cell(v) for v in [a["code"], a["name"], count, a["class"], hue.get(a["class"]),
                                                *details]])
    return out.getvalue()


# --- GeoJSON -----------------------------------------------------------------------------------------------------

def _areas_with_geometry(result: dict) -> dict:
    """The run's areas as rows with geometry, by code (an area no longer in the boundaries is simply absent)."""
    model = LEVELS[result["level"]]
    boroughs = result.get("boroughs") or []
    rows = model.objects.filter(code__in=boroughs) if model is Borough else model.objects.filter(
        borough__code__in=boroughs)
    return {a.code: a for a in rows.only("code", "name", "geometry")}


def feature_collection(run, result: dict) -> dict:
    """One feature per area of the run, in the run's order, with its count, class and colour."""
    shapes = _areas_with_geometry(result)
    hue = colours(result)
    features = []
    for a in result["areas"]:
        properties = {"count": a["count"], "withheld": a["withheld"], "class": a["class"],
                      "colour": hue.get(a["class"]), "detail": a["detail"]}
        if a["code"] in shapes:
            feature = geometry_feature(shapes[a["code"]], properties)
            feature["properties"]["name"] = a["name"]
        else:
            feature = {"type": "Feature", "id": a["code"], "geometry": None,
                       "properties": {"code": a["code"], "name": a["name"], **properties}}
        features.append(feature)
    return {"type": "FeatureCollection", "features": features, "properties": {
        "run": run.pk, "kind": run.kind, "level": result["level"], "crime_types": result["crime_types"],
        "from": result["from"], "to": result["to"], "boroughs": result["boroughs"], "total": result["total"],
        "total_at_least": result.get("total_at_least"), "total_text": total_text(result),
        "unplaced": result["unplaced"], "outside": result["outside"], "suppressed_below": result["suppressed_below"],
        "legend": result["legend"], "parameters": run.parameters, "input_sha256": run.input_sha256,
        "code_version": run.code_version}}


# --- words about the run -----------------------------------------------------------------------------------------

def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} to {last}"


def period_text(result: dict) -> str:
    if result["kind"] == "alerts":
        months = _months(result)
        if len(months) < 2:
            return f"{result['to']} (no earlier data for a baseline)"
        return f"{result['to']}, against a baseline from {_span(result['from'], format_month(months[-2]))}"
    return _span(result["from"], result["to"])


def title(run, result: dict) -> str:
    return f"{SHORT_TITLES.get(run.kind, run.kind)}: {', '.join(result['crime_types'])}, {period_text(result)}"


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
    return ", ".join(_span(first, last) for first, last, _ in spans)


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
                f"period read, {_span(result['from'], result['to'])} (the baseline and the month assessed); "
                f"{elsewhere}. The map and the table show {result['to']} only, the month assessed: "
                f"{crimes_text(month)}.")
    else:
        line = (f"{crimes_text(result).capitalize()} placed in the {plural(n, one, many)} analysed; "
                f"{elsewhere}.")
    if result.get("total_at_least") is not None:
        line += f" The exact total is withheld: with the counts shown it would reveal counts under {minimum}."
    return line


def _coverage_lines(result: dict, many: str) -> list[str]:
    """Warnings about months and boroughs the data does not cover."""
    lines = []
    if result.get("months_without_data"):
        lines.append(f"No records loaded for {month_spans(result['months_without_data'])}.")
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


def _not_assessed_line(result: dict, one: str, many: str) -> str:
    s = result["summary"]
    n = s.get("not_assessed")
    if not n:
        return ""
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
                  f"{s.get('latest', result['to'])}.", _not_assessed_line(result, one, many), s.get("method", "")]
    if s.get("note"):
        lines.append(s["note"])
    lines.append(_totals_line(result, one, many))
    lines += _coverage_lines(result, many)
    if minimum:
        lines.append(f"Counts from 1 to {minimum - 1} are withheld, with the figures worked out from them.")
    return [line for line in lines if line]


SPATIAL_OPTIONS = ("fdr", "permutations", "seed", "inference")


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


def facts(run, result: dict) -> list[tuple[str, str]]:
    """Everything needed to reproduce the run, as label and value."""
    p = run.parameters
    boroughs = result.get("boroughs") or []
    names = _borough_names(boroughs)
    one, many = level_words(result)
    listed = ", ".join(names.get(c, c) for c in boroughs)
    areas = plural(len(result["areas"]), one, many)
    # Borough level: the areas are the boroughs, so name them rather than say "4 boroughs in 4 boroughs".
    areas += (": " if result["level"] == "borough" else " in ") + listed
    rows = [("Analysis", KIND_LABELS.get(run.kind, run.kind)), ("Crime types", ", ".join(result["crime_types"])),
            ("Period", period_text(result)),
            ("Areas", areas + ("" if p.get("boroughs") else " (every borough the data covers)")),
            ("Options", options_text(p))]
    if "seed" in p:
        rows.append(("Permutation seed", str(p["seed"])))
    rows += [("Input SHA-256", run.input_sha256), ("Code version", run.code_version),
             ("Libraries", ", ".join(f"{k} {v}" for k, v in (run.libraries or {}).items())),
             ("Run", f"{run.pk} by {run.created_by}, {timezone.localtime(run.created_at):%Y-%m-%d %H:%M %Z}, "
                     f"{run.seconds:.1f} s"),
             ("Reproduce", f"vcdhub analyse reproduce {run.pk}")]
    return rows


# --- one area ----------------------------------------------------------------------------------------------------

def _months(result: dict) -> list:
    return month_range(parse_month(result["from"]), parse_month(result["to"]))


def monthly_counts(result: dict, code: str) -> tuple[list[str], list[int]]:
    """The area's crimes of the run's types in each month of the run's period, counted now from the records."""
    months = _months(result)
    model = LEVELS[result["level"]]
    area = model.objects.filter(code=code).only("id").first()
    if area is None:
        return [format_month(m) for m in months], [0] * len(months)
    rows = dict(Crime.objects.filter(crime_type__in=result["crime_types"], month__gte=months[0],
                                     month__lte=months[-1], **{f"{result['level']}_id": area.pk})
                .order_by().values_list("month").annotate(n=Count("pk")))
    return [format_month(m) for m in months], [rows.get(m, 0) for m in months]


def area_chart_svg(name: str, months: list[str], counts: list[int]) -> str:
    """A control chart (platform.charts) of the area's months; bars when there is a single month."""
    label = f"{name}: crimes each month"
    if len(months) >= 2:
        from vcdhub.stats.control import XmRChart

        chart = XmRChart(moving_range="median").fit(counts)
        trend = Trend(name, months, counts, chart.centre_, chart.upper_, max(0.0, chart.lower_), chart.signals_)
        return control_chart_svg(trend, label)
    return bar_chart_svg(label, months, counts)




def explorer_link(result: dict, code: str) -> dict | None:
    """The crime explorer filtered to the area (an LSOA's ward: the explorer has no LSOA filter), period and types."""
    level = result["level"]
    months = (result["to"], result["to"]) if result["kind"] == "alerts" else (result["from"], result["to"])
    query = [("month_from", months[0]), ("month_to", months[1])] + [("crime_type", t) for t in result["crime_types"]]
    note = ""
    if level == "lsoa":
        lsoa = Lsoa.objects.select_related("ward").filter(code=code).first()
        if lsoa is None:
            return None
        query.append(("ward", lsoa.ward.code))
        note = (f"The explorer filters by ward: this shows all of {lsoa.ward.name} ({lsoa.ward.code}), "
                f"which holds {code}.")
    else:
        query.append((level, code))
    return {"url": reverse("crime:explorer") + "?" + urlencode(query), "note": note,
            "months": f"{months[0]} to {months[1]}" if months[0] != months[1] else months[0]}


def area_context(run, result: dict, code: str, user) -> dict | None:
    """One area of the run: its numbers, its monthly chart and, for users who read records, where to see them.

    Where small cells are withheld and any of the area's months is small, no monthly number is shown at all:
    with the area's total, a single withheld month would be the total less the months shown.
    """
    area = next((a for a in result["areas"] if a["code"] == code), None)
    if area is None:
        return None
    minimum = result["suppressed_below"]
    months, counts = monthly_counts(result, code)
    monthly_withheld = any(Disclosure(minimum).is_small(n) for n in counts)
    columns = detail_columns({"areas": [area]})
    details = [(key, WITHHELD if key in area["withheld_fields"] else format_value(area["detail"].get(key)))
               for key in columns]
    context = {"area": area, "count_text": count_text(area["count"], minimum),
               "colour": colours(result).get(area["class"]), "details": details,
               "chart": "", "monthly": [], "monthly_withheld": "",
               "explorer": explorer_link(result, code) if reads_records(user) else None}
    if monthly_withheld:
        context["monthly_withheld"] = f"Monthly counts withheld: at least one month has fewer than {minimum}."
    else:
        context["chart"] = area_chart_svg(area["name"], months, counts)
        context["monthly"] = [(month, count_text(n, minimum)) for month, n in zip(months, counts, strict=True)]
    return context


# --- PNG ---------------------------------------------------------------------------------------------------------

def _path(geometry):
    """A matplotlib Path for a (multi)polygon: exteriors anticlockwise and holes clockwise, so holes stay empty."""
    import numpy as np
    import shapely
    from matplotlib.path import Path

    vertices, codes = [], []
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.geometry.polygon.orient(part, 1.0)
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY]
    return Path(np.concatenate(vertices), codes) if vertices else None


def png_subtitle(run, result: dict) -> str:
    """The PNG's first line under the title: areas and crimes, with the total as this user may see it."""
    one, many = level_words(result)
    text = f"{plural(len(result['areas']), one, many)}; {crimes_text(result)} placed"
    if result["kind"] == "alerts":
        text += (f" over {_span(result['from'], result['to'])} (baseline and month assessed); "
                 f"the map shows {result['to']}")
    if result["suppressed_below"]:
        text += f"; counts under {result['suppressed_below']} withheld"
    return text + "."


def png_bytes(run, result: dict) -> bytes:
    """A choropleth of the run's classes with its legend, drawn in memory with matplotlib's Agg canvas."""
    import shapely
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch

    shapes = _areas_with_geometry(result)
    hue = colours(result)
    figure = Figure(figsize=(11, 8.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.02, 0.08, 0.68, 0.80))
    latitudes = []
    for a in result["areas"]:
        row = shapes.get(a["code"])
        if row is None or not row.geometry:
            continue
        geometry = shapely.from_geojson(row.geometry)
        path = _path(geometry)
        if path is None:
            continue
        latitudes.append(geometry.centroid.y)
        axes.add_patch(PathPatch(path, facecolor=hue.get(a["class"], "#ffffff"), edgecolor="#555555",
                                 linewidth=0.3 if len(result["areas"]) > 800 else 0.5))
    if result["level"] != "borough":  # borough outlines, for bearings
        for row in Borough.objects.filter(code__in=result.get("boroughs") or []).only("geometry"):
            path = _path(shapely.from_geojson(row.geometry)) if row.geometry else None
            if path is not None:
                axes.add_patch(PathPatch(path, facecolor="none", edgecolor="#222222", linewidth=1.0))
    axes.autoscale_view()
    if latitudes:
        axes.set_aspect(1 / math.cos(math.radians(sum(latitudes) / len(latitudes))))
    axes.set_axis_off()
    handles = [Patch(facecolor=item["colour"], edgecolor="#555555", label=f"{item['class']} ({item['areas']:,})")
               for item in result["legend"] if item["areas"]]
    one, many = LEVEL_WORDS.get(result["level"], (result["level"], result["level"] + "s"))
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.71, 0.86), frameon=False, fontsize=10,
                  title=f"Class ({many})", title_fontsize=11, alignment="left")
    figure.suptitle(title(run, result), x=0.02, y=0.97, ha="left", fontsize=14, fontweight="bold")
    figure.text(0.02, 0.925, png_subtitle(run, result), fontsize=9, color="#444444")
    figure.text(0.02, 0.900, f"Options: {options_text(run.parameters)}. vcdhub run {run.pk}, "
                f"input {run.input_sha256[:12]}, {run.code_version}.", fontsize=9, color="#444444")
    figure.text(0.02, 0.02, "Contains public sector information licensed under the Open Government Licence v3.0. "
                "Contains OS data © Crown copyright and database right.", fontsize=7, color="#666666")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def lorenz_withheld(result: dict) -> str:
    """Why a concentration run shows no Lorenz curve to this user, or ''."""
    if result.get("kind") == "concentration" and "lorenz" in result.get("summary_withheld", []):
        return f"Lorenz curve withheld: it would reveal counts under {result['suppressed_below']}."
    return ""


def lorenz_svg(result: dict) -> str:
    """The Lorenz curve of a concentration run (areas from least to most crime), with the line of equality."""
    summary = result.get("summary", {})
    points = summary.get("lorenz")
    if result.get("kind") != "concentration" or not points:
        return ""
    size, pad = 320, 40
    plot = size - 2 * pad

    def xy(x: float, y: float) -> str:
        return f"{pad + x * plot:.1f},{pad + (1 - y) * plot:.1f}"

    step = max(1, len(points) // 600)  # enough vertices for the eye; the stored run keeps every point
    curve = " ".join(xy(x, y) for x, y in points[::step] + [points[-1]])
    level = escape(LEVEL_WORDS.get(result["level"], (result["level"], result["level"] + "s"))[1])
    label = f"Lorenz curve; Gini {summary['gini']:.3f}"
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" class="chart lorenz" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>',
        f'<rect x="{pad}" y="{pad}" width="{plot}" height="{plot}" fill="none" stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad + plot}" x2="{pad + plot}" y2="{pad}" stroke="#999" stroke-dasharray="4 3"/>',
        f'<polyline points="{curve}" fill="none" stroke="#b2182b" stroke-width="2" class="lorenz-curve"/>',
        f'<text x="{pad + plot / 2}" y="{size - 8}" text-anchor="middle" font-size="11" fill="#333">'
        f'share of {level}, least crime first</text>',
        f'<text x="12" y="{pad + plot / 2}" text-anchor="middle" font-size="11" fill="#333" '
        f'transform="rotate(-90 12 {pad + plot / 2})">share of crimes</text>',
        f'<text x="{pad + 8}" y="{pad + 16}" font-size="12" fill="#333">Gini {summary["gini"]:.3f}</text>',
        "</svg>"])
