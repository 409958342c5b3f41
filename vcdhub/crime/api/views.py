from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.crime.api.serializers import AreaCountSerializer, CrimeSerializer, StopSearchSerializer
from vcdhub.crime.counts import (
    LEVELS,
    Counted,
    choropleth,
    count_by_area,
    counted_crimes,
    covered_areas,
    protect_counts,
    usable,
)
from vcdhub.crime.filtersets import CrimeFilterSet, StopSearchFilterSet, without_empty_values
from vcdhub.crime.models import Crime, StopSearch
from vcdhub.platform.api import RecordViewSet
from vcdhub.platform.api_filters import refuse_repeated_values
from vcdhub.platform.disclosure import Disclosure, countable

COVERAGE_FILTERS = ("month_from", "month_to", "force")
GEOMETRY_PARAM = OpenApiParameter(
    "geometry", OpenApiTypes.BOOL, default=True,
    description="false: every feature's geometry is null, for a map that joins the areas' `outlines/` to these "
                "figures by code (the outlines are most of the answer's size, and they seldom change)")
LEVEL_PARAM = OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS), default="borough",
                               description="The areas to count by")
GEOJSON = {
    "type": "object", "required": ["type", "features", "properties"],
    "description": "A GeoJSON FeatureCollection of every area at the level (zero counts included); each "
                   "feature's properties hold its `code`, `name`, `count` (null where withheld) and `covered` "
                   "(whether the data has any record there, so \"no data\" is not read as \"no crime\").",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
        "properties": {"type": "object", "description": "level, total, unplaced, suppressed_below, perturbed"},
    },
}


class AggregateMixin:
    """`counts/` and `choropleth/`: filtered records counted by area, open to every signed-in role. What a count
    covers and how exact it is shown are the disclosure policy's (platform.disclosure): a reader of records
    counts what they may see; an aggregate-only reader counts OFFICIAL records with small cells withheld."""

    def _level(self, request) -> str:
        level = request.query_params.get("level") or "borough"  # empty is left out, as for every parameter
        if level not in LEVELS:
            raise ValidationError({"level": [f"Choose one of: {', '.join(LEVELS)}."]})
        return level

    def counted(self, request, params):
        """(bound filterset, Counted records): the rows the user may count. A module with an aggregate table
        overrides this to count from it."""
        records = countable(self.base_queryset.all(), request.user)
        filterset = self.filterset_class(params, queryset=records, request=request)
        return filterset, Counted(filterset.qs if usable(filterset) else records.none())

    def _filtered(self, request, params) -> Counted:
        filterset, counted = self.counted(request, params)
        refuse_repeated_values(params, filterset)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return counted

    def _counts(self, request):
        level = self._level(request)
        counts = count_by_area(self._filtered(request, request.query_params), level)
        return protect_counts(counts, Disclosure.for_user(request.user))

    @extend_schema(parameters=[LEVEL_PARAM], responses=AreaCountSerializer, filters=True)
    @action(detail=False, pagination_class=None, permission_classes=[IsAuthenticated])
    def counts(self, request):
        counts = self._counts(request)
        return Response({"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                         "counts": counts.by_code, "suppressed_below": counts.suppressed_below,
                         "perturbed": counts.perturbed})

    @extend_schema(parameters=[LEVEL_PARAM, GEOMETRY_PARAM], responses={200: GEOJSON}, filters=True,
                   description="Every area at the level as GeoJSON, with its count for the filter.")
    @action(detail=False, pagination_class=None, permission_classes=[IsAuthenticated])
    def choropleth(self, request):
        geometry = (request.query_params.get("geometry") or "true").lower()  # empty is left out, as for filters
        if geometry not in ("true", "false"):
            raise ValidationError({"geometry": ["Give true or false."]})
        counts = self._counts(request)
        # Coverage ignores what is being counted (type, area) but keeps the period and force.
        period = {k: v for k, v in request.query_params.items() if k in COVERAGE_FILTERS}
        covered = covered_areas(self._filtered(request, period), counts.level)
        chosen = without_empty_values(request.query_params).getlist("borough") or None
        return HttpResponse(choropleth(counts, chosen, covered, geometry=geometry == "true"),
                            content_type="application/json")


class CrimeViewSet(AggregateMixin, RecordViewSet):
    """Street-level crimes, filtered like the crime explorer."""

    # Newest first, as the explorer: the (month, id) index serves this order read backwards.
    base_queryset = Crime.objects.select_related("lsoa", "ward", "borough").order_by("-month", "-id")
    serializer_class = CrimeSerializer
    filterset_class = CrimeFilterSet

    def counted(self, request, params):
        return counted_crimes(request.user, params, request=request)

    def count_records(self, queryset) -> int | None:
        """The list's count for its pages, from the crime cells (the same filter and restriction) when its
        filter is valid; None lets the paginator count the rows."""
        filterset, counted = counted_crimes(self.request.user, self.request.query_params, request=self.request)
        return counted.total() if filterset.is_valid() else None


class StopSearchViewSet(AggregateMixin, RecordViewSet):
    """Stop-and-search records."""

    base_queryset = StopSearch.objects.select_related("lsoa", "ward", "borough").order_by("-date", "id")
    serializer_class = StopSearchSerializer
    filterset_class = StopSearchFilterSet
