"""The review queue: open episodes (the person still missing) ranked by a vulnerability score, each row
explaining its rank term by term.

The score is computed for each reader from what that reader may see: the episode's own indicators and grade,
the register's flags and protocol forms, earlier episodes of the same person, and open cases of other kinds
(the risk panel; MARAC when it is built) on the person. The factors' points are configuration
(settings.VCDHUB_MISSING_VULNERABILITY) and the page shows them.

How unusual the time missing is comes from `stats.survival.DurationNorms`: Kaplan-Meier curves over the reader's
episodes (the open ones censored at their present duration) by age group and grade. An episode missing longer
than most similar ones scores more, in proportion to the share of similar episodes that had ended sooner."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from vcdhub.casework.models import Case
from vcdhub.missing.choices import FromKind, Grade, Indicator, ProtocolKind, State
from vcdhub.missing.models import Episode, ProtocolForm
from vcdhub.missing.timing import overdue
from vcdhub.missing.workflow import KIND
from vcdhub.people.choices import FlagKind
from vcdhub.people.models import Flag
from vcdhub.stats.survival import DurationNorms

AGE_GROUPS = {"child": "Child (under 18)", "adult": "Adult (18 to 64)", "older": "Older adult (65 and over)",
              "unknown": "Age not known"}
# Register flags that stand for an indicator the report did not record.
FLAG_INDICATORS = {FlagKind.MENTAL_HEALTH: Indicator.MENTAL_HEALTH, FlagKind.SELF_HARM: Indicator.MENTAL_HEALTH,
                   FlagKind.WEAPONS: Indicator.RISK_TO_OTHERS, FlagKind.VIOLENCE: Indicator.RISK_TO_OTHERS,
                   FlagKind.PDP: Indicator.RISK_TO_OTHERS, FlagKind.DRUGS: Indicator.SUBSTANCE}


def age_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    return "child" if age < 18 else "older" if age >= 65 else "adult"


def hours_missing_td(episode: Episode, now: dt.datetime) -> dt.timedelta:
    """The time from last seen to found (or to `now`, while still missing)."""
    return max((episode.found_at or now) - episode.last_seen_at, dt.timedelta(0))


def hours_missing(episode: Episode, now: dt.datetime) -> float:
    return hours_missing_td(episode, now).total_seconds() / 3600


@dataclass(frozen=True)
class Term:
    factor: str
    points: float
    why: str


@dataclass
class Ranked:
    case: Case
    episode: Episode
    score: float = 0.0
    terms: list[Term] = field(default_factory=list)
    hours: float = 0.0
    comparison: object = None
    overdue: list[str] = field(default_factory=list)
    repeats_90: int = 0
    repeats_365: int = 0

    @property
    def explanation(self) -> list[str]:
        return [f"{t.why}: {t.points:+g}" for t in self.terms]


def visible_episodes(user):
    """The episodes whose cases the user may see."""
    return Episode.objects.filter(case__in=Case.objects.restrict(user).filter(kind=KIND.name))


def norms(user, now: dt.datetime | None = None) -> DurationNorms:
    """Kaplan-Meier curves of time missing over the user's episodes, by age group and grade."""
    now = now or timezone.now()
    rows = list(visible_episodes(user).filter(last_seen_at__lte=now).only(
        "last_seen_at", "found_at", "age_at_report", "grade"))
    return DurationNorms(min_group=settings.VCDHUB_MISSING_MIN_GROUP).fit(
        [hours_missing(e, now) for e in rows], [e.found_at is not None and e.found_at <= now for e in rows],
        [(age_group(e.age_at_report), grade_words(e.grade)) for e in rows])


def grade_words(grade: str) -> str:
    """A risk grade as the comparison's text names its group: "very low", not the stored "very_low"."""
    return Grade(grade).label.lower() if grade in Grade.values else grade


def _repeats(user, subjects, now: dt.datetime) -> dict[int, list[dt.datetime]]:
    """Each subject's episodes' report times that the user may see, in the last year."""
    found = defaultdict(list)
    for subject_id, at in (visible_episodes(user).filter(case__subject_id__in=subjects,
                                                         reported_at__gt=now - dt.timedelta(days=366))
                           .values_list("case__subject_id", "reported_at")):
        found[subject_id].append(at)
    return found


def rank(user, *, now: dt.datetime | None = None, cases=None) -> list[Ranked]:
    """The open episodes of people still missing that the user may see (or just `cases`), highest score first."""
    now = now or timezone.now()
    weights = settings.VCDHUB_MISSING_VULNERABILITY
    episodes = visible_episodes(user).filter(case__state=State.MISSING).select_related("case", "case__subject")
    if cases is not None:
        episodes = episodes.filter(case__in=[c.pk for c in cases])
    episodes = list(episodes)
    if not episodes:
        return []
    model = norms(user, now)
    subjects = {e.case.subject_id for e in episodes}
    flags = defaultdict(set)
    for person_id, kind in (Flag.objects.restrict(user).filter(person_id__in=subjects)
                            .values_list("person_id", "kind")):
        flags[person_id].add(kind)
    herbert = set(ProtocolForm.objects.filter(case__in=[e.case_id for e in episodes], kind=ProtocolKind.HERBERT)
                  .values_list("case_id", flat=True))
    other_cases = defaultdict(list)
    for case in (Case.objects.restrict(user).filter(subject_id__in=subjects).exclude(kind=KIND.name)):
        if case.is_open:
            other_cases[case.subject_id].append(case.reference)
    repeats = _repeats(user, subjects, now)
    labels = dict(Indicator.choices)
    ranked = []
    for episode in episodes:
        case = episode.case
        row = Ranked(case=case, episode=episode, hours=hours_missing(episode, now),
                     overdue=overdue(episode, case.state, now))
        terms = row.terms
        grade_points = weights["grade"].get(episode.grade, 0)
        terms.append(Term("grade", grade_points, f"{episode.get_grade_display()} risk"))
        group = age_group(episode.age_at_report)
        if group == "child":
            terms.append(Term("child", weights["child"], f"A child ({episode.age_at_report} at the report)"))
        elif group == "older":
            terms.append(Term("older_adult", weights["older_adult"],
                              f"An older adult ({episode.age_at_report} at the report)"))
        present = {i: "recorded on the report" for i in episode.indicators}
        if episode.from_kind == FromKind.CARE and episode.is_child:
            present.setdefault(Indicator.LOOKED_AFTER, "missing from a care placement")
        for kind in flags.get(case.subject_id, ()):
            if kind in FLAG_INDICATORS:
                present.setdefault(FLAG_INDICATORS[kind], f"the register's {FlagKind(kind).label.lower()} flag")
        if case.pk in herbert:
            present.setdefault(Indicator.DEMENTIA, "a Herbert Protocol form was handed over")
        for code in Indicator.values:
            if code in present:
                terms.append(Term(code, weights[code], f"{labels[code]} ({present[code]})"))
        earlier = [at for at in repeats.get(case.subject_id, []) if at < episode.reported_at]
        row.repeats_90 = sum(1 for at in earlier if at > episode.reported_at - dt.timedelta(days=90))
        row.repeats_365 = sum(1 for at in earlier if at > episode.reported_at - dt.timedelta(days=365))
        if row.repeats_90:
            counted = min(row.repeats_90, weights["repeat_cap"])
            terms.append(Term("repeat_90d", weights["repeat_90d"] * counted,
                              f"{row.repeats_90} earlier episode{'s' if row.repeats_90 != 1 else ''} in 90 days"
                              + (f" (counted up to {weights['repeat_cap']})" if row.repeats_90 > counted else "")))
        row.comparison = model.compare(row.hours, (group, grade_words(episode.grade)))
        share = row.comparison.share_shorter
        if share is not None and share >= weights["unusual_from"]:
            terms.append(Term("unusual_duration", round(weights["unusual_duration"] * share, 2),
                              f"Time missing: {row.comparison.text}"))
        if other_cases.get(case.subject_id):
            terms.append(Term("open_case", weights["open_case"],
                              f"Open case on the person: {', '.join(sorted(other_cases[case.subject_id]))}"))
        row.terms = [t for t in terms if t.points]
        row.score = round(sum(t.points for t in row.terms), 2)
        ranked.append(row)
    ranked.sort(key=lambda r: (-r.score, -r.hours, r.case.reference))
    return ranked


def interviews_due(user, *, now: dt.datetime | None = None) -> list[tuple[Episode, list[str]]]:
    """Found people's episodes awaiting the return interview, the earliest due first, with what is overdue."""
    now = now or timezone.now()
    episodes = (visible_episodes(user).filter(case__state=State.FOUND).select_related("case", "case__subject")
                .order_by("interview_due_at", "pk"))
    return [(e, overdue(e, e.case.state, now)) for e in episodes[:500]]


GRADE_LABELS = dict(Grade.choices)
