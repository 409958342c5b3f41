"""Panel meetings as an RFC 5545 calendar (ICS), for Outlook, phones and the like.

A calendar leaves vcdhub: it is synchronised to mail servers and phones that vcdhub's access rules do not
reach, and it is forwarded. So it carries only what says when and where a panel sits: the meeting's title,
times, place, status and revision, and how many cases are on its agenda. It never carries a case reference, a
subject's name, a discussion, a decision, an action or an attendee's name; the agenda and the minutes are in
vcdhub, where they are read under its access rules. (A meeting's title and location are written for the
calendar: they name the panel and the room, never a person.)
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar, Event

from vcdhub.casework.choices import MeetingStatus
from vcdhub.casework.models import AgendaItem, Case, Meeting

PRODID = "-//vcdhub//panel meetings//EN"
CALENDAR_NAME = "vcdhub panel meetings"
STATUS = {MeetingStatus.PLANNED: "CONFIRMED", MeetingStatus.HELD: "CONFIRMED", MeetingStatus.CANCELLED: "CANCELLED"}


def _utc(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):  # never stored so (USE_TZ); read as the force's local time if it were
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


def agenda_counts(meetings: list[Meeting], user=None) -> dict[int, int]:
    """The number of cases on each meeting's agenda, in one query: all of them, or, given a user, only the
    cases that user may see (so the calendar never tells a reader of more cases than the minutes show)."""
    items = AgendaItem.objects.filter(meeting__in=[m.pk for m in meetings])
    if user is not None:
        items = items.filter(case__in=Case.objects.restrict(user))
    return dict(items.order_by().values("meeting").annotate(n=Count("pk")).values_list("meeting", "n"))


def _description(cases: int) -> str:
    on_agenda = "No cases are" if cases == 0 else ("1 case is" if cases == 1 else f"{cases} cases are")
    return (f"{on_agenda} on the agenda. The agenda, the papers and the minutes are in vcdhub: "
            "read them there, not in this calendar.")


def meeting_event(meeting: Meeting, *, cases: int, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", STATUS.get(meeting.status, "TENTATIVE"))
    event.add("sequence", meeting.sequence)
    event.add("description", _description(cases))
    return event


def meetings_ics(meetings: Iterable[Meeting], *, now: dt.datetime | None = None, user=None) -> bytes:
    """An RFC 5545 calendar of `meetings` (already restricted to the reader), one VEVENT each.

    `now` is the DTSTAMP (default: the present moment), in UTC. `user`, when given, counts only the cases on
    each agenda that they may see; without it the count is of every case on the agenda."""
    meetings = list(meetings)
    stamp = _utc(now or timezone.now())
    counts = agenda_counts(meetings, user) if meetings else {}
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, cases=counts.get(meeting.pk, 0), stamp=stamp))
    return calendar.to_ical()
