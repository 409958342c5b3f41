from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from vcdhub.intel import roles
from vcdhub.intel.api.serializers import (
    DisseminationSerializer,
    ReportSerializer,
    SharedReportSerializer,
    SourceSerializer,
    StepSerializer,
)
from vcdhub.intel.filtersets import DisseminationFilterSet, ReportFilterSet, SharedReportFilterSet, SourceFilterSet
from vcdhub.intel.models import Dissemination, Report, SharedReport, Source
from vcdhub.platform.api import RecordViewSet, WritableRecordViewSet
from vcdhub.platform.views import visible_or_404


class ReportViewSet(WritableRecordViewSet):
    """Intelligence reports you may see. POST submits one; POST to `step/` moves it through its life cycle
    (return, resubmit, review, grade, sanitise, disseminate), as the report's page does."""

    base_queryset = Report.objects.select_related("lsoa").order_by("-submitted_at", "-pk")
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    change_roles = roles.SUBMITTERS
    http_method_names = ["get", "post", "head", "options"]  # reports move through steps; never edited or deleted

    @extend_schema(request=StepSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], serializer_class=StepSerializer)
    def step(self, request, pk=None):
        report = visible_or_404(request.user, self.base_queryset, pk, "api")
        steps = StepSerializer(data=request.data)
        steps.is_valid(raise_exception=True)
        try:
            report = steps.apply(request.user, report)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        report.refresh_from_db()
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)


class SourceViewSet(RecordViewSet):
    """Sources: only their own unit's handlers see any."""

    base_queryset = Source.objects.order_by("reference")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet


class DisseminationViewSet(RecordViewSet):
    """Every sharing of the reports you may see: to whom, when, which version, under which handling code."""

    base_queryset = Dissemination.objects.select_related("report", "recipient_unit").order_by("-shared_at", "-pk")
    serializer_class = DisseminationSerializer
    filterset_class = DisseminationFilterSet


class SharedReportViewSet(RecordViewSet):
    """Reports other units shared with yours: the version that was sent."""

    base_queryset = SharedReport.objects.select_related("from_unit").order_by("-received_at", "-pk")
    serializer_class = SharedReportSerializer
    filterset_class = SharedReportFilterSet
