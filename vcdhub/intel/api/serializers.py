"""The intelligence API. Writes go through intel.actions: the serializers convert, the actions check. A source's
identity is never in the API but on its own endpoint, which only its handlers reach."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcdhub.intel import actions, search
from vcdhub.intel.choices import Agency, LinkKind, ProposalStatus, RecipientKind, Scheme, Version
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source
from vcdhub.people.choices import PersonLinkKind
from vcdhub.platform.api import MarkingMixin, ModelSerializer, TextField
from vcdhub.platform.api_steps import StepBody

# What each step reads of the body (StepSerializer.apply); the schema documents each step's own.
STEP_BODIES = {
    "return": StepBody(fields=("reason",), required=("reason",)),
    "resubmit": StepBody(fields=("text", "reason"), required=("text",)),
    "review": StepBody(fields=("reason",)),
    "grade": StepBody(fields=("grading_scheme", "source_evaluation", "intelligence_assessment", "handling_code",
                              "handling_conditions", "needs_sanitising", "reason"),
                      required=("source_evaluation", "intelligence_assessment", "handling_code")),
    "sanitise": StepBody(fields=("sanitised_text", "reason"), required=("sanitised_text",)),
    "disseminate": StepBody(fields=("recipient_kind", "recipient", "version", "reason"), required=("recipient",)),
    "link": StepBody(fields=("link_kind", "value"), required=("value",)),
}
STEPS = tuple(STEP_BODIES)


class LinkSerializer(serializers.Serializer):
    kind = TextField()
    person = serializers.IntegerField(allow_null=True)
    other_report = serializers.IntegerField(allow_null=True)
    value = TextField()


class VisibleLinks:
    """Which people and reports a page of reports links to that the reader may see: asked once for the page
    (`prime`), so the list makes the same queries for 1 report or 1,000."""

    def __init__(self, user):
        self.user, self.people, self.reports = user, set(), set()

    def prime(self, reports) -> None:
        from vcdhub.people.models import Person

        links = [link for report in reports for link in report.links.all()]
        self.people = set(Person.objects.restrict(self.user).filter(
            pk__in={link.person_id for link in links if link.person_id}).values_list("pk", flat=True))
        self.reports = set(Report.objects.restrict(self.user).filter(
            pk__in={link.other_report_id for link in links if link.other_report_id}).values_list("pk", flat=True))

    def of(self, report) -> list[dict]:
        return [{"kind": link.kind, "person": link.person_id, "other_report": link.other_report_id,
                 "value": link.value} for link in report.links.all()
                if (link.person_id is None or link.person_id in self.people)
                and (link.other_report_id is None or link.other_report_id in self.reports)]


class ReportSerializer(MarkingMixin, ModelSerializer):
    reference = TextField(required=False, allow_blank=True, max_length=40)
    grade = TextField(read_only=True)
    source = TextField(write_only=True, required=False, allow_blank=True, max_length=40,
                       help_text="A source's reference: only for a source you handle")
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lsoa = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    links = serializers.SerializerMethodField(help_text="What the report is about: only people and reports you "
                                                        "may see")

    class Meta:
        model = Report
        fields = ["id", "reference", "submitted_at", "state", "grading_scheme", "grade", "source_evaluation",
                  "intelligence_assessment", "handling_code", "handling_conditions", "needs_sanitising", "text",
                  "sanitised_text", "source", "longitude", "latitude", "lsoa", "links", "owner_unit",
                  "sensitivity", "descriptors", "handling"]
        read_only_fields = ["submitted_at", "state", "grading_scheme", "source_evaluation",
                            "intelligence_assessment", "handling_code", "handling_conditions", "needs_sanitising",
                            "sanitised_text"]

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, report) -> list[dict]:
        visible = self.context.get("visible_links")
        if visible is None:  # one report, outside a viewset's page
            visible = VisibleLinks(self.context["request"].user)
            visible.prime([report])
        return visible.of(report)

    def create(self, validated_data):
        values = {**validated_data, **self.marking(validated_data)}
        return actions.submit_report(self.actor(), values)


class StepSerializer(serializers.Serializer):
    """One step of a report's life cycle; the fields a step does not use are ignored."""

    class Meta:
        ref_name = "IntelReportStep"  # the schema's name: "Step" alone is also missing persons'

    step = serializers.ChoiceField(choices=STEPS)
    reason = TextField(required=False, allow_blank=True, default="", max_length=2000)
    text = TextField(required=False, allow_blank=True, default="", max_length=20_000)
    grading_scheme = serializers.ChoiceField(choices=Scheme.choices, required=False, default=Scheme.THREE_FIVE_TWO)
    source_evaluation = TextField(required=False, allow_blank=True, default="", max_length=1)
    intelligence_assessment = TextField(required=False, allow_blank=True, default="", max_length=1)
    handling_code = TextField(required=False, allow_blank=True, default="", max_length=1)
    handling_conditions = TextField(required=False, allow_blank=True, default="", max_length=2000)
    needs_sanitising = serializers.BooleanField(required=False, default=False)
    sanitised_text = TextField(required=False, allow_blank=True, default="", max_length=20_000)
    recipient_kind = serializers.ChoiceField(choices=RecipientKind.choices, required=False,
                                             default=RecipientKind.UNIT)
    recipient = TextField(required=False, allow_blank=True, default="", max_length=60,
                          help_text=f"A unit's or borough's code, or one of: {', '.join(Agency.values)}")
    version = serializers.ChoiceField(choices=Version.choices, required=False, default=Version.SANITISED)
    link_kind = serializers.ChoiceField(choices=LinkKind.choices, required=False, default=LinkKind.PERSON,
                                        help_text="For a link: what the report is about")
    value = TextField(required=False, allow_blank=True, default="", max_length=200,
                      help_text="For a link: a person's source id, a report's reference, a Crime ID, a "
                                "registration, a phone number or an address")

    @staticmethod
    def apply(actor, report: Report, v: dict):
        """Take the step `v` names (`read_step`'s validated body)."""
        step = v["step"]
        if step == "return":
            return actions.return_report(actor, report, v["reason"])
        if step == "resubmit":
            return actions.resubmit_report(actor, report, v["text"], v["reason"])
        if step == "review":
            return actions.review_report(actor, report, v["reason"])
        if step == "grade":
            return actions.grade_report(actor, report, v, v["reason"])
        if step == "sanitise":
            return actions.sanitise_report(actor, report, v["sanitised_text"], v["reason"])
        if step == "link":
            actions.link_by_value(actor, report, kind=v["link_kind"], value=v["value"])
            return report
        actions.disseminate_report(actor, report, recipient_kind=v["recipient_kind"], recipient=v["recipient"],
                                   version=v["version"], reason=v["reason"])
        return report


class SourceSerializer(ModelSerializer):
    owner_unit = TextField(source="owner_unit_id", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "reference", "name", "notes", "fictitious", "owner_unit", "sensitivity"]


class DisseminationSerializer(ModelSerializer):
    report = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    recipient = TextField(read_only=True)
    recipient_unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Dissemination
        fields = ["id", "report", "recipient_kind", "recipient", "recipient_unit", "recipient_agency", "version",
                  "grade", "handling_code", "handling_conditions", "text", "shared_at", "reason"]


class SharedReportSerializer(ModelSerializer):
    from_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SharedReport
        fields = ["id", "reference", "from_unit", "grading_scheme", "grade", "handling_code", "handling_conditions",
                  "text", "received_at"]


class LinkProposalSerializer(ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    other = serializers.PrimaryKeyRelatedField(read_only=True)
    link = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = LinkProposal
        fields = ["id", "person", "other", "basis", "evidence", "status", "proposed_at", "decided_at", "reason",
                  "link"]


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ProposalStatus.CONFIRMED, ProposalStatus.REJECTED])
    reason = TextField(max_length=2000)
    link_kind = serializers.ChoiceField(choices=PersonLinkKind.choices, required=False,
                                        help_text="For a confirmation; by default as the evidence suggests")


class HitSerializer(serializers.Serializer):
    title = TextField()
    url = TextField()
    snippet = TextField(help_text="HTML: the text escaped, the matched words in <mark>")
    detail = TextField()


class SearchQuerySerializer(serializers.Serializer):
    """The search's query parameters: text, as every text parameter, without a NUL; at most a bounded length."""

    q = TextField(max_length=search.MAX_QUERY_LENGTH, required=False, allow_blank=True,
                  trim_whitespace=False)


class SearchPartSerializer(serializers.Serializer):
    name = TextField()
    count = serializers.IntegerField(help_text="Records you may see that match, counted up to 1,000; the hits are "
                                               "the first of them")
    capped = serializers.BooleanField(help_text="More than `count` match: counting stopped there")
    hits = HitSerializer(many=True)


class ChartNodeSerializer(serializers.Serializer):
    id = TextField()
    kind = TextField()
    label = TextField()
    hop = serializers.IntegerField()
    degree = serializers.IntegerField()
    betweenness = serializers.FloatField()
    community = serializers.IntegerField()


class ChartEdgeSerializer(serializers.Serializer):
    source = TextField()
    target = TextField()
    type = TextField()
    label = TextField()
    confidence = TextField()
    date = serializers.DateField(allow_null=True)


class ChartSerializer(serializers.Serializer):
    nodes = ChartNodeSerializer(many=True)
    edges = ChartEdgeSerializer(many=True)
    cut = serializers.BooleanField(help_text="The chart reached its node limit: not every node is on it")
