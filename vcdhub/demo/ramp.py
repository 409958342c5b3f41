"""The demo's fictitious risk panel (docs/synthetic-people.md, "Risk panels"): RAMP cases about the demo's
people owned by the Community Safety Units, in every state of the workflow, with their referrals, assessments,
plans, actions (to units, boroughs and partner agencies), reviews, two panel meetings already held and two to
come, and some reviews and actions overdue.

Made through the case-work actions (casework.actions, ramp.actions) by the demo load (no acting user: the audit
chain names the command), dated back from the day of the load, so the queues look current whenever the demo is
loaded. The panel's decisions are the demo chair's. One seeded stream: the same cases every load.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vcdhub.audit.log import record_event
from vcdhub.audit.models import EntryKind
from vcdhub.casework import actions as core
from vcdhub.casework.models import Case
from vcdhub.intel.models import ReportLink
from vcdhub.people.choices import OFFENDER_ROLES, CrimeRoleKind
from vcdhub.people.models import CrimeRole, Person
from vcdhub.ramp import actions
from vcdhub.ramp.choices import State

SEED = "vcdhub-demo-ramp-1"
UNIT = "csu"
# How many cases end in each state, and how many of each are about a vulnerable person rather than an offender.
STATES = ((State.REFERRED, 4, 1), (State.DECLINED, 3, 0), (State.ASSESSMENT, 5, 1), (State.PANEL, 6, 1),
          (State.MANAGED, 14, 2), (State.CLOSED, 4, 1), (State.MAPPA, 3, 0))
LEVELS = ("low", "medium", "high", "very_high")
GRADED = ("A", "B", "C")  # the 3x5x2 assessments the harm score weighs (settings.VCDHUB_RAMP_HARM)
LEVEL_WEIGHTS = (2, 5, 6, 2)
AGENCIES = ("probation", "housing", "childrens-services", "health", "voluntary", "borough-lambeth",
            "borough-southwark", "csu")
MARKING = {"owner_unit": UNIT, "sensitivity": "OFFICIAL-SENSITIVE", "descriptors": "PERSONAL", "fictitious": True}
BASES = ("Three intelligence reports in four months of threats with a knife against a former partner; no charge.",
         "Repeated allegations of sexual assault on different partners, none prosecuted; new partner has children.",
         "Disclosures to a mental-health nurse of violent fantasies about a named neighbour.",
         "Convictions abroad for serious violence; arrived this year; associates carry weapons.",
         "Escalating domestic abuse: strangulation reported, victim withdrew; perpetrator bought a blade online.")
VULNERABLE_BASES = ("Child missing five times in ninety days, found with older men in another borough.",
                    "Adult with learning disabilities exploited to hold drugs; threatened when he tried to stop.")
PLAN = {"supervision": "Lead officer contact every two weeks; offender manager visits monthly.",
        "monitoring": "Address flagged for an immediate response; ANPR alert on the subject's car.",
        "interventions": "Referral to a domestic-abuse perpetrator programme and to substance-misuse services.",
        "victim_safety": "IDVA support for the former partner; sanctuary measures at her address."}
ACTIONS = (("supervision", "probation", "Joint home visit with the offender manager"),
           ("monitoring", "csu", "Flag the subject's address for an immediate response"),
           ("interventions", "health", "Referral to the community mental-health team"),
           ("victim_safety", "voluntary", "IDVA to contact the former partner"),
           ("victim_safety", "housing", "Fit sanctuary measures at the victim's flat"),
           ("monitoring", "borough-lambeth", "Brief Lambeth's neighbourhood team on the subject"),
           ("supervision", "childrens-services", "Check the new partner's children are known to social care"))


def load_ramp(*, today: dt.date | None = None) -> dict[str, int]:
    """Generate and store the demo's risk panel once; {} when it is there already, or there are no people."""
    if Case.objects.filter(kind="ramp", fictitious=True).exists():
        return {}
    users = get_user_model().objects.in_bulk(["chair", "csu"], field_name="username")
    chair, lead = users.get("chair"), users.get("csu")
    offenders = list(Person.objects.filter(source_id__startswith="DEMO-", owner_unit_id=UNIT,
                                           crime_roles__role__in=OFFENDER_ROLES).distinct().order_by("pk"))
    victims = list(Person.objects.filter(source_id__startswith="DEMO-", owner_unit_id=UNIT,
                                         crime_roles__role=CrimeRoleKind.VICTIM).distinct().order_by("pk"))
    if chair is None or len(offenders) < 40 or not victims:
        return {}
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC)
    rng = random.Random(SEED)
    rng.shuffle(offenders)
    rng.shuffle(victims)
    # Referrals rest on graded intelligence (BASES), and the priority list scores a subject's crimes and
    # intelligence of the last three years: the demo's crimes are years old, so offenders with recent graded
    # reports are taken first (pop takes from the end; the sort keeps the shuffled order otherwise).
    graded = set(ReportLink.objects.filter(person__in=offenders, report__intelligence_assessment__in=GRADED)
                 .values_list("person_id", flat=True))
    offenders.sort(key=lambda person: person.pk in graded)
    made = {"cases": 0, "meetings": 0, "actions": 0, "reviews": 0, "decisions": 0}
    with transaction.atomic():
        meetings = _meetings(now, chair, made)
        for state, count, vulnerable in STATES:
            for number in range(count):
                subject = victims.pop() if number < vulnerable else offenders.pop()
                _case(rng, now, state, subject, number < vulnerable, chair, lead, meetings, made)
        for meeting in meetings["held"]:
            core.hold_meeting(None, meeting, set(meeting.attendees.values_list("pk", flat=True)))
        record_event(EntryKind.IMPORT, "demo_ramp", object_type="casework.case", object_id=SEED,
                     reason="fictitious demo risk panel generated (demo.ramp)", detail=made)
    return made


def _meetings(now, chair, made) -> dict[str, list]:
    """Two panels held (eight and four weeks ago) and two to come (in one and three weeks), at 10:00 London."""
    found: dict[str, list] = {"held": [], "planned": []}
    for weeks in (-8, -4, 1, 3):
        day = timezone.localdate(now) + dt.timedelta(weeks=weeks)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        meeting = core.schedule_meeting(None, "ramp", {
            **MARKING, "title": "CSU risk assessment management panel (fictitious)", "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=3), "location": "Room 2.14, Lambeth HQ (fictitious)",
            "chair": chair})
        for name, role, unit in (("Demo Panel Chair (fictitious)", "chair", "csu"),
                                 ("A. Offender-Manager (fictitious)", "probation officer", "probation"),
                                 ("B. Social-Worker (fictitious)", "social worker", "childrens-services"),
                                 ("C. Housing-Officer (fictitious)", "housing officer", "housing"),
                                 ("D. Advocate (fictitious)", "IDVA", "voluntary")):
            core.add_attendee(None, meeting, {"name": name, "role": role, "unit": unit,
                                              "user": chair if role == "chair" else None})
        found["held" if weeks < 0 else "planned"].append(meeting)
        made["meetings"] += 1
    return found


def _case(rng, now, state, subject, vulnerable, chair, lead, meetings, made) -> Case:
    # A case heard at a held panel was referred two to thirteen weeks before it; the panel's plan, closure or
    # escalation is dated at the meeting. The others were referred in the last two months.
    heard = state in (State.MANAGED, State.CLOSED, State.MAPPA)
    if heard:
        meeting = meetings["held"][rng.randrange(2)]
        end = meeting.starts_at + dt.timedelta(hours=2)
        at = meeting.starts_at - dt.timedelta(days=rng.randint(14, 90))
    else:
        meeting = meetings["planned"][rng.randrange(2)]
        end, at = now, now - dt.timedelta(days=rng.randint(5, 60))

    def later(fraction: float) -> dt.datetime:
        return at + (end - at) * fraction

    reports = list(ReportLink.objects.filter(person=subject).values_list("report__reference", flat=True)[:3])
    crimes = list(CrimeRole.objects.filter(person=subject).values_list("crime_ref", flat=True)[:3])
    case = actions.refer(None, {
        **MARKING, "subject": subject, "subject_type": "vulnerable" if vulnerable else "offender",
        "referred_by": rng.choice(("DS Demo (fictitious), CSU", "Offender manager (fictitious), Probation",
                                   "Social worker (fictitious), Children's services", "PC Demo (fictitious), Lambeth")),
        "referring_unit": rng.choice(("csu", "probation", "childrens-services", "borough-lambeth")),
        "basis": rng.choice(VULNERABLE_BASES if vulnerable else BASES), "reports": reports, "crimes": crimes,
        "lead_officer": lead}, at=at)
    made["cases"] += 1
    if state == State.REFERRED:
        return case
    if state == State.DECLINED:
        actions.screen(None, case, accept=False, at=later(0.1),
                       reason="Below the threshold: managed by the borough's neighbourhood team instead.")
        return case
    actions.screen(None, case, accept=True, at=later(0.1), reason="Meets the criteria: serious harm is feared.")
    if state == State.ASSESSMENT:
        return case
    level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    grades = {field: rng.choice(LEVELS[: LEVELS.index(level) + 1]) for field in
              ("risk_public", "risk_children", "risk_staff", "risk_self")}
    assessment = {**grades, "risk_known_adult": level,
                  "rosh_rationale": "Fictitious: graded on the referral, the intelligence and the crimes linked."}
    if not vulnerable:
        assessment.update(pdp_serious_harm="yes", pdp_imminent="yes" if level in ("high", "very_high") else "no",
                          pdp_more_likely="yes" if level == "very_high" else "no",
                          pdp_rationale="Fictitious: weighed on the intelligence and the referral's account.")
    actions.assess(None, case, assessment, at=later(0.3))
    item = actions.list_for_panel(None, case, meeting, at=later(0.6))
    if state == State.PANEL:
        return case
    core.record_discussion(chair, item, "Fictitious: the panel heard the referral, the assessment and each "
                                        "agency's account, and agreed the plan below.")
    core.decide(chair, item, {
        "summary": "Manage under a RAMP plan" if state == State.MANAGED else "Escalate to MAPPA"
        if state == State.MAPPA else "Close: the risk has passed",
        "information": "The referral, the graded intelligence and the crimes linked to the case (fictitious).",
        "threat_and_risk": f"Risk of serious harm {level.replace('_', ' ')} (fictitious).",
        "powers_and_policy": "Information sharing under the Crime and Disorder Act 1998, s. 115; the PDP guidance.",
        "options": "No further action; a RAMP plan; referral to MAPPA.",
        "action_taken": "As the summary says.", "review_date": (now + dt.timedelta(days=28)).date().isoformat()})
    made["decisions"] += 1
    if state == State.CLOSED:
        actions.close(None, case, "The subject moved abroad; the risk to the former partner has passed.", at=end)
        return case
    if state == State.MAPPA:
        actions.escalate(None, case, {"category": 3, "level": 2, "manager": "Demo MAPPA coordinator (fictitious)",
                                      "managed_from": timezone.localdate(end).isoformat(),
                                      "reason": "Convicted of a violent offence: now eligible for MAPPA."},
                         at=end)
        return case
    actions.adopt_plan(None, case, PLAN, item=item, at=end)
    for heading, assignee, title in rng.sample(ACTIONS, 4):
        due = timezone.localdate(end) + dt.timedelta(days=rng.randint(7, 70))
        action = actions.add_action(None, case, {"title": f"{title} (fictitious)", "heading": heading,
                                                  "assignee": assignee, "due": due.isoformat()}, item=item, at=end)
        made["actions"] += 1
        if due < timezone.localdate(now) and rng.random() < 0.6:
            core.complete_action(None, action, "Done (fictitious).", at=min(now, dt.datetime.combine(
                due, dt.time(12), tzinfo=dt.UTC)))
    if rng.random() < 0.6:  # a review after the plan; a few are now overdue again
        core.record_review(None, case, {"summary": "Fictitious: plan holding; no new reports.",
                                        "risk_level": level}, at=end + (now - end) * rng.uniform(0.4, 0.9))
        made["reviews"] += 1
    return case
