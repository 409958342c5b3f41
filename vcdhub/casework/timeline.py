"""A case's timeline: its steps, the panel's decisions, its actions (set and closed), its reviews, journal notes
and links to intelligence and crimes, newest first, each as the reader may see it. A module adds its own entries
(a risk assessment, a plan) as `Entry` objects."""

import datetime as dt
from dataclasses import dataclass

from vcdhub.audit.models import Decision
from vcdhub.casework.models import Case, CaseAction, Meeting
from vcdhub.platform.models import JournalEntry
from vcdhub.platform.workflow import IllegalTransition


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # "step", "decision", "action", "review", "note", "link", or the module's own
    title: str
    detail: str = ""
    who: str = ""
    url: str = ""


def _step_title(workflow, name: str) -> str:
    if name == "open":
        return "Opened"
    try:
        return workflow.transition(name).label
    except IllegalTransition:
        return name


def decisions_for(case: Case, user=None) -> list[Decision]:
    """The decisions on the case and on its agenda items (the panel's) at meetings `user` may see, oldest first."""
    items = case.agenda_items.all()
    if user is not None:
        items = items.filter(meeting__in=Meeting.objects.restrict(user))
    item_ids = [str(pk) for pk in items.values_list("pk", flat=True)]
    on_case = Decision.objects.filter(object_type="casework.case", object_id=str(case.pk))
    on_items = Decision.objects.filter(object_type="casework.agendaitem", object_id__in=item_ids)
    return sorted([*on_case, *on_items], key=lambda d: d.decided_at)


def timeline(user, case: Case, *, extra=(), actions=None, links=None) -> list[Entry]:
    """Every entry about `case` the user may see, newest first. `actions` and `links`: those already read for
    the page (the user's visible ones), so they are not read twice."""
    workflow = case.case_kind.workflow
    entries = [Entry(step.at, "step", _step_title(workflow, step.step), step.reason,
                     str(step.actor or step.actor_name)) for step in case.steps.select_related("actor")]
    entries += [Entry(d.decided_at, "decision", d.summary, f"{d.action_taken} Review by {d.review_date:%Y-%m-%d}.",
                      str(d.decided_by)) for d in decisions_for(case, user)]
    if actions is None:
        actions = list(CaseAction.objects.restrict(user).filter(case=case).select_related("assignee", "set_by"))
    for action in actions:
        entries.append(Entry(action.set_at, "action", f"Action set: {action.title}",
                             f"{action.assignee.name}, due {action.due:%Y-%m-%d}", str(action.set_by or "")))
        if action.closed_at:
            entries.append(Entry(action.closed_at, "action", f"Action {action.get_status_display().lower()}: "
                                 f"{action.title}", action.result, str(action.closed_by or "")))
    entries += [Entry(review.reviewed_at, "review", "Reviewed", review.summary, str(review.reviewed_by or ""))
                for review in case.reviews.select_related("reviewed_by")]
    entries += [Entry(note.created_at, "note", f"Journal: {note.get_kind_display().lower()}", note.text,
                      str(note.author)) for note in JournalEntry.objects.for_record(case).select_related("author")]
    for link in links or []:
        entries.append(Entry(link.added_at, "link", f"Linked: {link.get_kind_display().lower()}",
                             link.report.reference if link.report_id else link.crime_ref))
    entries += list(extra)
    return sorted(entries, key=lambda e: e.at, reverse=True)
