from django.conf import settings
from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.access.policy import is_aggregate_only
from vcdhub.audit.log import record_denied, record_reads
from vcdhub.crime.api.serializers import AreaCountSerializer, CrimeSerializer, StopSearchSerializer
from vcdhub.crime.counts import LEVELS, choropleth, count_by_area, covered_areas, suppress_small_cells
from vcdhub.crime.filtersets import CrimeFilterSet, StopSearchFilterSet
from vcdhub.crime.models import Crime, StopSearch
from vcdhub.platform.permissions import ReadsRecords

COVERAGE_FILTERS = ("month_from", "month_to", "force")
LEVEL_PARAM = OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS), default="borough")


class RestrictedRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and fetches only what the user may see; reads of OFFICIAL-SENSITIVE records are audited, and a
    fetch of a record the user may not see is refused as not found and recorded."""

    permission_classes = [IsAuthenticated, ReadsRecords]

    def get_queryset(self):
        return self.base_queryset.restrict(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        record_reads(page if page is not None else queryset, "api")
        return page

    def get_object(self):
        try:
            obj = super().get_object()
        except Http404:
            record_denied(self.base_queryset.model, str(self.kwargs.get(self.lookup_field, "")), "api")
            raise
        record_reads([obj], "api")
        return obj


class AggregateMixin:
    """`counts/` and `choropleth/`: filtered records counted by area. Aggregates are open to every signed-in
    role and count all records; cells below VCDHUB_MIN_CELL are suppressed for authority members."""

    def _level(self, request) -> str:
        level = request.query_params.get("level", "borough")
        if level not in LEVELS:
            raise ValidationError({"level": [f"Choose one of: {', '.join(LEVELS)}."]})
        return level

    def _filtered(self, request, params):
        filterset = self.filterset_class(params, queryset=self.base_queryset.all(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def _counts(self, request):
        level = self._level(request)
        counts = count_by_area(self._filtered(request, request.query_params), level)
        if is_aggregate_only(request.user):
            counts = suppress_small_cells(counts, settings.VCDHUB_MIN_CELL)
        return counts

    @extend_schema(parameters=[LEVEL_PARAM], responses=AreaCountSerializer)
    @action(detail=False, pagination_class=None, permission_classes=[IsAuthenticated])
    def counts(self, request):
        counts = self._counts(request)
        return Response({"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                         "counts": counts.by_code, "suppressed_below": counts.suppressed_below})

    @extend_schema(parameters=[LEVEL_PARAM], responses={200: OpenApiTypes.OBJECT},
                   description="GeoJSON FeatureCollection of every area at the level, with a `count` property.")
    @action(detail=False, pagination_class=None, permission_classes=[IsAuthenticated])
    def choropleth(self, request):
        counts = self._counts(request)
        # Coverage ignores what is being counted (type, area) but keeps the period and force.
        period = {k: v for k, v in request.query_params.items() if k in COVERAGE_FILTERS}
        covered = covered_areas(self._filtered(request, period), counts.level)
        return JsonResponse(choropleth(counts, request.query_params.getlist("borough") or None, covered))


class CrimeViewSet(AggregateMixin, RestrictedRecordViewSet):
    """Street-level crimes, filtered like the crime explorer."""

    base_queryset = Crime.objects.select_related("lsoa", "ward", "borough").order_by("-month", "id")
    serializer_class = CrimeSerializer
    filterset_class = CrimeFilterSet


class StopSearchViewSet(AggregateMixin, RestrictedRecordViewSet):
    """Stop-and-search records."""

    base_queryset = StopSearch.objects.select_related("lsoa", "ward", "borough").order_by("-date", "id")
    serializer_class = StopSearchSerializer
    filterset_class = StopSearchFilterSet
