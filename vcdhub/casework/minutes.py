"""A panel meeting's minutes, for one reader: HTML, and PDF through WeasyPrint (as the authority's report).

The minutes say when and where the panel sat, who chaired it, who attended for which unit or agency and
whether they were there; then, for each case on the agenda that the reader may see, in agenda order, the case,
its subject, its state, what the panel discussed, the decisions it recorded with their National Decision Model
rationale, and the actions it agreed. A case the reader may not see is left out without a trace: it is not
counted, and the items are numbered as the reader sees them, so no gap hints at it. Every page carries the
meeting's marking at its top and bottom.

Rendering reads nothing but the database and the template: the PDF fetches no URL (no network, no files).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from vcdhub.access.markings import strictest_marking
from vcdhub.audit.models import Decision
from vcdhub.casework.models import AgendaItem, Case, CaseAction, Meeting
from vcdhub.platform.actions import may_see

NDM_PARTS = (
    ("information", "1. Information and intelligence"),
    ("threat_and_risk", "2. Threat and risk assessment, working strategy"),
    ("powers_and_policy", "3. Powers and policy"),
    ("options", "4. Options and contingencies"),
    ("action_taken", "5. Action taken"),
)
AGENDA_ITEM = "casework.agendaitem"  # audit.Decision.object_type of a decision on an agenda item


def local(value: dt.datetime) -> dt.datetime:
    """In the force's time zone (settings.TIME_ZONE, Europe/London), whatever zone the request runs in."""
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


def when_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """"Friday 23 October 2026, 10:00 to 12:00 (BST)", in local time (the date again if it ends another day)."""
    start, end = local(starts_at), local(ends_at)
    text = f"{dateformat.format(start, 'l j F Y')}, {start:%H:%M} to "
    if end.date() != start.date():
        text += f"{dateformat.format(end, 'l j F Y')}, "
    zone = start.tzname() if start.tzname() == end.tzname() else f"{start.tzname()} to {end.tzname()}"
    return f"{text}{end:%H:%M} ({zone})"


def person_name(user) -> str:
    if user is None:
        return "Not recorded"
    return user.get_full_name() or user.get_username()


def _present(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")


def _attendees(meeting: Meeting) -> tuple[list[dict], list[str]]:
    attendees, agencies = [], []
    for attendee in meeting.attendees.select_related("unit").order_by("pk"):
        unit = attendee.unit.name if attendee.unit is not None else ""
        attendees.append({"name": attendee.name, "role": attendee.role, "unit": unit,
                          "present": _present(attendee.present)})
        if unit and unit not in agencies:
            agencies.append(unit)
    return attendees, agencies


def _decisions(items: list[AgendaItem]) -> dict[str, list[dict]]:
    by_item: dict[str, list[dict]] = {str(item.pk): [] for item in items}
    decisions = (Decision.objects.filter(object_type=AGENDA_ITEM, object_id__in=list(by_item))
                 .select_related("decided_by").order_by("decided_at", "pk"))
    for decision in decisions:
        by_item[decision.object_id].append({
            "summary": decision.summary, "kind": decision.get_kind_display(),
            "ndm": [(label, getattr(decision, field)) for field, label in NDM_PARTS],
            "review_date": decision.review_date, "decided_by": person_name(decision.decided_by),
            "decided_at": dateformat.format(local(decision.decided_at), "j F Y H:i"),
        })
    return by_item


def _actions(user, items: list[AgendaItem]) -> dict[int, list[CaseAction]]:
    """The actions agreed at each item that the reader may see (`item.actions.restrict(user)`, in one query)."""
    by_item: dict[int, list[CaseAction]] = {item.pk: [] for item in items}
    actions = (CaseAction.objects.restrict(user).filter(agreed_at__in=list(by_item))
               .select_related("assignee").order_by("due", "pk"))
    for action in actions:
        by_item[action.agreed_at_id].append(action)
    return by_item


def minutes_context(user, meeting: Meeting) -> dict:
    """What the minutes of `meeting` show to `user` (PermissionDenied if they may not see the meeting).

    `records` lists the marked records shown (the meeting, its cases and their actions), for the caller to
    put the reads of the sensitive ones on the audit chain (audit.log.record_reads)."""
    may_see(user, meeting)
    attendees, agencies = _attendees(meeting)
    items = list(meeting.items.filter(case__in=Case.objects.restrict(user))
                 .select_related("case", "case__subject").order_by("position", "pk"))
    decisions, actions = _decisions(items), _actions(user, items)
    agenda = []
    for number, item in enumerate(items, start=1):
        case = item.case
        agenda.append({
            "number": number, "reference": case.reference, "subject": str(case.subject),
            "state": case.state_label, "risk_level": case.get_risk_level_display(), "marking": case.marking,
            "discussion": item.discussion, "decisions": decisions[str(item.pk)],
            "actions": [{"title": action.title, "heading": action.heading, "assignee": action.assignee.name,
                         "due": action.due, "status": action.get_status_display(),
                         "overdue_days": action.overdue_days}
                        for action in actions[item.pk]],
        })
    return {
        "meeting": meeting, "title": meeting.title, "when": when_text(meeting.starts_at, meeting.ends_at),
        "location": meeting.location, "chair": person_name(meeting.chair), "status": meeting.get_status_display(),
        # The document carries the strictest marking of all it shows, not only the meeting's own.
        "marking": strictest_marking([meeting, *(item.case for item in items),
                                      *(a for item in items for a in actions[item.pk])]),
        "handling": meeting.handling, "fictitious": meeting.fictitious,
        "attendees": attendees, "agencies": agencies, "agenda": agenda,
        "generated": dateformat.format(local(timezone.now()), "j F Y H:i"), "generated_for": person_name(user),
        "records": [meeting, *(item.case for item in items), *(a for item in items for a in actions[item.pk])],
    }


def render_html(context: dict) -> str:
    return render_to_string("casework/minutes.html", context)


def render_pdf(context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The template is self-contained: nothing is fetched, from the network or the disk.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=render_html(context), base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()


def minutes_html(user, meeting: Meeting) -> str:
    return render_html(minutes_context(user, meeting))


def minutes_pdf(user, meeting: Meeting) -> bytes:
    """The minutes as a PDF. A view that audits the reads renders `minutes_context` with `render_pdf` instead,
    so it has the context's `records` to hand to audit.log.record_reads."""
    return render_pdf(minutes_context(user, meeting))
