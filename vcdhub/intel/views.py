"""The intelligence pages: the reports a user may see, a report's page with its life cycle and sharing log,
the steps of that life cycle, the review queue, sources (for their handlers) and what other units shared with
the user's. Views convert and call intel.actions."""

import itertools

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from vcdhub.access.choices import UnitKind
from vcdhub.access.models import Unit
from vcdhub.access.policy import has_role, profile
from vcdhub.audit.log import record_reads
from vcdhub.intel import actions, charts, exports, forms, network, proposals, roles, search, summary
from vcdhub.intel.choices import State
from vcdhub.intel.filtersets import (
    DisseminationFilterSet,
    ReportFilterSet,
    SharedReportFilterSet,
    SourceFilterSet,
)
from vcdhub.intel.models import Dissemination, LinkProposal, Report, SharedReport, Source, SourceLink
from vcdhub.intel.tables import (
    DisseminationTable,
    LinkProposalTable,
    ReportTable,
    SharedReportTable,
    SourceLinkTable,
    SourceTable,
)
from vcdhub.intel.workflow import REPORT
from vcdhub.people.models import Person
from vcdhub.platform.csvsafe import csv_lines, safe_cell
from vcdhub.platform.inputs import InputError
from vcdhub.platform.pages import form_page
from vcdhub.platform.permissions import records_required, role_required
from vcdhub.platform.views import (
    RecordDetailView,
    RecordEditView,
    RecordExportView,
    RecordListView,
    visible_or_404,
)


class ReportCommon:
    model = Report
    table = ReportTable()
    change_roles = roles.SUBMITTERS
    queryset = Report.objects.order_by("-submitted_at", "-pk")


class ReportList(ReportCommon, RecordListView):
    filterset_class = ReportFilterSet


class ReportExport(ReportCommon, RecordExportView):
    """The list's reports in the import schema, so a download imports again."""

    filterset_class = ReportFilterSet
    filename = "vcdhub-intelligence.csv"

    def stream(self, queryset):
        rows = exports.report_rows(self.request.user, queryset)
        return csv_lines(itertools.chain([exports.COLUMNS], ([safe_cell(v) for v in row] for row in rows)))


class ReportSubmit(ReportCommon, RecordEditView):
    """Submitting a report (reports are never edited: they move through their steps)."""

    template_name = "intel/report_form.html"  # reports are never edited, so the page is for submitting only

    def get_form(self, data=None, obj=None):
        return forms.ReportForm(data, units=sorted(profile(self.request.user).units))

    def save(self, form, obj):
        return actions.submit_report(self.request.user, form.values())


class ReportDetail(ReportCommon, RecordDetailView):
    template_name = "intel/report_detail.html"

    def get_context(self, report) -> dict:
        return report_page(self.request.user, report)


def report_page(user, report: Report) -> dict:
    """What a report's page shows: the source only to its handlers, links only to what the user may see."""
    links = list(report.links.select_related("person", "other_report"))
    people = set(Person.objects.restrict(user).filter(pk__in=[link.person_id for link in links if link.person_id])
                 .values_list("pk", flat=True))
    reports = set(Report.objects.restrict(user).filter(
        pk__in=[link.other_report_id for link in links if link.other_report_id]).values_list("pk", flat=True))
    links = [link for link in links if (link.person_id is None or link.person_id in people)
             and (link.other_report_id is None or link.other_report_id in reports)]
    source_link = SourceLink.objects.restrict(user).filter(report=report).select_related("source").first()
    if source_link is not None:
        record_reads([source_link, source_link.source], "view")
    shared = list(Dissemination.objects.restrict(user).filter(report=report).select_related("recipient_unit",
                                                                                              "shared_by"))
    own = report.owner_unit_id in profile(user).units  # only the report's own unit works on it
    offered = {step.name for step in REPORT.allowed(report.state, profile(user).roles)} if own else set()
    if report.submitted_by_id == user.pk:  # nobody reviews, grades or sanitises their own report
        offered -= {"return", "review", "grade", "sanitise"}
    else:
        offered -= {"resubmit"}  # only the submitter resubmits
    steps = {name: name in offered for name in ("return", "review", "grade", "sanitise", "disseminate", "resubmit")}
    steps["link"] = own and has_role(user, *roles.SUBMITTERS)
    return {"report": report, "links": links, "source": source_link.source if source_link else None,
            "disseminations": shared,
            "steps": report.steps.select_related("actor"), "may": steps,
            "waiting_for_sanitising": report.needs_sanitising and not report.sanitised_text
            and report.state == State.GRADED}


STEPS = {
    "return": ("Return for more detail", forms.ReturnForm,
               lambda user, report, v: actions.return_report(user, report, v["reason"])),
    "resubmit": ("Resubmit with more detail", forms.ResubmitForm,
                 lambda user, report, v: actions.resubmit_report(user, report, v["text"], v["reason"])),
    "review": ("Review", forms.ReasonForm, lambda user, report, v: actions.review_report(user, report, v["reason"])),
    "grade": ("Grade", forms.GradeForm, lambda user, report, v: actions.grade_report(user, report, v, v["reason"])),
    "sanitise": ("Sanitise", forms.SanitiseForm,
                 lambda user, report, v: actions.sanitise_report(user, report, v["sanitised_text"], v["reason"])),
    "disseminate": ("Share", forms.DisseminateForm,
                    lambda user, report, v: actions.disseminate_report(
                        user, report, recipient_kind=v["recipient_kind"], recipient=v["recipient"],
                        version=v["version"], reason=v["reason"])),
    "link": ("Add a link", forms.LinkForm,
             lambda user, report, v: actions.link_by_value(user, report, kind=v["kind"], value=v.get("value", ""))),
}


@role_required(*sorted(roles.SUBMITTERS | roles.REVIEWERS | roles.DISSEMINATORS))
def report_step(request, pk, step):
    """One page per step of a report's life: the step's form, then its action. A refused sharing is a 403 with
    the reason (and on the audit chain)."""
    if step not in STEPS:
        raise Http404("No such step.")
    title, form_class, action = STEPS[step]
    report = visible_or_404(request.user, Report.objects.all(), pk, "edit")
    form = form_class(request.POST if request.method == "POST" else None)
    context = {"title": title, "report": report, "step": step}
    if step == "disseminate":
        context["units"] = Unit.objects.exclude(code=report.owner_unit_id).order_by("kind", "name")
        context["boroughs"] = [u for u in context["units"] if u.kind == UnitKind.BOROUGH]
    # Each action is atomic itself, and a refusal's audit entry must outlive the refused step (form_page).
    return form_page(request, form, lambda values: action(request.user, report, values),
                     template="intel/report_step.html", context=context, done=f"{title}: done.",
                     success_url=reverse("intel:report_detail", args=[report.pk]))


@records_required
def link_chart(request, pk):
    """The network around a person the user may see: a chart, the same nodes and links as tables, their
    measures, and GraphML or CSV downloads of exactly what is shown."""
    subject = visible_or_404(request.user, Person, pk, "view")
    try:
        filters = charts.filters_from(request.GET)
    except InputError as exc:
        return render(request, "intel/link_chart.html", {"subject": subject, "errors": exc.errors,
                                                          "query": request.GET, **_chart_choices()}, status=400)
    chart = network.build(request.user, subject, filters)
    shown_people = [int(n.split(":")[1]) for n in chart.nodes if n.startswith("person:")]
    record_reads(Person.objects.filter(pk__in=shown_people), "chart")
    download = request.GET.get("format")
    if download == "graphml":
        response = HttpResponse(charts.graphml(chart), content_type="application/graphml+xml")
        response["Content-Disposition"] = f'attachment; filename="vcdhub-chart-{subject.pk}.graphml"'
        return response
    if download == "csv":
        response = HttpResponse(charts.edge_csv(chart), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vcdhub-chart-{subject.pk}-edges.csv"'
        return response
    measures = chart.measures
    nodes = sorted(chart.nodes.values(), key=lambda n: (-measures.betweenness_.get(n.id, 0),
                                                        -measures.degree_.get(n.id, 0), n.label))
    rows = [{"node": n, "degree": measures.degree_.get(n.id, 0), "betweenness": measures.betweenness_.get(n.id, 0),
             "community": measures.community_.get(n.id, 0)} for n in nodes]
    # Each link between the nodes' names, as the chart labels them (the node keys are for the downloads).
    links = [{"source": chart.nodes[e.source].label, "target": chart.nodes[e.target].label, "edge": e}
             for e in chart.edges]
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "intel/link_chart.html", {
        "subject": subject, "chart": chart, "rows": rows, "links": links, "elements": charts.elements(chart),
        "filters": filters, "query": query, "querystring": query.urlencode(),
        "communities": len(measures.communities_), **_chart_choices()})


def _chart_choices() -> dict:
    from vcdhub.intel.network import CONFIDENCE_ORDER, EDGE_TYPES

    return {"edge_types": EDGE_TYPES.items(), "confidences": CONFIDENCE_ORDER}


@records_required
def search_page(request):
    """Full-text search over reports, people and places: only what the user may see, counted as shown."""
    query = request.GET.get("q", "")[:search.MAX_QUERY_LENGTH]
    parts = search.search(request.user, query) if query.strip() else []
    return render(request, "intel/search.html", {"query": query, "parts": parts,
                                                 "searched": bool(query.strip())})


@role_required(*sorted(roles.REVIEWERS))
def review_queue(request):
    """Reports waiting for the intelligence unit: submitted, reviewed, or graded and waiting to be sanitised,
    oldest first, among those the user may see and did not submit."""
    waiting = summary.waiting_reports(request.user).order_by("submitted_at", "pk")
    page = list(waiting[:200])
    record_reads(page, "list")
    return render(request, "intel/queue.html", {"reports": page, "more": waiting.count() > len(page)})


class SourceCommon:
    model = Source
    table = SourceTable()
    change_roles = frozenset({"source_handler"})
    queryset = Source.objects.select_related("handler").order_by("reference")


class SourceList(SourceCommon, RecordListView):
    filterset_class = SourceFilterSet


class SourceDetail(SourceCommon, RecordDetailView):
    pass


class SourceAdd(SourceCommon, RecordEditView):
    def get_form(self, data=None, obj=None):
        return forms.SourceForm(data, units=sorted(profile(self.request.user).units))

    def save(self, form, obj):
        return actions.save_source(self.request.user, form.values())


class SourceLinkDetail(RecordDetailView):
    model, table = SourceLink, SourceLinkTable()
    queryset = SourceLink.objects.select_related("report", "source")


class DisseminationDetail(RecordDetailView):
    model, table = Dissemination, DisseminationTable()
    queryset = Dissemination.objects.select_related("report", "recipient_unit", "shared_by")


class DisseminationList(RecordListView):
    model, table = Dissemination, DisseminationTable()
    filterset_class = DisseminationFilterSet
    queryset = Dissemination.objects.select_related("report", "recipient_unit", "shared_by").order_by(
        "-shared_at", "-pk")


class SharedCommon:
    model = SharedReport
    table = SharedReportTable()
    queryset = SharedReport.objects.select_related("from_unit").order_by("-received_at", "-pk")


class SharedReportList(SharedCommon, RecordListView):
    filterset_class = SharedReportFilterSet


class SharedReportDetail(SharedCommon, RecordDetailView):
    pass




@role_required(*sorted(roles.REVIEWERS))
def proposal_queue(request):
    """Links the evidence suggests, waiting for a decision, oldest first."""
    waiting = proposals.queue_for(request.user)
    page = list(waiting[:200])
    record_reads(page, "list")
    return render(request, "intel/proposal_queue.html", {"proposals": page, "more": waiting.count() > len(page)})


@role_required(*sorted(roles.REVIEWERS))
def proposal_decide(request, pk):
    """One proposal: the two people, the evidence, and the decision with its reason."""
    proposal = visible_or_404(request.user, LinkProposal.objects.select_related("person", "other"), pk, "view")
    form = forms.ProposalForm(request.POST if request.method == "POST" else None)
    return form_page(request, form, lambda values: proposals.decide(request.user, proposal, **values),
                     template="intel/proposal_decide.html", context={"proposal": proposal},
                     done=lambda: f"Decision recorded: {proposal.get_status_display().lower()}.",
                     success_url=reverse("intel:proposals"))


class LinkProposalDetail(RecordDetailView):
    model, table = LinkProposal, LinkProposalTable()
    queryset = LinkProposal.objects.select_related("person", "other")
