"""The intelligence module's vocabularies: the grading schemes, the life cycle and the recipients."""

from django.db import models


class Scheme(models.TextChoices):
    THREE_FIVE_TWO = "3x5x2", "3x5x2 (College of Policing APP)"
    FIVE_FIVE_FIVE = "5x5x5", "5x5x5 (legacy, before 2016)"


# Each scheme's grades as (code, meaning), in the order the scheme writes them. Kept apart, never converted.
GRADES = {
    Scheme.THREE_FIVE_TWO: {
        "source_evaluation": (("1", "Reliable"), ("2", "Untested"), ("3", "Not reliable")),
        "intelligence_assessment": (
            ("A", "Known directly to the source"),
            ("B", "Known indirectly to the source but corroborated"),
            ("C", "Known indirectly to the source"),
            ("D", "Not known"),
            ("E", "Suspected to be false")),
        "handling_code": (
            ("P", "Lawful sharing permitted"),
            ("C", "Lawful sharing permitted with conditions")),
    },
    Scheme.FIVE_FIVE_FIVE: {
        "source_evaluation": (
            ("A", "Always reliable"), ("B", "Mostly reliable"), ("C", "Sometimes reliable"),
            ("D", "Unreliable"), ("E", "Untested source")),
        "intelligence_assessment": (
            ("1", "Known to be true without reservation"),
            ("2", "Known personally to source but not to officer"),
            ("3", "Not known personally to source but corroborated"),
            ("4", "Cannot be judged"),
            ("5", "Suspected to be false or malicious")),
        "handling_code": (
            ("1", "May be disseminated to other law-enforcement and prosecuting agencies"),
            ("2", "May be disseminated to UK non-prosecuting parties"),
            ("3", "May be disseminated to non-EEA law-enforcement agencies (special conditions)"),
            ("4", "Only within the originating agency"),
            ("5", "No further dissemination: refer to the originator")),
    },
}
GRADE_FIELDS = ("source_evaluation", "intelligence_assessment", "handling_code")


class State(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned to the submitter"
    REVIEWED = "reviewed", "Reviewed"
    GRADED = "graded", "Graded"
    SANITISED = "sanitised", "Sanitised"
    DISSEMINATED = "disseminated", "Disseminated"


class Step(models.TextChoices):
    SUBMIT = "submit", "Submitted"
    RETURN = "return", "Returned for more detail"
    RESUBMIT = "resubmit", "Resubmitted"
    REVIEW = "review", "Reviewed"
    GRADE = "grade", "Graded"
    SANITISE = "sanitise", "Sanitised"
    DISSEMINATE = "disseminate", "Disseminated"
    IMPORT = "import", "Imported"


class LinkKind(models.TextChoices):
    PERSON = "person", "Person"
    CRIME = "crime", "Crime"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone number"
    REPORT = "report", "Another report"
    ADDRESS = "address", "Address"


class RecipientKind(models.TextChoices):
    UNIT = "unit", "A unit"
    BOROUGH = "borough", "A borough"
    AGENCY = "agency", "A partner agency"


class Agency(models.TextChoices):
    PROBATION = "probation", "Probation Service"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    IMMIGRATION = "immigration", "Immigration Enforcement"
    OTHER_FORCE = "other_force", "Another police force"
    VOLUNTARY = "voluntary", "A voluntary service"


class Version(models.TextChoices):
    ORIGINAL = "original", "The original"
    SANITISED = "sanitised", "The sanitised version"


class Basis(models.TextChoices):
    """Why the system proposes that two people are linked."""

    CO_OFFENDING = "co_offending", "Suspects or offenders in the same crime"
    NAMED_TOGETHER = "named_together", "Named together in a report"
    SHARED_VEHICLE = "shared_vehicle", "Reports name them with the same vehicle"
    SHARED_PHONE = "shared_phone", "Reports name them with the same phone"
    SHARED_ADDRESS = "shared_address", "The same address"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a decision"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
