from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.audit.log import record_reads
from vcdhub.casework import actions as core
from vcdhub.casework.models import Case, Meeting
from vcdhub.platform.api import WritableRecordViewSet, answered, as_of, page_rule_permission
from vcdhub.platform.api_steps import read_step
from vcdhub.platform.views import visible_or_404
from vcdhub.ramp import actions, dashboard, priority, roles
from vcdhub.ramp.api.serializers import STEP_BODIES, CaseSerializer, PrioritySerializer, RampStepSerializer
from vcdhub.ramp.views import DASHBOARD_READERS, WORKERS_PAGE, CaseFilterSet
from vcdhub.ramp.workflow import KIND


class CaseViewSet(WritableRecordViewSet):
    """RAMP cases you may see. POST refers a case; POST to `step/` takes a step of its life (accept, decline,
    assess, list, relist, adopt_plan, review, action, link, close, escalate), as its page does."""

    base_queryset = (Case.objects.filter(kind=KIND.name).select_related("ramp_referral", "ramp_mappa")
                     .prefetch_related("ramp_assessments", "ramp_plans").order_by("-opened_at", "-pk"))
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    change_roles = roles.WORKERS
    http_method_names = ["get", "post", "head", "options"]  # a case moves through steps; never edited or deleted
    step_bodies = STEP_BODIES

    @extend_schema(request=RampStepSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=RampStepSerializer)
    def step(self, request, pk=None):
        case = visible_or_404(request.user, self.base_queryset, pk, "api")
        data = read_step(RampStepSerializer, STEP_BODIES, request.data)
        values = {**data.get("values", {}), "reason": data.get("reason", "")}
        meeting = (Meeting.objects.restrict(request.user).filter(pk=data["meeting"]).first()
                   if data.get("meeting") else None)
        user, name = request.user, data["step"]
        run = {
            "accept": lambda: actions.screen(user, case, accept=True, reason=values["reason"]),
            "decline": lambda: actions.screen(user, case, accept=False, reason=values["reason"]),
            "assess": lambda: actions.assess(user, case, values),
            "list": lambda: actions.list_for_panel(user, case, meeting, values["reason"]),
            "relist": lambda: actions.relist(user, case, meeting, values["reason"]),
            "adopt_plan": lambda: actions.adopt_plan(user, case, values),
            "review": lambda: core.record_review(user, case, values),
            "action": lambda: actions.add_action(user, case, values),
            "link": lambda: core.link(user, case, data.get("link_kind", ""), values.get("value", "")),
            "close": lambda: actions.close(user, case, values["reason"]),
            "escalate": lambda: actions.escalate(user, case, values),
        }[name]
        answered(run)
        return Response(CaseSerializer(self.base_queryset.get(pk=case.pk), context={"request": request}).data)


class PriorityViewSet(viewsets.ViewSet):
    """Open RAMP cases ranked by harm score, from the crimes and intelligence you may see, term by term."""

    permission_classes = [IsAuthenticated, page_rule_permission(WORKERS_PAGE)]

    @extend_schema(responses={200: PrioritySerializer(many=True)})
    def list(self, request):
        ranked = priority.priority_list(request.user)
        record_reads([p.case for p in ranked], "api")
        return Response([{"rank": i, "case": p.case.pk, "reference": p.case.reference, "score": round(p.score, 3),
                          "terms": [{"category": t.category, "count": t.count, "weight": t.weight,
                                     "decayed_count": round(t.decayed_count, 4),
                                     "contribution": round(t.contribution, 3)} for t in p.terms],
                          "explanation": p.explanation} for i, p in enumerate(ranked, 1)])


class DashboardViewSet(viewsets.ViewSet):
    """The panel's figures as on a date: exact for readers of records (their cases), perturbed with small
    counts withheld (null) for aggregate-only readers."""

    permission_classes = [IsAuthenticated, page_rule_permission(DASHBOARD_READERS)]

    @extend_schema(parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, required=False)],
                   responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        return Response(dashboard.figures(request.user, as_of=as_of(request)))
