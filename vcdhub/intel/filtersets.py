import django_filters
from django.db.models import Q

from vcdhub.intel.choices import Agency, RecipientKind, Scheme, State, Version
from vcdhub.intel.models import Dissemination, Report, SharedReport, Source


class ReportFilterSet(django_filters.FilterSet):
    """The report list: the page, the CSV and the API share it. `q` looks in the reference and the text."""

    q = django_filters.CharFilter(method="search", label="Words or reference", max_length=200)
    state = django_filters.ChoiceFilter(choices=State.choices)
    grading_scheme = django_filters.ChoiceFilter(choices=Scheme.choices, label="Grading scheme")
    handling_code = django_filters.CharFilter(max_length=1, label="Handling code")
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte",
                                               label="Submitted from")
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte",
                                             label="Submitted to")

    class Meta:
        model = Report
        fields = ["q", "state", "grading_scheme", "handling_code", "submitted_from", "submitted_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(text__icontains=value)
                               | Q(sanitised_text__icontains=value))


class SourceFilterSet(django_filters.FilterSet):
    reference = django_filters.CharFilter(lookup_expr="icontains", max_length=40)

    class Meta:
        model = Source
        fields = ["reference"]


class DisseminationFilterSet(django_filters.FilterSet):
    recipient_kind = django_filters.ChoiceFilter(choices=RecipientKind.choices)
    recipient_agency = django_filters.ChoiceFilter(choices=Agency.choices)
    version = django_filters.ChoiceFilter(choices=Version.choices)

    class Meta:
        model = Dissemination
        fields = ["recipient_kind", "recipient_agency", "version"]


class SharedReportFilterSet(django_filters.FilterSet):
    reference = django_filters.CharFilter(lookup_expr="icontains", max_length=40)

    class Meta:
        model = SharedReport
        fields = ["reference"]
