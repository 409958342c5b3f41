from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from vcdhub.audit.log import record_reads
from vcdhub.intel import charts, network, proposals, roles, search
from vcdhub.intel.api.serializers import (
    STEP_BODIES,
    ChartSerializer,
    DecisionSerializer,
    DisseminationSerializer,
    LinkProposalSerializer,
    ReportSerializer,
    SearchPartSerializer,
    SearchQuerySerializer,
    SharedReportSerializer,
    SourceSerializer,
    StepSerializer,
    VisibleLinks,
)
from vcdhub.intel.filtersets import (
    DisseminationFilterSet,
    LinkProposalFilterSet,
    ReportFilterSet,
    SharedReportFilterSet,
    SourceFilterSet,
)
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source
from vcdhub.intel.network import CONFIDENCE_ORDER, EDGE_TYPES
from vcdhub.people.models import Person
from vcdhub.platform.api import RecordViewSet, WritableRecordViewSet, answered
from vcdhub.platform.api_filters import refuse_repeated
from vcdhub.platform.api_steps import read_step
from vcdhub.platform.permissions import ReadsRecords
from vcdhub.platform.views import visible_or_404


class ReportViewSet(WritableRecordViewSet):
    """Intelligence reports you may see. POST submits one; POST to `step/` moves it through its life cycle
    (return, resubmit, review, grade, sanitise, disseminate), as the report's page does."""

    base_queryset = Report.objects.select_related("lsoa").prefetch_related("links").order_by("-submitted_at", "-pk")
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    change_roles = roles.SUBMITTERS
    http_method_names = ["get", "post", "head", "options"]  # reports move through steps; never edited or deleted
    step_bodies = STEP_BODIES

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_links"] = self._visible_links()
        return context

    def _visible_links(self):
        if not hasattr(self, "_links"):
            self._links = VisibleLinks(self.request.user)
        return self._links

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._visible_links().prime(page if page is not None else [])
        return page

    def get_object(self):
        report = super().get_object()
        self._visible_links().prime([report])
        return report

    @extend_schema(request=StepSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], serializer_class=StepSerializer)
    def step(self, request, pk=None):
        report = visible_or_404(request.user, self.base_queryset, pk, "api")
        body = read_step(StepSerializer, STEP_BODIES, request.data)
        report = answered(lambda: StepSerializer.apply(request.user, report, body))
        report = self.base_queryset.get(pk=report.pk)
        links = VisibleLinks(request.user)
        links.prime([report])
        return Response(ReportSerializer(report, context={**self.get_serializer_context(),
                                                          "visible_links": links}).data)


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


class LinkProposalViewSet(RecordViewSet):
    """Links the evidence suggests between people not yet linked, where you may see both people. POST to
    `decide/` confirms one (making a confirmed link) or rejects it, with the reason (reviewers only)."""

    base_queryset = LinkProposal.objects.select_related("person", "other").order_by("proposed_at", "pk")
    serializer_class = LinkProposalSerializer
    filterset_class = LinkProposalFilterSet

    @extend_schema(request=DecisionSerializer, responses={200: LinkProposalSerializer})
    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decide(self, request, pk=None):
        proposal = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        data = decision.validated_data
        answered(lambda: proposals.decide(request.user, proposal, decision=data["decision"], reason=data["reason"],
                                          kind=data.get("link_kind", "")))
        return Response(LinkProposalSerializer(proposal).data)


class SearchViewSet(viewsets.ViewSet):
    """Full-text search over intelligence reports, shared reports, people and places: every word of `q` must be
    in the record (English stemming). Each part counts only records you may see. A `q` with no word in it (only
    punctuation, say) searches nothing, as an empty one does."""

    permission_classes = [IsAuthenticated, ReadsRecords]

    # No `pattern` for "holds a word": a word is letters or digits of any script, and a JSON Schema pattern that
    # says so (`\p{L}`) means something else to Swagger UI's RegExp, while `[^\W_]` means ASCII to a JSON Schema
    # validator. So a `q` without a word is not an error: it finds nothing.
    @extend_schema(parameters=[OpenApiParameter("q", {"type": "string", "maxLength": search.MAX_QUERY_LENGTH},
                                                description="Words to find, letters or digits in any script; "
                                                            "without a word, nothing is searched")],
                   responses={200: SearchPartSerializer(many=True)})
    def list(self, request):
        refuse_repeated(request.query_params, ["q"])
        asked = SearchQuerySerializer(data=request.query_params)
        asked.is_valid(raise_exception=True)
        # No word (or an empty q, the same as leaving it out): search.search finds nothing, without an error.
        parts = search.search(request.user, asked.validated_data.get("q", ""))
        return Response([{"name": p.name, "count": p.count, "capped": p.capped,
                          "hits": [vars(hit) for hit in p.hits]} for p in parts])


class LinkChartViewSet(viewsets.ViewSet):
    """The link chart around a person you may see (the id is the person's), as the web page draws it: nodes with
    their degree, betweenness and community, and links with their kind, confidence and date."""

    permission_classes = [IsAuthenticated, ReadsRecords]
    lookup_value_regex = "[^/]+"

    @extend_schema(parameters=[
        OpenApiParameter("hops", int, enum=[1, 2, 3], description="Hops from the person (default 2)"),
        OpenApiParameter("types", str, many=True, enum=list(EDGE_TYPES), description="Kinds of link to follow"),
        OpenApiParameter("confidence", str, enum=list(CONFIDENCE_ORDER), description="The least sure link shown"),
        OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE)],
        responses={200: ChartSerializer})
    def retrieve(self, request, pk=None):
        person = visible_or_404(request.user, Person, pk, "api")  # the identical audited 404 for any other id
        chart = answered(lambda: network.build(request.user, person, charts.filters_from(request.query_params)))
        people = [int(n.split(":")[1]) for n in chart.nodes if n.startswith("person:")]
        record_reads(Person.objects.filter(pk__in=people), "api")
        measures = chart.measures
        return Response({
            "nodes": [{"id": n.id, "kind": n.kind, "label": n.label, "hop": n.hop,
                       "degree": measures.degree_.get(n.id, 0), "betweenness": measures.betweenness_.get(n.id, 0.0),
                       "community": measures.community_.get(n.id, 0)} for n in chart.nodes.values()],
            "edges": [{"source": e.source, "target": e.target, "type": e.type, "label": e.label,
                       "confidence": e.confidence, "date": e.date} for e in chart.edges],
            "cut": chart.cut})
