"""The monthly report to the oversight authority, built from the data: HTML, and PDF through WeasyPrint.

Every figure traces to its definition (the targets in force, printed in the report) and to the data it
came from (the import batches listed in the footer, with the code version).
"""


from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.equality.charts import draw_charts
from vcdhub.equality.engine import equality_report
from vcdhub.geography.models import Ward
from vcdhub.performance.engine import EXACT, Period, coverage_warnings, evaluate_all, trend_charts
from vcdhub.performance.published import withhold_small_cells
from vcdhub.performance.targets import current_targets
from vcdhub.platform.disclosure import Disclosure, open_records
from vcdhub.platform.version import code_version

VIOLENCE = "Violence and sexual offences"
TOP_AREAS = 10


def top_violence_wards(period: Period, limit: int = TOP_AREAS, disclosure: Disclosure = EXACT) -> dict:
    """The wards with the most violence in the period, with their shares of the total (perturbed counts, and
    shares of the perturbed total, for aggregate-only readers)."""
    crimes = open_records(Crime.objects.filter(crime_type=VIOLENCE, month__gte=period.start, month__lte=period.end))
    counts = disclosure.count(crimes, total=None, unplaced=Q(ward__isnull=True))
    total = counts["total"]
    by_ward = disclosure.count_by(crimes.filter(ward__isnull=False), "ward_id")
    wards = Ward.objects.filter(id__in=list(by_ward)).values("id", "code", "name", "borough__name")
    rows = sorted(({"ward__code": w["code"], "ward__name": w["name"], "borough__name": w["borough__name"],
                    "n": by_ward[w["id"]]} for w in wards), key=lambda row: (-row["n"], row["ward__code"]))[:limit]
    running = 0
    for row in rows:
        running += row["n"]
        row["share"] = row["n"] / total * 100 if total else 0
        row["cumulative"] = running / total * 100 if total else 0
    return {"total": total, "rows": rows, "unplaced": counts["unplaced"]}


def batches_used(*periods: Period) -> list[ImportBatch]:
    span = Q()
    for p in periods:
        span |= Q(month__gte=p.start, month__lte=p.end)
    return list(ImportBatch.objects.filter(span, superseded_by__isnull=True).order_by("kind", "month", "file_name"))


def build_context(period: Period, baseline: Period | None = None, *, aggregate_only: bool = False) -> dict:
    baseline = baseline or period.year_before()
    targets = current_targets()
    disclosure = Disclosure.aggregate_only() if aggregate_only else EXACT
    results = evaluate_all(targets, period, baseline, disclosure)
    if disclosure.protects:
        results = withhold_small_cells(results, disclosure)
    charts = trend_charts(targets, period.end, disclosure=disclosure)
    equality = equality_report(period.start, period.end, disclosure=disclosure)
    draw_charts(equality, boroughs=False)  # the report's equality charts, on one scale
    violence = top_violence_wards(period, disclosure=disclosure)
    if disclosure.protects:
        violence["rows"] = [r for r in violence["rows"] if not disclosure.is_small(r["n"])]
    return {
        "period": period, "baseline": baseline, "results": results, "charts": charts, "equality": equality,
        "violence": violence, "warnings": coverage_warnings(period, baseline), "targets": targets,
        "batches": batches_used(period, baseline), "version": code_version(), "generated": timezone.now(),
        "aggregate_only": aggregate_only, "min_cell": disclosure.minimum or settings.VCDHUB_MIN_CELL,
        "perturbed": disclosure.perturbs,
    }


def render_html(context: dict) -> str:
    return render_to_string("performance/authority.html", context)


def render_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(context), base_url=str(settings.BASE_DIR)).write_pdf()
