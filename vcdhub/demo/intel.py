"""The demo's fictitious intelligence about its fictitious people (docs/synthetic-people.md, "Intelligence"):

- graded reports naming the demo's offenders (repeat offenders more often: a person is drawn with a weight of
  their number of offender roles), placed near one of their crimes, written from a few templates about weapons,
  drugs, vehicles, phones and associates, and naming a co-offender or associate in a third of them;
- their life cycle dated back from the day of the load: the newest waiting for review, then reviewed, graded,
  sanitised and shared, so the review queue and the dissemination logs look current;
- grades from a plausible mix (3x5x2; one in twenty older reports under the legacy 5x5x5, kept as such); one in
  five C-coded, with conditions and a sanitised version;
- a few sources, each handled in its unit, cited by some of that unit's reports;
- disseminations to other units, boroughs and partner agencies, and what the recipients hold;
- the links the evidence suggests (intel.proposals), waiting to be confirmed.

Owned by the units that own the people named (the CSU, the task force and the boroughs' analysts), so each demo
user sees a different slice. Every report is marked fictitious. One seeded stream: the same reports every load.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.crime.models import Crime
from vcdhub.intel import proposals
from vcdhub.intel.actions import must_sanitise
from vcdhub.intel.choices import LinkKind, State, Step
from vcdhub.intel.models import Dissemination, Report, ReportLink, ReportStep, SharedReport, Source, SourceLink
from vcdhub.people.choices import OFFENDER_ROLES
from vcdhub.people.models import CrimeRole, Person, PersonLink
from vcdhub.platform import fulltext

SEED = "vcdhub-demo-intel-1"
PREFIX = "DEMO-IR-"
REPORTS = 900
C_CODED = 0.2
LEGACY = 0.05
NAMES_ANOTHER = 0.35
SOURCE_UNITS = ("csu", "rvctf")
# How far back each state reaches (days before the load): the newest reports are still being reviewed.
STATE_AGES = ((State.SUBMITTED, 0, 12), (State.REVIEWED, 5, 20), (State.GRADED, 10, 60),
              (State.SANITISED, 20, 120), (State.DISSEMINATED, 30, 540))
STATE_WEIGHTS = (8, 5, 30, 17, 40)
ASSESSMENT_WEIGHTS = {"A": 10, "B": 35, "C": 35, "D": 15, "E": 5}
SOURCE_WEIGHTS = {"1": 30, "2": 55, "3": 15}
WEAPONS = ("a knife", "a machete", "a zombie knife", "a converted pistol", "a blade in a sock", "a shotgun")
PLACES = ("his girlfriend's flat", "a lock-up garage", "the stairwell of his block", "a friend's car",
          "a shed behind the chicken shop", "a bag at his mother's")
TEMPLATES = (
    "{name} is said to be carrying {weapon} when out in the area around {street}, and to keep it at {place}.",
    "{name} is dealing cannabis and cocaine from {street}, using a moped to deliver. {other}",
    "{name} has been seen driving {vehicle} on {street}, collecting cash from younger boys. {other}",
    "{name} uses the phone number {phone} to arrange deals; the phone is kept switched off between calls. {other}",
    "{name} has threatened a former partner near {street} and is said to have {weapon}. {other}",
    "{name} is said to be planning to retaliate for an assault near {street}. {other}",
)
OTHERS = ("{other_name} is often with him.", "He is said to work with {other_name}.",
          "{other_name} holds the drugs for him.")
AGENCIES = ("probation", "childrens_services", "housing", "immigration")


def _vehicle(rng) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    return (f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(10, 75):02d}"
            f"{rng.choice(letters)}{rng.choice(letters)}{rng.choice(letters)}")


def _phone(rng) -> str:
    return f"07700900{rng.randint(0, 999):03d}"  # Ofcom's range for drama: never a real number


def load_intel(*, today: dt.date | None = None) -> dict[str, int]:
    """Generate and store the demo's intelligence once; {} when it is there already, or there are no people."""
    if Report.objects.filter(reference__startswith=PREFIX).exists():
        return {}
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    rng = random.Random(SEED)
    offenders = list(Person.objects.filter(source_id__startswith="DEMO-", crime_roles__role__in=OFFENDER_ROLES)
                     .annotate(n=Count("crime_roles")).order_by("pk").values_list("pk", "n", "owner_unit_id"))
    if not offenders:
        return {}
    names = dict(Person.objects.filter(pk__in=[p for p, _, _ in offenders]).values_list("pk", "given_name"))
    surnames = dict(Person.objects.filter(pk__in=[p for p, _, _ in offenders]).values_list("pk", "surname"))
    crimes_of: dict[int, list[str]] = {}
    for person, ref in CrimeRole.objects.filter(person__in=[p for p, _, _ in offenders],
                                                role__in=OFFENDER_ROLES).values_list("person_id", "crime_ref"):
        crimes_of.setdefault(person, []).append(ref)
    places = {c: (lon, lat, street, lsoa) for c, lon, lat, street, lsoa in Crime.objects.filter(
        crime_id__in={r for refs in crimes_of.values() for r in refs}).values_list(
        "crime_id", "longitude", "latitude", "location", "lsoa_id")}
    partners: dict[int, list[int]] = {}
    for a, b in PersonLink.objects.filter(Q(person__in=names) | Q(other__in=names)).values_list("person_id",
                                                                                              "other_id"):
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    other_names = dict(Person.objects.filter(pk__in={b for bs in partners.values() for b in bs}).values_list(
        "pk", "given_name"))
    with transaction.atomic():
        sources = _sources(rng)
        made = _reports(rng, now, offenders, names, surnames, crimes_of, places, partners, other_names, sources)
        fulltext.index(Report.objects.filter(reference__startswith=PREFIX).prefetch_related("links"))
        fulltext.index(SharedReport.objects.filter(reference__startswith=PREFIX))
        made["link proposals"] = proposals.propose_links()
        record_event(EntryKind.IMPORT, "demo_intel", object_type="intel.report", object_id=SEED,
                     reason="fictitious demo intelligence generated (demo.intel)", detail=made)
    return made


def _sources(rng) -> dict[str, list[Source]]:
    from django.contrib.auth import get_user_model

    handler = get_user_model().objects.filter(username="handler").first()
    made: dict[str, list[Source]] = {}
    for unit in SOURCE_UNITS:
        for number in range(1, 4):
            source = Source.objects.create(
                reference=f"DEMO-SRC-{unit.upper()}-{number}", name=f"Fictitious source {unit.upper()} {number}",
                handler=handler if unit == "csu" else None, notes="Fictitious: made for the demo.",
                fictitious=True, owner_unit_id=unit, sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
                descriptors="PERSONAL")
            made.setdefault(unit, []).append(source)
    return made


def _reports(rng, now, offenders, names, surnames, crimes_of, places, partners, other_names, sources) -> dict:
    people, weights = [p for p, _, _ in offenders], [n for _, n, _ in offenders]
    unit_of = {p: u for p, _, u in offenders}
    reports, links, steps, shared_logs, copies, source_links = [], [], [], [], [], []
    for number in range(1, REPORTS + 1):
        person = rng.choices(people, weights)[0]
        crime = places.get(rng.choice(crimes_of.get(person, [""])), (None, None, "a street nearby", None))
        lon, lat, street, lsoa = crime
        state = rng.choices([s for s, _, _ in STATE_AGES], STATE_WEIGHTS)[0]
        low, high = next((lo, hi) for s, lo, hi in STATE_AGES if s == state)
        submitted = now - dt.timedelta(days=rng.uniform(low, high), hours=rng.uniform(0, 10))
        other = rng.choice(partners[person]) if partners.get(person) and rng.random() < NAMES_ANOTHER else None
        vehicle, phone = _vehicle(rng), _phone(rng)
        text = rng.choice(TEMPLATES).format(
            name=f"{names[person]} {surnames[person]}", weapon=rng.choice(WEAPONS), place=rng.choice(PLACES),
            street=str(street).removeprefix("On or near ").strip() or "a street nearby", vehicle=vehicle,
            phone=phone, other=rng.choice(OTHERS).format(other_name=other_names.get(other, "")) if other else "")
        unit = unit_of[person] if unit_of[person] != "vcd-analysts" else rng.choice(("rvctf", "vcd-analysts"))
        legacy = state != State.SUBMITTED and submitted < now - dt.timedelta(days=400) and rng.random() < LEGACY * 6
        report = Report(reference=f"{PREFIX}{number:05d}", submitted_at=submitted, state=state, text=text.strip(),
                        longitude=lon, latitude=lat, lsoa_id=lsoa, fictitious=True, owner_unit_id=unit,
                        sensitivity=Sensitivity.OFFICIAL_SENSITIVE, descriptors="PERSONAL", needs_sanitising=False)
        if state not in (State.SUBMITTED, State.REVIEWED):
            _grade(rng, report, legacy)
        reports.append((report, person, other, vehicle if vehicle in text else None, phone if phone in text else None,
                        unit))
    Report.objects.bulk_create([r for r, *_ in reports], batch_size=1000)
    by_reference = dict(Report.objects.filter(reference__startswith=PREFIX).values_list("reference", "pk"))
    for report, person, other, vehicle, phone, unit in reports:
        report.pk = by_reference[report.reference]
        links.append(ReportLink(report_id=report.pk, kind=LinkKind.PERSON, person_id=person))
        if other:
            links.append(ReportLink(report_id=report.pk, kind=LinkKind.PERSON, person_id=other))
        if vehicle:
            links.append(ReportLink(report_id=report.pk, kind=LinkKind.VEHICLE, value=vehicle))
        if phone:
            links.append(ReportLink(report_id=report.pk, kind=LinkKind.PHONE, value=phone))
        for ref in crimes_of.get(person, [])[:1]:
            links.append(ReportLink(report_id=report.pk, kind=LinkKind.CRIME, value=ref))
        if unit in sources and rng.random() < 0.3:
            source_links.append(SourceLink(report_id=report.pk, source=rng.choice(sources[unit]), owner_unit_id=unit,
                                           sensitivity=Sensitivity.OFFICIAL_SENSITIVE, descriptors="PERSONAL"))
        steps += _steps(rng, report)
        if report.state == State.DISSEMINATED:
            log, copy = _share(rng, report)
            shared_logs.append(log)
            copies.append(copy)
    ReportLink.objects.bulk_create(links, batch_size=2000)
    ReportStep.objects.bulk_create(steps, batch_size=2000)
    SourceLink.objects.bulk_create(source_links, batch_size=1000)
    Dissemination.objects.bulk_create(shared_logs, batch_size=1000)
    saved = dict(Dissemination.objects.filter(report__reference__startswith=PREFIX).values_list("report_id", "pk"))
    kept = []
    for copy in copies:
        if copy is not None:
            copy.dissemination_id = saved[copy.dissemination_id]
            kept.append(copy)
    SharedReport.objects.bulk_create(kept, batch_size=1000)
    return {"reports": len(reports), "links": len(links), "sources": sum(map(len, sources.values())),
            "cited sources": len(source_links), "disseminations": len(shared_logs), "shared copies": len(kept)}


def _grade(rng, report: Report, legacy: bool) -> None:
    if legacy:
        report.grading_scheme = "5x5x5"
        report.source_evaluation = rng.choice("ABCE")
        report.intelligence_assessment = rng.choice("1234")
        report.handling_code = rng.choices("12345", (40, 20, 5, 30, 5))[0]
        if report.handling_code == "3":
            report.handling_conditions = "Special conditions: to non-EEA law-enforcement agencies only via the NCA."
        if report.handling_code == "5" and report.state == State.DISSEMINATED:
            report.state = State.SANITISED  # code 5: no further dissemination
    else:
        report.source_evaluation = rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
        report.intelligence_assessment = rng.choices(list(ASSESSMENT_WEIGHTS), list(ASSESSMENT_WEIGHTS.values()))[0]
        report.handling_code = "C" if rng.random() < C_CODED else "P"
        if report.handling_code == "C":
            report.handling_conditions = rng.choice(("Police only: not to partner agencies.",
                                                     "Not to be used in evidence.",
                                                     "Refer to the originating unit before action."))
    report.needs_sanitising = must_sanitise(report.grading_scheme, report.handling_code, rng.random() < 0.3)
    if report.needs_sanitising and report.state == State.GRADED:
        return  # graded, waiting for its sanitised version
    if report.needs_sanitising or report.state in (State.SANITISED, State.DISSEMINATED):
        report.sanitised_text = ("It is reported that a named man carries a weapon and is involved in drug supply "
                                 "in the area. Further detail is held by the originating unit.")
        if report.state == State.GRADED:
            report.state = State.SANITISED


def _steps(rng, report: Report) -> list[ReportStep]:
    order = [(Step.SUBMIT, State.SUBMITTED), (Step.REVIEW, State.REVIEWED), (Step.GRADE, State.GRADED),
             (Step.SANITISE, State.SANITISED), (Step.DISSEMINATE, State.DISSEMINATED)]
    steps, at, previous = [], report.submitted_at, ""
    for step, state in order:
        if step == Step.SANITISE and not report.sanitised_text:
            continue
        steps.append(ReportStep(report_id=report.pk, step=step, from_state=previous, to_state=state, at=at,
                                actor_name="demo:generated", reason="Fictitious: made for the demo."))
        previous = state
        if state == report.state:
            break
        at += dt.timedelta(hours=rng.uniform(2, 72))
    return steps


def _share(rng, report: Report):
    version = "sanitised" if report.needs_sanitising else rng.choice(("original", "sanitised")) \
        if report.sanitised_text else "original"
    text = report.sanitised_text if version == "sanitised" else report.text
    to_agency = report.grading_scheme == "3x5x2" and rng.random() < 0.25
    if report.grading_scheme == "5x5x5" and report.handling_code in ("4", "5"):
        to_agency = False
    unit = None if to_agency else rng.choice([u for u in ("rvctf", "vcd-tasking", "compass", "borough-lambeth",
                                                           "borough-southwark") if u != report.owner_unit_id])
    when = report.submitted_at + dt.timedelta(days=rng.uniform(1, 10))
    log = Dissemination(report_id=report.pk, recipient_kind="agency" if to_agency else (
        "borough" if unit and unit.startswith("borough-") else "unit"), recipient_unit_id=unit,
        recipient_agency=rng.choice(AGENCIES) if to_agency else "", version=version, grade=report.grade,
        handling_code=report.handling_code, handling_conditions=report.handling_conditions, text=text,
        shared_at=when, reason="Fictitious: made for the demo.", owner_unit_id=report.owner_unit_id,
        sensitivity=report.sensitivity, descriptors=report.descriptors)
    copy = None if to_agency else SharedReport(
        dissemination_id=report.pk, reference=report.reference, from_unit_id=report.owner_unit_id,
        grading_scheme=report.grading_scheme, grade=report.grade, handling_code=report.handling_code,
        handling_conditions=report.handling_conditions, text=text, received_at=when, owner_unit_id=unit,
        sensitivity=report.sensitivity, descriptors=report.descriptors)
    return log, copy
