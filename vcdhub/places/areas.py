"""One area of a published run: its numbers, its monthly control chart counted now from the crime cells, and a
link to its crimes in the explorer for users who read records."""

from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse

from vcdhub.crime.cells import smallest_model
from vcdhub.crime.counts import LEVELS
from vcdhub.geography.models import Lsoa
from vcdhub.places.published import count_text
from vcdhub.places.tables import colours, detail_columns, detail_label, formatted_details
from vcdhub.platform.charts import Trend, bar_chart_svg, control_chart_svg
from vcdhub.platform.disclosure import Disclosure, open_records
from vcdhub.platform.months import format_month, month_range, parse_month
from vcdhub.platform.permissions import reads_records


def monthly_counts(result: dict, code: str) -> tuple[list[str], list[int]]:
    """The area's crimes of the run's types in each month of the run's period, counted now as the run counted
    them: the open channel's records, perturbed when the run's counts were (the same cells, so the same noise)."""
    months = month_range(parse_month(result["from"]), parse_month(result["to"]))
    model = LEVELS[result["level"]]
    area = model.objects.filter(code=code).only("id").first()
    if area is None:
        return [format_month(m) for m in months], [0] * len(months)
    table = smallest_model(f"{result['level']}_id")
    rows = (open_records(table.objects.filter(crime_type__in=result["crime_types"], month__gte=months[0],
                                              month__lte=months[-1], **{f"{result['level']}_id": area.pk}))
            .order_by().values("month").annotate(n=Sum("records"), k=Sum("key_sum")).values_list("month", "n", "k"))
    counts = {month: n for month, n, _ in rows}
    if result.get("perturbed"):
        counts = Disclosure.aggregate_only().perturbed(counts, {month: k for month, _, k in rows})
    return [format_month(m) for m in months], [counts.get(m, 0) for m in months]


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
    details = list(zip([detail_label(c) for c in columns], formatted_details(area, columns), strict=True))
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
