"""What a risk panel records about a case beyond the case-work core: the referral, each risk assessment (the
potentially dangerous person test and the risk of serious harm to each group), the risk management plan, and
an escalation to MAPPA. Each is a part of its case (casework.Case), read with it and changed through
ramp.actions; the case carries the marking."""

from django.conf import settings
from django.db import models

from vcdhub.audit.changelog import ChangeLoggedModel
from vcdhub.casework.choices import RiskLevel, highest
from vcdhub.ramp.choices import MappaCategory, MappaLevel, Pillar, RiskGroup, SubjectType


class Referral(ChangeLoggedModel):
    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="ramp_referral")
    subject_type = models.CharField(max_length=12, choices=SubjectType.choices)
    referred_by = models.CharField(max_length=150, help_text="Who referred: a name and role")
    referring_unit = models.ForeignKey("access.Unit", to_field="code", on_delete=models.PROTECT, related_name="+",
                                       help_text="The unit or partner agency the referral came from")
    referred_at = models.DateTimeField()
    basis = models.TextField(help_text="Why: what the intelligence and crimes linked to the case show")

    def __str__(self) -> str:
        return f"Referral of {self.case}"


GROUP_FIELDS = {RiskGroup.PUBLIC: "risk_public", RiskGroup.KNOWN_ADULT: "risk_known_adult",
                RiskGroup.CHILDREN: "risk_children", RiskGroup.STAFF: "risk_staff", RiskGroup.SELF: "risk_self"}


class RiskAssessment(ChangeLoggedModel):
    """One assessment (a case may be reassessed; the newest stands). The potentially dangerous person test is
    three answers and a rationale: would the feared offence cause serious harm; is it imminent; is it more
    likely than not. A person meets the test only when all three are yes. A vulnerable subject has no test."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="ramp_assessments")
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    pdp_serious_harm = models.BooleanField(null=True, blank=True,
                                           help_text="The feared offence would cause serious harm")
    pdp_imminent = models.BooleanField(null=True, blank=True, help_text="It is imminent")
    pdp_more_likely = models.BooleanField(null=True, blank=True,
                                          help_text="It is more likely than not to happen")
    pdp_rationale = models.TextField(blank=True)
    risk_public = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_known_adult = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_children = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_staff = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_self = models.CharField(max_length=10, choices=RiskLevel.choices)
    rosh_rationale = models.TextField(help_text="Why each group's risk of serious harm is graded as it is")

    class Meta:
        ordering = ["-assessed_at", "-pk"]

    def __str__(self) -> str:
        return f"Assessment of {self.case} on {self.assessed_at:%Y-%m-%d}"

    @property
    def has_pdp_test(self) -> bool:
        return self.pdp_serious_harm is not None

    @property
    def is_pdp(self) -> bool | None:
        """Whether the subject meets the potentially dangerous person test (None: not a test for this subject)."""
        if not self.has_pdp_test:
            return None
        return bool(self.pdp_serious_harm and self.pdp_imminent and self.pdp_more_likely)

    @property
    def overall(self) -> str:
        """The highest risk to any group: the case's risk level, which sets its review cadence."""
        return highest(getattr(self, name) for name in GROUP_FIELDS.values())

    def grades(self) -> list[tuple[str, str]]:
        """(group, level label) for each group, in order."""
        labels = dict(RiskLevel.choices)
        return [(group.label, labels.get(getattr(self, name), "")) for group, name in GROUP_FIELDS.items()]


PILLAR_FIELDS = {Pillar.SUPERVISION: "supervision", Pillar.MONITORING: "monitoring",
                 Pillar.INTERVENTIONS: "interventions", Pillar.VICTIM_SAFETY: "victim_safety"}


class Plan(ChangeLoggedModel):
    """The risk management plan the panel adopted: what each of the four pillars does. The actions under each
    pillar are case-work actions whose heading is the pillar."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="ramp_plans")
    adopted_at = models.DateTimeField()
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    agreed_at = models.ForeignKey("casework.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    supervision = models.TextField()
    monitoring = models.TextField()
    interventions = models.TextField()
    victim_safety = models.TextField()

    class Meta:
        ordering = ["-adopted_at", "-pk"]

    def __str__(self) -> str:
        return f"Plan for {self.case} adopted {self.adopted_at:%Y-%m-%d}"

    def pillars(self) -> list[tuple[str, str, str]]:
        """(pillar code, label, what it does) in order."""
        return [(pillar.value, pillar.label, getattr(self, name)) for pillar, name in PILLAR_FIELDS.items()]


class MappaEscalation(ChangeLoggedModel):
    """The case went to MAPPA: its category and level, who manages it there, and from when. RAMP then only
    reads it."""

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="ramp_mappa")
    category = models.PositiveSmallIntegerField(choices=MappaCategory.choices)
    level = models.PositiveSmallIntegerField(choices=MappaLevel.choices)
    manager = models.CharField(max_length=150, help_text="The MAPPA manager: name and agency")
    managed_from = models.DateField()

    def __str__(self) -> str:
        return f"{self.case}: MAPPA category {self.category}, level {self.level}"
