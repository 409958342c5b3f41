from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

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

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["visible_cases"] = set(Case.objects.restrict(self.request.user).values_list("pk", flat=True))
        return context
