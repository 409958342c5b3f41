import django_filters
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from vcdhub.geography.api.serializers import BoroughSerializer, LsoaSerializer, WardSerializer
from vcdhub.geography.models import Borough, Lsoa, Ward
from vcdhub.geography.shapes import outline_collection

OUTLINES = {
    "type": "object", "required": ["type", "features"],
    "description": "A GeoJSON FeatureCollection of every area at this level, in code order: each feature's `id` "
                   "and `properties.code` are the area's code, `properties.name` its name, and `geometry` its "
                   "boundary (null where none is loaded).",
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": {"type": "object"}}},
}


class OutlinesMixin:
    """`outlines/`: the level's boundaries, which maps fetch once and join to counts by code. They change only
    when boundaries or names are loaded, so the answer carries an entity tag and the browser revalidates it."""

    @extend_schema(
        filters=False, responses={200: OUTLINES, 304: OpenApiResponse(description="Unchanged since the entity tag "
                                                                                    "given in If-None-Match.")},
        description="Every area's boundary as GeoJSON; gzipped when the client accepts it. Send the ETag back in "
                    "If-None-Match to get 304 while the boundaries and names are unchanged.")
    @action(detail=False, pagination_class=None, filter_backends=[])
    def outlines(self, request):
        collection = outline_collection(self.queryset.model)
        if collection.etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        elif "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(collection.gzipped, content_type="application/json")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(collection.body, content_type="application/json")
        response["ETag"] = collection.etag
        response["Cache-Control"] = "private, no-cache"  # keep it, but ask each time whether it changed
        patch_vary_headers(response, ["Accept-Encoding"])
        return response


class AreaFilterSet(django_filters.FilterSet):
    borough = django_filters.CharFilter(field_name="borough__code")
    name = django_filters.CharFilter(lookup_expr="icontains")


class BoroughViewSet(OutlinesMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Borough.objects.order_by("code")
    serializer_class = BoroughSerializer
    lookup_field = "code"
    filterset_fields = {"name": ["icontains"]}


class WardViewSet(OutlinesMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Ward.objects.select_related("borough").order_by("code")
    serializer_class = WardSerializer
    lookup_field = "code"

    class filterset_class(AreaFilterSet):  # noqa: N801 - DRF's attribute name
        class Meta:
            model = Ward
            fields = ["borough", "name"]


class LsoaViewSet(OutlinesMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Lsoa.objects.select_related("borough", "ward").order_by("code")
    serializer_class = LsoaSerializer
    lookup_field = "code"

    class filterset_class(AreaFilterSet):  # noqa: N801
        ward = django_filters.CharFilter(field_name="ward__code")

        class Meta:
            model = Lsoa
            fields = ["borough", "ward", "name"]
