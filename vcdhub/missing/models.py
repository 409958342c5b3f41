"""What a missing-person episode records beyond the case-work core. One episode is one report of a person missing
(the core's `casework.Case`, kind "missing", about a person on the register); these are its parts, read with it
and changed only through missing.actions. The case carries the marking.

- `Episode`: the report, where from, last seen, the present risk grade and when its review and supervision fall
  due, and the find and the return interview.
- `GradeChange`: every grading, the first included, with its rationale (each regrade is also a workflow step).
- `InfoItem`: the risk-information log. Never edited: a correction is a new item naming the one it corrects.
- `Review`: each review of the risk while the person is missing (a supervisor's is also the supervision).
- `ProtocolForm`: a Herbert or Philomena Protocol form handed over by carers: what it held, when and by whom.
- `Proposal`: repeat episodes met a threshold, so a referral to the risk panel is proposed, to be accepted or
  declined by a person.
"""

from django.conf import settings
from django.db import models

from vcdhub.audit.changelog import ChangeLoggedModel
from vcdhub.missing.choices import FoundHow, FromKind, Grade, ProposalStatus, ProtocolKind


class Episode(ChangeLoggedModel):
    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="missing_episode")
    reported_at = models.DateTimeField()
    reported_by = models.CharField(max_length=150, help_text="Who reported the person missing: name and relationship")
    reporter_contact = models.CharField(max_length=150, blank=True)
    from_kind = models.CharField(max_length=10, choices=FromKind.choices)
    from_place = models.CharField(max_length=200, help_text="The home, placement, hospital or school: name, address")
    from_postcode = models.CharField(max_length=16, blank=True, help_text="Normalised: upper case, one space")
    from_longitude = models.FloatField(null=True, blank=True)
    from_latitude = models.FloatField(null=True, blank=True)
    placement_key = models.CharField(max_length=240, blank=True, db_index=True, editable=False,
                                     help_text="The care placement, normalised, so its episodes group together")
    last_seen_at = models.DateTimeField()
    last_seen_place = models.CharField(max_length=200, blank=True)
    last_seen_longitude = models.FloatField(null=True, blank=True)
    last_seen_latitude = models.FloatField(null=True, blank=True)
    age_at_report = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     help_text="From the register's date of birth (None: not known)")
    indicators = models.JSONField(default=list, blank=True, help_text="missing.choices.Indicator codes")
    grade = models.CharField(max_length=10, choices=Grade.choices)
    graded_at = models.DateTimeField()
    grade_rationale = models.TextField()
    reviewed_at = models.DateTimeField(help_text="The last review of the risk (a grading counts as one)")
    supervised_at = models.DateTimeField(help_text="The last supervisor's review")
    next_review_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_supervision_at = models.DateTimeField(null=True, blank=True, db_index=True)
    found_at = models.DateTimeField(null=True, blank=True)
    found_how = models.CharField(max_length=10, choices=FoundHow.choices, blank=True)
    found_place = models.CharField(max_length=200, blank=True)
    found_longitude = models.FloatField(null=True, blank=True)
    found_latitude = models.FloatField(null=True, blank=True)
    found_note = models.TextField(blank=True, help_text="The circumstances")
    interview_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_by = models.CharField(max_length=150, blank=True)
    interview_summary = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["reported_at"])]

    def __str__(self) -> str:
        return f"Episode {self.case}"

    @property
    def overdue_now(self) -> str:
        """What is overdue on the episode now, in words ("" when nothing is)."""
        from vcdhub.missing.timing import overdue

        return "; ".join(overdue(self, self.case.state))

    @property
    def is_child(self) -> bool:
        return self.age_at_report is not None and self.age_at_report < 18


class GradeChange(ChangeLoggedModel):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="missing_grades")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    from_grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    to_grade = models.CharField(max_length=10, choices=Grade.choices)
    rationale = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_grade or 'graded'} -> {self.to_grade} at {self.at:%Y-%m-%d %H:%M}"


class InfoItem(ChangeLoggedModel):
    """One item of risk information, as the APP asks: who supplied it and their contact, when it was obtained,
    and who recorded it. Saved once; never changed."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="missing_info")
    text = models.TextField()
    supplied_by = models.CharField(max_length=150)
    supplier_contact = models.CharField(max_length=150, blank=True)
    obtained_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")

    class Meta:
        ordering = ["obtained_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: information from {self.supplied_by} at {self.obtained_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:  # the log is a record of what was known when: corrections are new items
            raise ValueError("An item of the risk-information log is never changed; record a correction.")
        super().save(*args, **kwargs)


class Review(ChangeLoggedModel):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="missing_reviews")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    by_supervisor = models.BooleanField(default=False)
    summary = models.TextField()
    grade = models.CharField(max_length=10, choices=Grade.choices, help_text="The grade the review left")
    was_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: review at {self.at:%Y-%m-%d %H:%M}"


class ProtocolForm(ChangeLoggedModel):
    """A carers' protocol form handed over when the person went missing. Police do not keep the form itself:
    this records what it held."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="missing_protocols")
    kind = models.CharField(max_length=10, choices=ProtocolKind.choices)
    given_by = models.CharField(max_length=150, help_text="Who handed it over: name and role")
    given_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    photo = models.BooleanField(default=False, help_text="It held a recent photograph")
    description = models.TextField(blank=True, help_text="Description, routines, vulnerabilities")
    medical = models.TextField(blank=True, help_text="Medication and medical needs")
    contacts = models.TextField(blank=True, help_text="Phone numbers, social media, transport")
    places = models.TextField(blank=True, help_text="Places frequented, previous addresses, where found before")
    associates = models.TextField(blank=True)

    class Meta:
        ordering = ["given_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} form for {self.case}"


class Proposal(ChangeLoggedModel):
    """A referral to the risk panel that repeat episodes propose. `episodes` are the cases the rule counted."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="missing_proposals")
    proposed_at = models.DateTimeField()
    rule = models.CharField(max_length=200, help_text="The threshold met, in words")
    episodes = models.JSONField(default=list, help_text="The ids of the episodes' cases the rule counted")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    ramp_case = models.ForeignKey("casework.Case", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"Referral proposal for {self.case}"
