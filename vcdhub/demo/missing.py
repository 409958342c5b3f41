"""The demo's fictitious missing-person histories (docs/synthetic-people.md, "Missing persons"): people owned by
Compass, the missing persons unit, named from Faker's en_GB lists and clearly fictitious, at real London places.

- Looked-after children go missing again and again from four care placements (fictitious homes at real
  places), and some are found together near Elephant and Castle, where an older fictitious associate is linked
  to several of them on the register: the patterns page's three kinds of group.
- Older adults with dementia, each episode with a Herbert Protocol form handed over by a carer.
- Other children and adults going missing from home, hospital or school, once or twice.
- A handful of adults missing for months or years (long-term missing).
- Episode durations are drawn from a log-normal distribution (a long right tail: most people are found within
  hours, a few after days), with medians by group in the range published for England and Wales.

Made through missing.actions by the demo load (no acting user: the audit chain names the command), dated back
from the day of the load over two years, so some reviews and return interviews are overdue. Repeat episodes
propose referrals to the risk panel, left for a person to decide. One seeded stream: the same people and
episodes every load.
"""

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.casework.models import Case
from vcdhub.missing import actions
from vcdhub.people.models import Person, PersonLink
from vcdhub.platform import fulltext

SEED = 20261130
UNIT = "compass"
PREFIX = "DEMO-MIS-"
MARKING = {"owner_unit": UNIT, "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL", "fictitious": True}
# Fictitious homes at real places (longitude, latitude).
PLACEMENTS = (("Oakfield House children's home (fictitious)", "SW9 8AB", -0.1146, 51.4652),
              ("Ravenscourt Lodge (fictitious)", "SE15 5RS", -0.0686, 51.4711),
              ("The Willows residential care (fictitious)", "CR0 2QF", -0.0975, 51.3762),
              ("Hollybank foster placement (fictitious)", "SE13 6EW", 0.0110, 51.4588))
FOUND_PLACES = (("Elephant and Castle shopping centre", -0.1003, 51.4949),
                ("Brixton station", -0.1146, 51.4627), ("Croydon bus garage", -0.0989, 51.3718),
                ("Peckham Rye park", -0.0620, 51.4617), ("Lewisham station", 0.0137, 51.4657),
                ("A friend's flat in Stockwell", -0.1223, 51.4723))
HOMES = ("Lambeth", "Southwark", "Croydon", "Lewisham")
# Median hours missing by group, and the log-normal's spread (sigma): a long tail of days.
DURATION = {"looked_after": (9, 1.2), "child": (7, 1.1), "adult": (14, 1.4), "dementia": (3, 0.8)}
GRADES = {"looked_after": ("medium", "high"), "child": ("low", "medium", "high"),
          "adult": ("very_low", "low", "medium"), "dementia": ("medium", "high")}


def load_missing(*, today: dt.date | None = None) -> dict[str, int]:
    """Generate and store the demo's missing persons once; {} when they are there already."""
    if Person.objects.filter(source_id__startswith=PREFIX).exists():
        return {}
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC)
    rng = random.Random(SEED)
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    made = {"people": 0, "episodes": 0, "still missing": 0, "herbert forms": 0, "information": 0}
    with transaction.atomic():
        people = []

        def person(age: int, sex: str, home: str) -> Person:
            given = fake.first_name_female() if sex == "female" else fake.first_name_male()
            born = now.date() - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 300))
            made["people"] += 1
            made_person = Person.objects.create(
                source_id=f"{PREFIX}{made['people']:05d}", given_name=given, surname=fake.last_name(),
                birth_year=born.year, birth_month=born.month, birth_day=born.day, sex=sex, fictitious=True,
                description=f"Fictitious person for the demo, home in {home}.", owner_unit_id=UNIT,
                sensitivity="OFFICIAL-SENSITIVE", descriptors="PERSONAL")
            people.append(made_person)
            return made_person

        associate = person(27, "male", "Southwark")
        for number in range(16):  # looked-after children, each with three to six episodes in two years
            child = person(rng.randint(12, 17), rng.choice(("female", "male")), rng.choice(HOMES))
            placement = PLACEMENTS[number % len(PLACEMENTS)]
            if number % 3 == 0:
                PersonLink.objects.create(person=child, other=associate, kind="associate", linked_on=now.date(),
                                          source="Compass debriefs (fictitious)", confidence="tentative",
                                          owner_unit_id=UNIT, sensitivity="OFFICIAL-SENSITIVE")
            for days_ago in sorted(rng.sample(range(2, 700), rng.randint(3, 6)), reverse=True):
                _episode(rng, now, child, "looked_after", days_ago, made, placement=placement,
                         cluster=number % 3 == 0)
        for _ in range(24):  # children at home or school, once or twice
            child = person(rng.randint(11, 17), rng.choice(("female", "male")), rng.choice(HOMES))
            for days_ago in rng.sample(range(1, 700), rng.randint(1, 2)):
                _episode(rng, now, child, "child", days_ago, made)
        for _ in range(30):  # adults
            adult = person(rng.randint(18, 60), rng.choice(("female", "male")), rng.choice(HOMES))
            _episode(rng, now, adult, "adult", rng.randint(1, 700), made)
        for _ in range(10):  # older adults with dementia
            older = person(rng.randint(70, 92), rng.choice(("female", "male")), rng.choice(HOMES))
            for days_ago in rng.sample(range(1, 700), rng.randint(1, 3)):
                _episode(rng, now, older, "dementia", days_ago, made)
        for days_ago in (95, 210, 380, 520, 690):  # long-term missing adults
            adult = person(rng.randint(25, 55), "male", rng.choice(HOMES))
            _episode(rng, now, adult, "adult", days_ago, made, still_missing=True)
        for hours_ago, group in ((2, "looked_after"), (5, "child"), (14, "adult"), (30, "dementia"),
                                 (50, "child")):  # people missing now, some reviews overdue
            subject = person(15 if group in ("child", "looked_after") else 80 if group == "dementia" else 34,
                             "female", rng.choice(HOMES))
            _episode(rng, now, subject, group, 0, made, still_missing=True, hours_ago=hours_ago,
                     placement=PLACEMENTS[0] if group == "looked_after" else None)
        fulltext.index(Person.objects.filter(source_id__startswith=PREFIX).prefetch_related("other_names"))
        record_event(EntryKind.IMPORT, "demo_missing", object_type="casework.case", object_id=str(SEED),
                     reason="fictitious demo missing persons generated (demo.missing)", detail=made)
    return made


def _episode(rng, now, subject, group, days_ago, made, *, placement=None, cluster=False, still_missing=False,
             hours_ago: float = 0) -> Case:
    median, sigma = DURATION[group]
    last_seen = now - dt.timedelta(days=days_ago, hours=hours_ago or rng.uniform(0, 20))
    reported = last_seen + dt.timedelta(minutes=rng.randint(20, 240))
    if reported > now:
        reported = now - dt.timedelta(minutes=5)
    where = rng.choice(FOUND_PLACES)
    values = {**MARKING, "subject": subject, "reported_at": reported, "last_seen_at": last_seen,
              "grade": rng.choice(GRADES[group]), "reported_by": "Fictitious reporter",
              "grade_rationale": {"looked_after": "Looked-after child, repeat episodes, concerns of exploitation.",
                                  "child": "Child, out of character, no phone.",
                                  "adult": "Adult, history of low mood; no immediate threat known.",
                                  "dementia": "Dementia, poor road sense, cold night forecast."}[group]}
    if placement is not None:
        name, postcode, lon, lat = placement
        values.update(from_kind="care", from_place=name, from_postcode=postcode, from_longitude=str(lon),
                      from_latitude=str(lat), indicators=["looked_after", *(["cse"] if cluster else [])],
                      reported_by="Night worker at the placement (fictitious)")
    else:
        values.update(from_kind=rng.choice(("home", "home", "school", "hospital")) if group != "dementia" else "home",
                      from_place=f"An address in {rng.choice(HOMES)} (fictitious)",
                      indicators=["dementia"] if group == "dementia" else
                      rng.sample(["mental_health", "substance", "risk_to_others"], rng.randint(0, 1)))
    case = actions.report(None, values, now=reported)
    made["episodes"] += 1
    if group == "dementia":
        actions.add_protocol_form(None, case, {
            "kind": "herbert", "given_by": "Daughter and carer (fictitious)", "given_at": reported, "photo": True,
            "medical": "Donepezil each morning; diabetic.", "places": "Walks to their old workplace and the canal.",
            "contacts": "Carer's mobile (fictitious)", "description": "Walks with a stick; wears a flat cap."},
            now=reported)
        made["herbert forms"] += 1
    hours = math.exp(math.log(median) + sigma * rng.gauss(0, 1))
    found_at = last_seen + dt.timedelta(hours=hours)
    if still_missing or found_at >= now:
        made["still missing"] += 1
        return case
    info_at = min(reported + dt.timedelta(minutes=30), found_at)
    actions.log_information(None, case, {"text": "Friends and family called; no contact since last seen.",
                                         "supplied_by": "The reporter (fictitious)", "obtained_at": info_at},
                            now=info_at)
    made["information"] += 1
    found_at = max(found_at, reported + dt.timedelta(minutes=45))
    if found_at >= now:
        made["still missing"] += 1
        return case
    if cluster and rng.random() < 0.7:
        where = FOUND_PLACES[0]
    place, lon, lat = where
    case.refresh_from_db()
    actions.found(None, case, {"found_at": found_at, "found_how": rng.choice(("by_police", "returned",
                                                                              "returned", "elsewhere")),
                               "found_place": place, "found_longitude": str(lon + rng.uniform(-0.001, 0.001)),
                               "found_latitude": str(lat + rng.uniform(-0.001, 0.001)),
                               "reason": "Safe and well check completed (fictitious)."}, now=found_at)
    interview_at = found_at + dt.timedelta(hours=rng.uniform(4, 60))
    if interview_at < now:
        case.refresh_from_db()
        actions.close(None, case, {"interview_at": interview_at, "interview_by": "Compass officer (fictitious)",
                                   "interview_summary": "Return interview held; no harm disclosed."},
                      now=interview_at)
    return case
