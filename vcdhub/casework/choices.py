"""The case-work core's vocabularies: risk levels (which set the review cadence), action status, meetings."""

from django.db import models


class RiskLevel(models.TextChoices):
    """Risk of serious harm as OASys grades it (policing-methods.md 2.7), lowest first."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH]


def highest(levels) -> str:
    """The highest of some risk levels ("" when none is given)."""
    given = [level for level in levels if level in RISK_ORDER]
    return max(given, key=RISK_ORDER.index) if given else ""


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class LinkKind(models.TextChoices):
    REPORT = "report", "Intelligence report"
    CRIME = "crime", "Crime"
