"""The demo's OFFICIAL-SENSITIVE records: a seeded, reproducible few percent of the Met's crimes, owned by the units
that would investigate them, so that need-to-know and access requests can be seen in the demo.

police.uk publishes every crime it holds, so none of its records is sensitive in truth, and it says nothing of
which crimes are sexual offences, domestic abuse or hate crime. The demo stands in for the force's own records:
each rule takes a share of one or more crime types, chosen by a hash of the seed and the record's Crime ID (the
same records on every load and on every database), and gives them to a unit, marked OFFICIAL-SENSITIVE with a
descriptor. Only records still carrying the import's marking (the directorate's analysts, OFFICIAL, no
descriptor) are re-marked, so a marking someone changed in the demo is left as it is, and a second load changes
nothing. Anti-social behaviour (no Crime ID) and other forces' records are never chosen.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from vcdhub.access.choices import PUBLIC_DATA_UNIT, Sensitivity
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.crime.models import Crime

SEED = "vcdhub-demo-markings-1"
FORCE = "Metropolitan Police Service"
VIOLENCE = "Violence and sexual offences"


@dataclass(frozen=True)
class Rule:
    unit: str  # the owning unit's code (access.choices)
    crime_types: tuple[str, ...]
    share: float  # of each crime type's records with a Crime ID
    descriptors: str
    stands_for: str  # what the chosen records stand for, in words


# A crime type's rules take consecutive bands of [0, 1): the first rule for violence takes records hashing below
# 0.03, the second those from 0.03 to 0.08. So no record is chosen twice, and a rule's share is exact in
# expectation. Shares are kept small: the analyses, and every reader of aggregates, count OFFICIAL records only.
RULES = (
    Rule("sapphire", (VIOLENCE,), 0.03, "PERSONAL", "sexual offences, investigated by Sapphire"),
    Rule("csu", (VIOLENCE,), 0.05, "PERSONAL", "domestic abuse, investigated by the Community Safety Units"),
    Rule("csu", ("Public order",), 0.02, "PERSONAL", "hate crime, investigated by the Community Safety Units"),
    Rule("rvctf", ("Robbery", "Possession of weapons"), 0.03, "OPERATIONAL",
         "crimes linked to a live operation of the Racial and Violent Crime Task Force"),
)


def position(crime_id: str) -> float:
    """Where a Crime ID falls in [0, 1): the same on every machine and database."""
    digest = hashlib.sha256(f"{SEED}:{crime_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def bands() -> dict[str, list[tuple[float, float, Rule]]]:
    """Each crime type's rules as (from, to, rule)."""
    out: dict[str, list[tuple[float, float, Rule]]] = defaultdict(list)
    for rule in RULES:
        for crime_type in rule.crime_types:
            start = out[crime_type][-1][1] if out[crime_type] else 0.0
            out[crime_type].append((start, start + rule.share, rule))
    return dict(out)


def chosen_rule(crime_type: str, crime_id: str, by_type=None) -> Rule | None:
    """The rule that marks this record, if any."""
    if not crime_id:
        return None
    at = position(crime_id)
    for start, end, rule in (by_type or bands()).get(crime_type, ()):
        if start <= at < end:
            return rule
    return None


def apply_markings(*, chunk: int = 2000) -> dict[str, int]:
    """Re-mark the chosen records still carrying the import's marking; the number re-marked by unit. One audit
    entry per rule that re-marked anything, naming the rule and the count (the records' own histories start at
    the import, as every imported record's does)."""
    by_type = bands()
    unmarked = Crime.objects.filter(reported_by=FORCE, crime_type__in=list(by_type), owner_unit_id=PUBLIC_DATA_UNIT,
                                    sensitivity=Sensitivity.OFFICIAL, descriptors="").exclude(crime_id="")
    chosen: dict[Rule, list[int]] = defaultdict(list)
    for pk, crime_type, crime_id in unmarked.values_list("pk", "crime_type", "crime_id").iterator(chunk_size=10_000):
        rule = chosen_rule(crime_type, crime_id, by_type)
        if rule is not None:
            chosen[rule].append(pk)
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for rule in RULES:
            pks = chosen.get(rule, [])
            for i in range(0, len(pks), chunk):
                Crime.objects.filter(pk__in=pks[i:i + chunk]).update(
                    owner_unit_id=rule.unit, sensitivity=Sensitivity.OFFICIAL_SENSITIVE, descriptors=rule.descriptors)
            if pks:
                counts[rule.unit] += len(pks)
                record_event(EntryKind.CHANGE, "demo_marking", object_type="crime.crime",
                             reason=f"demo: {rule.stands_for}",
                             detail={"records": len(pks), "owner_unit": rule.unit,
                                     "sensitivity": Sensitivity.OFFICIAL_SENSITIVE, "descriptors": rule.descriptors,
                                     "crime_types": list(rule.crime_types), "share": rule.share, "seed": SEED})
    return dict(counts)
