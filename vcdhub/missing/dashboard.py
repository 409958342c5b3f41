"""The missing-persons figures, as on a date: people outstanding and how many are children, open episodes by
risk grade, overdue reviews and return interviews, episodes per month with the trend, the placements with most
episodes, and time-to-found curves. The dashboard page, its API and `vcdhub report missing` print `figures(...)`.

Whose episodes: a reader of records counts the episodes they may open, exactly, so "1,314 outstanding, of which
384 children" can be reproduced from the records for any date. An aggregate-only reader (the authority) gets
figures over every episode as published statistics: each count perturbed from its episodes' record keys (cell
key perturbation), small counts withheld, placements unnamed, and a curve only over enough episodes.

"As of" a date: each episode's state, grade and review timing are those its history gives at the end of that
day (its workflow steps, gradings and reviews, replayed in order as missing.actions applied them). A child is
under 18 on that date.
"""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from vcdhub.casework.history import end_of, state_at, steps_by_case
from vcdhub.casework.models import Case
from vcdhub.missing import timing
from vcdhub.missing.actions import age_on
from vcdhub.missing.choices import GRADE_ORDER, Grade, State
from vcdhub.missing.models import Episode, GradeChange, Review
from vcdhub.missing.queue import AGE_GROUPS, age_group
from vcdhub.missing.workflow import KIND
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.permissions import reads_records
from vcdhub.stats.survival import DurationNorms
from vcdhub.stats.trend import MonthlyTrend

MONTHS = 24
TOP_PLACEMENTS = 10
CURVE_HOURS = (1, 6, 24, 72, 168, 672)  # 1 hour, 6 hours, 1 day, 3 days, 7 days, 28 days
CURVE_MINIMUM_PROTECTED = 50  # episodes a curve needs before an aggregate-only reader sees it


def _due_at(until: dt.datetime, grades: list[GradeChange], reviews: list[Review], reopened: list[dt.datetime]):
    """The grade, and the next review and supervision due, at `until`: the actions' rules replayed in order."""
    events = sorted([*((g.at, 0, g) for g in grades if g.at <= until),
                     *((r.at, 1, r) for r in reviews if r.at <= until),
                     *((at, 2, None) for at in reopened if at <= until)], key=lambda e: (e[0], e[1]))
    grade, review_due, supervision_due = "", None, None
    for at, kind, record in events:
        if kind == 0:
            first = not record.from_grade
            grade = record.to_grade
            review_due = timing.after(at, "review", grade)
            fresh = timing.after(at, "supervision", grade)
            supervision_due = fresh if first or supervision_due is None else min(supervision_due, fresh)
        elif kind == 1:
            review_due = timing.after(at, "review", grade or record.grade)
            if record.by_supervisor:
                supervision_due = timing.after(at, "supervision", grade or record.grade)
        else:
            review_due = timing.after(at, "review", grade)
            supervision_due = timing.after(at, "supervision", grade)
    return grade, review_due, supervision_due


def _month_starts(as_of: dt.date) -> list[dt.date]:
    first = as_of.replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def figures(user, *, as_of: dt.date | None = None) -> dict:
    """The dashboard's figures for `user` on `as_of` (default today). Counts are ints, or None when withheld."""
    as_of = as_of or timezone.localdate()
    until = end_of(as_of)
    disclosure = Disclosure.for_user(user)
    cases = Case.objects.filter(kind=KIND.name, opened_at__lte=until)
    cases = list((cases.restrict(user) if reads_records(user) else cases).select_related("subject"))
    ids = [c.pk for c in cases]
    keys = {c.pk: c.record_key for c in cases}
    episodes = {e.case_id: e for e in Episode.objects.filter(case_id__in=ids)}
    steps = steps_by_case(ids, until)
    grades, reviews = defaultdict(list), defaultdict(list)
    for change in GradeChange.objects.filter(case_id__in=ids, at__lte=until):
        grades[change.case_id].append(change)
    for review in Review.objects.filter(case_id__in=ids, at__lte=until):
        reviews[review.case_id].append(review)

    cells: dict[str, list[int]] = defaultdict(list)
    months = _month_starts(as_of)
    month_names = [f"{m:%Y-%m}" for m in months]
    durations, ended, groups = [], [], []
    for case in cases:
        episode = episodes.get(case.pk)
        state = state_at(steps[case.pk])
        if episode is None or state is None:
            continue
        reported = f"{timezone.localtime(episode.reported_at):%Y-%m}"
        if reported in month_names:
            cells[f"month:{reported}"].append(case.pk)
        if episode.placement_key and episode.reported_at > until - dt.timedelta(days=365):
            cells[f"placement:{episode.placement_key}"].append(case.pk)
        found_by_then = episode.found_at is not None and episode.found_at <= until and state != State.MISSING
        durations.append(max(((episode.found_at if found_by_then else until) - episode.last_seen_at)
                             .total_seconds() / 3600, 0.0))
        ended.append(found_by_then)
        groups.append((age_group(episode.age_at_report),))
        if state == State.MISSING:
            cells["outstanding"].append(case.pk)
            age = age_on(case.subject, as_of)
            if age is not None and age < 18:
                cells["children"].append(case.pk)
            reopened = [s.at for s in steps[case.pk] if s.step == "reopen"]
            grade, review_due, supervision_due = _due_at(until, grades[case.pk], reviews[case.pk], reopened)
            cells[f"grade:{grade}"].append(case.pk)
            if (review_due and review_due < until) or (supervision_due and supervision_due < until):
                cells["overdue_reviews"].append(case.pk)
        elif state == State.FOUND and episode.interview_due_at is not None and episode.interview_due_at < until \
                and (episode.interview_at is None or episode.interview_at > until):
            cells["overdue_interviews"].append(case.pk)

    names = ["outstanding", "children", "overdue_reviews", "overdue_interviews",
             *(f"grade:{g}" for g in GRADE_ORDER), *(f"month:{m}" for m in month_names)]
    counts = {name: len(members) for name, members in cells.items()}
    key_sums = {name: sum(keys[m] for m in members) for name, members in cells.items()}
    for name in names:
        counts.setdefault(name, 0)
        key_sums.setdefault(name, 0)
    noisy = disclosure.perturbed(counts, key_sums)
    shown = {name: disclosure.cell(n) for name, n in noisy.items()}

    monthly = [shown[f"month:{m}"] for m in month_names]
    trend = MonthlyTrend().fit([n or 0 for n in monthly]) if None not in monthly else None
    placements = sorted(((name.split(":", 1)[1], n) for name, n in noisy.items() if name.startswith("placement:")),
                        key=lambda item: (-item[1], item[0]))[:TOP_PLACEMENTS]
    labels = {}
    if not disclosure.protects:
        for episode in episodes.values():
            labels.setdefault(episode.placement_key, f"{episode.from_place}"
                                                     f"{', ' + episode.from_postcode if episode.from_postcode else ''}")
    top = [{"placement": labels.get(key) or f"Placement {i}", "episodes": disclosure.cell(n)}
           for i, (key, n) in enumerate(placements, 1)]

    model = DurationNorms(min_group=1, levels=("age group",)).fit(durations, ended, groups) if durations else None
    curves = []
    for code, label in AGE_GROUPS.items():
        curve = model.curve((code,)) if model is not None else None
        if curve is None:
            continue
        enough = not disclosure.protects or curve.n >= CURVE_MINIMUM_PROTECTED
        row = {"group": code, "label": label, "episodes": curve.n if not disclosure.protects else None,
               "found_within": None, "median_hours": None}
        if enough:
            row["found_within"] = {str(h): round(100 * (1 - curve.at(h))) for h in CURVE_HOURS}
            median = model.median_hours((code,))
            row["median_hours"] = None if median is None else round(median, 1)
        curves.append(row)
    return {
        "as_of": as_of.isoformat(),
        "perturbed": disclosure.perturbs,
        "minimum_cell": disclosure.minimum,
        "outstanding": shown["outstanding"],
        "children": shown["children"],
        "by_risk": {g: shown[f"grade:{g}"] for g in reversed(GRADE_ORDER)},
        "risk_labels": dict(Grade.choices),
        "overdue_reviews": shown["overdue_reviews"],
        "overdue_interviews": shown["overdue_interviews"],
        "episodes_by_month": dict(zip(month_names, monthly, strict=True)),
        "trend": None if trend is None else {"direction": trend.direction_, "p": trend.p_, "slope": trend.slope_,
                                             "text": trend.text_},
        "top_placements": top,
        "time_to_found": curves,
        "curve_hours": list(CURVE_HOURS),
    }



CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 560, 240, 48, 32
CHART_COLOURS = {"child": "#1d3557", "adult": "#2a9d8f", "older": "#e76f51", "unknown": "#6c757d"}


def chart(figures: dict) -> dict:
    """The time-to-found curves as SVG polylines: the share found (0-100%) against the time missing, on a log
    scale of hours. The table beside it holds the same values."""
    import math

    hours = figures["curve_hours"]
    span_ = math.log(hours[-1]) - math.log(hours[0]) or 1
    plot_w, plot_h = CHART_WIDTH - CHART_LEFT - 16, CHART_HEIGHT - CHART_BOTTOM - 12

    def x(h):
        return round(CHART_LEFT + plot_w * (math.log(h) - math.log(hours[0])) / span_, 1)

    def y(pct):
        return round(12 + plot_h * (1 - pct / 100), 1)

    lines = []
    for row in figures["time_to_found"]:
        if row["found_within"] is None:
            continue
        points = " ".join(f"{x(h)},{y(row['found_within'][str(h)])}" for h in hours)
        lines.append({"label": row["label"], "points": points, "colour": CHART_COLOURS[row["group"]]})
    names = {1: "1 h", 6: "6 h", 24: "1 day", 72: "3 days", 168: "7 days", 672: "28 days"}
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines,
            # The last label ends at its tick rather than centring on it, which would cut it at the edge.
            "x_ticks": [{"x": x(h), "label": names.get(h, f"{h} h"), "anchor": "end" if h == hours[-1] else "middle"}
                        for h in hours],
            "y_ticks": [{"y": y(p), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)],
            "left": CHART_LEFT, "bottom": CHART_HEIGHT - CHART_BOTTOM, "right": CHART_WIDTH - 16}
