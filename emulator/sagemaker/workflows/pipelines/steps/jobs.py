"""What the job step types share (processing, training, transform, tuning): create the job
from the step's arguments with a name Pipelines chooses, follow it with Describe until it
ends, stop it when the execution stops, and take its Describe answer as the step's properties."""

from dataclasses import dataclass
from typing import Callable

from .....aws.errors import ServiceError
from .. import retry
from .base import FAILED, STOPPED, SUCCEEDED, Attempt, Outcome, job_name

TERMINAL = ("Completed", "Failed", "Stopped")


@dataclass(frozen=True)
class JobKind:
    noun: str            # "ProcessingJob": CreateProcessingJob, DescribeProcessingJob, StopProcessingJob
    metadata_key: str    # ListPipelineExecutionSteps' Metadata member: "ProcessingJob"
    name_variable: str | None = None  # the Execution.<variable> naming the job ("ProcessingJobName")
    name_limit: int = 63
    # More properties read after the job ends (a tuning step's trials), from (api, name, description).
    more_properties: Callable[[object, str, dict], dict] | None = None
    # AWS: a tuning job retries its trials itself, and its step never retries JOB_INTERNAL_ERROR.
    retries_internal_errors: bool = True

    @property
    def name_key(self) -> str:
        return f"{self.noun}Name"

    @property
    def status_key(self) -> str:
        return f"{self.noun}Status"


def create_failure(operation: str, error: ServiceError) -> Outcome:
    """A step whose call was refused: AWS's wording for it, and the retry type of the error."""
    return Outcome.failed(f"ClientError: Failed to invoke sagemaker:{operation}. Error Details: {error.message}",
                          retry.error_type(error))


def run_job(kind: JobKind, attempt: Attempt) -> Outcome:
    arguments = dict(attempt.step.arguments)
    prefix = arguments.get(kind.name_key) if isinstance(arguments.get(kind.name_key), str) else None
    name = job_name(attempt.execution_id, attempt.step.name, kind.name_limit, prefix)
    if kind.name_variable:
        attempt.scope = attempt.scope.with_variables(**{kind.name_variable: name})
    request = {**attempt.resolve(arguments), kind.name_key: name}
    try:
        created = attempt.api(f"Create{kind.noun}", **request)
    except ServiceError as error:
        return create_failure(f"Create{kind.noun}", error)
    metadata = {kind.metadata_key: {"Arn": created[f"{kind.noun}Arn"]}}
    attempt.report(status="Executing", metadata=metadata)
    stop_sent = False
    while True:
        description = attempt.api(f"Describe{kind.noun}", **{kind.name_key: name})
        status = description[kind.status_key]
        if status in TERMINAL:
            break
        if attempt.stop_requested.is_set() and not stop_sent:
            stop_sent = True
            attempt.report(status="Stopping")
            try:
                attempt.api(f"Stop{kind.noun}", **{kind.name_key: name})
            except ServiceError:
                pass  # it ended meanwhile: the next Describe says how
        attempt.pause()
    if kind.more_properties:
        description = {**description, **kind.more_properties(attempt.api, name, description)}
    if status == "Completed":
        return Outcome(SUCCEEDED, properties=description, metadata=metadata)
    if status == "Stopped":
        return Outcome(STOPPED, properties=description, metadata=metadata,
                       failure_reason=None if stop_sent else f"The {kind.noun} was stopped")
    reason = description.get("FailureReason")
    kind_of_failure = retry.failure_type(reason)
    if kind_of_failure == retry.JOB_INTERNAL_ERROR and not kind.retries_internal_errors:
        kind_of_failure = None
    return Outcome(FAILED, properties=description, metadata=metadata, failure_reason=reason,
                   failure_type=kind_of_failure)
