from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.audit.log import record_reads
from vcdhub.casework import actions as core
from vcdhub.casework.models import Case
from vcdhub.missing import actions, dashboard, groups, queue, roles
from vcdhub.missing.api.serializers import STEP_BODIES, CaseSerializer, QueueSerializer, StepSerializer
from vcdhub.missing.models import Proposal
from vcdhub.missing.views import DASHBOARD_READERS, WORKERS_PAGE, CaseFilterSet
from vcdhub.missing.workflow import KIND
from vcdhub.platform.api import WritableRecordViewSet, answered, as_of, page_rule_permission
from vcdhub.platform.api_steps import read_step
from vcdhub.platform.views import visible_or_404


class EpisodeViewSet(WritableRecordViewSet):
    """Missing-person episodes you may see. POST records a report (one episode); POST to `step/` takes a step of
    its life (info, regrade, review, protocol, found, reopen, close, action, link, proposal), as its page does."""

    base_queryset = (Case.objects.filter(kind=KIND.name).select_related("missing_episode")
                     .prefetch_related("missing_grades", "missing_info", "missing_reviews", "missing_protocols",
                                       "missing_proposals").order_by("-opened_at", "-pk"))
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    change_roles = roles.WORKERS
    http_method_names = ["get", "post", "head", "options"]  # an episode moves through steps; never edited
    step_bodies = STEP_BODIES

    @extend_schema(request=StepSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], serializer_class=StepSerializer)
    def step(self, request, pk=None):
        case = visible_or_404(request.user, self.base_queryset, pk, "api")
        data = read_step(StepSerializer, STEP_BODIES, request.data)
        values = {**data.get("values", {}), "reason": data.get("reason", "")}
        user, name = request.user, data["step"]
        if name == "proposal":
            proposal = Proposal.objects.filter(case=case, pk=data.get("proposal") or 0).first()
            if proposal is None:
                raise NotFound("No such proposal on this episode.")
        run = {
            "info": lambda: actions.log_information(user, case, values),
            "regrade": lambda: actions.regrade(user, case, values),
            "review": lambda: actions.review(user, case, values),
            "protocol": lambda: actions.add_protocol_form(user, case, values),
            "found": lambda: actions.found(user, case, values),
            "reopen": lambda: actions.reopen(user, case, values),
            "close": lambda: actions.close(user, case, values),
            "action": lambda: core.assign_action(user, case, values),
            "link": lambda: core.link(user, case, data.get("link_kind", ""), values.get("value", "")),
            "proposal": lambda: actions.decide_proposal(user, proposal, accept=bool(data.get("accept")),
                                                        reason=values["reason"]),
        }[name]
        answered(run)
        return Response(CaseSerializer(self.base_queryset.get(pk=case.pk), context={"request": request}).data)


class QueueViewSet(viewsets.ViewSet):
    """People still missing, ranked by vulnerability from what you may see, term by term."""

    permission_classes = [IsAuthenticated, page_rule_permission(WORKERS_PAGE)]

    @extend_schema(responses={200: QueueSerializer(many=True)})
    def list(self, request):
        ranked = queue.rank(request.user)
        record_reads([r.case for r in ranked], "api")
        return Response([{"rank": i, "case": r.case.pk, "reference": r.case.reference, "grade": r.episode.grade,
                          "hours_missing": round(r.hours, 2),
                          "share_of_similar_shorter": r.comparison.share_shorter, "comparison": r.comparison.text,
                          "score": r.score, "terms": [{"factor": t.factor, "points": t.points, "why": t.why}
                                                      for t in r.terms],
                          "overdue": r.overdue} for i, r in enumerate(ranked, 1)])


class GroupViewSet(viewsets.ViewSet):
    """Episodes that cluster: placements, places found, shared associates (only what you may see)."""

    permission_classes = [IsAuthenticated, page_rule_permission(WORKERS_PAGE)]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        found = groups.groups(request.user)
        record_reads({e.case for rows in found.values() for g in rows for e in g.episodes}, "api")
        return Response({kind: [{"label": g.label, "episodes": [e.case.reference for e in g.episodes],
                                 "people": g.people, "open": g.open, "longitude": g.longitude,
                                 "latitude": g.latitude} for g in rows] for kind, rows in found.items()})


class DashboardViewSet(viewsets.ViewSet):
    """The missing-persons figures as on a date: exact for readers of records (their episodes), perturbed with
    small counts withheld (null) for aggregate-only readers."""

    permission_classes = [IsAuthenticated, page_rule_permission(DASHBOARD_READERS)]

    @extend_schema(parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, required=False)],
                   responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        return Response(dashboard.figures(request.user, as_of=as_of(request)))
