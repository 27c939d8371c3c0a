"""Fail step: the execution fails; the step's FailureReason and Metadata.Fail.ErrorMessage are
its ErrorMessage evaluated (a Join, a parameter, ...). Without one, ErrorMessage is "" and
there is no FailureReason (as AWS answers)."""

from ..expressions import render
from .base import Outcome

ERROR_MESSAGE_MAX = 3072  # FailStepMetadata.ErrorMessage's limit


def run(attempt):
    message = attempt.resolve(attempt.step.arguments.get("ErrorMessage", "")) \
        if isinstance(attempt.step.arguments, dict) else ""
    message = (render(message) if message is not None else "")[:ERROR_MESSAGE_MAX]
    return Outcome.failed(message or None, metadata={"Fail": {"ErrorMessage": message}})
