"""Intelligence: graded reports, the protected identity of their sources, their links, their life cycle, and
every sharing of them.

A report, a source, the link between them, a dissemination (the originator's log of one sharing) and a shared
report (what the recipient unit holds) are each a marked record. A source and its links to reports are narrowed
further: only handlers in the source's own unit see them (`Source.visibility_limit`), whatever the rules and
grants say. A report's links and its life cycle steps belong to it and are read with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from vcdhub.access.choices import Role
from vcdhub.audit.changelog import ChangeLoggedModel
from vcdhub.intel.choices import (
    GRADES,
    Agency,
    Basis,
    LinkKind,
    ProposalStatus,
    RecipientKind,
    Scheme,
    State,
    Step,
    Version,
)
from vcdhub.platform.records import Record


class Source(Record):
    """Who supplied intelligence. The identity is the most restricted thing vcdhub holds: a report names its
    source only by reference, and only the source unit's handlers may open this record."""

    reference = models.CharField(max_length=40, unique=True, help_text="What reports cite, e.g. SRC-0042")
    name = models.CharField(max_length=200, help_text="The source's identity")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    notes = models.TextField(blank=True)
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests")

    class Meta(Record.Meta):
        verbose_name = "source"

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        if Role.SOURCE_HANDLER not in access.roles:
            return Q(pk__in=[])
        return Q(owner_unit_id__in=access.units)


class Report(Record):
    reference = models.CharField(max_length=40, unique=True)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    grading_scheme = models.CharField(max_length=6, choices=Scheme.choices, default=Scheme.THREE_FIVE_TWO)
    source_evaluation = models.CharField(max_length=1, blank=True)
    intelligence_assessment = models.CharField(max_length=1, blank=True)
    handling_code = models.CharField(max_length=1, blank=True)
    handling_conditions = models.TextField(blank=True)
    needs_sanitising = models.BooleanField(default=True, help_text="Only a sanitised version may be shared")
    text = models.TextField(help_text="The original, as the submitter wrote it")
    sanitised_text = models.TextField(blank=True, help_text="Without the source or anything that could identify them")
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey("geography.Lsoa", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fictitious = models.BooleanField(default=False, help_text="Generated for the demo or the tests")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(Record.Meta):
        verbose_name = "intelligence report"
        indexes = [models.Index(fields=["state"]), models.Index(fields=["submitted_at"])]

    def __str__(self) -> str:
        return f"{self.reference} ({self.grade})" if self.is_graded else self.reference

    @property
    def is_graded(self) -> bool:
        return bool(self.source_evaluation and self.intelligence_assessment and self.handling_code)

    @property
    def grade(self) -> str:
        """As each scheme writes it: "1-B-P" (3x5x2) or "B24" (5x5x5); "ungraded" before grading."""
        if not self.is_graded:
            return "ungraded"
        parts = (self.source_evaluation, self.intelligence_assessment, self.handling_code)
        return "-".join(parts) if self.grading_scheme == Scheme.THREE_FIVE_TWO else "".join(parts)

    def search_text(self) -> str:
        """What full-text search reads (platform.fulltext): the reference, both texts, and linked vehicles,
        phones, crimes and addresses."""
        values = list(self.links.exclude(value="").values_list("value", flat=True)) if self.pk else []
        return " ".join([self.reference, self.text, self.sanitised_text, *values])

    def grade_meanings(self) -> list[tuple[str, str, str]]:
        """(what, code, meaning) for each part of the grade, under the report's own scheme."""
        grades = GRADES.get(self.grading_scheme, {})
        labels = {"source_evaluation": "Source evaluation", "intelligence_assessment": "Intelligence assessment",
                  "handling_code": "Handling code"}
        return [(labels[field], getattr(self, field), dict(grades.get(field, ())).get(getattr(self, field), ""))
                for field in labels if getattr(self, field)]


class SourceLink(Record):
    """Which source a report came from. A record of its own, owned and marked as its source and seen only by
    that source's handlers: a report's readers (and its change log) never learn which reports share a source."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="source_link")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="links")

    class Meta(Record.Meta):
        verbose_name = "source link"

    def __str__(self) -> str:
        return f"{self.report.reference} from {self.source.reference}"

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        return Source.visibility_limit(user, access)


class ReportLink(ChangeLoggedModel):
    """What a report is about: a person on the register, a crime (its police.uk Crime ID), a vehicle, a phone,
    another report, or an address."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    other_report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=200, blank=True, help_text="A Crime ID, registration, number or address")

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value or self.person_id or self.other_report_id}"


class ReportStep(models.Model):
    """One step of a report's life: who took it, when, why, and the state it left the report in. Written once;
    the audit chain holds the same step."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=12, choices=Step.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(max_length=200, help_text="As the audit chain names the actor")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_step_display()} at {self.at:%Y-%m-%d %H:%M}"


class Dissemination(Record):
    """The originator's log of one sharing: to whom, when, by whom, which version, under which handling code.
    It carries the report's owning unit and marking, so whoever may read the report may read its log."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="disseminations")
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient_unit = models.ForeignKey("access.Unit", to_field="code", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    recipient_agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    version = models.CharField(max_length=10, choices=Version.choices)
    grade = models.CharField(max_length=8, help_text="The grade when it was shared")
    handling_code = models.CharField(max_length=1)
    handling_conditions = models.TextField(blank=True)
    text = models.TextField(help_text="What went out")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    shared_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta(Record.Meta):
        verbose_name = "dissemination"
        ordering = ["-shared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report.reference} to {self.recipient}"

    @property
    def recipient(self) -> str:
        if self.recipient_kind == RecipientKind.AGENCY:
            return self.get_recipient_agency_display()
        return str(self.recipient_unit) if self.recipient_unit_id else ""


class SharedReport(Record):
    """What a recipient unit holds after a sharing: the version that went out, its grade and handling code, in
    the recipient's own records. The original and its source stay with the originator."""

    dissemination = models.OneToOneField(Dissemination, on_delete=models.PROTECT, related_name="copy")
    reference = models.CharField(max_length=40)
    from_unit = models.ForeignKey("access.Unit", to_field="code", on_delete=models.PROTECT, related_name="+")
    grading_scheme = models.CharField(max_length=6, choices=Scheme.choices)
    grade = models.CharField(max_length=8)
    handling_code = models.CharField(max_length=1)
    handling_conditions = models.TextField(blank=True)
    text = models.TextField()
    received_at = models.DateTimeField()

    class Meta(Record.Meta):
        verbose_name = "shared report"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.grade}) from {self.from_unit_id}"

    def search_text(self) -> str:
        return f"{self.reference} {self.text}"


class LinkProposal(Record):
    """A link between two people that the system proposes from shared evidence. It stays a proposal until a
    person decides; a confirmation is an audited decision and makes the person-to-person link. It carries the
    owning unit and marking of its evidence, and is shown only to those who may see both people too."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=16, choices=Basis.choices)
    evidence = models.CharField(max_length=300, help_text="What the two share")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    link = models.ForeignKey("people.PersonLink", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text="The link a confirmation made")

    class Meta(Record.Meta):
        verbose_name = "link proposal"
        constraints = [models.UniqueConstraint(fields=["person", "other", "basis", "evidence"],
                                               name="intel_proposal_once")]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.person} and {self.other}"

    @classmethod
    def visibility_limit(cls, user, access) -> Q:
        """A proposal names two people: it is seen only by those who may see both."""
        from vcdhub.access.policy import visible
        from vcdhub.people.models import Person

        people = visible(user, Person)
        return Q(person__in=people) & Q(other__in=people)
