"""Boroughs as people type them: one rule everywhere (forms, API, CLI, analyses).

A borough is named by its GSS code (E09000022) or its name, in any case, with or without "borough"
("Lambeth", "lambeth borough", "London Borough of Lambeth", "Royal Borough of Kingston upon Thames").
"""

import re

from vcdhub.geography.models import Borough
from vcdhub.platform.inputs import InputError

_BOROUGH_WORDS = re.compile(r"^(the\s+)?((london|royal)\s+)?(borough\s+of\s+)?|\s+borough$")


def borough_key(text: str) -> str:
    """The form of a code or name that comparisons use."""
    key = " ".join(str(text).strip().lower().split())
    return _BOROUGH_WORDS.sub("", key).strip()


def resolve_boroughs(names, field: str = "borough") -> list[str]:
    """GSS codes, sorted and without repeats, for codes or names; InputError naming every one not known."""
    known = list(Borough.objects.values_list("code", "name"))
    by_key = {borough_key(code): code for code, _ in known} | {borough_key(name): code for code, name in known}
    names = [names] if isinstance(names, str) else list(names or [])
    unknown = [name for name in names if borough_key(name) not in by_key]
    if unknown:
        raise InputError({field: f"Unknown borough: {', '.join(map(str, unknown))} (give a GSS code such as "
                                 "E09000022, or a name such as Lambeth)."})
    return sorted({by_key[borough_key(name)] for name in names})
