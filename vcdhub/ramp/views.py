"""The risk panel's pages: the cases, a referral, a case's page (summary, assessment, plan, actions by pillar,
timeline, linked intelligence and its harm score), each step of its life, the priority list, the reviews due
and the dashboard. Views convert and call ramp.actions (and the core's actions for reviews, actions and links)."""

import django_filters
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from vcdhub.access.policy import profile
from vcdhub.audit.log import record_reads
from vcdhub.casework import actions as core
from vcdhub.casework import queues
from vcdhub.casework.choices import MeetingStatus, RiskLevel
from vcdhub.casework.filtersets import CaseFilterSet as CoreCaseFilterSet
from vcdhub.casework.forms import ActionForm, LinkForm, ReviewForm
from vcdhub.casework.models import Case, CaseAction, Meeting
from vcdhub.casework.timeline import Entry, timeline
from vcdhub.crime.models import Crime
from vcdhub.people.models import Person
from vcdhub.platform.pages import form_page
from vcdhub.platform.permissions import PageRule, guarded
from vcdhub.platform.tables import Column, Table
from vcdhub.platform.views import (
    RecordDetailView,
    RecordEditView,
    RecordExportView,
    RecordListView,
    visible_or_404,
    visible_or_none,
)
from vcdhub.ramp import actions, dashboard, forms, priority, roles
from vcdhub.ramp.choices import Pillar, State, SubjectType
from vcdhub.ramp.models import MappaEscalation, Plan, Referral, RiskAssessment
from vcdhub.ramp.workflow import KIND, RAMP

WORKERS_PAGE = PageRule(records=True, roles=roles.WORKERS, refusal="The risk panel's pages are for its workers.")


class CaseFilterSet(CoreCaseFilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label="Risk level")

    class Meta(CoreCaseFilterSet.Meta):
        fields = ["state", "risk_level", "reference"]


class CaseTable(Table):
    columns = [Column("reference", "Reference", link=True), Column("subject", "Subject"),
               Column("state_label", "State"), Column("get_risk_level_display", "Risk"),
               Column("next_review_due", "Next review"), Column("lead_officer", "Lead officer")]


class CaseExportTable(Table):
    """The CSV of cases: what the list shows, with the dates and the marking."""

    columns = [Column("reference", "reference"), Column("subject_id", "subject_id"), Column("subject", "subject"),
               Column("state", "state"), Column("risk_level", "risk_level"), Column("opened_at", "opened_at"),
               Column("state_since", "state_since"), Column("closed_at", "closed_at"),
               Column("next_review_due", "next_review_due"), Column("lead_officer", "lead_officer"),
               Column("owner_unit_id", "owner_unit"), Column("sensitivity", "sensitivity")]


class CaseCommon:
    model = Case
    queryset = Case.objects.filter(kind=KIND.name).select_related("subject", "lead_officer").order_by("-opened_at",
                                                                                                      "-pk")
    url_namespace = "ramp"  # reading a case needs only that the user may see it; its steps are for workers
    change_roles = roles.WORKERS
    table = CaseTable()


class CaseList(CaseCommon, RecordListView):
    filterset_class = CaseFilterSet


class CaseExport(CaseCommon, RecordExportView):
    """The list's cases as CSV, sensitive rows audited as read (`vcdhub ramp export` writes the same)."""

    filterset_class = CaseFilterSet
    table = CaseExportTable()
    filename = "vcdhub-ramp-cases.csv"


class Refer(CaseCommon, RecordEditView):
    """A referral to the panel (a case is never edited here: it moves through its steps)."""

    template_name = "ramp/referral_form.html"

    def get_form(self, data=None, obj=None):
        initial = {"subject": self.request.GET.get("subject")} if self.request.GET.get("subject") else None
        return forms.ReferralForm(data, units=sorted(profile(self.request.user).units), initial=initial)

    def save(self, form, obj):
        values = form.values()
        values["subject"] = visible_or_none(self.request.user, Person, values["subject"], "edit")
        return actions.refer(self.request.user, values)


class CaseDetail(CaseCommon, RecordDetailView):
    template_name = "ramp/case_detail.html"

    def get_context(self, case) -> dict:
        return case_page(self.request.user, case)


def case_page(user, case: Case) -> dict:
    """What a case's page shows, as the user may see it."""
    referral = Referral.objects.filter(case=case).select_related("referring_unit").first()
    assessments = list(RiskAssessment.objects.filter(case=case).select_related("assessed_by"))
    plans = list(Plan.objects.filter(case=case).select_related("adopted_by"))
    mappa = MappaEscalation.objects.filter(case=case).first()
    case_actions = list(CaseAction.objects.restrict(user).filter(case=case).select_related("assignee", "set_by",
                                                                                           "closed_by"))
    from vcdhub.intel.models import Report

    links = list(case.links.select_related("report"))
    reports = set(Report.objects.restrict(user).filter(pk__in=[k.report_id for k in links if k.report_id])
                  .values_list("pk", flat=True))
    crimes = set(Crime.objects.restrict(user).filter(crime_id__in=[k.crime_ref for k in links if k.crime_ref])
                 .values_list("crime_id", flat=True))
    links = [k for k in links if (k.report_id and k.report_id in reports) or (k.crime_ref and k.crime_ref in crimes)]
    record_reads([*case_actions, *(k.report for k in links if k.report_id)], "view")
    pdp = {None: "", True: " Meets the potentially dangerous person test.",
           False: " Does not meet the potentially dangerous person test."}
    extra = [Entry(a.assessed_at, "assessment", "Risk assessed",
                   f"Highest risk: {dict(RiskLevel.choices).get(a.overall, '')}.{pdp[a.is_pdp]}",
                   str(a.assessed_by or "")) for a in assessments]
    extra += [Entry(p.adopted_at, "plan", "Risk management plan adopted", "", str(p.adopted_by or "")) for p in plans]
    pillars = []
    plan = plans[0] if plans else None
    for code, label in Pillar.choices:
        pillars.append({"code": code, "label": label, "text": getattr(plan, code, "") if plan else "",
                        "actions": [a for a in case_actions if a.heading == code]})
    own = case.owner_unit_id in profile(user).units
    user_roles = profile(user).roles
    allowed = {step.name for step in RAMP.allowed(case.state, user_roles)} if own else set()
    works = own and bool(user_roles & roles.WORKERS) and case.state not in KIND.read_only_states
    ranked = priority.priority_list(user, cases=[case]) if case.is_open else []
    return {"case": case, "referral": referral, "assessment": assessments[0] if assessments else None,
            "plan": plan, "pillars": pillars, "mappa": mappa,
            "other_actions": [a for a in case_actions if a.heading not in dict(Pillar.choices)],
            "open_overdue": sum(1 for a in case_actions if a.overdue_days),
            "links": links, "timeline": timeline(user, case, extra=extra, actions=case_actions, links=links),
            "steps": {name: name in allowed for name in ("accept", "list", "adopt_plan", "relist", "close",
                                                          "escalate")},
            "may_screen": "accept" in allowed, "may_work": works,
            "read_only": case.state in KIND.read_only_states,
            "read_only_reason": KIND.read_only_reason(case.state),
            "priority": ranked[0] if ranked else None}


def _step_form(name: str, case: Case, data, user):
    """The form for step `name`, and the action taking its values."""
    planned = Meeting.objects.restrict(user).filter(kind=KIND.name, status=MeetingStatus.PLANNED,
                                                    starts_at__gte=timezone.now(), owner_unit_id=case.owner_unit_id)

    def meeting(values):
        return planned.filter(pk=values.get("meeting") or None).first()

    vulnerable = Referral.objects.filter(case=case, subject_type=SubjectType.VULNERABLE).exists()
    steps = {
        "screen": ("Screen the referral", forms.ScreenForm(data),
                   lambda v: actions.screen(user, case, accept=v["decision"] == "accept", reason=v["reason"])),
        "assess": ("Risk assessment", forms.AssessmentForm(data, vulnerable=vulnerable),
                   lambda v: actions.assess(user, case, v)),
        "list": ("List for panel", forms.ListForm(data, meetings=planned),
                 lambda v: actions.list_for_panel(user, case, meeting(v), v.get("reason", ""))),
        "relist": ("Back to the panel", forms.ListForm(data, meetings=planned, reason_required=True),
                   lambda v: actions.relist(user, case, meeting(v), v.get("reason", ""))),
        "adopt_plan": ("Adopt the risk management plan", forms.PlanForm(data),
                       lambda v: actions.adopt_plan(user, case, v, item=case.agenda_items.order_by(
                           "-meeting__starts_at").first())),
        "review": ("Review", ReviewForm(data, initial={"risk_level": case.risk_level}),
                   lambda v: core.record_review(user, case, v)),
        "action": ("Set an action", ActionForm(data, headings=Pillar.choices),
                   lambda v: actions.add_action(user, case, v)),
        "link": ("Link intelligence or a crime", LinkForm(data),
                 lambda v: core.link(user, case, v["kind"], v["value"])),
        "close": ("Close the case", forms.ReasonForm(data), lambda v: actions.close(user, case, v["reason"])),
        "escalate": ("Escalate to MAPPA", forms.EscalateForm(data), lambda v: actions.escalate(user, case, v)),
    }
    if name not in steps:
        raise Http404("No such step.")
    return steps[name]


@guarded(WORKERS_PAGE)
def case_step(request, pk, step):
    """One page per step of a case's life; a refused step is a 403 with its reason (and on the audit chain)."""
    case = visible_or_404(request.user, CaseCommon.queryset, pk, "edit")
    title, form, action = _step_form(step, case, request.POST if request.method == "POST" else None, request.user)
    back = reverse("ramp:case_detail", args=[case.pk])
    return form_page(request, form, action, template="casework/form.html", done=f"{title}: done.",
                     success_url=back, context={"title": f"{title}: {case.reference}", "back_url": back,
                                                "case": case, "button": title})


@guarded(WORKERS_PAGE)
def priority_page(request):
    ranked = priority.priority_list(request.user)
    record_reads([p.case for p in ranked], "list")
    return render(request, "ramp/priority.html", {"ranked": ranked, "today": timezone.localdate(),
                                                  "harm": priority.settings.VCDHUB_RAMP_HARM})


@guarded(WORKERS_PAGE)
def reviews_page(request):
    cases = queues.review_queue(request.user, KIND.name)
    record_reads(cases, "list")
    return render(request, "ramp/reviews.html", {"cases": cases, "today": timezone.localdate()})


DASHBOARD_READERS = PageRule(refusal="The dashboard is for the panel's workers and the authority.",
                             roles=roles.DASHBOARD_ROLES)


@guarded(DASHBOARD_READERS)
def dashboard_page(request):
    figures = dashboard.figures(request.user)
    risk_rows = [(figures["risk_labels"][level], n) for level, n in figures["by_risk"].items()]
    state_rows = [(figures["state_labels"][state], n, figures["median_days_in_state"][state])
                  for state, n in figures["by_state"].items()]
    return render(request, "ramp/dashboard.html", {"f": figures, "risk_rows": risk_rows, "state_rows": state_rows})

