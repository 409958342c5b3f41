"""The case-work API: actions (to their owners too) and meetings. Writes go through casework.actions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcdhub.casework.models import AgendaItem, Attendee, CaseAction, Meeting
from vcdhub.platform.api import ModelSerializer, TextField


class CaseActionSerializer(ModelSerializer):
    owner_unit = TextField(source="owner_unit_id", read_only=True)
    case_reference = TextField(source="case.reference", read_only=True)
    assignee = TextField(source="assignee_id", read_only=True, help_text="The unit or agency's code")
    assignee_name = TextField(source="assignee.name", read_only=True)
    overdue_days = serializers.IntegerField(read_only=True, help_text="Whole calendar days past due (0: not)")

    class Meta:
        model = CaseAction
        fields = ["id", "case_reference", "title", "detail", "heading", "assignee", "assignee_name", "due", "status",
                  "result", "overdue_days", "set_at", "closed_at", "owner_unit", "sensitivity", "descriptors",
                  "handling"]
        read_only_fields = fields


class CompleteSerializer(serializers.Serializer):
    result = TextField(max_length=10_000, help_text="What was done, and what came of it")


class AttendeeSerializer(ModelSerializer):
    unit = TextField(source="unit_id", allow_null=True, read_only=True)

    class Meta:
        model = Attendee
        fields = ["name", "role", "unit", "present"]


class AgendaItemSerializer(ModelSerializer):
    case_reference = TextField(source="case.reference", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "position", "case", "case_reference", "discussion"]


class MeetingSerializer(ModelSerializer):
    owner_unit = TextField(source="owner_unit_id", read_only=True)
    attendees = AttendeeSerializer(many=True, read_only=True)
    agenda = serializers.SerializerMethodField(help_text="Only the items whose case you may see")

    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "starts_at", "ends_at", "location", "status", "attendees", "agenda",
                  "owner_unit", "sensitivity", "descriptors", "handling"]
        read_only_fields = fields

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting) -> list[dict]:
        visible = self.context.get("visible_cases")
        items = [item for item in meeting.items.all() if visible is None or item.case_id in visible]
        return AgendaItemSerializer(items, many=True).data

