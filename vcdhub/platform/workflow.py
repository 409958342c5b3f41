"""Workflows declared as data: a module's states and the transitions allowed between them, each with who may
take it and whether it needs a reason. The module's actions ask `Workflow.check` before a step, so an illegal
step is refused with the same clear message everywhere (the pages, the API, the CLI), and the pages ask
`Workflow.allowed` to offer only the steps a user may take. Free of Django: what a transition writes (its
actor, time and reason, on the audit chain) is the module's action's.

>>> flow = Workflow(
...     states={"open": "Open", "closed": "Closed"}, initial="open",
...     transitions=(Transition("close", "Close", {"open"}, "closed", needs_reason=True),))
>>> flow.check("open", "close").target
'closed'
>>> flow.check("closed", "close")
Traceback (most recent call last):
...
vcdhub.platform.workflow.IllegalTransition: A case that is closed cannot be closed: only one that is open.
"""

from dataclasses import dataclass, field


class IllegalTransition(ValueError):
    """A step the record's state does not allow; the message says which states would."""


@dataclass(frozen=True)
class Transition:
    name: str  # what the action and the URL call it: "screen"
    label: str  # what it is called on a button: "Screen the referral"
    sources: frozenset[str]  # the states it may be taken from (any iterable; kept as a frozenset)
    target: str
    roles: frozenset[str] | None = None  # roles that may take it; None: whoever may change the record
    needs_reason: bool = False
    past: str = ""  # what a record is after it, in words ("closed"); by default the target state's label

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        if self.roles is not None:
            object.__setattr__(self, "roles", frozenset(self.roles))


@dataclass(frozen=True)
class Workflow:
    states: dict[str, str]  # state -> label, in the order a record moves through them
    initial: str
    transitions: tuple[Transition, ...]
    noun: str = "case"  # what the messages call a record
    _by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_name = {}
        for step in self.transitions:
            unknown = (step.sources | {step.target}) - set(self.states)
            if unknown:
                raise ValueError(f"transition {step.name!r} names states that do not exist: {sorted(unknown)}")
            if step.name in by_name:
                raise ValueError(f"two transitions are called {step.name!r}")
            by_name[step.name] = step
        if self.initial not in self.states:
            raise ValueError(f"the initial state {self.initial!r} is not a state")
        object.__setattr__(self, "_by_name", by_name)

    def transition(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise IllegalTransition(f"There is no step {str(name)[:40]!r}.") from None

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def check(self, state: str, name: str, roles: frozenset[str] | None = None) -> Transition:
        """The transition `name` if a record in `state` may take it (and, given `roles`, if one of them may);
        otherwise IllegalTransition, saying from which states it may be taken."""
        step = self.transition(name)
        if state not in step.sources:
            allowed = " or ".join(self.label(s).lower() for s in self.states if s in step.sources)
            past = (step.past or self.label(step.target)).lower()
            raise IllegalTransition(f"A {self.noun} that is {self.label(state).lower()} cannot be {past}: only "
                                    f"one that is {allowed}.")
        if roles is not None and step.roles is not None and not roles & step.roles:
            raise IllegalTransition(f"Your role may not {step.label.lower()}.")
        return step

    def allowed(self, state: str, roles: frozenset[str] | None = None) -> list[Transition]:
        """The transitions a record in `state` may take, those `roles` may take when given, in declared order."""
        return [step for step in self.transitions if state in step.sources
                and (roles is None or step.roles is None or roles & step.roles)]

    def terminal(self) -> set[str]:
        """States no transition leaves."""
        leaving = set().union(*(step.sources for step in self.transitions)) if self.transitions else set()
        return set(self.states) - leaving
