"""What a step type is given to run one attempt of a step (Attempt) and what it answers (Outcome)."""

import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ...api import SageMakerApi
from ..definition import Step
from ..expressions import Scope, evaluate

SUCCEEDED, FAILED, STOPPED = "Succeeded", "Failed", "Stopped"
_ALPHANUMERIC = string.ascii_letters + string.digits


class Closed(Exception):
    """The emulator is closing: the attempt ends where it is and writes nothing more."""


@dataclass
class Outcome:
    status: str                                      # Succeeded | Failed | Stopped
    properties: dict = field(default_factory=dict)   # what Get Steps.<name>.<path> reads
    metadata: dict = field(default_factory=dict)     # ListPipelineExecutionSteps' Metadata
    failure_reason: str | None = None
    failure_type: str | None = None                  # retry.py's exception type, when retryable
    branch: str | None = None                        # a condition step's chosen branch

    @classmethod
    def failed(cls, reason: str | None, failure_type: str | None = None, metadata: dict | None = None) -> "Outcome":
        return cls(FAILED, metadata=metadata or {}, failure_reason=reason, failure_type=failure_type)


def random_token(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def job_name(execution_id: str, step_name: str, limit: int = 63, prefix: str | None = None) -> str:
    """A job name as Pipelines makes them, `pipelines-<execution id>-<step>-<10 random>` (or
    `<prefix>-<10 random>` for a step whose arguments name a custom prefix), within the job
    kind's length limit and its [a-zA-Z0-9](-*[a-zA-Z0-9])* pattern."""
    suffix = random_token()
    base = prefix or f"pipelines-{execution_id}-{step_name}"
    base = re.sub(r"[^a-zA-Z0-9-]+", "-", base).strip("-")[:limit - len(suffix) - 1].rstrip("-")
    return f"{base}-{suffix}" if base else suffix


@dataclass
class Attempt:
    """One attempt of one step. `report` records progress on the step (StepStatus, Metadata);
    `interrupt` is set when the execution is asked to stop (or the emulator closes)."""
    step: Step
    api: SageMakerApi
    scope: Scope
    execution_arn: str
    execution_id: str
    report: Callable[..., None]
    stop_requested: threading.Event
    closed: threading.Event
    poll_seconds: float
    queues: object = None     # backing.moto_services.Queues: SQS, for callback steps
    callbacks: object = None  # engine.Callbacks: where SendPipelineExecutionStep* answers arrive

    def resolve(self, value):
        return evaluate(value, self.scope)

    def pause(self, seconds: float | None = None) -> None:
        """Wait (a poll interval unless told), cut short by a stop request when none had been
        made yet; Closed as soon as the emulator closes."""
        deadline = time.monotonic() + (self.poll_seconds if seconds is None else seconds)
        stopping_already = self.stop_requested.is_set()
        while (left := deadline - time.monotonic()) > 0:
            if stopping_already:
                self.closed.wait(min(left, self.poll_seconds))
            elif self.stop_requested.wait(min(left, self.poll_seconds)):
                break
            self.check_open()
        self.check_open()

    def check_open(self) -> None:
        if self.closed.is_set():
            raise Closed()
