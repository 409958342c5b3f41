"""The case-work core's pages: each unit's (and partner agency's) queue of actions, an action's page where its
owner records the result, and the panel meetings: their agenda, attendees, discussion, decisions, minutes (PDF)
and calendar (ICS). A case's own page is its module's. Views convert and call casework.actions."""

from django import forms as django_forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from vcdhub.access.choices import Role
from vcdhub.access.markings import strictest_marking
from vcdhub.access.policy import profile
from vcdhub.audit.log import record_reads
from vcdhub.audit.models import Decision
from vcdhub.casework import actions, calendar, forms, minutes, queues
from vcdhub.casework.apps import ACTION_HOLDER_ROLES
from vcdhub.casework.choices import ActionStatus, MeetingStatus
from vcdhub.casework.filtersets import MeetingFilterSet
from vcdhub.casework.kinds import kinds
from vcdhub.casework.models import AgendaItem, Case, CaseAction, Meeting
from vcdhub.casework.tables import CaseActionTable, MeetingTable
from vcdhub.platform.pages import form_page
from vcdhub.platform.permissions import PageRule, guarded, records_required
from vcdhub.platform.views import RecordDetailView, RecordEditView, RecordListView, clean_pk, visible_or_404

ACTION_HOLDERS = PageRule(roles=ACTION_HOLDER_ROLES, refusal="Your role holds no actions.")


@guarded(ACTION_HOLDERS)
def queue(request):
    """The actions assigned to the user's units and agencies, overdue first."""
    show = request.GET.get("show", "open")
    rows = queues.action_queue(request.user, include_closed=show == "all")
    record_reads(rows, "list")
    return render(request, "casework/queue.html", {
        "rows": rows, "show": show, "overdue": sum(1 for a in rows if a.overdue_days),
        "units": sorted(profile(request.user).units), "today": timezone.localdate()})


class CaseActionDetail(RecordDetailView):
    """An action: what, for which case (its reference; the case itself only to those who may see it), who, by
    when, and its result. Its owner records the result here."""

    model = CaseAction
    queryset = CaseAction.objects.select_related("case", "assignee", "set_by", "closed_by")
    page_rule = ACTION_HOLDERS
    table = CaseActionTable()
    template_name = "casework/action_detail.html"

    def get_context(self, action) -> dict:
        units = profile(self.request.user).units
        may_see_case = Case.objects.restrict(self.request.user).filter(pk=action.case_id).exists()
        case_url = reverse(action.case.case_kind.detail_url, args=[action.case_id]) if may_see_case else ""
        may_close = action.status == ActionStatus.OPEN and (
            action.assignee_id in units or (may_see_case and action.owner_unit_id in units))
        return {"action": action, "case_url": case_url, "may_close": may_close,
                "may_cancel": may_close and may_see_case and action.owner_unit_id in units}


def _close_action(request, pk, form_class, call, *, title: str, done: str):
    action = visible_or_404(request.user, CaseAction, pk, "edit")
    form = form_class(request.POST if request.method == "POST" else None)
    back = reverse("casework:caseaction_detail", args=[action.pk])
    return form_page(request, form, lambda v: call(action, v), template="casework/form.html", done=done,
                     success_url=back, context={"title": f"{title}: {action.title}", "back_url": back})


@guarded(ACTION_HOLDERS)
def complete_action(request, pk):
    return _close_action(request, pk, forms.CompleteForm,
                         lambda action, v: actions.complete_action(request.user, action, v["result"]),
                         title="Record the result", done="Action done: result recorded.")


@guarded(ACTION_HOLDERS)
def cancel_action(request, pk):
    return _close_action(request, pk, forms.ReasonForm,
                         lambda action, v: actions.cancel_action(request.user, action, v["reason"]),
                         title="Cancel", done="Action cancelled.")


class MeetingList(RecordListView):
    model = Meeting
    queryset = Meeting.objects.select_related("chair").order_by("-starts_at", "-pk")
    filterset_class = MeetingFilterSet
    table = MeetingTable()
    change_roles = frozenset({Role.PANEL_CHAIR, Role.SUPERVISOR, Role.ANALYST, Role.INVESTIGATOR,
                              Role.TASKING_OFFICER})


class MeetingAdd(RecordEditView):
    model = Meeting
    change_roles = MeetingList.change_roles

    def get_form(self, data=None, obj=None):
        form = forms.MeetingForm(data, units=sorted(profile(self.request.user).units))
        form.fields["kind"] = _kind_field()
        return form

    def save(self, form, obj):
        values = form.values()
        return actions.schedule_meeting(self.request.user, values.pop("kind"), {**values,
                                                                               "chair": self.request.user})


def _kind_field():
    return django_forms.ChoiceField(choices=[(k.name, k.label.replace(" case", " panel")) for k in kinds()],
                                    label="Panel")


class MeetingDetail(RecordDetailView):
    model = Meeting
    queryset = Meeting.objects.select_related("chair")
    template_name = "casework/meeting_detail.html"

    def get_context(self, meeting) -> dict:
        return meeting_page(self.request.user, meeting)


def meeting_page(user, meeting: Meeting) -> dict:
    """A meeting's agenda as the user may see it: items whose case they may not see are left out, uncounted."""
    items = list(meeting.items.filter(case__in=Case.objects.restrict(user))
                 .select_related("case", "case__subject").order_by("position", "pk"))
    decisions: dict[int, list] = {}
    for decision in Decision.objects.filter(object_type="casework.agendaitem",
                                            object_id__in=[str(item.pk) for item in items]).order_by("decided_at"):
        decisions.setdefault(int(decision.object_id), []).append(decision)
    agreed: dict[int, list] = {}
    for action in CaseAction.objects.restrict(user).filter(agreed_at__in=items).select_related("assignee"):
        agreed.setdefault(action.agreed_at_id, []).append(action)
    record_reads([*(item.case for item in items), *(a for shown in agreed.values() for a in shown)], "view")
    runs = meeting.owner_unit_id in profile(user).units
    attendees = list(meeting.attendees.select_related("unit"))
    marking = strictest_marking([meeting, *(item.case for item in items),
                                 *(a for shown in agreed.values() for a in shown)])
    return {"meeting": meeting, "marking": marking, "marking_sensitivity": marking.split(" ")[0],
            "attendees": attendees,
            "agencies": sorted({a.unit.name for a in attendees if a.unit is not None}),
            "items": [{"item": item, "case_url": reverse(item.case.case_kind.detail_url, args=[item.case_id]),
                       "decisions": decisions.get(item.pk, []), "actions": agreed.get(item.pk, [])}
                      for item in items],
            "may_run": runs and meeting.status == MeetingStatus.PLANNED,
            "may_minute": runs and meeting.status != MeetingStatus.CANCELLED}


def _meeting(request, pk, channel="edit") -> Meeting:
    return visible_or_404(request.user, Meeting, pk, channel)


@records_required
def meeting_attendee(request, pk):
    meeting = _meeting(request, pk)
    form = forms.AttendeeForm(request.POST if request.method == "POST" else None)
    back = reverse("casework:meeting_detail", args=[meeting.pk])
    return form_page(request, form, lambda v: actions.add_attendee(request.user, meeting, v),
                     template="casework/form.html", done="Attendee added.", success_url=back,
                     context={"title": f"Invite someone: {meeting.title}", "back_url": back})


@records_required
def meeting_hold(request, pk):
    meeting = _meeting(request, pk)
    attendees = list(meeting.attendees.all())
    form = forms.HoldForm(request.POST if request.method == "POST" else None, attendees=attendees)
    back = reverse("casework:meeting_detail", args=[meeting.pk])
    cancel = request.GET.get("cancel") == "1"
    return form_page(request, form,
                     lambda v: actions.hold_meeting(request.user, meeting, {int(p) for p in v["present"]},
                                                    cancel=cancel),
                     template="casework/form.html", done="Meeting cancelled." if cancel else "Meeting held.",
                     success_url=back,
                     context={"title": f"{'Cancel' if cancel else 'Record as held'}: {meeting.title}",
                              "back_url": back})


def _item(request, pk, item) -> AgendaItem:
    meeting = _meeting(request, pk)
    value = clean_pk(AgendaItem, item)
    found = meeting.items.filter(pk=value, case__in=Case.objects.restrict(request.user)).select_related(
        "case", "meeting").first() if value is not None else None
    if found is None:
        raise Http404("No such agenda item, or you may not see it.")
    return found


@records_required
def item_discuss(request, pk, item):
    item = _item(request, pk, item)
    form = forms.DiscussionForm(request.POST if request.method == "POST" else None,
                                initial={"discussion": item.discussion})
    back = reverse("casework:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}"
    return form_page(request, form, lambda v: actions.record_discussion(request.user, item, v["discussion"]),
                     template="casework/form.html", done="Discussion recorded.", success_url=back,
                     context={"title": f"Discussion of {item.case.reference}", "back_url": back})


@records_required
def item_decide(request, pk, item):
    item = _item(request, pk, item)
    form = forms.DecisionForm(request.POST if request.method == "POST" else None)
    back = reverse("casework:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}"
    return form_page(request, form, lambda v: actions.decide(request.user, item, v),
                     template="casework/form.html", done="Decision recorded.", success_url=back,
                     context={"title": f"The panel's decision on {item.case.reference}", "back_url": back,
                              "intro": "Recorded with its National Decision Model rationale. A decision is "
                                       "never edited: a later decision reviews it."})


@records_required
def item_action(request, pk, item):
    item = _item(request, pk, item)
    form = forms.ActionForm(request.POST if request.method == "POST" else None)
    back = reverse("casework:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}"
    return form_page(request, form, lambda v: actions.assign_action(request.user, item.case, v, agreed_at=item),
                     template="casework/form.html", done="Action set.", success_url=back,
                     context={"title": f"An action agreed on {item.case.reference}", "back_url": back})


@records_required
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk, "export")
    context = minutes.minutes_context(request.user, meeting)
    record_reads(context["records"], "export")  # the sensitive cases and actions the minutes show
    pdf = minutes.render_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.pk}.pdf"'
    return response


@records_required
def meeting_calendar(request):
    """The meetings the user may see from a month ago on, as an ICS calendar (no case or person in it)."""
    since = timezone.now() - timezone.timedelta(days=31)
    meetings = Meeting.objects.restrict(request.user).filter(starts_at__gte=since)
    response = HttpResponse(calendar.meetings_ics(meetings, user=request.user),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vcdhub-panel-meetings.ics"'
    return response
