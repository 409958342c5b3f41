from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.audit.log import record_reads
from vcdhub.casework import actions
from vcdhub.casework.api.serializers import CaseActionSerializer, CompleteSerializer, MeetingSerializer
from vcdhub.casework.filtersets import CaseActionFilterSet, MeetingFilterSet
from vcdhub.casework.models import Case, CaseAction, Meeting
from vcdhub.casework.views import ACTION_HOLDERS
from vcdhub.platform.api import RecordViewSet, answered, page_rule_permission
from vcdhub.platform.views import visible_or_404


class CaseActionViewSet(RecordViewSet):
    """Case-work actions you may see: those of cases you may see, and those assigned to your units or agency.
    POST to `complete/` records an action's result."""

    permission_classes = [IsAuthenticated, page_rule_permission(ACTION_HOLDERS)]
    base_queryset = CaseAction.objects.select_related("case", "assignee").order_by("due", "pk")
    serializer_class = CaseActionSerializer
    filterset_class = CaseActionFilterSet

    @extend_schema(request=CompleteSerializer, responses={200: CaseActionSerializer})
    @action(detail=True, methods=["post"], serializer_class=CompleteSerializer)
    def complete(self, request, pk=None):
        found = visible_or_404(request.user, self.base_queryset, pk, "api")
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = answered(lambda: actions.complete_action(request.user, found, body.validated_data["result"]))
        return Response(CaseActionSerializer(self.base_queryset.get(pk=done.pk)).data)


class MeetingViewSet(RecordViewSet):
    """Panel meetings you may see, with their agenda (only the items whose case you may see)."""

    base_queryset = Meeting.objects.prefetch_related("attendees", "items", "items__case").order_by("-starts_at", "-pk")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet

    def _read_agendas(self, meetings) -> None:
        """Which of these meetings' cases the reader may see (the agenda lists only those), audited as read."""
        cases = list(Case.objects.restrict(self.request.user).filter(agenda_items__meeting__in=meetings).distinct())
        record_reads(cases, "api")
        self._visible_cases = {case.pk for case in cases}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._read_agendas(page if page is not None else queryset)
        return page

    def get_object(self):
        meeting = super().get_object()
        self._read_agendas([meeting])
        return meeting

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_cases"] = getattr(self, "_visible_cases", set())
        return context
