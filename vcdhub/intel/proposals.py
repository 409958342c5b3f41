"""Links between people that the evidence suggests, and the decisions on them.

`propose_links()` looks for pairs of people who are not linked yet but share evidence: suspects or offenders in
the same crime, people named in the same report, reports naming them with the same vehicle or phone, or the same
address. Each pair becomes a `LinkProposal` with the owning unit and marking of its evidence (the more sensitive
of the two records where two are involved). A proposal that was decided is not made again for the same evidence.
`decide()` records a person's decision, an audited National Decision Model record; a confirmation makes the
person-to-person link (people.actions.link_people)."""

import itertools
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from vcdhub.access.choices import SENSITIVITY_ORDER
from vcdhub.access.policy import can_see, has_role
from vcdhub.audit.chain import atomic_keeping_refusals
from vcdhub.audit.log import record_decision, record_event
from vcdhub.audit.models import DecisionKind, EntryKind
from vcdhub.intel import roles
from vcdhub.intel.choices import Basis, LinkKind, ProposalStatus
from vcdhub.intel.models import LinkProposal, ReportLink
from vcdhub.people import actions as people_actions
from vcdhub.people.choices import OFFENDER_ROLES, Confidence, PersonLinkKind
from vcdhub.people.models import Address, CrimeRole, PersonLink
from vcdhub.platform.actions import raise_problems

MAX_GROUP = 12  # people sharing one piece of evidence: a bigger group (a hostel address) proposes nothing


def _stricter(a: str, b: str) -> str:
    return max(a, b, key=SENSITIVITY_ORDER.index)


def _candidates():
    """(person id, other id, basis, evidence, owner unit, sensitivity), person id < other id."""
    groups: dict[tuple, list[tuple[int, str, str]]] = defaultdict(list)
    for person, ref, unit, marking in CrimeRole.objects.filter(role__in=OFFENDER_ROLES).values_list(
            "person_id", "crime_ref", "owner_unit_id", "sensitivity"):
        groups[(Basis.CO_OFFENDING, f"crime {ref}")].append((person, unit, marking))
    named = ReportLink.objects.filter(kind=LinkKind.PERSON).values_list(
        "person_id", "report__reference", "report__owner_unit_id", "report__sensitivity")
    for person, reference, unit, marking in named:
        groups[(Basis.NAMED_TOGETHER, f"report {reference}")].append((person, unit, marking))
    by_report = defaultdict(list)
    for person, report, unit, marking in ReportLink.objects.filter(kind=LinkKind.PERSON).values_list(
            "person_id", "report_id", "report__owner_unit_id", "report__sensitivity"):
        by_report[report].append((person, unit, marking))
    items = ReportLink.objects.filter(kind__in=[LinkKind.VEHICLE, LinkKind.PHONE]).values_list(
        "kind", "value", "report_id")
    for kind, value, report in items:
        basis = Basis.SHARED_VEHICLE if kind == LinkKind.VEHICLE else Basis.SHARED_PHONE
        groups[(basis, f"{kind} {value}")].extend(by_report.get(report, []))
    for person, postcode, line, unit, marking in Address.objects.exclude(postcode="").exclude(
            address_1="").values_list("person_id", "postcode", "address_1", "person__owner_unit_id",
                                      "person__sensitivity"):
        groups[(Basis.SHARED_ADDRESS, f"{line.strip().lower()}, {postcode}")].append((person, unit, marking))
    for (basis, evidence), members in groups.items():
        people = {}
        for person, unit, marking in members:
            known = people.get(person)
            people[person] = (unit, marking) if known is None else (known[0], _stricter(known[1], marking))
        if not 2 <= len(people) <= MAX_GROUP:
            continue
        for a, b in itertools.combinations(sorted(people), 2):
            unit = people[a][0]
            yield a, b, basis, evidence[:300], unit, _stricter(people[a][1], people[b][1])


def propose_links() -> int:
    """Make the proposals the evidence suggests and that do not exist yet; returns how many were made. A
    process over every record (run by a job or a command, never with a user's restriction)."""
    linked = set()
    for a, b in PersonLink.objects.values_list("person_id", "other_id"):
        linked.add((min(a, b), max(a, b)))
    made = set(LinkProposal.objects.values_list("person_id", "other_id", "basis", "evidence"))
    now = timezone.now()
    new = [LinkProposal(person_id=a, other_id=b, basis=basis, evidence=evidence, proposed_at=now,
                        owner_unit_id=unit, sensitivity=marking)
           for a, b, basis, evidence, unit, marking in _candidates()
           if (a, b) not in linked and (a, b, basis, evidence) not in made]
    with atomic_keeping_refusals():
        LinkProposal.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        record_event(EntryKind.CHANGE, "intel_propose_links", object_type="intel.linkproposal",
                     reason=f"{len(new)} link proposals made from shared evidence", detail={"made": len(new)})
    return len(new)


def queue_for(user):
    """Proposals waiting for a decision that the user may see (which needs both people visible too)."""
    return (LinkProposal.objects.restrict(user).filter(status=ProposalStatus.PROPOSED)
            .select_related("person", "other").order_by("proposed_at", "pk"))


def decide(actor, proposal: LinkProposal, *, decision: str, reason: str, kind: str = "") -> LinkProposal:
    """Confirm or reject a proposal, with the reason. A confirmation makes a confirmed person-to-person link of
    `kind` (by default co-offender for co-offending, associate otherwise), with the proposal's marking."""
    if not has_role(actor, *roles.REVIEWERS):
        raise PermissionDenied("Your role may not decide on proposed links.")
    if not (can_see(actor, proposal) and can_see(actor, proposal.person) and can_see(actor, proposal.other)):
        raise PermissionDenied("You may not see this proposal and both people.")
    errors = {}
    if decision not in (ProposalStatus.CONFIRMED, ProposalStatus.REJECTED):
        errors["decision"] = ["Confirm or reject the link."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why: the decision is kept with its reason."]
    kind = kind or (PersonLinkKind.CO_OFFENDER if proposal.basis == Basis.CO_OFFENDING else PersonLinkKind.ASSOCIATE)
    if kind not in PersonLinkKind.values:
        errors["kind"] = ["Choose a kind of link."]
    conflicts = ({"decision": ["This proposal has been decided already."]}
                 if proposal.status != ProposalStatus.PROPOSED else {})
    raise_problems(errors, conflicts, about=proposal)
    with atomic_keeping_refusals():
        if decision == ProposalStatus.CONFIRMED:
            proposal.link = people_actions.link_people(actor, proposal.person, proposal.other, {
                "kind": kind, "source": f"confirmed proposal {proposal.pk}: {proposal.evidence}"[:200],
                "linked_on": timezone.localdate(), "confidence": Confidence.CONFIRMED,
                "owner_unit": proposal.owner_unit_id, "sensitivity": proposal.sensitivity,
                "descriptors": proposal.descriptors})
        proposal.status, proposal.reason = decision, reason.strip()
        proposal.decided_by, proposal.decided_at = actor, timezone.now()
        proposal.save()
        record_decision(
            proposal, kind=DecisionKind.CONFIRM_LINK,
            summary=f"{proposal.get_status_display()}: {proposal.get_basis_display().lower()}"[:200],
            information=f"{proposal.get_basis_display()}: {proposal.evidence}.",
            threat_and_risk="A wrong link draws an innocent person into a network; a missed one hides a "
                            "co-offender or an associate.",
            powers_and_policy="Only a person's decision turns a proposal into a link.",
            options="Confirm the link (of a chosen kind) or reject it.",
            action_taken=proposal.reason, review_date=timezone.localdate(), decided_by=actor)
    return proposal


