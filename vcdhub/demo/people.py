"""The demo's fictitious people, tied to real crimes: victims, suspects and witnesses for a share of the violent
crimes in the bundled police.uk data, with the structure real nominal data has (docs/synthetic-people.md):

- repeat victims and repeat offenders, with a heavy-tailed number of crimes per person (each borough's offenders
  are drawn with Zipf weights, so a few offend many times);
- co-offending, and in the busiest boroughs a gang-like group whose members offend together;
- domestic-abuse dyads: the Community Safety Units' violent crimes (demo.markings) have a partner or ex-partner
  as the suspect;
- people in more than one unit's records, with the errors duplicates carry (people.synthetic), for the
  duplicate finder to propose.

Every person is fictitious (`Person.fictitious`, and a banner on their page), named from Faker's en_GB lists, and
made from one seeded random stream over crimes chosen by a hash of their Crime ID: the same people on every load
and database. Crime history stays as published; flags are dated relative to the day of the load, so reviews
fall due and overdue as they would in a live system. A second load changes nothing.
"""

import datetime as dt
import hashlib
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from vcdhub.access.choices import Sensitivity
from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.crime.models import Crime
from vcdhub.geography.models import Lsoa
from vcdhub.people import normalise
from vcdhub.people.models import Address, CrimeRole, Flag, Person, PersonLink
from vcdhub.people.synthetic import misrecorded, new_person
from vcdhub.platform import fulltext

SEED = "vcdhub-demo-people-1"
PREFIX = "DEMO-"
# The share of each crime type's records (with a Crime ID) given people. Possession of weapons has no victim.
SHARES = {"Violence and sexual offences": 0.02, "Robbery": 0.06, "Possession of weapons": 0.10}
SUSPECT_CHANCE = {"Violence and sexual offences": 0.55, "Robbery": 0.45, "Possession of weapons": 1.0}
CO_OFFENDER_CHANCE = {"Violence and sexual offences": 0.1, "Robbery": 0.35, "Possession of weapons": 0.15}
REPEAT_VICTIM_CHANCE = 0.12
WITNESS_CHANCE = 0.1
OFFENDERS_PER_CRIME = 0.45  # a borough's pool of offenders, per crime chosen there
ZIPF = 1.1  # the pool's weights: the k-th offender is drawn with weight 1 / k**ZIPF
GANG_BOROUGHS = 4  # the busiest boroughs each have one gang-like group
GANG_SIZE = (6, 12)
GANG_TOGETHER = 0.7  # a gang member's co-offender is another member this often
DUPLICATE_SHARE = 0.06  # people recorded a second time, by another unit
OTHER_UNITS = ("compass", "jigsaw", "sapphire-cold-case", "vcd-tasking")
PUBLIC_UNIT = "vcd-analysts"


@dataclass
class Built:
    people: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    links: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    truth: dict = field(default_factory=dict)  # source id -> the index of the true person it records


def position(crime_id: str) -> float:
    digest = hashlib.sha256(f"{SEED}:{crime_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def chosen_crimes() -> list:
    """The crimes given people: each type's share, by hash, in a fixed order."""
    rows = (Crime.objects.filter(crime_type__in=SHARES, reported_by="Metropolitan Police Service")
            .exclude(crime_id="").exclude(borough=None)
            .values_list("crime_id", "crime_type", "month", "borough_id", "lsoa_id", "owner_unit_id",
                         "sensitivity"))
    chosen = [row for row in rows.iterator(chunk_size=5000) if position(row[0]) < SHARES[row[1]]]
    return sorted(chosen)


def load_people(*, today: dt.date | None = None) -> dict[str, int]:
    """Generate and store the demo's people once; {} when they are there already."""
    if Person.objects.filter(source_id__startswith=PREFIX).exists():
        return {}
    today = today or timezone.localdate()
    crimes = chosen_crimes()
    if not crimes:
        return {}
    built = build(crimes, today)
    with transaction.atomic():
        Person.objects.bulk_create(built.people, batch_size=2000)
        by_source = dict(Person.objects.filter(source_id__startswith=PREFIX).values_list("source_id", "pk"))
        for rows in (built.addresses, built.roles, built.links, built.flags):
            for row in rows:
                row.person_id = by_source[row.person_id]
                if isinstance(row, PersonLink):
                    row.other_id = by_source[row.other_id]
        Address.objects.bulk_create(built.addresses, batch_size=2000)
        CrimeRole.objects.bulk_create(built.roles, batch_size=2000)
        PersonLink.objects.bulk_create(built.links, batch_size=2000)
        Flag.objects.bulk_create(built.flags, batch_size=2000)
        fulltext.index(Person.objects.filter(source_id__startswith=PREFIX).prefetch_related("other_names"))
        counts = {"people": len(built.people), "true people": len(set(built.truth.values())),
                  "addresses": len(built.addresses), "crime roles": len(built.roles), "links": len(built.links),
                  "flags": len(built.flags), "crimes": len(crimes)}
        record_event(EntryKind.IMPORT, "demo_people", object_type="people.person", object_id=SEED,
                     reason="fictitious demo people generated (demo.people)", detail=counts)
    return counts


def build(crimes: list, today: dt.date) -> Built:
    """The people for `crimes` (as chosen_crimes gives them), unsaved: person_id and other_id hold source ids."""
    rng = random.Random(SEED)
    born_by = max(row[2] for row in crimes)  # ages are as at the crimes (2017 in the demo), not the load day
    lsoas_in = defaultdict(list)
    for pk, borough in Lsoa.objects.order_by("code").values_list("pk", "borough_id"):
        lsoas_in[borough].append(pk)
    built = Built()
    people: list[dict] = []  # the true people, each with its unit, marking and home LSOA
    per_borough = Counter(row[3] for row in crimes)
    pools = {borough: [] for borough in per_borough}
    weights = {}
    for borough, n in per_borough.items():
        size = max(2, math.ceil(n * OFFENDERS_PER_CRIME))
        pools[borough] = [None] * size  # made when first drawn
        weights[borough] = [1 / (k + 1) ** ZIPF for k in range(size)]
    # The busiest boroughs' gangs: some of the pool's most active offenders (the first, by weight).
    gangs = {borough: set(range(min(rng.randint(*GANG_SIZE), len(pools[borough]))))
             for borough, _ in per_borough.most_common(GANG_BOROUGHS)}
    victims_in = defaultdict(list)

    def person(unit, sensitivity, borough, lsoa=None, **shape) -> int:
        record = new_person(rng, born_by, **shape)
        home = lsoa if lsoa and rng.random() < 0.5 else rng.choice(lsoas_in[borough] or [None])
        people.append({**record, "unit": unit, "sensitivity": sensitivity, "lsoa": home})
        return len(people) - 1

    def offender(borough, unit, sensitivity, lsoa, *, gang_mate=False) -> int:
        pool = pools[borough]
        if gang_mate and borough in gangs:
            k = rng.choice(sorted(gangs[borough]))
        else:
            k = rng.choices(range(len(pool)), weights[borough])[0]
        if pool[k] is None:
            pool[k] = person(unit, sensitivity, borough, lsoa, sex="male" if rng.random() < 0.85 else "female",
                             min_age=13, mode_age=21, max_age=60)
        return pool[k]

    roles: list[tuple[int, str, str, dt.date, str]] = []  # (person, crime_ref, role, month, owning unit)
    links: list[tuple[int, int, str, dt.date | None, str]] = []  # (person, other, kind, date, owning unit)
    armed: set[int] = set()  # suspects of weapons possession
    for crime_id, crime_type, month, borough, lsoa, owner, sensitivity in crimes:
        unit = owner if sensitivity == Sensitivity.OFFICIAL_SENSITIVE else PUBLIC_UNIT
        domestic = owner == "csu" and crime_type == "Violence and sexual offences"
        if domestic:  # a partner or ex-partner: the CSU's dyads
            victim = person(unit, Sensitivity.OFFICIAL_SENSITIVE, borough, lsoa, sex="female", min_age=16,
                            mode_age=30, max_age=70)
            suspect = person(unit, Sensitivity.OFFICIAL_SENSITIVE, borough, lsoa, sex="male", min_age=16,
                             mode_age=32, max_age=70)
            roles += [(victim, crime_id, "victim", month, unit), (suspect, crime_id, "suspect", month, unit)]
            links.append((suspect, victim, rng.choice(("partner", "ex_partner")), month, unit))
            continue
        if crime_type != "Possession of weapons":
            pool = victims_in[borough]
            if pool and rng.random() < REPEAT_VICTIM_CHANCE:
                victim = rng.choice(pool)
            else:
                victim = person(unit, Sensitivity.OFFICIAL_SENSITIVE, borough, lsoa)
                pool.append(victim)
            roles.append((victim, crime_id, "victim", month, unit))
        if rng.random() < SUSPECT_CHANCE[crime_type]:
            first = offender(borough, unit, Sensitivity.OFFICIAL_SENSITIVE, lsoa)
            outcome = rng.choices(("suspect", "charged", "convicted"), (70, 18, 12))[0]
            roles.append((first, crime_id, outcome, month, unit))
            if crime_type == "Possession of weapons":
                armed.add(first)
            if rng.random() < CO_OFFENDER_CHANCE[crime_type]:
                in_gang = borough in gangs and _pool_index(pools[borough], first) in gangs[borough]
                second = offender(borough, unit, Sensitivity.OFFICIAL_SENSITIVE, lsoa,
                                  gang_mate=in_gang and rng.random() < GANG_TOGETHER)
                if second != first:
                    roles.append((second, crime_id, outcome, month, unit))
                    links.append((first, second, "co_offender", month, unit))
        if rng.random() < WITNESS_CHANCE:
            roles.append((person(unit, Sensitivity.OFFICIAL_SENSITIVE, borough, lsoa), crime_id, "witness", month,
                          unit))
    for borough, members in gangs.items():
        made = sorted(pools[borough][k] for k in members if pools[borough][k] is not None)
        for i, a in enumerate(made):
            for b in made[i + 1:]:
                if rng.random() < 0.4:
                    links.append((a, b, "gang", None, "rvctf"))

    gang_members = {pools[b][k] for b, members in gangs.items() for k in members if pools[b][k] is not None}
    _store(built, rng, today, people, roles, links)
    _flags(built, rng, today, people, roles, gang_members, armed, born_by)
    return built


def _pool_index(pool: list, person: int) -> int | None:
    try:
        return pool.index(person)
    except ValueError:
        return None


def _store(built: Built, rng, today, people, roles, links) -> None:
    """Person, address, role, link and flag rows from the generated structure, with duplicate records."""
    source = {index: _source_id(record["unit"], index) for index, record in enumerate(people)}
    for index, record in enumerate(people):
        sid = source[index]
        _add_record(built, sid, record, index)
        if rng.random() < DUPLICATE_SHARE:  # the same person, as another unit recorded them
            other_unit = rng.choice(OTHER_UNITS)
            copy = dict(misrecorded(record, rng), unit=other_unit)
            _add_record(built, f"{PREFIX}{other_unit.upper()}-{index + 1:06d}D", copy, index)
    seen_roles = set()
    for index, crime_ref, role, month, unit in roles:
        if (index, crime_ref, role) in seen_roles:
            continue
        seen_roles.add((index, crime_ref, role))
        built.roles.append(CrimeRole(person_id=source[index], crime_ref=crime_ref, role=role, recorded_on=month,
                                     owner_unit_id=unit, sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
                                     descriptors="PERSONAL"))
    linked = set()
    for a, b, kind, month, unit in links:
        if (min(a, b), max(a, b), kind) in linked:  # one link per pair and kind, dated when first seen
            continue
        linked.add((min(a, b), max(a, b), kind))
        built.links.append(PersonLink(person_id=source[a], other_id=source[b], kind=kind, source="demo records",
                                      linked_on=month or today - dt.timedelta(days=rng.randint(30, 400)),
                                      confidence=rng.choices(("confirmed", "tentative", "unconfirmed"), (6, 3, 1))[0],
                                      owner_unit_id=unit, sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
                                      descriptors="PERSONAL"))


def _source_id(unit: str, index: int) -> str:
    return f"{PREFIX}{unit.upper()}-{index + 1:06d}"


def _add_record(built: Built, sid: str, record: dict, truth: int) -> None:
    year, month, day = normalise.parse_birth_date(record["date_of_birth"]) if record["date_of_birth"] else (
        None, None, None)
    person = Person(source_id=sid, given_name=record["given_name"], surname=record["surname"], birth_year=year,
                    birth_month=month, birth_day=day, sex=record["sex"], fictitious=True,
                    owner_unit_id=record["unit"], sensitivity=record["sensitivity"], descriptors="PERSONAL")
    person.given_key, person.surname_key, person.surname_sound = normalise.keys(person.given_name, person.surname)
    built.people.append(person)
    built.truth[sid] = truth
    if record.get("postcode") or record.get("address_1"):
        built.addresses.append(Address(person_id=sid, street_number=record["street_number"],
                                       address_1=record["address_1"], town=record["town"],
                                       postcode=normalise.postcode(record["postcode"]), lsoa_id=record["lsoa"]))


def _flags(built: Built, rng, today, people, roles, gang_members: set[int], armed: set[int],
           born_by: dt.date) -> None:
    """Warning markers from what each person did, dated relative to today, with review dates a year on (so some
    are overdue) and a few rarer markers at small rates."""
    suspected = Counter(i for i, _, role, _, _ in roles if role in ("suspect", "charged", "convicted"))
    victimised = Counter(i for i, _, role, _, _ in roles if role == "victim")

    def flag(index, kind, unit, **extra):
        flagged = today - dt.timedelta(days=rng.randint(14, 700))
        built.flags.append(Flag(person_id=_source_id(people[index]["unit"], index), kind=kind, flagged_on=flagged,
                                review_on=flagged + dt.timedelta(days=365), source="demo records",
                                owner_unit_id=unit, sensitivity=Sensitivity.OFFICIAL_SENSITIVE,
                                descriptors="PERSONAL", detail=extra.pop("detail", ""), **extra))

    for index, record in enumerate(people):
        unit = record["unit"]
        if suspected[index] >= 3:
            flag(index, "violence", unit, detail=f"Suspect in {suspected[index]} violent crimes (demo)")
        if victimised[index] >= 3:
            flag(index, "repeat_victim", unit, detail=f"Victim of {victimised[index]} crimes (demo)")
        if victimised[index] and record["date_of_birth"] > (born_by.replace(year=born_by.year - 18)).isoformat() \
                and rng.random() < 0.5:
            flag(index, "child_at_risk", unit, detail="Victim under 18 (demo)")
        if index in armed:
            flag(index, "weapons", unit, detail="Found in possession of a weapon (demo)")
        if index in gang_members:
            flag(index, "gang", "rvctf", detail="Gang association (demo)")
        if unit == "csu" and record["sex"] == "male" and suspected[index]:
            flag(index, "da_perpetrator", "csu", detail="Domestic-abuse suspect (demo)")
        draw = rng.random()
        if draw < 0.02:
            flag(index, "mental_health", unit)
        elif draw < 0.03:
            flag(index, "self_harm", unit)
        elif draw < 0.04:
            flag(index, "missing_history", "compass")
        elif draw < 0.045 and suspected[index]:
            flag(index, "mappa", "jigsaw", mappa_category=2, mappa_level=rng.choice((1, 1, 2)))
        elif draw < 0.05 and suspected[index]:
            flag(index, "pdp", unit)
        elif draw < 0.06:
            flag(index, "fno", "jigsaw")
