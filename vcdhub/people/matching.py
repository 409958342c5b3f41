"""The columns the duplicate finder compares, made from person records: names folded and sounded, the forms a
given name takes (Jon, Jonathan, Johnny), every surname the person is known by, the date of birth when it is
whole, the postcode and the street. No Django, so the benchmark builds the same columns from generated people.
"""

from collections.abc import Iterable

import jellyfish
from nicknames import NickNamer

from vcdhub.people import normalise

_NICKNAMES = NickNamer()


def given_forms(given: str) -> list[str]:
    """The folded given name, its nicknames and the names it is a nickname of: "jon" -> john, jonathan, ..."""
    if not given:
        return []
    forms = {given} | _NICKNAMES.nicknames_of(given) | _NICKNAMES.canonicals_of(given)
    return sorted(forms)


def linkage_columns(records: Iterable[dict]) -> dict[str, list]:
    """Columns for `stats.linkage.PersonLinker` from dicts with source_id, given_name, surname, date_of_birth
    ("YYYY-MM-DD", partial or blank), postcode, address_1 and, optionally, aliases (a list of
    (given_name, surname)) and identifiers (a list of "kind:value")."""
    columns: dict[str, list] = {name: [] for name in (
        "unique_id", "given_name", "given_forms", "given_sound", "given_initial", "surname", "surnames",
        "surname_sound", "birth_date", "birth_year", "sex", "postcode", "street", "identifiers")}
    for record in records:
        given = normalise.fold(record.get("given_name", "")).split(" ")[0]
        surname = normalise.fold(record.get("surname", "")).replace(" ", "")
        aliases = record.get("aliases") or []
        surnames = sorted({surname} | {normalise.fold(s).replace(" ", "") for _, s in aliases} - {""})
        forms = set(given_forms(given))
        for alias_given, _ in aliases:
            forms.update(given_forms(normalise.fold(alias_given).split(" ")[0]))
        birth = (record.get("date_of_birth") or "").strip()
        postcode = normalise.postcode(record.get("postcode", ""))
        street = normalise.fold(record.get("address_1", ""))
        columns["unique_id"].append(str(record["source_id"]))
        columns["given_name"].append(given or None)
        columns["given_forms"].append(sorted(forms - {""}))
        columns["given_sound"].append(jellyfish.metaphone(given) if given else None)
        columns["given_initial"].append(given[0] if given else None)
        columns["surname"].append(surname or None)
        columns["surnames"].append(surnames)
        columns["surname_sound"].append(normalise.sound(surname) or None)
        columns["birth_date"].append(birth if len(birth) == 10 else None)
        columns["birth_year"].append(int(birth[:4]) if len(birth) >= 4 and birth[:4].isdigit() else None)
        columns["sex"].append(record.get("sex") if record.get("sex") in ("male", "female") else None)
        columns["postcode"].append(postcode or None)
        columns["street"].append(street or None)
        columns["identifiers"].append(sorted(record.get("identifiers") or []))
    return columns
