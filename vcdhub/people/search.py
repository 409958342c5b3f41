"""Finding a person: by name (forgiving spelling, nicknames and aliases), year of birth, identifier or
postcode. Each returns a Q over Person, for the list's FilterSet and the API's."""

import re

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from vcdhub.people import normalise
from vcdhub.people.matching import given_forms
from vcdhub.people.models import Address, Identifier, PersonName

# Also the API schema's pattern, so written to mean the same to Python and to a JSON Schema (ECMA) validator: `\s`
# differs between the two (\x1c to \x1f and \x85 in one, \ufeff in the other), and Python's `$` also matches
# before a final newline (hence fullmatch).
YEARS = re.compile(r"^[ \t]*([0-9]{4})[ \t]*(?:(?:-|to|–)[ \t]*([0-9]{4}))?[ \t]*$")


def _name_q(given: str, surname: str, prefix: str = "") -> Q:
    """People (or names, with prefix) whose surname is, starts with, or sounds like `surname`, and whose given
    name starts with `given`, is a nickname or formal form of it, or is its initial."""
    q = Q()
    if surname:
        q &= (Q(**{f"{prefix}surname_key__startswith": surname})
              | Q(**{f"{prefix}surname_sound": normalise.sound(surname)}))
    if given:
        q &= (Q(**{f"{prefix}given_key__startswith": given}) | Q(**{f"{prefix}given_key__in": given_forms(given)})
              | Q(**{f"{prefix}given_key": given[0]}))
    return q


def name_q(text: str) -> Q:
    """"smyth" finds Smith; "jon smith" finds Jonathan Smith and J. Smith; the last word is the surname. A
    single word may be either name. Aliases count as the person's names."""
    words = normalise.fold(text).split()
    if not words:
        return Q()
    if len(words) == 1:
        word = words[0]
        own = _name_q("", word) | Q(given_key__startswith=word) | Q(given_key__in=given_forms(word))
        other = PersonName.objects.filter(Q(person=OuterRef("pk")) & (
            _name_q("", word) | Q(given_key__startswith=word)))
        return own | Exists(other)
    given, surname = words[0], words[-1]
    other = PersonName.objects.filter(Q(person=OuterRef("pk")) & _name_q(given, surname))
    return _name_q(given, surname) | Exists(other)


def closeness(text: str) -> Case:
    """How closely a found person's own name matches: 0 for the name as typed (surname and given name), 1 for
    the surname as typed, 2 for anything found by sound, nickname or alias. The list shows the closest first."""
    words = normalise.fold(text).split()
    if not words:
        return Value(0, output_field=IntegerField())
    surname, given = words[-1], words[0] if len(words) > 1 else ""
    exact = Q(surname_key=surname) & (Q(given_key__startswith=given) if given else Q())
    return Case(When(exact, then=Value(0)), When(surname_key=surname, then=Value(1)), default=Value(2),
                output_field=IntegerField())


def born_q(text: str) -> Q:
    """"1984" or "1980-1985" (inclusive; a range written backwards is read forwards). Raises ValueError for
    anything else."""
    match = YEARS.fullmatch(text or "")
    if not match:
        raise ValueError("Give a year (1984) or a range of years (1980-1985).")
    first, last = sorted((int(match.group(1)), int(match.group(2) or match.group(1))))
    return Q(birth_year__gte=first, birth_year__lte=last)


def identifier_q(text: str) -> Q:
    value = normalise.identifier(text)
    return Exists(Identifier.objects.filter(person=OuterRef("pk"), value=value)) if value else Q()


def postcode_q(text: str) -> Q:
    """A whole postcode, or its outward part ("SW2") for the district."""
    value = normalise.postcode(text)
    if not value:
        return Q()
    if " " in value:
        match = Q(postcode=value)
    else:
        match = Q(postcode=value) | Q(postcode__startswith=value + " ")
    return Exists(Address.objects.filter(match, person=OuterRef("pk")))
