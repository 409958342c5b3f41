"""The risk panel's figures, as on a date: open cases by risk and by state, overdue reviews and actions,
referrals by source, escalations to MAPPA, closures, and the time cases spend in each state. The dashboard
page, its API and `vcdhub report ramp` all print `figures(...)`.

Whose cases: a reader of records counts the cases they may open, exactly. An aggregate-only reader (an
authority member) gets the panel's figures over every RAMP case, as published statistics: each count is
perturbed by its cases' record keys (cell key perturbation, platform.disclosure), then small counts are
withheld, and a median time in a state is shown only over enough cases (docs/casework.md says why the
authority sees all cases, not only OFFICIAL ones).

"As of" a date: each case's state, risk level and review date are those its history gives for the end of that
day (casework.history), and an action is overdue if it was set by then, was not closed by then and fell due
before it. A case opened after the date is not counted.
"""

import datetime as dt
import statistics
from collections import defaultdict

from django.utils import timezone

from vcdhub.access.models import Unit
from vcdhub.casework.actions import review_days
from vcdhub.casework.choices import RISK_ORDER, ActionStatus, RiskLevel
from vcdhub.casework.history import days_in_states, end_of, state_at, steps_by_case
from vcdhub.casework.models import Case, CaseAction, CaseReview
from vcdhub.platform.disclosure import Disclosure
from vcdhub.platform.permissions import reads_records
from vcdhub.ramp.choices import OPEN_STATES, State
from vcdhub.ramp.models import Plan, Referral, RiskAssessment
from vcdhub.ramp.workflow import KIND

NOT_ASSESSED = "not_assessed"


def _risk_and_due(case_id: int, until: dt.datetime, assessments, plans, reviews) -> tuple[str, dt.date | None]:
    """The case's risk level and next review date at `until`, replaying its assessments, plans and reviews up to
    then in the order they happened, as the actions set them: an assessment sets the level and the cadence's
    date from its day; a plan the cadence's date for the level then; a review its own level and date."""
    events = sorted([*((a.assessed_at, 0, a) for a in assessments.get(case_id, []) if a.assessed_at <= until),
                     *((p.adopted_at, 1, p) for p in plans.get(case_id, []) if p.adopted_at <= until),
                     *((r.reviewed_at, 2, r) for r in reviews.get(case_id, []) if r.reviewed_at <= until)],
                    key=lambda event: (event[0], event[1], event[2].pk))
    level, due = "", None
    for at, kind, record in events:
        if kind == 2:
            level, due = record.risk_level or level, record.next_due
            continue
        if kind == 0:
            level = record.overall
        days = review_days(level)
        due = timezone.localdate(at) + dt.timedelta(days=days) if days else due
    return level, due


def _grouped(queryset, key="case_id") -> dict:
    found = defaultdict(list)
    for row in queryset:
        found[getattr(row, key)].append(row)
    return found


def figures(user, *, as_of: dt.date | None = None) -> dict:
    """The dashboard's figures for `user` as on `as_of` (default today). Counts are ints, or None when withheld
    from an aggregate-only reader; `perturbed` says whether they are perturbed."""
    as_of = as_of or timezone.localdate()
    until = end_of(as_of)
    disclosure = Disclosure.for_user(user)
    cases = Case.objects.filter(kind=KIND.name, opened_at__lte=until)
    cases = list((cases.restrict(user) if reads_records(user) else cases).only("pk", "record_key"))
    ids = [case.pk for case in cases]
    keys = {case.pk: case.record_key for case in cases}
    steps = steps_by_case(ids, until)
    assessments = _grouped(RiskAssessment.objects.filter(case_id__in=ids))
    plans = _grouped(Plan.objects.filter(case_id__in=ids))
    reviews = _grouped(CaseReview.objects.filter(case_id__in=ids))
    referrals = {r.case_id: r for r in Referral.objects.filter(case_id__in=ids)}

    cells: dict[str, list[int]] = defaultdict(list)  # cell name -> the ids of the records it counts
    time_in_state: dict[str, list[float]] = defaultdict(list)
    for case_id in ids:
        state = state_at(steps[case_id])
        if state is None:
            continue
        cells[f"state:{state}"].append(case_id)
        for entered, days in days_in_states(steps[case_id], until).items():
            time_in_state[entered].append(days)
        if state in OPEN_STATES:
            cells["open"].append(case_id)
            level, due = _risk_and_due(case_id, until, assessments, plans, reviews)
            cells[f"risk:{level or NOT_ASSESSED}"].append(case_id)
            if due is not None and due < as_of:
                cells["overdue_reviews"].append(case_id)
        elif state in (State.CLOSED, State.DECLINED):
            cells["closed"].append(case_id)
        if state == State.MAPPA:
            cells["escalated_to_mappa"].append(case_id)
        referral = referrals.get(case_id)
        if referral is not None:
            cells[f"source:{referral.referring_unit_id}"].append(case_id)

    action_keys = {}
    for action in (CaseAction.objects.filter(case_id__in=ids, set_at__lte=until, due__lt=as_of)
                   .only("pk", "record_key", "status", "closed_at")):
        still_open = action.status == ActionStatus.OPEN or (action.closed_at is not None and action.closed_at > until)
        if still_open:
            cells["overdue_actions"].append(action.pk)
            action_keys[action.pk] = action.record_key

    counts = {name: len(members) for name, members in cells.items()}
    key_sums = {name: sum(action_keys[m] if name == "overdue_actions" else keys[m] for m in members)
                for name, members in cells.items()}
    names = (["open", "overdue_reviews", "overdue_actions", "escalated_to_mappa", "closed"]
             + [f"risk:{level}" for level in [*reversed(RISK_ORDER), NOT_ASSESSED]]
             + [f"state:{state}" for state in State.values])
    for name in names:
        counts.setdefault(name, 0)
        key_sums.setdefault(name, 0)
    shown = {name: disclosure.cell(n) for name, n in disclosure.perturbed(counts, key_sums).items()}
    units = dict(Unit.objects.filter(code__in=[n.split(":", 1)[1] for n in shown if n.startswith("source:")])
                 .values_list("code", "name"))
    labels = dict(RiskLevel.choices)
    labels[NOT_ASSESSED] = "Not yet assessed"
    medians = {}
    for state in State.values:
        spent = time_in_state.get(state, [])
        # A median is one case's time (or the mean of two): shown to a protected reader only over enough cases.
        enough = bool(spent) and (not disclosure.protects or len(spent) >= disclosure.minimum)
        medians[state] = round(statistics.median(spent), 1) if enough else None
    return {
        "as_of": as_of.isoformat(),
        "perturbed": disclosure.perturbs,
        "minimum_cell": disclosure.minimum,
        "open": shown["open"],
        "by_risk": {level: shown[f"risk:{level}"] for level in [*reversed(RISK_ORDER), NOT_ASSESSED]},
        "risk_labels": labels,
        "by_state": {state: shown[f"state:{state}"] for state in State.values},
        "state_labels": dict(State.choices),
        "overdue_reviews": shown["overdue_reviews"],
        "overdue_actions": shown["overdue_actions"],
        "escalated_to_mappa": shown["escalated_to_mappa"],
        "closed": shown["closed"],
        "referrals_by_source": {units.get(name.split(":", 1)[1], name.split(":", 1)[1]): n
                                for name, n in sorted(shown.items()) if name.startswith("source:")},
        "median_days_in_state": medians,
    }
