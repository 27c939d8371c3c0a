"""A step's RetryPolicies: which failures are tried again, after how long, how many times.

A failure has a type (or none: a client error is never retried):
- Step.SERVICE_FAULT, Step.THROTTLING: the service answered 5xx or throttled a call the step made;
- SageMaker.RESOURCE_LIMIT: the Create call was refused with ResourceLimitExceeded;
- SageMaker.JOB_INTERNAL_ERROR, SageMaker.CAPACITY_ERROR: the job failed with an
  InternalServerError / CapacityError FailureReason.

The first policy whose ExceptionType lists the failure's type decides. Retry n (n = 1, 2, ...)
waits IntervalSeconds * BackoffRate^(n-1) (defaults 1 s and 2.0, as AWS documents); MaxAttempts
is the number of retries allowed, ExpireAfterMin the time after the step's first attempt
started beyond which no retry starts. The SDK's StepRetryPolicy and
SageMakerJobStepRetryPolicy both write this one form.
"""

from ....aws.errors import ServiceError

SERVICE_FAULT = "Step.SERVICE_FAULT"
THROTTLING = "Step.THROTTLING"
JOB_INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"
EXCEPTION_TYPES = (SERVICE_FAULT, THROTTLING, JOB_INTERNAL_ERROR, CAPACITY_ERROR, RESOURCE_LIMIT)
DEFAULT_INTERVAL_SECONDS = 1
DEFAULT_BACKOFF_RATE = 2.0
# AWS's documented ceilings.
MAX_INTERVAL_SECONDS = 43200
MAX_ATTEMPTS = 20
MAX_EXPIRE_AFTER_MIN = 14400


def error_type(error: ServiceError) -> str | None:
    """The retry type of an error a step's call got."""
    if error.code == "ResourceLimitExceeded":
        return RESOURCE_LIMIT
    if error.code in ("ThrottlingException", "Throttling"):
        return THROTTLING
    if error.status >= 500:
        return SERVICE_FAULT
    return None


def failure_type(failure_reason: str | None) -> str | None:
    """The retry type of a job's FailureReason."""
    reason = failure_reason or ""
    if reason.startswith("InternalServerError"):
        return JOB_INTERNAL_ERROR
    if reason.startswith("CapacityError"):
        return CAPACITY_ERROR
    return None


def policy_problem(policy) -> str | None:
    """Why a RetryPolicies entry is not one, or None."""
    if not isinstance(policy, dict):
        return "a retry policy must be an object"
    types = policy.get("ExceptionType")
    if not isinstance(types, list) or not types or not all(t in EXCEPTION_TYPES for t in types):
        return f"ExceptionType must be a list of {', '.join(EXCEPTION_TYPES)}"
    if ("MaxAttempts" in policy) == ("ExpireAfterMin" in policy):
        return "exactly one of MaxAttempts and ExpireAfterMin must be given"
    for member, low, high in (("IntervalSeconds", 0, MAX_INTERVAL_SECONDS), ("BackoffRate", 0, None),
                              ("MaxAttempts", 0, MAX_ATTEMPTS), ("ExpireAfterMin", 0, MAX_EXPIRE_AFTER_MIN)):
        value = policy.get(member)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or \
                (high is not None and value > high):
            return f"{member} must be a number from {low}{f' to {high}' if high is not None else ''}"
    return None


def delay_before_retry(policies: list[dict], kind: str | None, retries_done: int, first_started: float,
                       now: float) -> float | None:
    """Seconds to wait before the next attempt, or None when the failure is not retried."""
    if kind is None:
        return None
    policy = next((p for p in policies if kind in p.get("ExceptionType", [])), None)
    if policy is None:
        return None
    retry = retries_done + 1
    delay = policy.get("IntervalSeconds", DEFAULT_INTERVAL_SECONDS) * \
        policy.get("BackoffRate", DEFAULT_BACKOFF_RATE) ** (retry - 1)
    if "MaxAttempts" in policy and retry > policy["MaxAttempts"]:
        return None
    if "ExpireAfterMin" in policy and now + delay - first_started > policy["ExpireAfterMin"] * 60:
        return None
    return float(delay)
