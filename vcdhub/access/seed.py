"""The directorate's units and the default visibility rules, as data. Used by a migration (and by tests
that flush the database)."""

from vcdhub.access.choices import (
    DIRECTORATE_UNITS,
    HQ_UNITS,
    LONDON_BOROUGHS,
    PARTNER_UNITS,
    RECORD_ROLES,
    borough_unit_code,
)

DEFAULT_RULES = [
    ("Own unit: full access", "Members see every record their own units own, whatever its marking.",
     "own_unit", "OFFICIAL-SENSITIVE"),
    ("Other units: OFFICIAL only", "Records of other units are visible when marked OFFICIAL. Their "
     "OFFICIAL-SENSITIVE records need an explicit, time-limited grant.", "other_units", "OFFICIAL"),
]


def seed_units_and_rules(Unit, VisibilityRule) -> None:  # noqa: N803 - model classes, as migrations pass them
    for kind, units in (("hq", HQ_UNITS), ("directorate", DIRECTORATE_UNITS), ("partner", PARTNER_UNITS)):
        for code, name in units:
            Unit.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})
    for gss, name in LONDON_BOROUGHS:
        Unit.objects.update_or_create(code=borough_unit_code(name),
                                      defaults={"name": f"{name} borough", "kind": "borough", "borough_code": gss})
    for name, description, scope, max_sensitivity in DEFAULT_RULES:
        VisibilityRule.objects.get_or_create(
            name=name, defaults={"description": description, "scope": scope, "max_sensitivity": max_sensitivity,
                                 "roles": RECORD_ROLES, "enabled": True})
