"""The people register's vocabularies."""

from django.db import models


class NameKind(models.TextChoices):
    BIRTH = "birth", "Birth name"
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname"
    MARRIED = "married", "Married name"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    UNKNOWN = "unknown", "Not known"


class SelfDefinedEthnicity(models.TextChoices):
    """The 16+1 self-defined ethnicity codes (the 2001 Census categories police forces record)."""

    W1 = "W1", "White - British"
    W2 = "W2", "White - Irish"
    W9 = "W9", "White - any other White background"
    M1 = "M1", "Mixed - White and Black Caribbean"
    M2 = "M2", "Mixed - White and Black African"
    M3 = "M3", "Mixed - White and Asian"
    M9 = "M9", "Mixed - any other mixed background"
    A1 = "A1", "Asian - Indian"
    A2 = "A2", "Asian - Pakistani"
    A3 = "A3", "Asian - Bangladeshi"
    A9 = "A9", "Asian - any other Asian background"
    B1 = "B1", "Black - Caribbean"
    B2 = "B2", "Black - African"
    B9 = "B9", "Black - any other Black background"
    O1 = "O1", "Other - Chinese"
    O9 = "O9", "Other - any other ethnic group"
    NS = "NS", "Not stated"


class OfficerDefinedEthnicity(models.TextChoices):
    """The six-way officer-defined identity codes (IC1-IC6), and none recorded."""

    IC1 = "IC1", "IC1 White - North European"
    IC2 = "IC2", "IC2 White - South European"
    IC3 = "IC3", "IC3 Black"
    IC4 = "IC4", "IC4 Asian"
    IC5 = "IC5", "IC5 Chinese, Japanese or South-East Asian"
    IC6 = "IC6", "IC6 Arab or North African"
    IC0 = "IC0", "Not recorded"


class IdentifierKind(models.TextChoices):
    PNC = "pnc", "PNC id"
    CRO = "cro", "CRO number"
    NHS = "nhs", "NHS number"
    PASSPORT = "passport", "Passport"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    CUSTODY = "custody", "Custody number"


class FlagKind(models.TextChoices):
    """Warning markers. Each has a date, a source and a review date (people.models.Flag)."""

    WEAPONS = "weapons", "Weapons"
    VIOLENCE = "violence", "Violence"
    DRUGS = "drugs", "Drugs"
    GANG = "gang", "Gang association"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SELF_HARM = "self_harm", "Self-harm"
    DA_PERPETRATOR = "da_perpetrator", "Domestic-abuse perpetrator"
    REPEAT_VICTIM = "repeat_victim", "Repeat victim"
    MAPPA = "mappa", "MAPPA"
    PDP = "pdp", "Potentially dangerous person"
    MISSING_HISTORY = "missing_history", "Missing person history"
    CHILD_AT_RISK = "child_at_risk", "Child at risk"
    FOREIGN_NATIONAL_OFFENDER = "fno", "Foreign national offender"


class MappaCategory(models.IntegerChoices):
    REGISTERED_SEX_OFFENDER = 1, "Category 1: registered sexual offender"
    VIOLENT_OFFENDER = 2, "Category 2: violent offender"
    OTHER_DANGEROUS = 3, "Category 3: other dangerous offender"


class MappaLevel(models.IntegerChoices):
    ORDINARY = 1, "Level 1: ordinary agency management"
    MULTI_AGENCY = 2, "Level 2: active multi-agency management"
    SENIOR = 3, "Level 3: multi-agency, senior oversight"


class CrimeRoleKind(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    CHARGED = "charged", "Offender (charged)"
    CONVICTED = "convicted", "Offender (convicted)"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    REPORTING = "reporting", "Reporting person"


OFFENDER_ROLES = frozenset({CrimeRoleKind.SUSPECT, CrimeRoleKind.CHARGED, CrimeRoleKind.CONVICTED})


class PersonLinkKind(models.TextChoices):
    ASSOCIATE = "associate", "Associate"
    FAMILY = "family", "Family"
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    CO_OFFENDER = "co_offender", "Co-offender"
    GANG = "gang", "Gang"


class PlaceLinkKind(models.TextChoices):
    HOME = "home", "Home"
    FREQUENTS = "frequents", "Frequents"
    PREMISES = "premises", "Premises"


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    TENTATIVE = "tentative", "Tentative"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a decision"
    SAME = "same", "Same person"
    NOT_SAME = "not_same", "Not the same"
    UNSURE = "unsure", "Unsure"
