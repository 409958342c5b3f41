"""A report's life cycle as data (platform.workflow): submitted, reviewed (or returned to its submitter for more
detail), graded, sanitised if it must be, and shared. intel.actions checks every step against it."""

from vcdhub.intel import roles
from vcdhub.intel.choices import State
from vcdhub.platform.workflow import Transition, Workflow

REPORT = Workflow(
    states=dict(State.choices), initial=State.SUBMITTED, noun="report",
    transitions=(
        Transition("return", "Return for more detail", {State.SUBMITTED}, State.RETURNED, roles=roles.REVIEWERS,
                   needs_reason=True, past="returned"),
        Transition("resubmit", "Resubmit with more detail", {State.RETURNED}, State.SUBMITTED, past="resubmitted"),
        Transition("review", "Review", {State.SUBMITTED}, State.REVIEWED, roles=roles.REVIEWERS),
        # A regrade goes back to graded: the sanitised version, if there is one, stays and may still go out.
        Transition("grade", "Grade", {State.REVIEWED, State.GRADED, State.SANITISED}, State.GRADED,
                   roles=roles.REVIEWERS),
        Transition("sanitise", "Sanitise", {State.GRADED, State.SANITISED}, State.SANITISED, roles=roles.REVIEWERS),
        Transition("disseminate", "Share", {State.GRADED, State.SANITISED, State.DISSEMINATED}, State.DISSEMINATED,
                   roles=roles.DISSEMINATORS, past="shared"),
    ))
