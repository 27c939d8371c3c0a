"""Condition step: its Conditions (all must hold) decide which branch runs, IfSteps or
ElseSteps; the other branch's steps, and what waits for them, do not run. Its one property is
Outcome (a boolean: `Join` writes it as true/false)."""

from ..expressions import all_hold
from .base import SUCCEEDED, Outcome


def run(attempt):
    outcome = all_hold(attempt.step.arguments.get("Conditions", []), attempt.scope)
    return Outcome(SUCCEEDED, properties={"Outcome": outcome},
                   metadata={"Condition": {"Outcome": "True" if outcome else "False"}},
                   branch="IfSteps" if outcome else "ElseSteps")
