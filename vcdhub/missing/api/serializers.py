"""Missing persons' API. Writes go through missing.actions (and the core's): the serializers convert, the actions
check."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcdhub.casework.choices import LinkKind
from vcdhub.casework.forms import ActionForm, LinkForm
from vcdhub.casework.models import Case
from vcdhub.missing import forms
from vcdhub.missing.choices import FromKind, Grade, Indicator
from vcdhub.missing.models import Episode, GradeChange, InfoItem, Proposal, ProtocolForm, Review
from vcdhub.platform.api import MarkingMixin, ModelSerializer, TextField
from vcdhub.platform.api_steps import StepBody
from vcdhub.platform.views import visible_or_none

# What each step takes: its page's form (missing.views._step_form), read for the schema and the values' types.
STEP_BODIES = {
    "info": StepBody(form=forms.InfoForm),
    "regrade": StepBody(form=forms.RegradeForm),
    "review": StepBody(form=forms.ReviewForm),
    "protocol": StepBody(form=forms.ProtocolFormForm),
    "found": StepBody(form=forms.FoundForm),
    "reopen": StepBody(form=forms.ReasonForm),
    "close": StepBody(form=forms.CloseForm),
    "action": StepBody(form=ActionForm),
    "link": StepBody(fields=("link_kind",), required=("link_kind",), form=LinkForm, not_in_values=("kind",)),
    "proposal": StepBody(fields=("proposal", "accept"), required=("proposal",), form=forms.ProposalForm,
                         not_in_values=("decision",)),
}
STEPS = tuple(STEP_BODIES)


@extend_schema_field({"type": "array", "maxItems": 20, "uniqueItems": True,
                      "items": {"type": "string", "enum": list(Indicator.values)}})
class IndicatorsField(serializers.JSONField):
    """Risk indicator codes, a list. DRF's ListField would answer a bad item with errors by position, which the
    errors' schema (a list of messages per field) does not allow; DRF's JSONField is documented as any value."""

    def to_internal_value(self, data):
        if not isinstance(data, list) or len(data) > 20 or not all(
                isinstance(code, str) and code in Indicator.values for code in data) or len(set(data)) < len(data):
            raise serializers.ValidationError(f"A list of at most 20 of, each at most once: "
                                              f"{', '.join(Indicator.values)}.")
        return data


REPORT_FIELDS = ("reported_at", "reported_by", "reporter_contact", "from_kind", "from_place", "from_postcode",
                 "from_longitude", "from_latitude", "last_seen_at", "last_seen_place", "last_seen_longitude",
                 "last_seen_latitude", "grade", "grade_rationale")


class EpisodeSerializer(ModelSerializer):
    class Meta:
        model = Episode
        fields = ["reported_at", "reported_by", "reporter_contact", "from_kind", "from_place", "from_postcode",
                  "from_longitude", "from_latitude", "last_seen_at", "last_seen_place", "age_at_report",
                  "indicators", "grade", "graded_at", "grade_rationale", "next_review_at", "next_supervision_at",
                  "found_at", "found_how", "found_place", "found_note", "interview_due_at", "interview_at",
                  "interview_by", "interview_summary"]


class GradeSerializer(ModelSerializer):
    class Meta:
        model = GradeChange
        fields = ["at", "from_grade", "to_grade", "rationale"]


class InfoSerializer(ModelSerializer):
    class Meta:
        model = InfoItem
        fields = ["id", "text", "supplied_by", "supplier_contact", "obtained_at", "recorded_by_name", "recorded_at",
                  "corrects"]


class ReviewSerializer(ModelSerializer):
    class Meta:
        model = Review
        fields = ["at", "by_supervisor", "summary", "grade", "was_due_at"]


class ProtocolSerializer(ModelSerializer):
    class Meta:
        model = ProtocolForm
        fields = ["kind", "given_by", "given_at", "photo", "description", "medical", "contacts", "places",
                  "associates"]


class ProposalSerializer(ModelSerializer):
    class Meta:
        model = Proposal
        fields = ["id", "proposed_at", "rule", "status", "decided_at", "reason", "ramp_case"]


class CaseSerializer(MarkingMixin, ModelSerializer):
    subject = serializers.IntegerField(source="subject_id", help_text="The person's id on the register")
    reported_at = TextField(write_only=True, required=False, allow_blank=True, max_length=40)
    reported_by = TextField(write_only=True, max_length=150)
    reporter_contact = TextField(write_only=True, required=False, allow_blank=True, max_length=150)
    from_kind = serializers.ChoiceField(choices=FromKind.choices, write_only=True)
    from_place = TextField(write_only=True, max_length=200)
    from_postcode = TextField(write_only=True, required=False, allow_blank=True, max_length=16)
    from_longitude = TextField(write_only=True, required=False, allow_blank=True, max_length=30)
    from_latitude = TextField(write_only=True, required=False, allow_blank=True, max_length=30)
    last_seen_at = TextField(write_only=True, max_length=40, help_text="YYYY-MM-DD HH:MM, local time")
    last_seen_place = TextField(write_only=True, required=False, allow_blank=True, max_length=200)
    last_seen_longitude = TextField(write_only=True, required=False, allow_blank=True, max_length=30)
    last_seen_latitude = TextField(write_only=True, required=False, allow_blank=True, max_length=30)
    indicators = IndicatorsField(write_only=True, required=False, help_text="Risk indicator codes")
    grade = serializers.ChoiceField(choices=Grade.choices, write_only=True)
    grade_rationale = TextField(write_only=True, max_length=10_000)
    state_label = TextField(read_only=True)
    episode = EpisodeSerializer(source="missing_episode", read_only=True)
    grades = GradeSerializer(source="missing_grades", many=True, read_only=True)
    information = InfoSerializer(source="missing_info", many=True, read_only=True)
    reviews = ReviewSerializer(source="missing_reviews", many=True, read_only=True)
    protocol_forms = ProtocolSerializer(source="missing_protocols", many=True, read_only=True)
    proposals = ProposalSerializer(source="missing_proposals", many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "subject", *REPORT_FIELDS, "indicators", "state", "state_label", "opened_at",
                  "closed_at", "episode", "grades", "information", "reviews", "protocol_forms", "proposals",
                  "owner_unit", "sensitivity", "descriptors", "handling"]
        read_only_fields = ["reference", "state", "opened_at", "closed_at"]
        ref_name = "MissingEpisode"  # the schema's name: "Case" alone is also the risk panel's

    def create(self, validated_data):
        from vcdhub.missing import actions
        from vcdhub.people.models import Person

        values = {**validated_data, **self.marking(validated_data)}
        values["subject"] = visible_or_none(self.actor(), Person, values.pop("subject_id"), "api")
        return actions.report(self.actor(), values)


class StepSerializer(serializers.Serializer):
    """One step; each takes the fields its page asks for (the others are ignored)."""

    class Meta:
        ref_name = "MissingEpisodeStep"  # the schema's name: "Step" alone is also intelligence's

    step = serializers.ChoiceField(choices=STEPS)
    reason = TextField(required=False, allow_blank=True, max_length=10_000)
    proposal = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                        help_text="proposal: the proposal decided")
    accept = serializers.BooleanField(required=False, help_text="proposal: accept (refer) or decline")
    link_kind = serializers.ChoiceField(choices=LinkKind.choices, required=False)



class QueueTermSerializer(serializers.Serializer):
    factor = TextField()
    points = serializers.FloatField()
    why = TextField()


class QueueSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    case = serializers.IntegerField()
    reference = TextField()
    grade = TextField()
    hours_missing = serializers.FloatField()
    share_of_similar_shorter = serializers.FloatField(allow_null=True)
    comparison = TextField()
    score = serializers.FloatField()
    terms = QueueTermSerializer(many=True)
    overdue = serializers.ListField(child=TextField())
