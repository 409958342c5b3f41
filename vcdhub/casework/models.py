"""The case-work core: cases about a person on the register, their life cycle, the actions assigned to units
and partner agencies, reviews, and the meetings that discuss them. Risk panels (RAMP), missing persons, MARAC,
deportee arrivals and cold cases are case-work modules: each declares its kind of case (`casework.kinds`) and
keeps its own details in its own tables, one-to-one with the core's case.

A case and an action are marked records. A case is seen only with its subject (nobody learns from a case
whom it is about unless they may see that person). A case's steps, reviews, links and agenda items are parts
of it, read with it. An action is seen with its case, and also by the unit or agency it is assigned to, which
sees the action and nothing else of the case (`CaseAction.visibility_also`).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vcdhub.access.policy import visible
from vcdhub.audit.changelog import ChangeLoggedModel
from vcdhub.casework.choices import ActionStatus, LinkKind, MeetingStatus, RiskLevel
from vcdhub.platform.records import Record


def today() -> dt.date:
    """Today in the force's time zone (settings.TIME_ZONE): due dates are calendar days there, so an action
    due on the day the clocks change is overdue from local midnight, not from a UTC one."""
    return timezone.localdate()


def days_overdue(due: dt.date | None, on: dt.date | None = None) -> int:
    """Whole calendar days past `due` (0 when not yet overdue, or with no due date)."""
    if due is None:
        return 0
    return max(((on or today()) - due).days, 0)


class Case(Record):
    kind = models.CharField(max_length=20, help_text="The module the case belongs to (casework.kinds)")
    reference = models.CharField(max_length=40, unique=True)
    subject = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=30)
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    state_since = models.DateTimeField(help_text="When the case entered its present state")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(Record.Meta):
        verbose_name = "case"
        indexes = [models.Index(fields=["kind", "state"]), models.Index(fields=["next_review_due"])]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        from vcdhub.people.models import Person

        return Q(subject__in=visible(user, Person))

    @property
    def case_kind(self):
        from vcdhub.casework.kinds import kind

        return kind(self.kind)

    @property
    def state_label(self) -> str:
        return self.case_kind.workflow.label(self.state)

    @property
    def is_open(self) -> bool:
        return self.state in self.case_kind.open_states

    @property
    def review_overdue_days(self) -> int:
        return days_overdue(self.next_review_due) if self.is_open else 0


class CaseStep(ChangeLoggedModel):
    """One step in a case's life cycle: who took it, when, from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=30)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.step} at {self.at:%Y-%m-%d %H:%M}"


class CaseLink(ChangeLoggedModel):
    """What a case rests on: an intelligence report, or a crime by its police.uk Crime ID."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    report = models.ForeignKey("intel.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    crime_ref = models.CharField(max_length=64, blank=True, help_text="The crime's Crime ID")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]
        # A conditional constraint's refusal has no code of its own: "unique" makes it a duplicate, as
        # Django's unconditional ones are (platform.actions.check_and_save).
        constraints = [models.UniqueConstraint(fields=["case", "report"], condition=Q(report__isnull=False),
                                               name="casework_link_report_once", violation_error_code="unique",
                                               violation_error_message="The case is linked to that report already."),
                       models.UniqueConstraint(fields=["case", "crime_ref"], condition=~Q(crime_ref=""),
                                               name="casework_link_crime_once", violation_error_code="unique",
                                               violation_error_message="The case is linked to that crime already.")]

    def __str__(self) -> str:
        return f"{self.case}: {self.report or self.crime_ref}"


class Meeting(Record):
    """A panel meeting: its date, chair, attendees and agencies, and an agenda of cases."""

    kind = models.CharField(max_length=20, help_text="The module whose panel meets (casework.kinds)")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    uid = models.CharField(max_length=80, unique=True, help_text="The calendar's id for the meeting (ICS UID)")
    sequence = models.PositiveIntegerField(default=0, help_text="The calendar's revision of the meeting")
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests")

    class Meta(Record.Meta):
        verbose_name = "panel meeting"
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Attendee(ChangeLoggedModel):
    """Someone at a meeting, and the unit or agency they speak for."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=150)
    unit = models.ForeignKey("access.Unit", to_field="code", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text="The unit or partner agency they represent")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. chair, minute taker, probation officer")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    present = models.BooleanField(null=True, blank=True, help_text="Recorded when the meeting is held")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class AgendaItem(ChangeLoggedModel):
    """A case on a meeting's agenda, and what the panel said about it. Seen with both its meeting and case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    discussion = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="casework_case_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.case} at {self.meeting}"


class CaseAction(Record):
    """Something a unit, a borough or a partner agency is to do for a case, by a date; when done, its result.

    Marked as its case (owner and marking copied when it is set). Seen with its case, and by the members of
    the unit it is assigned to, who see the action and nothing else of the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    heading = models.CharField(max_length=40, blank=True,
                               help_text="The module's grouping: a risk management plan's pillar")
    assignee = models.ForeignKey("access.Unit", to_field="code", on_delete=models.PROTECT, related_name="+",
                                 help_text="The unit, borough or partner agency that does it")
    due = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    result = models.TextField(blank=True)
    agreed_at = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
                                  help_text="The meeting item that agreed it")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests")

    class Meta(Record.Meta):
        verbose_name = "case action"
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["assignee", "status", "due"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.assignee_id}, due {self.due:%Y-%m-%d})"

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        return Q(case__in=visible(user, Case))

    @classmethod
    def visibility_also(cls, user, access) -> Q:
        return Q(assignee_id__in=access.units) if access.units else Q(pk__in=[])

    @property
    def overdue_days(self) -> int:
        return days_overdue(self.due) if self.status == ActionStatus.OPEN else 0


class CaseReview(ChangeLoggedModel):
    """A review of a case: what was found, the risk level it left, and when the next review is due."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    was_due = models.DateField(null=True, blank=True)
    summary = models.TextField()
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    next_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: review {self.reviewed_at:%Y-%m-%d}"
