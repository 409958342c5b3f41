"""The kinds of case: each case-work module declares one (its workflow, its reference prefix, which states are
open, which are read-only, and its case page) and registers it from its AppConfig.ready(). The core's actions,
queues and pages read the declaration; nothing in the core names a module."""

from collections.abc import Callable
from dataclasses import dataclass, field

from vcdhub.platform.workflow import Workflow


@dataclass(frozen=True)
class CaseKind:
    name: str  # stored on every case: "ramp"
    label: str  # "RAMP case"
    workflow: Workflow
    prefix: str  # of references: "RAMP" -> RAMP-2026-000001
    detail_url: str  # URL name of the module's case page, taking the case's pk
    reviews_url: str = ""  # URL name of the module's queue of reviews due, if it has one
    # States in which the case is live: reviews fall due and actions are worked. Terminal states are not.
    open_states: frozenset[str] = frozenset()
    # States in which the case takes no change from this module (escalated elsewhere, closed).
    read_only_states: frozenset[str] = frozenset()
    # Where the reasons for being read-only are worded: state -> "under MAPPA management".
    read_only_reasons: dict[str, str] = field(default_factory=dict)
    # The roles that may add actions, reviews, links and agenda items (None: whoever may see the case, in its
    # own unit).
    worker_roles: frozenset[str] | None = None
    # How many of the cases a user may see have a review overdue, when the module times reviews itself (missing
    # persons count hours, not days); None: the core counts cases whose `next_review_due` has passed.
    overdue_reviews: Callable[[object], int] | None = None
    # How the core's lists (the person panel) show a case's risk and next review, when the module keeps its own
    # (case -> {"risk": text, "next_review": text, "overdue": bool}); None: the core's risk level and review date.
    describe: Callable[[object], dict] | None = None
    # Where a new case about a person starts (URL name of the module's form, taking ?subject=), and its button's
    # words: the person page offers it to the kind's workers ("Report missing", "Refer to the risk panel").
    start_url: str = ""
    start_label: str = ""

    def read_only_reason(self, state: str) -> str:
        return self.read_only_reasons.get(state) or f"{self.workflow.label(state).lower()}"


_KINDS: dict[str, CaseKind] = {}


def register(case_kind: CaseKind) -> CaseKind:
    existing = _KINDS.get(case_kind.name)
    if existing is not None and existing != case_kind:
        raise ValueError(f"two kinds of case are called {case_kind.name!r}")
    _KINDS[case_kind.name] = case_kind
    return case_kind


def kind(name: str) -> CaseKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no kind of case is called {name!r}: is its module installed?") from None


def kinds() -> list[CaseKind]:
    return list(_KINDS.values())
