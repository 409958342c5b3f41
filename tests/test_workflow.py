"""platform.workflow, and the intelligence life cycle declared with it: every step from every state."""

import doctest

import pytest

from vcdhub.intel.choices import State
from vcdhub.intel.workflow import REPORT
from vcdhub.platform import workflow
from vcdhub.platform.workflow import IllegalTransition, Transition, Workflow

# step -> the states it may be taken from, written out by hand (not read from the workflow under test)
LEGAL = {"return": {"submitted"}, "resubmit": {"returned"}, "review": {"submitted"},
         "grade": {"reviewed", "graded", "sanitised"}, "sanitise": {"graded", "sanitised"},
         "disseminate": {"graded", "sanitised", "disseminated"}}


def test_the_examples_run():
    result = doctest.testmod(workflow)
    assert result.attempted and not result.failed


@pytest.mark.parametrize("step", sorted(LEGAL))
@pytest.mark.parametrize("state", State.values)
def test_every_step_from_every_state_is_allowed_or_refused_with_the_states_it_needs(state, step):
    if state in LEGAL[step]:
        assert REPORT.check(state, step).name == step
        assert step in {t.name for t in REPORT.allowed(state)}
    else:
        with pytest.raises(IllegalTransition) as refused:
            REPORT.check(state, step)
        message = str(refused.value)
        assert message.startswith(f"A report that is {State(state).label.lower()} cannot be")
        assert all(State(s).label.lower() in message for s in LEGAL[step])
        assert step not in {t.name for t in REPORT.allowed(state)}


def test_a_role_is_offered_and_allowed_only_its_own_steps():
    assert [t.name for t in REPORT.allowed("submitted", frozenset({"investigator"}))] == []
    assert [t.name for t in REPORT.allowed("submitted", frozenset({"analyst"}))] == ["return", "review"]
    with pytest.raises(IllegalTransition, match="Your role may not review"):
        REPORT.check("submitted", "review", frozenset({"investigator"}))
    with pytest.raises(IllegalTransition, match="no step"):
        REPORT.check("submitted", "publish")


def test_a_workflow_that_names_a_missing_state_or_a_step_twice_is_refused_when_declared():
    with pytest.raises(ValueError, match="do not exist"):
        Workflow({"a": "A"}, "a", (Transition("go", "Go", {"a"}, "b"),))
    with pytest.raises(ValueError, match="two transitions"):
        Workflow({"a": "A", "b": "B"}, "a", (Transition("go", "Go", {"a"}, "b"), Transition("go", "Go", {"b"}, "a")))
    with pytest.raises(ValueError, match="initial"):
        Workflow({"a": "A"}, "z", ())


def test_terminal_states_are_those_no_step_leaves():
    flow = Workflow({"open": "Open", "closed": "Closed", "escalated": "Escalated"}, "open",
                    (Transition("close", "Close", {"open"}, "closed"),
                     Transition("escalate", "Escalate", {"open"}, "escalated")))
    assert flow.terminal() == {"closed", "escalated"}
    assert REPORT.terminal() == set()  # a shared report may be shared again, or regraded
