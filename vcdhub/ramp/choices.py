"""The risk panels' vocabularies: the life cycle of a case, who a referral is about, the groups at risk, the
four pillars of a risk management plan, and MAPPA's categories and levels (policing-methods.md 2.7)."""

from django.db import models


class State(models.TextChoices):
    REFERRED = "referred", "Referred, awaiting screening"
    ASSESSMENT = "assessment", "Risk assessment"
    PANEL = "panel", "Listed for panel"
    MANAGED = "managed", "Managed under a risk management plan"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined at screening"
    MAPPA = "mappa", "Under MAPPA management"


OPEN_STATES = frozenset({State.REFERRED, State.ASSESSMENT, State.PANEL, State.MANAGED})


class SubjectType(models.TextChoices):
    OFFENDER = "offender", "A potentially dangerous person (offender, unconvicted)"
    VULNERABLE = "vulnerable", "A vulnerable person"


class RiskGroup(models.TextChoices):
    """The groups a risk of serious harm is graded for, each separately."""

    PUBLIC = "public", "The public"
    KNOWN_ADULT = "known_adult", "A known adult"
    CHILDREN = "children", "Children"
    STAFF = "staff", "Staff"
    SELF = "self", "The subject themself"


class Pillar(models.TextChoices):
    """The four pillars of a risk management plan."""

    SUPERVISION = "supervision", "Supervision"
    MONITORING = "monitoring", "Monitoring and control"
    INTERVENTIONS = "interventions", "Interventions and treatment"
    VICTIM_SAFETY = "victim_safety", "Victim safety planning"


class MappaCategory(models.IntegerChoices):
    REGISTERED_SEX_OFFENDER = 1, "1: registered sexual offender"
    VIOLENT_OFFENDER = 2, "2: violent offender (12 months or more) and other sexual offenders"
    OTHER_DANGEROUS = 3, "3: other dangerous offender"
    TERRORISM = 4, "4: terrorist and terrorism-risk offender"


class MappaLevel(models.IntegerChoices):
    ORDINARY = 1, "1: ordinary agency management"
    ACTIVE = 2, "2: active multi-agency management"
    SENIOR = 3, "3: active multi-agency management with senior oversight"
