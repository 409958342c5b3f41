"""Ethnic groups as stop-and-search records and population tables each name them, and how they line up.

These mappings are configuration, written down so a reader can check them:
- Officer-defined ethnicity has four groups (White, Black, Asian, Other). Its "Other" is compared with
  the population's Chinese, Mixed and Other together, as the police-defined population table has no
  officer-style Mixed group.
- Self-defined ethnicity follows census categories; it maps to five groups by its leading word. Chinese
  counts as Asian, as in the 2011 census.
- Both population tables map the same way: a borough's officer-style "Other" is its Chinese, Mixed and Other
  too, so the boroughs of a force add up to the force's row, group by group.
- A force's area is the boroughs (local authorities) listed for it in FORCE_AREAS: the Metropolitan Police
  Service polices every London borough but the City of London, which has its own force. A force not listed has
  no area, so coverage cannot be checked and its rates per head are withheld.
"""

import csv
from pathlib import Path

from django.conf import settings

POPULATION = settings.DATA_DIR / "demo" / "population"
OFFICER_GROUPS = ["White", "Black", "Asian", "Other"]
SELF_GROUPS = ["White", "Black", "Asian", "Mixed", "Other"]
NOT_STATED = "Not stated"
ARREST_OUTCOMES = frozenset({"Suspect arrested", "Arrest"})
NO_FIND_OUTCOMES = frozenset({"Nothing found - no further action", "A no further action disposal", ""})
WEAPON_OBJECTS = frozenset({"Offensive weapons", "Firearms", "Anything to threaten or harm anyone"})
CITY_OF_LONDON = "E09000001"
# The boroughs of each force's area, by the police-defined table's row name (ONS GSS codes).
FORCE_AREAS: dict[str, tuple[str, ...]] = {
    "Metropolitan": tuple(f"E09{n:06d}" for n in range(2, 34)),  # the 32 London boroughs
    "City of London": (CITY_OF_LONDON,),
}


def officer_group(value: str) -> str:
    return value if value in OFFICER_GROUPS else NOT_STATED


def self_group(value: str) -> str:
    text = value.strip().lower()
    if not text or "not stated" in text:
        return NOT_STATED
    if "chinese" in text and "other ethnic group - any other" not in text and "(o9)" not in text:
        return "Asian"
    for group in ("White", "Black", "Asian", "Mixed"):
        if text.startswith(group.lower()):
            return group
    return "Other"


def force_populations(path: Path | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """{force row name: {"officer": {group: n}, "self": {group: n}}} from the police-defined table."""
    result = {}
    with open(path or POPULATION / "police-defined-demographics.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            n = {k: int(v) for k, v in row.items() if k != "Police force"}
            white, black = n["White"], n["Black (or Black British)"]
            asian, chinese, mixed, other = n["Asian (or Asian British)"], n["Chinese"], n["Mixed"], n["Other"]
            result[row["Police force"]] = {
                "officer": {"White": white, "Black": black, "Asian": asian, "Other": chinese + mixed + other},
                "self": {"White": white, "Black": black, "Asian": asian + chinese, "Mixed": mixed, "Other": other},
            }
    return result


def borough_populations(path: Path | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """{LA code: {"officer": {...}, "self": {...}}} from the 2011 census table."""
    result = {}
    with open(path or POPULATION / "la-ethnic-groups-census2011.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row.get("Rural Urban", "Total") != "Total":
                continue

            white, mixed, asian, black, other = (int(row[f"Ethnic Group: {name}; measures: Value"])
                                                 for name in ("White", "Mixed", "Asian", "Black", "Other"))
            chinese = int(row["Ethnic Group: Asian/Asian British: Chinese; measures: Value"])
            result[row["geography code"]] = {
                "officer": {"White": white, "Black": black, "Asian": asian - chinese,
                            "Other": chinese + mixed + other},
                "self": {"White": white, "Black": black, "Asian": asian, "Mixed": mixed, "Other": other},
            }
    return result


def force_row_name(force: str, table: dict) -> str | None:
    """'Metropolitan Police Service' -> 'Metropolitan'; None when the table has no row for the force."""
    simple = force.lower()
    for suffix in (" police service", " police", " constabulary"):
        simple = simple.removesuffix(suffix)
    simple = simple.replace("&", "and")
    for name in table:
        if name.lower().replace("&", "and") == simple:
            return name
    return None


def force_area(row_name: str | None) -> tuple[str, ...] | None:
    """The borough codes of a force's area (by its population row's name), or None when not configured."""
    return FORCE_AREAS.get(row_name) if row_name else None


def summed(populations: dict[str, dict[str, dict[str, int]]], codes) -> dict[str, dict[str, int]]:
    """The populations of several boroughs together, scheme by scheme and group by group."""
    codes = list(codes)
    return {scheme: {group: sum(populations[code][scheme][group] for code in codes)
                     for group in populations[codes[0]][scheme]} for scheme in ("officer", "self")}
