"""Missing persons' pages: the episodes, a report, an episode's page (the report, grade, timing, risk-information
log, protocol forms, reviews, the find and interview, repeat episodes, referral proposals, actions and the
timeline), each step of its life, the review queue, the patterns (placements, places found, shared associates:
a map and a table) and the dashboard. Views convert and call missing.actions (and the core's)."""

import datetime as dt

import django_filters
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from vcdhub.access.policy import profile
from vcdhub.audit.log import record_reads
from vcdhub.casework import actions as core
from vcdhub.casework.filtersets import CaseFilterSet as CoreCaseFilterSet
from vcdhub.casework.forms import ActionForm, LinkForm
from vcdhub.casework.models import Case, CaseAction
from vcdhub.casework.timeline import Entry, timeline
from vcdhub.missing import actions, dashboard, forms, groups, queue, roles
from vcdhub.missing.choices import GRADE_MEANINGS, Grade, Indicator, ProposalStatus, State
from vcdhub.missing.models import Episode, GradeChange, InfoItem, Proposal, ProtocolForm, Review
from vcdhub.missing.timing import overdue, span
from vcdhub.missing.workflow import EPISODE, KIND
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

WORKERS_PAGE = PageRule(records=True, roles=roles.WORKERS, refusal="Missing persons' pages are for its workers.")
DASHBOARD_READERS = PageRule(refusal="The dashboard is for missing persons' workers and the authority.",
                             roles=roles.DASHBOARD_ROLES)


class CaseFilterSet(CoreCaseFilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    grade = django_filters.ChoiceFilter(choices=Grade.choices, field_name="missing_episode__grade",
                                        label="Risk grade")

    class Meta(CoreCaseFilterSet.Meta):
        fields = ["state", "grade", "reference"]


class CaseTable(Table):
    columns = [Column("reference", "Reference", link=True), Column("subject", "Person"),
               Column("state_label", "State"), Column("missing_episode.get_grade_display", "Risk grade"),
               Column("missing_episode.reported_at", "Reported"),
               Column("missing_episode.get_from_kind_display", "Missing from"),
               Column("missing_episode.overdue_now", "Overdue")]


class CaseExportTable(Table):
    columns = [Column("reference", "reference"), Column("subject_id", "subject_id"), Column("subject", "subject"),
               Column("state", "state"), Column("missing_episode.grade", "grade"),
               Column("missing_episode.reported_at", "reported_at"),
               Column("missing_episode.last_seen_at", "last_seen_at"),
               Column("missing_episode.from_kind", "from_kind"), Column("missing_episode.from_place", "from_place"),
               Column("missing_episode.found_at", "found_at"), Column("missing_episode.found_how", "found_how"),
               Column("missing_episode.interview_at", "interview_at"), Column("owner_unit_id", "owner_unit"),
               Column("sensitivity", "sensitivity")]


class CaseCommon:
    model = Case
    queryset = (Case.objects.filter(kind=KIND.name).select_related("subject", "lead_officer", "missing_episode")
                .order_by("-opened_at", "-pk"))
    url_namespace = "missing"
    change_roles = roles.WORKERS
    table = CaseTable()


class CaseList(CaseCommon, RecordListView):
    filterset_class = CaseFilterSet


class CaseExport(CaseCommon, RecordExportView):
    filterset_class = CaseFilterSet
    table = CaseExportTable()
    filename = "vcdhub-missing-episodes.csv"


class Report(CaseCommon, RecordEditView):
    """A report of a person missing (an episode is never edited here: it moves through its steps)."""

    template_name = "missing/report_form.html"

    def get_form(self, data=None, obj=None):
        initial = {"subject": self.request.GET.get("subject")} if self.request.GET.get("subject") else None
        return forms.ReportForm(data, units=sorted(profile(self.request.user).units), initial=initial)

    def save(self, form, obj):
        values = form.values()
        values["subject"] = visible_or_none(self.request.user, Person, values["subject"], "edit")
        return actions.report(self.request.user, values)


class CaseDetail(CaseCommon, RecordDetailView):
    template_name = "missing/case_detail.html"

    def get_context(self, case) -> dict:
        return case_page(self.request.user, case)


def case_page(user, case: Case) -> dict:
    """What an episode's page shows, as the user may see it."""
    now = timezone.now()
    episode = Episode.objects.get(case=case)
    info = list(InfoItem.objects.filter(case=case).select_related("corrects"))
    grades = list(GradeChange.objects.filter(case=case).select_related("by"))
    reviews = list(Review.objects.filter(case=case).select_related("by"))
    protocols = list(ProtocolForm.objects.filter(case=case).select_related("received_by"))
    proposals = list(Proposal.objects.filter(case=case).select_related("decided_by", "ramp_case"))
    case_actions = list(CaseAction.objects.restrict(user).filter(case=case).select_related("assignee", "set_by",
                                                                                           "closed_by"))
    others = list(Case.objects.restrict(user).filter(kind=KIND.name, subject_id=case.subject_id)
                  .exclude(pk=case.pk).select_related("missing_episode").order_by("-opened_at")[:100])
    visible_ids = {c.pk for c in others} | {case.pk}
    for proposal in proposals:  # a proposal lists only the episodes this reader may see
        proposal.shown = [c for c in others if c.pk in proposal.episodes] + [case]
        proposal.hidden = any(pk not in visible_ids for pk in proposal.episodes)
        proposal.decide_url = reverse("missing:case_step", args=[case.pk, f"proposal-{proposal.pk}"])
    record_reads([*case_actions, *others], "view")
    extra = [Entry(i.recorded_at, "information", "Risk information logged",
                   f"From {i.supplied_by}{' (a correction)' if i.corrects_id else ''}", i.recorded_by_name)
             for i in info]
    extra += [Entry(p.given_at, "protocol", f"{p.get_kind_display().split(' (')[0]} form handed over",
                    f"By {p.given_by}", str(p.received_by or "")) for p in protocols]
    extra += [Entry(r.at, "review", "Reviewed" + (" (supervision)" if r.by_supervisor else ""),
                    r.summary, str(r.by or "")) for r in reviews]
    own = case.owner_unit_id in profile(user).units
    user_roles = profile(user).roles
    allowed = {step.name for step in EPISODE.allowed(case.state, user_roles)} if own else set()
    works = own and bool(user_roles & roles.WORKERS) and case.state not in KIND.read_only_states
    ranked = queue.rank(user, cases=[case]) if case.state == State.MISSING else []
    reported = episode.reported_at
    return {"case": case, "episode": episode, "info": info, "grades": grades, "reviews": reviews,
            "protocols": protocols, "proposals": proposals, "others": others,
            "repeats_90": sum(1 for c in others if abs((c.missing_episode.reported_at - reported).days) < 90),
            "repeats_365": sum(1 for c in others if abs((c.missing_episode.reported_at - reported).days) < 365),
            "hours": span(queue.hours_missing_td(episode, now)), "overdue": overdue(episode, case.state, now),
            "indicators": [label for code, label in Indicator.choices if code in episode.indicators],
            "grade_meaning": GRADE_MEANINGS.get(episode.grade, ""),
            "actions": case_actions, "open_overdue": sum(1 for a in case_actions if a.overdue_days),
            "timeline": timeline(user, case, extra=extra, actions=case_actions, links=list(case.links.all())),
            "steps": {name: name in allowed for name in ("regrade", "found", "reopen", "close")},
            "may_work": works, "missing": case.state == State.MISSING,
            "read_only": case.state in KIND.read_only_states, "read_only_reason": KIND.read_only_reason(case.state),
            "priority": ranked[0] if ranked else None, "waiting": ProposalStatus.PROPOSED}


def _step_form(name: str, case: Case, data, user):
    """The form for step `name`, and the action taking its values."""
    if name.startswith("proposal-"):
        number = name.removeprefix("proposal-")
        proposal = (Proposal.objects.filter(case=case, pk=int(number)).first()
                    if number.isdigit() and len(number) < 12 else None)
        if proposal is None:
            raise Http404("No such proposal.")
        return ("Decide the referral proposal", forms.ProposalForm(data),
                lambda v: actions.decide_proposal(user, proposal, accept=v["decision"] == "accept",
                                                  reason=v["reason"]))
    steps = {
        "info": ("Log risk information", lambda: forms.InfoForm(data, items=InfoItem.objects.filter(case=case)),
                 lambda v: actions.log_information(user, case, v)),
        "regrade": ("Regrade the risk", lambda: forms.RegradeForm(data), lambda v: actions.regrade(user, case, v)),
        "review": ("Review the risk", lambda: forms.ReviewForm(data), lambda v: actions.review(user, case, v)),
        "protocol": ("Record a protocol form", lambda: forms.ProtocolFormForm(data),
                     lambda v: actions.add_protocol_form(user, case, v)),
        "found": ("Record the person found", lambda: forms.FoundForm(data), lambda v: actions.found(user, case, v)),
        "reopen": ("Reopen: still missing", lambda: forms.ReasonForm(data), lambda v: actions.reopen(user, case, v)),
        "close": ("Close after the return interview", lambda: forms.CloseForm(data),
                  lambda v: actions.close(user, case, v)),
        "action": ("Set an action", lambda: ActionForm(data), lambda v: core.assign_action(user, case, v)),
        "link": ("Link intelligence or a crime", lambda: LinkForm(data),
                 lambda v: core.link(user, case, v["kind"], v["value"])),
    }
    if name not in steps:
        raise Http404("No such step.")
    title, form, action = steps[name]
    return title, form(), action


@guarded(WORKERS_PAGE)
def case_step(request, pk, step):
    """One page per step of an episode's life; a refused step is a 403 with its reason (and on the audit chain)."""
    case = visible_or_404(request.user, CaseCommon.queryset, pk, "edit")
    title, form, action = _step_form(step, case, request.POST if request.method == "POST" else None, request.user)
    back = reverse("missing:case_detail", args=[case.pk])
    intro = "The continuum: " + " ".join(f"{Grade(g).label}: {m}" for g, m in GRADE_MEANINGS.items()) \
        if step in ("regrade", "review") else ""
    return form_page(request, form, action, template="casework/form.html", done=f"{title}: done.",
                     success_url=back, context={"title": f"{title}: {case.reference}", "back_url": back,
                                                "case": case, "button": title, "intro": intro})


@guarded(WORKERS_PAGE)
def queue_page(request):
    ranked = queue.rank(request.user)
    interviews = queue.interviews_due(request.user)
    proposals = list(Proposal.objects.filter(status=ProposalStatus.PROPOSED, case__in=Case.objects.restrict(
        request.user).filter(kind=KIND.name)).select_related("case", "case__subject")[:200])
    record_reads([*(r.case for r in ranked), *(e.case for e, _ in interviews)], "list")
    for row in ranked:
        row.missing_for = span(queue.hours_missing_td(row.episode, timezone.now()))
    return render(request, "missing/queue.html", {
        "ranked": ranked, "interviews": interviews, "proposals": proposals, "now": timezone.now(),
        "weight_lines": weight_lines()})


def weight_lines() -> list[str]:
    """How the vulnerability score is made and when reviews fall due, from configuration, in words."""
    w, t = settings.VCDHUB_MISSING_VULNERABILITY, settings.VCDHUB_MISSING_TIMING
    grades = dict(Grade.choices)

    def by_grade(values: dict, unit: str = "") -> str:
        return "; ".join(f"{grades[g].lower()} {values[g]}{unit}" for g in reversed(Grade.values) if g in values)

    return [f"Risk grade: {by_grade(w['grade'])}.",
            f"A child (under 18 at the report): {w['child']}; an older adult (65 or over): {w['older_adult']}.",
            *(f"{label}: {w[code]} (from the report, the register's flags or a protocol form)."
              for code, label in Indicator.choices),
            f"Each earlier episode of the same person in the 90 days before the report: {w['repeat_90d']} (up to "
            f"{w['repeat_cap']} of them).",
            f"Time missing against similar episodes (same age group and grade; Kaplan-Meier over the episodes you "
            f"may see): {w['unusual_duration']} times the share of similar episodes that ended sooner, once that "
            f"share is at least {w['unusual_from']:.2f}.",
            f"An open case on the person in another module (the risk panel): {w['open_case']}.",
            f"Reviews fall due after: {by_grade(t['review_hours'], ' h')}. Supervision after: "
            f"{by_grade(t['supervision_hours'], ' h')}."]


@guarded(WORKERS_PAGE)
def groups_page(request):
    since = timezone.localdate() - dt.timedelta(days=groups.GROUPED_DAYS)
    found = groups.groups(request.user, since=since)
    sections, points = [], []
    titles = {"placement": "Care placements with repeat episodes", "found": "Places where people were found",
              "associate": "People missing who share an associate"}
    for kind, rows in found.items():
        numbered = []
        for group in rows:
            n = None
            if group.longitude is not None and group.latitude is not None:
                n = len(points) + 1
                points.append({"n": n, "lat": group.latitude, "lon": group.longitude, "label": group.label})
            numbered.append({"n": n, "group": group})
        sections.append({"kind": kind, "title": titles[kind], "rows": numbered})
    record_reads({e.case for rows in found.values() for g in rows for e in g.episodes}, "list")
    return render(request, "missing/groups.html", {"sections": sections, "points": points, "since": since,
                                                   "tile_url": settings.VCDHUB_TILE_URL,
                                                   "tile_attribution": settings.VCDHUB_TILE_ATTRIBUTION})


@guarded(DASHBOARD_READERS)
def dashboard_page(request):
    figures = dashboard.figures(request.user)
    risk_rows = [(figures["risk_labels"][g], n) for g, n in figures["by_risk"].items()]
    return render(request, "missing/dashboard.html", {"f": figures, "risk_rows": risk_rows,
                                                      "months": list(figures["episodes_by_month"]),
                                                      "chart": dashboard.chart(figures)})
