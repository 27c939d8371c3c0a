"""Step caching's keys and expiry, and retry policies' arithmetic: which failure is retried,
after how long, how many times."""

import pytest

from emulator.aws.errors import InternalFailure, ResourceLimitExceeded, ValidationException
from emulator.sagemaker.workflows.pipelines import cache, retry

PIPELINE = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p"
PROCESSING = {"AppSpecification": {"ImageUri": "image:1"}, "Environment": {"A": "1"},
              "ProcessingInputs": [{"InputName": "in", "S3Input": {"S3Uri": "s3://b/in"}}],
              "ProcessingOutputConfig": {"Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": "s3://b/exec-1/o"}}]},
              "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}}}


def key(arguments, step="Prep", kind="Processing", pipeline=PIPELINE):
    return cache.cache_key(pipeline, step, kind, arguments)


def test_a_processing_steps_key_is_its_app_environment_and_inputs():
    base = key(PROCESSING)
    # Outputs (with the execution's id in their path) and resources do not make it run again ...
    assert key({**PROCESSING, "ProcessingOutputConfig": {"Outputs": []}}) == base
    assert key({**PROCESSING, "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge"}}}) == base
    # ... its code, image, environment and inputs do, as do the step's name, type and pipeline.
    assert key({**PROCESSING, "Environment": {"A": "2"}}) != base
    assert key({**PROCESSING, "ProcessingInputs": []}) != base
    assert key({**PROCESSING, "AppSpecification": {"ImageUri": "image:2"}}) != base
    assert key(PROCESSING, step="Other") != base
    assert key(PROCESSING, pipeline=PIPELINE + "2") != base


def test_training_and_tuning_keys_take_their_documented_attributes():
    training = {"AlgorithmSpecification": {"TrainingImage": "i"}, "HyperParameters": {"lr": "0.1"},
                "OutputDataConfig": {"S3OutputPath": "s3://b/exec-1"}}
    assert key({**training, "OutputDataConfig": {"S3OutputPath": "s3://b/exec-2"}}, kind="Training") == \
        key(training, kind="Training")
    assert key({**training, "HyperParameters": {"lr": "0.2"}}, kind="Training") != key(training, kind="Training")
    tuning = {"HyperParameterTuningJobConfig": {"Strategy": "Random"},
              "TrainingJobDefinition": {"StaticHyperParameters": {"a": "1"}, "RoleArn": "arn:one",
                                        "OutputDataConfig": {"S3OutputPath": "s3://x"}}}
    changed_role = {**tuning, "TrainingJobDefinition": {**tuning["TrainingJobDefinition"], "RoleArn": "arn:two"}}
    changed_static = {**tuning, "TrainingJobDefinition": {**tuning["TrainingJobDefinition"],
                                                          "StaticHyperParameters": {"a": "2"}}}
    assert key(changed_role, kind="Tuning") == key(tuning, kind="Tuning")
    assert key(changed_static, kind="Tuning") != key(tuning, kind="Tuning")


def test_only_the_step_types_aws_caches_are_cached():
    assert cache.cacheable("Processing", {"Enabled": True})
    assert not cache.cacheable("Processing", {"Enabled": False})
    assert not cache.cacheable("Model", {"Enabled": True})
    assert not cache.cacheable("Condition", {"Enabled": True})


@pytest.mark.parametrize("text, seconds", [
    ("PT1H", 3600), ("P30D", 30 * 86400), ("30d", 30 * 86400), ("T16m", 960), ("30dT5h", 30 * 86400 + 5 * 3600),
    ("5y", 5 * 365 * 86400), ("P1M", 30 * 86400), ("P2W", 14 * 86400), ("PT90S", 90), (None, None)])
def test_expire_after_reads_iso_8601_durations_and_awss_short_forms(text, seconds):
    assert cache.expire_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "1 hour", "PT", "-1d"])
def test_expire_after_that_is_no_duration_is_refused(text):
    with pytest.raises(ValueError):
        cache.expire_seconds(text)


def execution(arn, *records):
    return {"PipelineExecutionArn": arn, "Steps": list(records)}


def record(status="Succeeded", end=100.0, cache_key="k", name="Prep", **extra):
    return {"StepName": name, "StepStatus": status, "EndTime": end, "CacheKey": cache_key, **extra}


def test_the_latest_unexpired_successful_run_is_the_hit():
    old, new = record(end=100.0), record(end=200.0)
    executions = [execution("e1", old), execution("e2", new), execution("e3", record(status="Failed", end=300.0)),
                  execution("e4", record(end=400.0, CacheHitResult={"SourcePipelineExecutionArn": "e2"})),
                  execution("e5", record(end=500.0, cache_key="other")), execution("e6", record(end=600.0, name="B"))]

    assert cache.find_hit(executions, "k", "Prep", now=250.0, expire=None) == (executions[1], new)
    assert cache.find_hit(executions, "k", "Prep", now=250.0, expire=100.0) == (executions[1], new)
    assert cache.find_hit(executions, "k", "Prep", now=250.0, expire=40.0) is None


def test_failures_are_typed_for_retry_policies():
    assert retry.error_type(ResourceLimitExceeded("too many")) == retry.RESOURCE_LIMIT
    assert retry.error_type(InternalFailure("boom")) == retry.SERVICE_FAULT
    assert retry.error_type(ValidationException("bad")) is None
    assert retry.failure_type("InternalServerError: the emulator stopped") == retry.JOB_INTERNAL_ERROR
    assert retry.failure_type("CapacityError: Unable to provision") == retry.CAPACITY_ERROR
    assert retry.failure_type("AlgorithmError: exit 1") is None
    assert retry.failure_type(None) is None


def test_retries_back_off_and_stop_at_max_attempts():
    policies = [{"ExceptionType": [retry.THROTTLING], "MaxAttempts": 9},
                {"ExceptionType": [retry.JOB_INTERNAL_ERROR, retry.CAPACITY_ERROR], "IntervalSeconds": 3,
                 "BackoffRate": 2.0, "MaxAttempts": 3}]
    delays = [retry.delay_before_retry(policies, retry.JOB_INTERNAL_ERROR, done, 0.0, 0.0) for done in range(4)]

    assert delays == [3.0, 6.0, 12.0, None]
    assert retry.delay_before_retry(policies, retry.THROTTLING, 0, 0.0, 0.0) == 1.0  # AWS's defaults: 1 s, rate 2
    assert retry.delay_before_retry(policies, retry.THROTTLING, 2, 0.0, 0.0) == 4.0
    assert retry.delay_before_retry(policies, retry.RESOURCE_LIMIT, 0, 0.0, 0.0) is None  # no policy lists it
    assert retry.delay_before_retry(policies, None, 0, 0.0, 0.0) is None  # a client error


def test_expire_after_min_bounds_the_time_retries_may_start_in():
    policies = [{"ExceptionType": [retry.CAPACITY_ERROR], "IntervalSeconds": 30, "BackoffRate": 1.0,
                 "ExpireAfterMin": 2}]
    assert retry.delay_before_retry(policies, retry.CAPACITY_ERROR, 0, first_started=0.0, now=60.0) == 30.0
    assert retry.delay_before_retry(policies, retry.CAPACITY_ERROR, 5, first_started=0.0, now=100.0) is None


@pytest.mark.parametrize("policy, words", [
    ({"ExceptionType": [retry.THROTTLING], "MaxAttempts": 21}, "MaxAttempts"),
    ({"ExceptionType": [retry.THROTTLING], "MaxAttempts": 1, "IntervalSeconds": 50000}, "IntervalSeconds"),
    ({"ExceptionType": [retry.THROTTLING], "ExpireAfterMin": 14401}, "ExpireAfterMin"),
    ({"ExceptionType": [], "MaxAttempts": 1}, "ExceptionType"),
    ({"ExceptionType": [retry.THROTTLING], "MaxAttempts": 1, "ExpireAfterMin": 1}, "exactly one"),
])
def test_policies_outside_awss_limits_are_refused(policy, words):
    assert words in retry.policy_problem(policy)
    assert retry.policy_problem({"ExceptionType": [retry.THROTTLING], "MaxAttempts": 20}) is None
