"""Missing persons' vocabularies (policing-methods.md 2.8): an episode's life, the risk continuum, where a person
went missing from, how they were found, the risk indicators recorded on a report, and the carers' protocol forms."""

from django.db import models


class State(models.TextChoices):
    MISSING = "missing", "Missing"
    FOUND = "found", "Found: return interview due"
    CLOSED = "closed", "Closed"


# An episode is live while the person is missing and until the return interview is done.
OPEN_STATES = frozenset({State.MISSING, State.FOUND})


class Grade(models.TextChoices):
    """The continuum of risk in the College of Policing's APP, lowest first."""

    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


GRADE_ORDER = [Grade.VERY_LOW, Grade.LOW, Grade.MEDIUM, Grade.HIGH]

GRADE_MEANINGS = {
    Grade.VERY_LOW: "No apparent risk of harm to the subject or the public.",
    Grade.LOW: "The risk of harm to the subject or the public is possible but minimal.",
    Grade.MEDIUM: "The risk of harm is likely but not serious.",
    Grade.HIGH: "The risk of serious harm is very likely: immediate deployment and senior oversight.",
}


class FromKind(models.TextChoices):
    HOME = "home", "Home"
    CARE = "care", "Care placement"
    HOSPITAL = "hospital", "Hospital"
    SCHOOL = "school", "School"
    OTHER = "other", "Elsewhere"


class FoundHow(models.TextChoices):
    BY_POLICE = "by_police", "Found by police"
    RETURNED = "returned", "Returned of their own accord"
    ELSEWHERE = "elsewhere", "Found elsewhere (by another agency or a member of the public)"
    DEAD = "dead", "Found dead"


class Indicator(models.TextChoices):
    """What the report and the risk information show about the person; each weighs in the vulnerability score."""

    LOOKED_AFTER = "looked_after", "Looked-after child"
    CSE = "cse", "Indicators of child sexual exploitation"
    CCE = "cce", "Indicators of child criminal exploitation"
    MENTAL_HEALTH = "mental_health", "Mental health"
    DEMENTIA = "dementia", "Dementia"
    SUBSTANCE = "substance", "Substance misuse"
    RISK_TO_OTHERS = "risk_to_others", "A risk to others"


class ProtocolKind(models.TextChoices):
    HERBERT = "herbert", "Herbert Protocol (a vulnerable adult with dementia)"
    PHILOMENA = "philomena", "Philomena Protocol (a looked-after child)"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted: referred to the risk panel"
    DECLINED = "declined", "Declined"
