import re

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse

from vcdhub.crime.choices import CRIME_TYPES
from vcdhub.crime.compstat import add_months, comparisons, monthly_series, span, window_total
from vcdhub.crime.counts import LEVELS, counted_crimes, usable
from vcdhub.crime.coverage import DataOnHand
from vcdhub.crime.exports import stream_police_uk
from vcdhub.crime.filtersets import CrimeFilterSet, ward_choices
from vcdhub.crime.maps import area_table
from vcdhub.crime.models import Crime, Outcome
from vcdhub.crime.policeuk import STREET
from vcdhub.geography.models import Ward
from vcdhub.platform.charts import Trend, control_chart_svg
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.months import format_month, month_range
from vcdhub.platform.permissions import reads_records
from vcdhub.platform.views import RecordDetailView, RecordExportView, RecordListView
from vcdhub.stats.control import XmRChart

PAGE_SIZE = 50
MAX_PAGE = 200  # deep OFFSET pages are slow and useless: past this, narrow the filter or download the CSV
DEFAULT_MONTHS = 12  # the explorer and the map open on the latest twelve months of loaded data

# The explorer's sortable columns: ?sort=borough, or ?sort=-borough for the reverse; the id breaks ties, so a
# page and the CSV download list the rows in one order.
SORTS = {"id": ("pk",), "month": ("month", "pk"), "type": ("crime_type", "pk"), "ward": ("ward__name", "pk"),
         "borough": ("borough__name", "pk"), "outcome": ("last_outcome_category", "pk")}
DEFAULT_SORT = "-month"


def sort_order(params) -> tuple[str, tuple[str, ...]]:
    """(the sort asked for, or the default; the ORDER BY fields it means)."""
    asked = params.get("sort", DEFAULT_SORT) if params is not None else DEFAULT_SORT
    key = asked.removeprefix("-")
    if key not in SORTS:
        asked, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    descending = asked.startswith("-")
    return asked, tuple(f"-{f}" if descending else f for f in SORTS[key])


def latest_months(on_hand: DataOnHand, months: int = DEFAULT_MONTHS) -> tuple[str, str] | None:
    """The latest `months` months of loaded data, as (from, to) YYYY-MM."""
    loaded = on_hand.months
    if not loaded:
        return None
    return format_month(max(add_months(loaded[-1], 1 - months), loaded[0])), format_month(loaded[-1])


def with_default_period(request, on_hand: DataOnHand) -> None:
    """A page opened with no filter at all shows the latest twelve months of loaded data: its form, its
    links (CSV, map, pages) and its counts all carry that period. (A filter with the months left empty
    shows every month.)"""
    if request.GET:
        return
    period = latest_months(on_hand)
    if period is None:
        return
    query = QueryDict(mutable=True)
    query["month_from"], query["month_to"] = period
    query._mutable = False
    request.GET = query


def offer_only_data(filterset, on_hand: DataOnHand) -> None:
    """The pickers offer only boroughs, wards and crime types the loaded data has (and whatever is chosen),
    while still accepting any real one: a borough without data gets "no data loaded", not an error."""
    form = filterset.form
    chosen = {name: set(filterset.data.getlist(name)) if hasattr(filterset.data, "getlist") else set()
              for name in ("borough", "ward", "crime_type")}
    with_data = on_hand.borough_names
    boroughs = form.fields["borough"]
    boroughs.widget.choices = [(code, name) for code, name in boroughs.queryset.values_list("code", "name")
                               if name in with_data or code in chosen["borough"]]
    wards = form.fields["ward"]
    wards.widget.choices = ward_choices(wards.queryset, on_hand.ward_ids, chosen["ward"])
    types = form.fields["crime_type"]
    present = on_hand.crime_types
    types.widget.choices = [(value, label) for value, label in types.choices
                            if value in present or value in chosen["crime_type"]]


def without_data(filterset, on_hand: DataOnHand) -> list[str]:
    """What the filter asks for that no loaded record has at all: "Camden", "2015-01..2015-06"."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    data = filterset.form.cleaned_data
    missing = []
    with_data = on_hand.borough_names
    missing += [b.name for b in data.get("borough") or [] if b.name not in with_data]
    ward_ids = on_hand.ward_ids
    missing += [f"{w.name} ward" for w in data.get("ward") or [] if w.pk not in ward_ids]
    present = on_hand.crime_types
    missing += [t for t in data.get("crime_type") or [] if t not in present]
    start, end = data.get("month_from"), data.get("month_to")
    if start or end:
        loaded = on_hand.months
        inside = [m for m in loaded if (start is None or m >= start) and (end is None or m <= end)]
        if loaded and not inside:
            first = format_month(start) if start else "the start"
            last = format_month(end) if end else "now"
            missing.append(f"{first}..{last}" if first != last else first)
    return missing


class Explorer(RecordListView):
    """The crime explorer: the kit's restricted list, with counts by crime type and a partial page for htmx."""

    model = Crime
    queryset = Crime.objects.select_related("ward", "borough").order_by("-month", "-pk")
    filterset_class = CrimeFilterSet
    template_name = "crime/explorer.html"
    partial_template_name = "crime/_explorer_body.html"
    paginate_by = PAGE_SIZE
    max_page = MAX_PAGE

    def get(self, request, *args, **kwargs):
        self.on_hand = DataOnHand()
        with_default_period(request, self.on_hand)
        return super().get(request, *args, **kwargs)

    def filtered(self):
        filterset, queryset = super().filtered()
        offer_only_data(filterset, self.on_hand)
        return filterset, queryset.order_by(*sort_order(self.request.GET)[1])

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
        sort, _ = sort_order(self.request.GET)
        query = self.request.GET.copy()
        for name in ("page", "sort"):
            query.pop(name, None)
        context = {"by_type": [(t, by_type[t]) for t in CRIME_TYPES if t in by_type],
                   "active_filters": describe_filters(filterset), "sort": sort, "filter_query": query.urlencode(),
                   "columns": sort_columns(sort), "without_data": without_data(filterset, self.on_hand),
                   "map_query": map_query(self.request.GET),
                   # Each row links to its record: the address reversed once, not once a row (7 ms a page).
                   "detail_url": reverse("crime:detail", args=["0"]).removesuffix("0/")}
        if usable(filterset):
            # One month-by-month series of the filter (its months left out) feeds both the comparisons and the
            # trend: one cached query instead of one count per window.
            user = self.request.user
            series = monthly_series(user, self.request.GET)
            context["comparisons"] = comparisons(self.request.GET, window_total(series, Disclosure.for_user(user)),
                                                 self.on_hand.months)
            context["trend_svg"] = self.trend_svg(filterset, {m: n for m, (n, _) in (series or {}).items()})
        return context

    def trend_svg(self, filterset, by_month: dict) -> str:
        """The filter's crimes month by month as a control chart; months not loaded are gaps."""
        loaded = self.on_hand.months
        if not loaded:
            return ""
        data = filterset.form.cleaned_data if filterset.is_bound else {}
        start = max(data.get("month_from") or loaded[0], loaded[0])
        end = min(data.get("month_to") or loaded[-1], loaded[-1])
        months = month_range(start, end)
        if len(months) < 2:
            return ""
        held = set(loaded)
        values = [by_month.get(m, 0) if m in held else None for m in months]
        present = [v for v in values if v is not None]
        if len(present) < 2:
            return ""
        chart = XmRChart(moving_range="median").fit(present)
        where = [i for i, v in enumerate(values) if v is not None]
        trend = Trend("Crimes each month", [format_month(m) for m in months], values, chart.centre_, chart.upper_,
                      max(0.0, chart.lower_), [where[i] for i in chart.signals_],
                      gaps=[f"{format_month(m)}: no records loaded" for m, v in zip(months, values, strict=True)
                            if v is None])
        return control_chart_svg(trend, "Crimes matching the filter, each month")


# Column headings of the explorer's table: (heading, sort key or None).
COLUMNS = (("Id", "id"), ("Month", "month"), ("Crime type", "type"), ("Location", None), ("LSOA", None),
           ("Ward", "ward"), ("Borough", "borough"), ("Force", None), ("Last outcome", "outcome"))


def sort_columns(sort: str) -> list[dict]:
    """Each heading with the sort its link asks for (the reverse when it is the current one) and its
    aria-sort state."""
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for heading, key in COLUMNS:
        if key is None:
            columns.append({"heading": heading})
            continue
        active = key == current
        columns.append({"heading": heading, "key": key,
                        "next": (key if descending else f"-{key}") if active else key,
                        "aria_sort": ("descending" if descending else "ascending") if active else "none"})
    return columns


def map_query(params) -> str:
    """The map's address for this filter: a borough filter opens that borough's wards."""
    query = params.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    if [code for code in query.getlist("borough") if code] and "level" not in query:
        query["level"] = "ward"
    return query.urlencode()


class CrimeDetail(RecordDetailView):
    model = Crime
    queryset = Crime.objects.select_related("lsoa", "ward", "borough", "batch")
    template_name = "crime/detail.html"

    def get_context(self, crime) -> dict:
        outcomes = Outcome.objects.restrict(self.request.user).filter(crime_id=crime.crime_id) if crime.crime_id \
            else []
        return {"crime": crime, "outcomes": outcomes}


class CrimeExport(RecordExportView):
    """The explorer's filter as a police.uk street-level file (the schema the import reads), in the explorer
    table's order, named after its filter."""

    model = Crime
    filterset_class = CrimeFilterSet
    filename = "vcdhub-crimes.csv"

    def stream(self, queryset):
        return stream_police_uk(queryset, STREET, ordering=sort_order(self.request.GET)[1])

    def get_filename(self, filterset) -> str:
        return export_filename(filterset, sort_order(self.request.GET)[0])


def export_filename(filterset, sort: str = DEFAULT_SORT) -> str:
    """A name that says what the file holds: crimes_2017-01-to-2017-12_robbery_lambeth.csv."""
    parts = ["crimes"]
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    start, end = data.get("month_from"), data.get("month_to")
    if start or end:
        first, last = format_month(start) if start else "start", format_month(end) if end else "latest"
        parts.append(first if first == last else f"{first}-to-{last}")
    for name in ("crime_type", "borough", "ward"):
        values = data.get(name) or []
        words = [getattr(v, "name", v) for v in values]
        if len(words) > 3:
            words = [f"{len(words)}-{name.replace('_', '-')}s"]
        parts.extend(words)
    if data.get("force"):
        parts.append(data["force"])
    if sort != DEFAULT_SORT:
        parts.append(f"by-{sort.removeprefix('-')}{'-desc' if sort.startswith('-') else ''}")
    slug = "_".join(re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in parts if str(p).strip())
    return f"{slug[:150] or 'crimes'}.csv"


def explorer_query(params) -> str:
    """The explorer's address for the map's filter (the map's own settings left out)."""
    query = params.copy()
    for name in ("level", "measure"):
        query.pop(name, None)
    return query.urlencode()


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


def legend_title(filterset, on_hand: DataOnHand) -> str:
    """What the map shows, for its legend: "Crimes: Robbery; 2017-01..2017-12; Lambeth" (map_subject)."""
    return "Crimes: " + map_subject(filterset, on_hand)


def map_subject(filterset, on_hand: DataOnHand) -> str:
    """The crime types (or all), the months (the filter's, its open ends closed by the loaded data) and the
    places chosen: "Robbery; 2017-01..2017-12; Lambeth"."""
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    loaded = on_hand.months
    start = data.get("month_from") or (loaded[0] if loaded else None)
    end = data.get("month_to") or (loaded[-1] if loaded else None)
    parts = [", ".join(data.get("crime_type") or []) or "all crime types",
             span(start, end) if start and end else "no data loaded"]
    parts += [", ".join(area.name for area in data.get(name)) for name in ("borough", "ward") if data.get(name)]
    if data.get("force"):
        parts.append(f"force: {data['force']}")
    return "; ".join(parts)


def ward_options(request):
    """The ward picker's options, narrowed to the chosen boroughs (htmx swaps them in)."""
    wards = Ward.objects.order_by("name", "borough__name")
    boroughs = [code for code in request.GET.getlist("borough") if code]
    if boroughs:
        wards = wards.filter(borough__code__in=boroughs)
    chosen = set(request.GET.getlist("ward"))
    return render(request, "crime/_ward_options.html",
                  {"choices": ward_choices(wards, DataOnHand().ward_ids, chosen), "chosen": chosen})


def crime_map(request):
    """The choropleth (drawn by map.js from the API's choropleth) and, under it, the same figures as a table
    (crime.maps), which is what a screen reader, a keyboard or a printout uses."""
    from django.conf import settings

    on_hand = DataOnHand()
    with_default_period(request, on_hand)
    filterset = CrimeFilterSet(request.GET or None, queryset=Crime.objects.none())
    offer_only_data(filterset, on_hand)
    level = request.GET.get("level", "borough")
    measure = "rate" if request.GET.get("measure") == "rate" else "count"
    table = area_table(request.user, request.GET, level) if usable(filterset) else None
    disclosure = Disclosure.for_user(request.user)
    compared = comparisons(request.GET, window_total(monthly_series(request.user, request.GET), disclosure),
                           on_hand.months) if usable(filterset) else []
    return render(request, "crime/map.html", {
        "filterset": filterset, "level": level, "measure": measure, "table": table, "comparisons": compared,
        "legend_title": legend_title(filterset, on_hand), "map_subject": map_subject(filterset, on_hand),
        "reads_records": reads_records(request.user),
        "disclosure": disclosure,
        "active_filters": describe_filters(filterset), "explorer_query": explorer_query(request.GET),
        "tile_url": settings.VCDHUB_TILE_URL, "tile_attribution": settings.VCDHUB_TILE_ATTRIBUTION,
        "outlines_url": reverse(f"{level}-outlines") if level in LEVELS else ""})
