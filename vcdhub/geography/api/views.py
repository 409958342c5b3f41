import django_filters
from rest_framework import viewsets

from vcdhub.geography.api.serializers import BoroughSerializer, LsoaSerializer, WardSerializer
from vcdhub.geography.models import Borough, Lsoa, Ward


class AreaFilterSet(django_filters.FilterSet):
    borough = django_filters.CharFilter(field_name="borough__code")
    name = django_filters.CharFilter(lookup_expr="icontains")


class BoroughViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Borough.objects.order_by("code")
    serializer_class = BoroughSerializer
    lookup_field = "code"
    filterset_fields = {"name": ["icontains"]}


class WardViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Ward.objects.select_related("borough").order_by("code")
    serializer_class = WardSerializer
    lookup_field = "code"

    class filterset_class(AreaFilterSet):  # noqa: N801 - DRF's attribute name
        class Meta:
            model = Ward
            fields = ["borough", "name"]


class LsoaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Lsoa.objects.select_related("borough", "ward").order_by("code")
    serializer_class = LsoaSerializer
    lookup_field = "code"

    class filterset_class(AreaFilterSet):  # noqa: N801
        ward = django_filters.CharFilter(field_name="ward__code")

        class Meta:
            model = Lsoa
            fields = ["borough", "ward", "name"]
