"""The risk panel's priority list: open cases ranked by a harm score over their subjects' crimes and
intelligence (stats.harm.HarmScore: recency, frequency and gravity, with weights in days of custody in the manner
of the Cambridge Crime Harm Index, settings.VCDHUB_RAMP_HARM).

Each reader's score is computed from what that reader may see: the crimes and roles, and the intelligence
reports, their restrictions let them open. A score never counts a record its reader could not open, so two
readers may rank the same case differently, and neither learns of the other's records from it.

For a potentially dangerous person the crimes counted are those they are a suspect in or charged or convicted
of (harm done); for a vulnerable person, those they are the victim of (harm suffered). Intelligence counts
for both. The tasking module reads `priority_list`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from vcdhub.casework.models import Case
from vcdhub.crime.models import Crime
from vcdhub.intel.models import Report, ReportLink
from vcdhub.people.choices import CrimeRoleKind
from vcdhub.people.models import CrimeRole
from vcdhub.ramp.choices import OPEN_STATES, SubjectType
from vcdhub.ramp.models import Referral
from vcdhub.ramp.workflow import KIND
from vcdhub.stats.harm import HarmScore, HarmTerm

HARM_DONE = (CrimeRoleKind.SUSPECT, CrimeRoleKind.CHARGED, CrimeRoleKind.CONVICTED)
HARM_SUFFERED = (CrimeRoleKind.VICTIM,)
INTELLIGENCE = "Intelligence"


@dataclass(frozen=True)
class Priority:
    case: Case
    subject_type: str
    score: float
    terms: list[HarmTerm]
    unweighted: dict[str, int]
    outside_window: int

    @property
    def explanation(self) -> list[str]:
        """The score term by term, in words."""
        half_life = settings.VCDHUB_RAMP_HARM["half_life_days"]
        lines = []
        for term in self.terms:
            newest = f"newest {term.newest_age_days:,.0f} days ago"
            lines.append(f"{term.count} × {term.category} (weight {term.weight:,.0f} days each; {newest}; "
                         f"after decay on a {half_life:,}-day half-life they count as {term.decayed_count:.2f}) "
                         f"= {term.contribution:,.1f}")
        for category, count in sorted(self.unweighted.items()):
            lines.append(f"{count} × {category}: no weight, not counted")
        if self.outside_window:
            window = settings.VCDHUB_RAMP_HARM.get("window_days")
            lines.append(f"{self.outside_window} older than {window:,} days: not counted")
        return lines


def weights() -> dict[str, float]:
    config = settings.VCDHUB_RAMP_HARM
    return {**config["crime_weights"],
            **{f"{INTELLIGENCE} {grade}": w for grade, w in config["intelligence_weights"].items()}}


def scorer() -> HarmScore:
    config = settings.VCDHUB_RAMP_HARM
    return HarmScore(weights(), half_life_days=config["half_life_days"], window_days=config.get("window_days"))


def _age(on: dt.date, as_of: dt.date) -> int | None:
    days = (as_of - on).days
    return days if days >= 0 else None  # an event after the as-of date is not yet known on it


def events(user, subjects: set[tuple[int, str]], as_of: dt.date) -> dict[tuple[int, str], list[tuple[str, int]]]:
    """(category, age in days) of each subject's events the user may see, by (person id, subject type): a person
    may be the subject of a case as an offender and of another as a vulnerable person, and each counts its own
    events. A crime is dated by its month (when it happened, as police.uk gives it); a report by the day it was
    submitted. One query per kind of record, however many subjects."""
    people = {person for person, _ in subjects}
    roles = list(CrimeRole.objects.restrict(user).filter(person_id__in=people)
                 .values_list("person_id", "crime_ref", "role"))
    crimes = {}
    for crime_id, crime_type, month in (Crime.objects.restrict(user).filter(crime_id__in={r[1] for r in roles})
                                        .order_by("crime_id", "month").values_list("crime_id", "crime_type", "month")):
        crimes.setdefault(crime_id, (crime_type, month))  # a crime the reader may not open is not counted
    reports = {}
    for person, report, scheme, assessment, submitted_at in (
            ReportLink.objects.filter(person_id__in=people, report__in=Report.objects.restrict(user))
            .values_list("person_id", "report_id", "report__grading_scheme", "report__intelligence_assessment",
                         "report__submitted_at")):
        category = f"{INTELLIGENCE} {scheme} {assessment}" if assessment else f"{INTELLIGENCE}, ungraded"
        reports[(person, report)] = (category, timezone.localdate(submitted_at))
    found: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for person, subject_type in subjects:
        wanted = HARM_SUFFERED if subject_type == SubjectType.VULNERABLE else HARM_DONE
        refs = sorted({ref for who, ref, role in roles if who == person and role in wanted and ref in crimes})
        dated = [(crimes[ref][0], crimes[ref][1]) for ref in refs]
        dated += [value for (who, _), value in sorted(reports.items()) if who == person]
        found[(person, subject_type)] = [(category, age) for category, on in dated
                                         if (age := _age(on, as_of)) is not None]
    return found


def priority_list(user, *, as_of: dt.date | None = None, cases=None) -> list[Priority]:
    """The open RAMP cases `user` may see (or `cases`, among them), highest harm score first."""
    as_of = as_of or timezone.localdate()
    queryset = Case.objects.restrict(user).filter(kind=KIND.name, state__in=OPEN_STATES).select_related("subject")
    if cases is not None:
        queryset = queryset.filter(pk__in=[c.pk for c in cases])
    open_cases = list(queryset)
    types = dict(Referral.objects.filter(case__in=open_cases).values_list("case_id", "subject_type"))
    subject_of = {case.pk: (case.subject_id, types.get(case.pk, SubjectType.OFFENDER)) for case in open_cases}
    by_subject = events(user, set(subject_of.values()), as_of)
    ranked = []
    for case in open_cases:
        happened = by_subject.get(subject_of[case.pk], [])
        harm = scorer().fit([c for c, _ in happened], [a for _, a in happened])
        ranked.append(Priority(case, types.get(case.pk, SubjectType.OFFENDER), harm.score_, harm.terms_,
                               harm.unweighted_, harm.outside_window_))
    ranked.sort(key=lambda p: (-p.score, p.case.reference))
    return ranked
