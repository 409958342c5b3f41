"""A published run as table rows: each area's count, class, colour and details formatted for the page, and the
number of areas in each class."""

import math

from vcdhub.places.published import WITHHELD, count_text


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


def formatted_details(area: dict, columns: list[str]) -> list[str]:
    """The area's value in each column, formatted, or 'withheld'."""
    return [WITHHELD if key in area["withheld_fields"] else format_value(area["detail"].get(key)) for key in columns]


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
    return {"columns": columns, "rows": rows, "classes": classes}


def class_counts(result: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for area in result["areas"]:
        counts[area["class"]] = counts.get(area["class"], 0) + 1
    return counts
