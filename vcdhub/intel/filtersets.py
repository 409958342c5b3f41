import django_filters
from django.db.models import Q

from vcdhub.intel.choices import GRADES, Agency, Basis, ProposalStatus, RecipientKind, Scheme, State, Version
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source

# Every handling code of either scheme (3x5x2: P, C; 5x5x5: 1 to 5), labelled short enough for a phone.
HANDLING_CODES = [(code, f"{code} ({scheme})") for scheme, grades in GRADES.items()
                  for code, _ in grades["handling_code"]]


class ReportFilterSet(django_filters.FilterSet):
    """The report list: the page, the CSV and the API share it. `q` looks in the reference and the text."""

    q = django_filters.CharFilter(method="search", label="Words or reference")
    state = django_filters.ChoiceFilter(choices=State.choices)
    grading_scheme = django_filters.ChoiceFilter(choices=Scheme.choices, label="Grading scheme")
    handling_code = django_filters.ChoiceFilter(choices=HANDLING_CODES, label="Handling code")
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte",
                                               label="Submitted from")
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte",
                                             label="Submitted to")

    class Meta:
        model = Report
        fields = ["q", "state", "grading_scheme", "handling_code", "submitted_from", "submitted_to"]

    def search(self, queryset, name, value):
        value = value.strip()[:200]
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(text__icontains=value)
                               | Q(sanitised_text__icontains=value))


class SourceFilterSet(django_filters.FilterSet):
    reference = django_filters.CharFilter(method="by_reference")

    def by_reference(self, queryset, name, value):
        return queryset.filter(reference__icontains=value.strip()[:40]) if value.strip() else queryset

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
    reference = django_filters.CharFilter(method="by_reference")

    def by_reference(self, queryset, name, value):
        return queryset.filter(reference__icontains=value.strip()[:40]) if value.strip() else queryset

    class Meta:
        model = SharedReport
        fields = ["reference"]


class LinkProposalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    basis = django_filters.ChoiceFilter(choices=Basis.choices)

    class Meta:
        model = LinkProposal
        fields = ["status", "basis"]
