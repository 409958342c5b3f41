"""A URLconf for the kit's own tests: every generic view and a writable API over one real Record model
(performance.TargetSet), with a form that can change the marking, so the after-save check can be exercised."""

import django_filters
from django import forms
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from vcdhub.performance.models import TargetSet
from vcdhub.platform.api import ModelSerializer, WritableRecordViewSet
from vcdhub.platform.tables import Column, Table
from vcdhub.platform.urls import record_urlpatterns
from vcdhub.platform.views import (
    RecordDeleteView,
    RecordDetailView,
    RecordEditView,
    RecordExportView,
    RecordListView,
)
from vcdhub.urls import urlpatterns as site_urlpatterns

SUPERVISORS = frozenset({"supervisor"})


class TargetSetFilterSet(django_filters.FilterSet):
    class Meta:
        model = TargetSet
        fields = ["name"]


class TargetSetForm(forms.ModelForm):
    class Meta:
        model = TargetSet
        fields = ["name", "toml", "owner_unit", "sensitivity"]


class TargetSetTable(Table):
    columns = [Column("name", "Name", link=True), Column("toml", "Targets")]


class Common:
    model = TargetSet
    change_roles = SUPERVISORS
    url_namespace = "kit"
    table = TargetSetTable()


class List(Common, RecordListView):
    filterset_class = TargetSetFilterSet


class Export(Common, RecordExportView):
    filterset_class = TargetSetFilterSet


class Detail(Common, RecordDetailView):
    pass


class Edit(Common, RecordEditView):
    form_class = TargetSetForm


class Delete(Common, RecordDeleteView):
    pass


class ReadOnlyList(RecordListView):
    """The fewest views a module can offer: a list and a detail page, no export and no change views."""

    model = TargetSet
    url_namespace = "kitmin"
    filterset_class = TargetSetFilterSet
    table = TargetSetTable()


class ReadOnlyDetail(RecordDetailView):
    model = TargetSet
    url_namespace = "kitmin"
    table = TargetSetTable()


class TargetSetSerializer(ModelSerializer):
    class Meta:
        model = TargetSet
        fields = ["id", "name", "toml", "owner_unit", "sensitivity"]


class TargetSetViewSet(WritableRecordViewSet):
    base_queryset = TargetSet.objects.order_by("id")
    serializer_class = TargetSetSerializer
    change_roles = SUPERVISORS


router = DefaultRouter()
router.register("targetsets", TargetSetViewSet, basename="kit-targetset")

kit_patterns = record_urlpatterns("targetsets", TargetSet, list=List, detail=Detail, add=Edit, edit=Edit,
                                  delete=Delete, export=Export)
urlpatterns = [
    path("kit/", include((kit_patterns, "kit"))),
    path("kitmin/", include((record_urlpatterns("targetsets", TargetSet, list=ReadOnlyList, detail=ReadOnlyDetail),
                             "kitmin"))),
    path("kitapi/", include(router.urls)),
    *site_urlpatterns,
]
