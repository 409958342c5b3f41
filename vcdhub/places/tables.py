"""A published run as table rows: each area's count, class, colour and details formatted for the page, and the
number of areas in each class.

The details are stored under machine names (`cumulative_share`, `p_adjusted`), which the GeoJSON download keeps
(docs/hot-spots.md lists them); the page, the area panel and the CSV's header show them in words, with units."""

import math

from vcdhub.places.published import WITHHELD, count_text

# Each detail in words, as the page and the area panel name it. Units are in the label or in the value.
DETAIL_LABELS = {
    "rank": "rank",
    "cumulative_share": "cumulative share",
    "population": "residents",
    "rate": "rate",
    "count_score": "count score",
    "rate_score": "rate score",
    "composite": "composite score",
    "reason": "why",
    "z": "Gi* z-score",
    "z_permutation": "z-score among the permutations",
    "p": "p",
    "p_adjusted": "adjusted p",
    "I": "local Moran's I",
    "quadrant": "quadrant",
    "trend": "trend",
    "trend_p": "trend p (Mann-Kendall)",
    "hot_months": "months hot",
    "cold_months": "months cold",
    "observed": "crimes counted",
    "expected": "crimes expected",
    "excess": "crimes above expected",
    "ratio": "times expected",
}
# The CSV's header where its raw value needs a unit the page puts in the value.
CSV_LABELS = {**DETAIL_LABELS, "cumulative_share": "cumulative share (0 to 1)", "rate": "rate per 1,000 residents"}


def _heading(label: str) -> str:
    """A column heading: a capital first letter, except for p, which statistics writes small."""
    return label if label == "p" else label[:1].upper() + label[1:]


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key, key.replace("_", " "))


def csv_label(key: str) -> str:
    return _heading(CSV_LABELS.get(key, key.replace("_", " ")))


def detail_columns(result: dict) -> list[str]:
    """Every detail key any area has, in first-seen order."""
    return list(dict.fromkeys(key for area in result["areas"] for key in area["detail"]))


def colours(result: dict) -> dict[str, str]:
    return {item["class"]: item["colour"] for item in result["legend"]}


def format_value(value) -> str:
    """A value in words: '1,204', '0.0123', '12,346', 'yes', '—' for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {format_value(v)}" for k, v in value.items())
    return str(value)


def format_p(p: float) -> str:
    """A p-value: two significant figures, '< 0.0001' below that."""
    return "< 0.0001" if p < 0.0001 else f"{p:.2g}"


def _percent(x: float) -> str:
    return f"{x * 100:,.1f}%"


FORMATS = {
    "cumulative_share": _percent,
    "rate": lambda v: f"{v:,.1f} per 1,000 residents",
    "p": format_p, "p_adjusted": format_p, "trend_p": format_p,
    "z": lambda v: f"{v:,.2f}", "z_permutation": lambda v: f"{v:,.2f}", "I": lambda v: f"{v:,.2f}",
    "count_score": lambda v: f"{v:,.2f}", "rate_score": lambda v: f"{v:,.2f}", "composite": lambda v: f"{v:,.2f}",
    "observed": lambda v: f"{v:,.0f}", "expected": lambda v: f"{v:,.1f}", "excess": lambda v: f"{v:+,.1f}",
    "ratio": lambda v: f"{v:,.2f}",
}


def format_detail(key: str, value) -> str:
    """One detail for the page: with its unit where the label has none, and thousands separators."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and key in FORMATS:
        return FORMATS[key](value)
    return format_value(value)


def formatted_details(area: dict, columns: list[str]) -> list[str]:
    """The area's value in each column, formatted, or 'withheld'."""
    return [WITHHELD if key in area["withheld_fields"] else format_detail(key, area["detail"].get(key))
            for key in columns]


def table(result: dict) -> dict:
    """Rows for the table page: every area with its count, class, colour and details, formatted."""
    columns = detail_columns(result)
    hue = colours(result)
    minimum = result["suppressed_below"]
    rows = [{"code": a["code"], "name": a["name"], "count": a["count"], "count_text": count_text(a["count"], minimum),
             "withheld": a["withheld"], "class": a["class"], "colour": hue.get(a["class"], ""),
             "details": formatted_details(a, columns)}
            for a in result["areas"]]
    # Counted from the rows, not copied from the legend: the page shows the two agree.
    counted = class_counts(result)
    classes = [{"class": item["class"], "colour": item["colour"], "areas": counted.pop(item["class"], 0)}
               for item in result["legend"]]
    classes += [{"class": label, "colour": "", "areas": n} for label, n in counted.items()]
    return {"columns": columns, "labels": [_heading(detail_label(c)) for c in columns], "rows": rows,
            "classes": classes}


def class_counts(result: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for area in result["areas"]:
        counts[area["class"]] = counts.get(area["class"], 0) + 1
    return counts
