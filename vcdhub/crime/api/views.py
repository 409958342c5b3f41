from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from vcdhub.crime.api.serializers import AreaCountSerializer, CrimeSerializer, StopSearchSerializer
from vcdhub.crime.counts import LEVELS, choropleth, count_by_area
from vcdhub.crime.filtersets import CrimeFilterSet, StopSearchFilterSet
from vcdhub.crime.models import Crime, StopSearch

LEVEL_PARAM = OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS), default="borough")


class CountsMixin:
    """`counts/` and `choropleth/`: the filtered records counted by area, with the same filter as the list."""

    def _counts(self, request):
        level = request.query_params.get("level", "borough")
        if level not in LEVELS:
            raise ValidationError({"level": [f"Choose one of: {', '.join(LEVELS)}."]})
        return count_by_area(self.filter_queryset(self.get_queryset()), level)

    @extend_schema(parameters=[LEVEL_PARAM], responses=AreaCountSerializer)
    @action(detail=False, pagination_class=None)
    def counts(self, request):
        counts = self._counts(request)
        return Response({"level": counts.level, "total": counts.total, "unplaced": counts.unplaced,
                         "counts": counts.by_code})

    @extend_schema(parameters=[LEVEL_PARAM], responses={200: OpenApiTypes.OBJECT},
                   description="GeoJSON FeatureCollection of every area at the level, with a `count` property.")
    @action(detail=False, pagination_class=None)
    def choropleth(self, request):
        counts = self._counts(request)
        return JsonResponse(choropleth(counts, request.query_params.getlist("borough") or None))


class CrimeViewSet(CountsMixin, viewsets.ReadOnlyModelViewSet):
    """Street-level crimes, filtered like the crime explorer."""

    queryset = Crime.objects.select_related("lsoa", "ward", "borough").order_by("-month", "id")
    serializer_class = CrimeSerializer
    filterset_class = CrimeFilterSet


class StopSearchViewSet(CountsMixin, viewsets.ReadOnlyModelViewSet):
    """Stop-and-search records."""

    queryset = StopSearch.objects.select_related("lsoa", "ward", "borough").order_by("-date", "id")
    serializer_class = StopSearchSerializer
    filterset_class = StopSearchFilterSet
