"""A RAMP case's life cycle as data (platform.workflow), and its kind of case for the case-work core:
referral, screening, risk assessment, panel, risk management plan, reviews, then closure or escalation to
MAPPA. ramp.actions adds each step's own checks (an assessment before the panel, a plan with its four pillars)."""

from vcdhub.casework.kinds import CaseKind
from vcdhub.platform.workflow import Transition, Workflow
from vcdhub.ramp import roles
from vcdhub.ramp.choices import OPEN_STATES, State

LIVE = {State.ASSESSMENT, State.PANEL, State.MANAGED}

RAMP = Workflow(
    states=dict(State.choices), initial=State.REFERRED, noun="RAMP case",
    transitions=(
        Transition("accept", "Accept the referral", {State.REFERRED}, State.ASSESSMENT, roles=roles.SCREENERS,
                   needs_reason=True, past="accepted"),
        Transition("decline", "Decline the referral", {State.REFERRED}, State.DECLINED, roles=roles.SCREENERS,
                   needs_reason=True, past="declined"),
        Transition("list", "List for panel", {State.ASSESSMENT}, State.PANEL, roles=roles.WORKERS,
                   past="listed for panel"),
        Transition("adopt_plan", "Adopt a risk management plan", {State.PANEL}, State.MANAGED, roles=roles.CHAIRS,
                   past="given a plan"),
        Transition("relist", "Back to the panel", {State.MANAGED}, State.PANEL, roles=roles.WORKERS,
                   needs_reason=True, past="listed for panel again"),
        Transition("close", "Close", LIVE, State.CLOSED, roles=roles.CHAIRS, needs_reason=True, past="closed"),
        Transition("escalate", "Escalate to MAPPA", LIVE, State.MAPPA, roles=roles.CHAIRS, needs_reason=True,
                   past="escalated to MAPPA"),
    ))

KIND = CaseKind(
    name="ramp", label="RAMP case", workflow=RAMP, prefix="RAMP", detail_url="ramp:case_detail",
    reviews_url="ramp:reviews",
    open_states=OPEN_STATES, read_only_states=frozenset({State.MAPPA, State.CLOSED, State.DECLINED}),
    read_only_reasons={State.MAPPA: "under MAPPA management", State.CLOSED: "closed",
                       State.DECLINED: "declined at screening"},
    worker_roles=roles.WORKERS, start_url="ramp:case_add", start_label="Refer to the risk panel")
