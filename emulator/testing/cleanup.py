"""Per-test isolation by clean-up: what a test made is removed after it, through the same
public APIs the test used. A snapshot of the names that exist is taken before the test; after
it, whatever is not in the snapshot goes. What existed before (a session fixture's bucket of
data, a shared model) stays.

Clean-up rather than a fresh emulator per test: a fresh one costs a start (about 4 s) and a stop
(about 10 s, SeaweedFS's own shutdown) per test; the clean-up costs a few list calls.

What it covers:
- SageMaker: its hyperparameter tuning, training, processing and transform jobs still running
  are stopped and waited for until they have ended; then its endpoints are deleted (once out
  of Creating/Updating), its endpoint configurations, models and tuning jobs. Training,
  processing and transform jobs cannot be deleted (AWS has no Delete operation for them), so
  their ended records stay in List*/Search: a test that lists them should filter by name or
  creation time.
- S3: buckets the test made are emptied and deleted; objects it added to buckets that existed
  before are deleted (an object it overwrote keeps the new bytes). The SDK's default bucket is
  emptied but kept: a Session keeps its name once it has made it. The buckets are those
  ListBuckets names and the SDK's default bucket: see _buckets() for why only that one today.
- CloudWatch Logs: log groups the test made are deleted, and its new streams in groups that
  existed before (so its jobs' and endpoints' logs go).
Not covered: CloudWatch metrics (AWS has no delete for them either), IAM roles and policies.
"""

import time
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ..config import ACCOUNT_ID

# (list operation, its list key, name key, status key, stop operation, describe operation);
# a tuning job first, so that it starts no new trials while they are stopped.
JOBS = (
    ("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries", "HyperParameterTuningJobName",
     "HyperParameterTuningJobStatus", "stop_hyper_parameter_tuning_job", "describe_hyper_parameter_tuning_job"),
    ("list_training_jobs", "TrainingJobSummaries", "TrainingJobName", "TrainingJobStatus",
     "stop_training_job", "describe_training_job"),
    ("list_processing_jobs", "ProcessingJobSummaries", "ProcessingJobName", "ProcessingJobStatus",
     "stop_processing_job", "describe_processing_job"),
    ("list_transform_jobs", "TransformJobSummaries", "TransformJobName", "TransformJobStatus",
     "stop_transform_job", "describe_transform_job"),
)
# (list operation, its list key, name key, delete operation), deleted in this order: an
# endpoint before the configuration and models it uses.
DELETABLE = (
    ("list_endpoints", "Endpoints", "EndpointName", "delete_endpoint"),
    ("list_endpoint_configs", "EndpointConfigs", "EndpointConfigName", "delete_endpoint_config"),
    ("list_models", "Models", "ModelName", "delete_model"),
    ("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries", "HyperParameterTuningJobName",
     "delete_hyper_parameter_tuning_job"),
)
RUNNING = ("InProgress", "Stopping")
ENDPOINT_BUSY = ("Creating", "Updating", "SystemUpdating")
WAIT_SECONDS = 180  # a job given SIGTERM is killed after the emulator's 120 s grace period


@dataclass
class Snapshot:
    names: dict[str, set] = field(default_factory=dict)  # list operation -> names
    objects: set = field(default_factory=set)            # (bucket, key)
    buckets: set = field(default_factory=set)
    streams: set = field(default_factory=set)            # (log group, stream)
    groups: set = field(default_factory=set)


def _pages(client, operation: str, key: str, **params):
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


class Cleanup:
    def __init__(self, client):
        """client(service) -> a boto3 client of the emulator."""
        self.sagemaker, self.s3, self.logs = client("sagemaker"), client("s3"), client("logs")
        self._default_bucket = f"sagemaker-{self.s3.meta.region_name}-{ACCOUNT_ID}"

    def snapshot(self) -> Snapshot:
        snap = Snapshot()
        for operation, key, name_key, *_ in (*JOBS, *DELETABLE):  # (a list operation may be in both)
            snap.names[operation] = {item[name_key] for item in _pages(self.sagemaker, operation, key)}
        snap.buckets = self._buckets()
        snap.objects = {(bucket, key) for bucket in snap.buckets for key in self._keys(bucket)}
        snap.groups = {g["logGroupName"] for g in _pages(self.logs, "describe_log_groups", "logGroups")}
        snap.streams = {(group, stream) for group in snap.groups for stream in self._streams(group)}
        return snap

    def remove_new(self, before: Snapshot) -> None:
        self._stop_jobs(before)
        for operation, key, name_key, delete in DELETABLE:
            for item in _pages(self.sagemaker, operation, key):
                if item[name_key] not in before.names[operation]:
                    self._delete(delete, name_key, item[name_key])
        self._remove_objects(before)
        self._remove_logs(before)

    # -- SageMaker ------------------------------------------------------------------------

    def _stop_jobs(self, before: Snapshot) -> None:
        waiting = []
        for operation, key, name_key, status_key, stop, describe in JOBS:
            for job in _pages(self.sagemaker, operation, key):
                name = job[name_key]
                if name in before.names[operation] or job[status_key] not in RUNNING:
                    continue
                if job[status_key] == "InProgress":
                    try:
                        getattr(self.sagemaker, stop)(**{name_key: name})
                    except ClientError:
                        pass  # it ended meanwhile
                waiting.append((describe, name_key, status_key, name))
        deadline = time.monotonic() + WAIT_SECONDS
        for describe, name_key, status_key, name in waiting:
            while getattr(self.sagemaker, describe)(**{name_key: name})[status_key] in RUNNING:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} was still running {WAIT_SECONDS} s after it was stopped")
                time.sleep(0.1)

    def _delete(self, operation: str, name_key: str, name: str) -> None:
        if operation == "delete_endpoint":
            deadline = time.monotonic() + WAIT_SECONDS
            while self._endpoint_status(name) in ENDPOINT_BUSY:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"endpoint {name} was still being created or updated after {WAIT_SECONDS} s")
                time.sleep(0.1)
        try:
            getattr(self.sagemaker, operation)(**{name_key: name})
        except ClientError as exc:  # deleted meanwhile is what the clean-up wanted
            error = exc.response["Error"]
            if error["Code"] != "ResourceNotFound" and "Could not find" not in error.get("Message", ""):
                raise

    def _endpoint_status(self, name: str) -> str | None:
        try:
            return self.sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"]
        except ClientError:
            return None

    # -- S3 and Logs ----------------------------------------------------------------------

    def _buckets(self) -> set[str]:
        """ListBuckets' buckets and the SDK's default bucket (the one `sagemaker-emulator env`'s
        config file names). The emulator's S3, SeaweedFS 4.48, answers ListBuckets with no
        bucket at all (it lists only buckets with an owner, and it records none when it checks
        no signatures): until that is mended only the default bucket is found."""
        names = {b["Name"] for b in self.s3.list_buckets().get("Buckets", [])}
        try:
            self.s3.head_bucket(Bucket=self._default_bucket)
            names.add(self._default_bucket)
        except ClientError:
            pass
        return names

    def _keys(self, bucket: str):
        return [o["Key"] for o in _pages(self.s3, "list_objects_v2", "Contents", Bucket=bucket)]

    def _remove_objects(self, before: Snapshot) -> None:
        for bucket in self._buckets():
            new = [key for key in self._keys(bucket) if (bucket, key) not in before.objects]
            for start in range(0, len(new), 1000):  # DeleteObjects takes at most 1,000 keys
                self.s3.delete_objects(Bucket=bucket, Delete={
                    "Objects": [{"Key": key} for key in new[start:start + 1000]], "Quiet": True})
            if bucket not in before.buckets and bucket != self._default_bucket:
                self.s3.delete_bucket(Bucket=bucket)

    def _streams(self, group: str):
        return [s["logStreamName"] for s in _pages(self.logs, "describe_log_streams", "logStreams",
                                                   logGroupName=group)]

    def _remove_logs(self, before: Snapshot) -> None:
        for group in (g["logGroupName"] for g in _pages(self.logs, "describe_log_groups", "logGroups")):
            if group not in before.groups:
                self.logs.delete_log_group(logGroupName=group)
                continue
            for stream in self._streams(group):
                if (group, stream) not in before.streams:
                    self.logs.delete_log_stream(logGroupName=group, logStreamName=stream)
