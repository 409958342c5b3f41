import django_filters

from vcdhub.casework.choices import ActionStatus, MeetingStatus
from vcdhub.casework.models import Case, CaseAction, Meeting


class MeetingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    starts_from = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label="From")
    starts_to = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = Meeting
        fields = ["status", "starts_from", "starts_to"]


class CaseActionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    assignee = django_filters.CharFilter(field_name="assignee_id", label="Assigned to (unit code)")
    due_from = django_filters.DateFilter(field_name="due", lookup_expr="gte", label="Due from")
    due_to = django_filters.DateFilter(field_name="due", lookup_expr="lte", label="Due to")

    class Meta:
        model = CaseAction
        fields = ["status", "assignee", "due_from", "due_to"]


class CaseFilterSet(django_filters.FilterSet):
    """What every module's case list filters by: part of a reference. A module adds its states and risk scale."""

    reference = django_filters.CharFilter(method="by_reference", label="Reference")

    class Meta:
        model = Case
        fields = ["reference"]

    def by_reference(self, queryset, name, value):
        value = value.strip()[:40]
        return queryset.filter(reference__icontains=value) if value else queryset
