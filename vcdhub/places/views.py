"""Place analyses in the browser: ask for one (stored as a run), then its map, table, areas and downloads.

Every page is for any signed-in role (results are aggregates). Users who read aggregates only see runs
computed from perturbed counts, and nothing else (a run from exact counts, differenced against another, could
give a withheld count back); places.published withholds small cells from them in every output.
"""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from vcdhub.places.areas import area_context
from vcdhub.places.charts import lorenz_svg, lorenz_withheld
from vcdhub.places.downloads import csv_text, feature_collection, png_bytes
from vcdhub.places.forms import AnalysisForm, default_initial
from vcdhub.places.models import AnalysisRun
from vcdhub.places.prose import facts, level_words, period_text, summary_lines, title
from vcdhub.places.published import published
from vcdhub.places.tables import class_counts, table
from vcdhub.platform.jobs import enqueue
from vcdhub.platform.permissions import deny, reads_records

RECENT = 50


def _openable(user):
    """The runs this user may open: every run for a reader of records, perturbed runs for the rest."""
    runs = AnalysisRun.objects.all()
    return runs if reads_records(user) else runs.filter(perturbed=True)


def _recent(user, limit: int):
    return _openable(user).defer("result")[:limit]


def index(request):
    """The request form. A valid request (POST: it stores a run, so a link or a prefetch must not make one)
    is computed, stored and shown as its run's map."""
    if request.method != "POST":
        form = AnalysisForm(initial=default_initial())
    else:
        form = AnalysisForm(request.POST)
        if form.is_valid():
            # A London-wide run at 9,999 permutations takes tens of seconds: it runs as a background job, as
            # the signed-in user, and the job page shows it queued, running, done (with a link) or failed.
            job = enqueue("places.analysis", user=request.user, **form.request())
            return redirect("job", pk=job.pk)
    return render(request, "places/index.html", {"form": form, "runs": _recent(request.user, 10)})


def runs(request):
    return render(request, "places/runs.html", {"runs": _recent(request.user, RECENT)})


def _run(request, pk: int):
    run = get_object_or_404(AnalysisRun, pk=pk)
    if not run.perturbed and not reads_records(request.user):
        deny(request, "This run was computed from exact counts; readers of aggregates open runs computed from "
                      "perturbed counts only. Ask for the same analysis: it is computed that way for you.")
    return run, published(run, request.user)


def run_map(request, pk: int):
    run, result = _run(request, pk)
    return render(request, "places/run.html", {
        "run": run, "result": result, "title": title(run, result), "summary": summary_lines(result),
        "facts": facts(run, result), "level_words": level_words(result), "period": period_text(result),
        "lorenz": lorenz_svg(result), "lorenz_withheld": lorenz_withheld(result)})


def run_table(request, pk: int):
    run, result = _run(request, pk)
    return render(request, "places/table.html", {
        "run": run, "result": result, "title": title(run, result), "summary": summary_lines(result),
        "table": table(result), "class_counts": class_counts(result), "level_words": level_words(result),
        "period": period_text(result)})


def area(request, pk: int, code: str):
    """One area: its numbers and monthly chart (a panel beside the map under htmx, a page otherwise)."""
    run, result = _run(request, pk)
    context = area_context(run, result, code, request.user)
    if context is None:
        raise Http404("That area is not in this run.")
    context.update(run=run, result=result, title=title(run, result))
    template = "places/_area.html" if request.htmx else "places/area.html"
    return render(request, template, context)


def _download(content, content_type: str, run: AnalysisRun, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="vcdhub-{run.kind}-run{run.pk}.{extension}"'
    return response


def download_csv(request, pk: int):
    run, result = _run(request, pk)
    return _download(csv_text(result), "text/csv; charset=utf-8", run, "csv")


def download_geojson(request, pk: int):
    run, result = _run(request, pk)
    return _download(json.dumps(feature_collection(run, result)), "application/geo+json", run, "geojson")


def download_png(request, pk: int):
    run, result = _run(request, pk)
    return _download(png_bytes(run, result), "image/png", run, "png")
