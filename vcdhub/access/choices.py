from django.db import models


class UnitKind(models.TextChoices):
    HQ = "hq", "Headquarters unit"
    BOROUGH = "borough", "Borough"
    DIRECTORATE = "directorate", "Directorate team"
    PARTNER = "partner", "Partner group"


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    TASKING_OFFICER = "tasking_officer", "Tasking officer"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    AUDITOR = "auditor", "Auditor"
    SOURCE_HANDLER = "source_handler", "Source handler"
    ADMINISTRATOR = "administrator", "Administrator"
    AUTHORITY_MEMBER = "authority_member", "Authority member (aggregate reports only)"
    # A partner agency's account: a member of its agency's unit that sees only the case-work actions assigned
    # to that unit (casework.CaseAction.visibility_also), and aggregate figures. An administrator makes it.
    PARTNER = "partner", "Partner agency account (its own actions only)"


class Sensitivity(models.TextChoices):
    """Government Security Classifications, as the directorate uses them. Ordered: later is more sensitive."""

    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"


SENSITIVITY_ORDER = [Sensitivity.OFFICIAL, Sensitivity.OFFICIAL_SENSITIVE]


class Descriptor(models.TextChoices):
    PERSONAL = "PERSONAL", "PERSONAL"
    OPERATIONAL = "OPERATIONAL", "OPERATIONAL"
    COMMERCIAL = "COMMERCIAL", "COMMERCIAL"
    LOCSEN = "LOCSEN", "LOCSEN (location sensitive)"


class Scope(models.TextChoices):
    OWN_UNIT = "own_unit", "Records of the user's own units"
    OTHER_UNITS = "other_units", "Records of other units"
    ANY_UNIT = "any_unit", "Records of any unit"


# Roles the seeded visibility rules apply to: every role but the two that read no records.
RECORD_ROLES = [r for r in Role.values if r not in (Role.AUTHORITY_MEMBER, Role.PARTNER)]

# The directorate's units. Codes are stable identifiers used in rules and imports.
HQ_UNITS = [
    ("sapphire", "Sapphire (sexual offences)"),
    ("sapphire-cold-case", "Sapphire Cold Case (DNA)"),
    ("jigsaw", "Jigsaw (deported dangerous offenders)"),
    ("compass", "Compass (missing persons)"),
    ("rvctf", "Racial and Violent Crime Task Force"),
    ("csu", "Community Safety Units (domestic violence and hate crime)"),
]
DIRECTORATE_UNITS = [
    ("vcd-analysts", "VCD analysts"),
    ("vcd-tasking", "VCD tasking team"),
]
PARTNER_UNITS = [
    ("partners", "Partner business groups"),
    # Partner agencies: recipients of case-work actions (an action's owner), not users, unless an administrator
    # gives one an account (role "partner") in its unit.
    ("probation", "Probation Service"),
    ("childrens-services", "Children's services"),
    ("housing", "Housing"),
    ("health", "Health"),
    ("voluntary", "Voluntary services"),
]
# Police.uk data and other public records are owned by the directorate's analysts, marked OFFICIAL.
PUBLIC_DATA_UNIT = "vcd-analysts"

# The 32 London boroughs the Met polices (the City of London has its own force).
LONDON_BOROUGHS = [
    ("E09000002", "Barking and Dagenham"),
    ("E09000003", "Barnet"),
    ("E09000004", "Bexley"),
    ("E09000005", "Brent"),
    ("E09000006", "Bromley"),
    ("E09000007", "Camden"),
    ("E09000008", "Croydon"),
    ("E09000009", "Ealing"),
    ("E09000010", "Enfield"),
    ("E09000011", "Greenwich"),
    ("E09000012", "Hackney"),
    ("E09000013", "Hammersmith and Fulham"),
    ("E09000014", "Haringey"),
    ("E09000015", "Harrow"),
    ("E09000016", "Havering"),
    ("E09000017", "Hillingdon"),
    ("E09000018", "Hounslow"),
    ("E09000019", "Islington"),
    ("E09000020", "Kensington and Chelsea"),
    ("E09000021", "Kingston upon Thames"),
    ("E09000022", "Lambeth"),
    ("E09000023", "Lewisham"),
    ("E09000024", "Merton"),
    ("E09000025", "Newham"),
    ("E09000026", "Redbridge"),
    ("E09000027", "Richmond upon Thames"),
    ("E09000028", "Southwark"),
    ("E09000029", "Sutton"),
    ("E09000030", "Tower Hamlets"),
    ("E09000031", "Waltham Forest"),
    ("E09000032", "Wandsworth"),
    ("E09000033", "Westminster"),
]


def borough_unit_code(name: str) -> str:
    return "borough-" + name.lower().replace(" and ", "-").replace(" ", "-").replace(",", "")
