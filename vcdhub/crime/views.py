from django.db.models import Count, Max, Min
from django.shortcuts import render

from vcdhub.crime.choices import CRIME_TYPES, Kind
from vcdhub.crime.counts import counted_crimes, usable
from vcdhub.crime.coverage import boroughs_with_data, monthly_coverage
from vcdhub.crime.exports import stream_police_uk
from vcdhub.crime.filtersets import CrimeFilterSet
from vcdhub.crime.models import Crime, ImportBatch, Outcome
from vcdhub.crime.policeuk import STREET
from vcdhub.geography.models import Ward
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.permissions import reads_records
from vcdhub.platform.views import RecordDetailView, RecordExportView, RecordListView

PAGE_SIZE = 50
MAX_PAGE = 200  # deep OFFSET pages are slow and useless: past this, narrow the filter or download the CSV


def home(request):
    """What is loaded: files by kind and force, boroughs with data, and months that look partial."""
    kinds = dict(Kind.CHOICES)
    coverage = [
        {**row, "kind_label": kinds.get(row["kind"], row["kind"])}
        for row in ImportBatch.objects.filter(superseded_by__isnull=True).values("kind", "force")
        .annotate(files=Count("id"), first=Min("month"), last=Max("month")).order_by("kind", "force")
    ]
    months = monthly_coverage()
    disclosure = Disclosure.for_user(request.user)
    return render(request, "crime/home.html", {
        "coverage": coverage, "crimes": counted_crimes(request.user)[1].shown_total(disclosure),
        "disclosure": disclosure,
        "reads_records": reads_records(request.user),
        "partial_months": [m for m in months if m.partial], "boroughs": boroughs_with_data(),
    })


class Explorer(RecordListView):
    """The crime explorer: the kit's restricted list, with counts by crime type and a partial page for htmx."""

    model = Crime
    queryset = Crime.objects.select_related("ward", "borough").order_by("-month", "-pk")
    filterset_class = CrimeFilterSet
    template_name = "crime/explorer.html"
    partial_template_name = "crime/_explorer_body.html"
    paginate_by = PAGE_SIZE
    max_page = MAX_PAGE

    def counted(self):
        """The filter's crimes as counts (from the cells: crime.counts), made once per request."""
        if not hasattr(self, "_counted"):
            self._counted = counted_crimes(self.request.user, self.request.GET or None, request=self.request)[1]
        return self._counted

    def by_type(self) -> dict:
        if not hasattr(self, "_by_type"):
            self._by_type = self.counted().by("crime_type")
        return self._by_type

    def count(self, filterset, queryset) -> int:
        # Every crime has a type: the total is the sum of the counts by type (one query instead of two).
        return sum(self.by_type().values()) if usable(filterset) else 0

    def get_context(self, filterset, queryset, page) -> dict:
        by_type = self.by_type()
        return {"by_type": [(t, by_type[t]) for t in CRIME_TYPES if t in by_type],
                "active_filters": describe_filters(filterset)}


class CrimeDetail(RecordDetailView):
    model = Crime
    queryset = Crime.objects.select_related("lsoa", "ward", "borough", "batch")
    template_name = "crime/detail.html"

    def get_context(self, crime) -> dict:
        outcomes = Outcome.objects.restrict(self.request.user).filter(crime_id=crime.crime_id) if crime.crime_id \
            else []
        return {"crime": crime, "outcomes": outcomes}


class CrimeExport(RecordExportView):
    """The explorer's filter as a police.uk street-level file (the schema the import reads)."""

    model = Crime
    filterset_class = CrimeFilterSet
    filename = "vcdhub-crimes.csv"

    def stream(self, queryset):
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
