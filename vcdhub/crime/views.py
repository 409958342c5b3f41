from django.core.paginator import Paginator
from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render

from vcdhub.audit.log import record_denied, record_reads
from vcdhub.crime.choices import CRIME_TYPES, Kind
from vcdhub.crime.coverage import boroughs_with_data, monthly_coverage
from vcdhub.crime.exports import stream_police_uk
from vcdhub.crime.filtersets import CrimeFilterSet
from vcdhub.crime.models import Crime, ImportBatch, Outcome
from vcdhub.crime.policeuk import STREET
from vcdhub.geography.models import Ward
from vcdhub.platform.permissions import reads_records, records_required

PAGE_SIZE = 50
MAX_PAGE = 200  # deep OFFSET pages are slow and useless: past this, narrow the filter or download the CSV


def _filtered(request):
    """The user's visible crimes, narrowed by the explorer's filter (the same filter the API and map use)."""
    filterset = CrimeFilterSet(request.GET or None, queryset=Crime.objects.restrict(request.user))
    if filterset.is_bound and not filterset.is_valid():
        return filterset, Crime.objects.none()
    return filterset, filterset.qs


def home(request):
    """What is loaded: files by kind and force, boroughs with data, and months that look partial."""
    kinds = dict(Kind.CHOICES)
    coverage = [
        {**row, "kind_label": kinds.get(row["kind"], row["kind"])}
        for row in ImportBatch.objects.filter(superseded_by__isnull=True).values("kind", "force")
        .annotate(files=Count("id"), first=Min("month"), last=Max("month")).order_by("kind", "force")
    ]
    months = monthly_coverage()
    return render(request, "crime/home.html", {
        "coverage": coverage, "crimes": Crime.objects.count(), "reads_records": reads_records(request.user),
        "partial_months": [m for m in months if m.partial], "boroughs": boroughs_with_data(),
    })


@records_required
def explorer(request):
    filterset, queryset = _filtered(request)
    by_type = dict(queryset.order_by().values_list("crime_type").annotate(n=Count("pk")))
    paginator = Paginator(queryset.select_related("ward", "borough").order_by("-month", "-pk"), PAGE_SIZE)
    try:
        number = min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
    except ValueError:
        number = 1
    page = paginator.get_page(number)
    record_reads(page.object_list, "list")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "total": page.paginator.count,
        "by_type": [(t, by_type[t]) for t in CRIME_TYPES if t in by_type],
        "query": query.urlencode(),
        "max_page": MAX_PAGE,
        "active_filters": describe_filters(filterset),
    }
    template = "crime/_explorer_body.html" if request.htmx and not request.htmx.boosted else "crime/explorer.html"
    return render(request, template, context)


@records_required
def crime_detail(request, pk: int):
    crime = Crime.objects.restrict(request.user).select_related("lsoa", "ward", "borough", "batch").filter(
        pk=pk).first()
    if crime is None:
        # Not visible and not there look the same to the user; both are recorded.
        record_denied(Crime, str(pk), "view")
        raise Http404("No such crime, or you may not see it.")
    record_reads([crime], "view")
    outcomes = Outcome.objects.restrict(request.user).filter(crime_id=crime.crime_id) if crime.crime_id else []
    return render(request, "crime/detail.html", {"crime": crime, "outcomes": outcomes})


def _audited_rows(queryset, channel):
    """Stream CSV, recording a read for each OFFICIAL-SENSITIVE row as it is exported."""
    sensitive = list(queryset.filter(sensitivity="OFFICIAL-SENSITIVE"))
    record_reads(sensitive, channel)
    return stream_police_uk(queryset, STREET)


def describe_filters(filterset) -> list[str]:
    """The active filter in words, for the line above the results."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value is None or value == "" or (hasattr(value, "__len__") and not isinstance(value, str) and
                                            not len(value)):
            continue
        label = filterset.form.fields[name].label
        if hasattr(value, "__iter__") and not isinstance(value, str):
            text = ", ".join(getattr(item, "name", str(item)) for item in value)
        elif hasattr(value, "strftime"):
            text = value.strftime("%Y-%m")
        else:
            text = str(value)
        parts.append(f"{label.split(' (')[0].lower()}: {text}")
    return parts


@records_required
def export_csv(request):
    filterset, queryset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest("The filter is not valid: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()),
            content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(_audited_rows(queryset, "export"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vcdhub-crimes.csv"'
    return response


def ward_options(request):
    """The ward picker's options, narrowed to the chosen boroughs (htmx swaps them in)."""
    wards = Ward.objects.select_related("borough").order_by("name", "borough__name")
    boroughs = [code for code in request.GET.getlist("borough") if code]
    if boroughs:
        wards = wards.filter(borough__code__in=boroughs)
    chosen = set(request.GET.getlist("ward"))
    return render(request, "crime/_ward_options.html", {"wards": wards, "chosen": chosen})


def crime_map(request):
    filterset = CrimeFilterSet(request.GET or None, queryset=Crime.objects.none())
    return render(request, "crime/map.html", {"filterset": filterset, "level": request.GET.get("level", "borough")})
