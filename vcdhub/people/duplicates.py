"""Duplicate people: the linkage model proposes pairs, a person decides, and only a decision merges.

- `find_duplicates` scores every person the user may see (stats.linkage.PersonLinker, Splink) and returns the
  pairs at or above a threshold, with the comparison that drove each, and their clusters.
- `propose_pairs` puts new pairs on the review queue. A pair already decided is proposed again only when
  either record has changed since it was scored (its fingerprint differs).
- `decide` records a reviewer's decision, with their reason, as an audited decision. "Same person" merges:
  the newer record points at the older one's survivor (`Person.merged_into`), keeping every source record and
  its roles, flags and links. `undo_merge` takes a record out of its merge again.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone

from vcdhub.access.policy import can_see
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.log import record_decision
from vcdhub.audit.models import DecisionKind
from vcdhub.people.choices import PairStatus
from vcdhub.people.matching import linkage_columns
from vcdhub.people.models import Address, DuplicatePair, Person
from vcdhub.platform.actions import raise_problems


@dataclass
class Found:
    pairs: list  # stats.linkage.Pair, by source id
    clusters: list[list[str]]
    threshold: float

    def as_json(self) -> dict:
        return {"threshold": self.threshold,
                "pairs": [{"left_source_id": p.left, "right_source_id": p.right,
                           "probability": round(p.probability, 6), "driver": p.driver} for p in self.pairs],
                "clusters": self.clusters}


def person_fields(person: Person) -> dict:
    """What the linkage model compares of one person record."""
    addresses = sorted(person.addresses.all(), key=lambda a: (a.date_from is None, a.date_from), reverse=True)
    address = addresses[0] if addresses else None
    return {"source_id": person.source_id, "given_name": person.given_name, "surname": person.surname,
            "date_of_birth": person.date_of_birth, "sex": person.sex,
            "postcode": address.postcode if address else "", "address_1": address.address_1 if address else "",
            "aliases": [(n.given_name, n.surname) for n in person.other_names.all()],
            "identifiers": [f"{i.kind}:{i.value}" for i in person.identifiers.all()]}


def fingerprint(left: Person, right: Person) -> str:
    payload = json.dumps([person_fields(left), person_fields(right)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _people(user):
    queryset = Person.objects.all() if user is None else Person.objects.restrict(user)
    return queryset.prefetch_related(Prefetch("addresses", queryset=Address.objects.all()), "other_names",
                                     "identifiers")


def find_duplicates(*, user, threshold: float = 0.9, train: bool = True) -> Found:
    """Score the people `user` may see (everyone, for user=None: a command run by the administrator)."""
    from vcdhub.stats.linkage import PersonLinker

    records = [person_fields(p) for p in _people(user).iterator(chunk_size=2000)]
    linker = PersonLinker(threshold, train=train and len(records) >= 1000).fit(linkage_columns(records))
    return Found(linker.pairs_, linker.clusters_, threshold)


def _root(person: Person) -> Person:
    seen = set()
    while person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def propose_pairs(found: Found) -> int:
    """Queue the found pairs not yet on the queue, and those decided "not the same" or "unsure" whose records
    have changed since. Pairs already merged into one person are left out. Returns how many were queued."""
    by_source = {p.source_id: p for p in Person.objects.filter(
        source_id__in={s for pair in found.pairs for s in (pair.left, pair.right)})}
    queued = 0
    now = timezone.now()
    for pair in found.pairs:
        left, right = sorted((by_source[pair.left], by_source[pair.right]), key=lambda p: p.pk)
        if _root(left).pk == _root(right).pk:
            continue
        digest = fingerprint(left, right)
        existing = DuplicatePair.objects.filter(left=left, right=right).first()
        evidence = [list(e) for e in sorted(pair.evidence, key=lambda e: -e[2])]  # strongest first
        if existing is None:
            DuplicatePair.objects.create(left=left, right=right, probability=pair.probability, evidence=evidence,
                                         fingerprint=digest, proposed_at=now)
            queued += 1
        elif existing.status != PairStatus.SAME and existing.fingerprint != digest:
            existing.status, existing.probability, existing.evidence = PairStatus.PROPOSED, pair.probability, evidence
            existing.fingerprint, existing.proposed_at, existing.reason = digest, now, ""
            existing.decided_by, existing.decided_at = None, None
            existing.save()
            queued += 1
    return queued


def queue_for(user):
    """Pairs waiting for a decision where the user may see both people."""
    visible = Person.objects.restrict(user).values("pk")
    return (DuplicatePair.objects.filter(status=PairStatus.PROPOSED)
            .filter(Q(left__in=visible) & Q(right__in=visible)).select_related("left", "right"))


def decide(actor, pair: DuplicatePair, *, decision: str, reason: str) -> DuplicatePair:
    """Record the decision on `pair`; "same" merges the two records. Raises ValidationError by field."""
    if not (can_see(actor, pair.left) and can_see(actor, pair.right)):
        raise PermissionDenied("You may not see both records.")
    errors = {}
    if decision not in (PairStatus.SAME, PairStatus.NOT_SAME, PairStatus.UNSURE):
        errors["decision"] = ["Choose same person, not the same, or unsure."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why: the decision is kept with its reason."]
    raise_problems(errors, {"decision": ["This pair has been decided already."]}
                   if pair.status != PairStatus.PROPOSED else {}, about=pair)
    with atomic_keeping_refusals():
        pair.status, pair.reason = decision, reason.strip()
        pair.decided_by, pair.decided_at = actor, timezone.now()
        pair.save()
        if decision == PairStatus.SAME:
            survivor, merged = _root(pair.left), _root(pair.right)
            if merged.created_at < survivor.created_at or (merged.created_at == survivor.created_at
                                                          and merged.pk < survivor.pk):
                survivor, merged = merged, survivor
            merged.merged_into = survivor
            merged.save()
        _record(pair, actor)
    return pair


def _record(pair: DuplicatePair, actor) -> None:
    record_decision(
        pair, kind=DecisionKind.MERGE_PEOPLE,
        summary=f"{pair.get_status_display()}: {pair.left.source_id} and {pair.right.source_id}"[:200],
        information=f"Linkage probability {pair.probability:.3f}. " + "; ".join(
            f"{c}: {label} ({w:+.1f})" for c, label, w in pair.evidence),
        threat_and_risk="A wrong merge joins two people's records; a missed one splits one person's.",
        powers_and_policy="Only a reviewer's decision merges records; every source record is kept.",
        options="Same person, not the same, or unsure.",
        action_taken=pair.reason, review_date=timezone.localdate(), decided_by=actor)


def undo_merge(actor, person: Person, *, reason: str) -> Person:
    """Take `person` out of the merge it was put in: its own record stands alone again."""
    if not can_see(actor, person):
        raise PermissionDenied("You may not see that record.")
    if person.merged_into_id is None:
        raise ValidationError({"person": ["This record is not merged into another."]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the merge is undone."]})
    with atomic_keeping_refusals():
        pair = DuplicatePair.objects.filter(Q(left=person) | Q(right=person), status=PairStatus.SAME).first()
        person.merged_into = None
        person.save()
        if pair is not None:
            pair.status, pair.reason = PairStatus.NOT_SAME, f"Merge undone: {reason.strip()}"
            pair.decided_by, pair.decided_at = actor, timezone.now()
            pair.save()
            _record(pair, actor)
    return person


def merged_group(person: Person) -> list[Person]:
    """Every record merged into the same person as `person`, the survivor first."""
    root = _root(person)
    group, frontier = [root], [root]
    while frontier:
        children = list(Person.objects.filter(merged_into__in=frontier))
        group.extend(children)
        frontier = children
    return group
