"""The risk panel's API. Writes go through ramp.actions (and the core's): the serializers convert, the actions
check."""

from rest_framework import serializers

from vcdhub.casework.choices import LinkKind, RiskLevel
from vcdhub.casework.forms import ActionForm, LinkForm, ReasonForm, ReviewForm
from vcdhub.casework.models import Case
from vcdhub.platform.api import MarkingMixin, ModelSerializer, TextField
from vcdhub.platform.api_steps import StepBody
from vcdhub.platform.views import visible_or_none
from vcdhub.ramp import forms
from vcdhub.ramp.choices import Pillar, SubjectType
from vcdhub.ramp.models import MappaEscalation, Plan, Referral, RiskAssessment

# What each step takes: its page's form (ramp.views._step_form), read for the schema and the values' types.
STEP_BODIES = {
    "accept": StepBody(form=ReasonForm),
    "decline": StepBody(form=ReasonForm),
    "assess": StepBody(form=forms.AssessmentForm),
    "list": StepBody(fields=("meeting",), required=("meeting",), form=forms.ListForm, not_in_values=("meeting",)),
    "relist": StepBody(fields=("meeting",), required=("meeting",), form=lambda: forms.ListForm(reason_required=True),
                       not_in_values=("meeting",)),
    "adopt_plan": StepBody(form=forms.PlanForm),
    "review": StepBody(form=ReviewForm, optional=("risk_level",)),  # blank: the case's level, unchanged
    "action": StepBody(form=lambda: ActionForm(headings=Pillar.choices)),
    "link": StepBody(fields=("link_kind",), required=("link_kind",), form=LinkForm, not_in_values=("kind",)),
    "close": StepBody(form=ReasonForm),
    "escalate": StepBody(form=forms.EscalateForm),
}
STEPS = tuple(STEP_BODIES)


class ReferralSerializer(ModelSerializer):
    referring_unit = TextField(source="referring_unit_id")

    class Meta:
        model = Referral
        fields = ["subject_type", "referred_by", "referring_unit", "referred_at", "basis"]


class AssessmentSerializer(ModelSerializer):
    overall = TextField(read_only=True)
    is_pdp = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = RiskAssessment
        fields = ["assessed_at", "pdp_serious_harm", "pdp_imminent", "pdp_more_likely", "pdp_rationale", "is_pdp",
                  "risk_public", "risk_known_adult", "risk_children", "risk_staff", "risk_self", "rosh_rationale",
                  "overall"]


class PlanSerializer(ModelSerializer):
    class Meta:
        model = Plan
        fields = ["adopted_at", "supervision", "monitoring", "interventions", "victim_safety"]


class MappaSerializer(ModelSerializer):
    class Meta:
        model = MappaEscalation
        fields = ["category", "level", "manager", "managed_from"]


class CaseSerializer(MarkingMixin, ModelSerializer):
    subject = serializers.IntegerField(source="subject_id", help_text="The person's id on the register")
    subject_type = serializers.ChoiceField(choices=SubjectType.choices, write_only=True,
                                           help_text="A potentially dangerous person (offender) or a vulnerable one")
    referred_by = TextField(write_only=True, required=False, allow_blank=True, max_length=150)
    referring_unit = TextField(write_only=True, max_length=40)
    basis = TextField(write_only=True, max_length=10_000)
    reports = TextField(write_only=True, required=False, allow_blank=True, max_length=2000,
                        help_text="Intelligence report references, separated by spaces or commas")
    crimes = TextField(write_only=True, required=False, allow_blank=True, max_length=4000,
                       help_text="Crime IDs, separated by spaces or commas")
    state_label = TextField(read_only=True)
    # Blank until the case's first assessment: DRF leaves a read-only model field's blank out of its choices.
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True, read_only=True)
    review_overdue_days = serializers.IntegerField(read_only=True)
    referral = ReferralSerializer(source="ramp_referral", read_only=True)
    assessment = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    mappa = MappaSerializer(source="ramp_mappa", read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "subject", "subject_type", "referred_by", "referring_unit", "basis", "reports",
                  "crimes", "state", "state_label", "risk_level", "next_review_due", "review_overdue_days",
                  "opened_at", "closed_at", "referral", "assessment", "plan", "mappa", "owner_unit", "sensitivity",
                  "descriptors", "handling"]
        read_only_fields = ["reference", "state", "risk_level", "next_review_due", "opened_at", "closed_at"]
        ref_name = "RampCase"  # the schema's name: "Case" alone is also missing persons'

    def get_assessment(self, case) -> AssessmentSerializer(allow_null=True):
        latest = case.ramp_assessments.all()[:1]
        return AssessmentSerializer(latest[0]).data if latest else None

    def get_plan(self, case) -> PlanSerializer(allow_null=True):
        latest = case.ramp_plans.all()[:1]
        return PlanSerializer(latest[0]).data if latest else None

    def create(self, validated_data):
        from vcdhub.people.models import Person
        from vcdhub.ramp import actions

        values = {**validated_data, **self.marking(validated_data)}
        values["subject"] = visible_or_none(self.actor(), Person, values.pop("subject_id"), "api")
        return actions.refer(self.actor(), values)


class RampStepSerializer(serializers.Serializer):
    """One step; each takes the fields its page asks for (the others are ignored)."""

    step = serializers.ChoiceField(choices=STEPS)
    reason = TextField(required=False, allow_blank=True, max_length=10_000)
    meeting = serializers.IntegerField(required=False, min_value=1, help_text="list, relist: the panel meeting")

    link_kind = serializers.ChoiceField(choices=LinkKind.choices, required=False)


class HarmTermSerializer(serializers.Serializer):
    category = TextField()
    count = serializers.IntegerField()
    weight = serializers.FloatField(help_text="Days of custody")
    decayed_count = serializers.FloatField(help_text="The count after decay on the half-life")
    contribution = serializers.FloatField()


class PrioritySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    case = serializers.IntegerField()
    reference = TextField()
    score = serializers.FloatField()
    terms = HarmTermSerializer(many=True)
    explanation = serializers.ListField(child=TextField())
