"""The TrainingJob resource: its document, its status machine, and how lists see it.

The document is exactly what DescribeTrainingJob returns. Status moves only through
``transition``, which keeps TrainingJobStatus, SecondaryStatus and the transitions list
consistent, as AWS reports them.
"""

import time

from ...aws.errors import ResourceInUse, ValidationException, not_found
from ..arns import arn
from ..resources import Kind, Resources

KIND = "training-job"

# SecondaryStatus -> (TrainingJobStatus, StatusMessage), the messages AWS writes.
SECONDARY = {
    "Starting": ("InProgress", "Launching requested ML instances"),
    "Downloading": ("InProgress", "Downloading input data"),
    "Training": ("InProgress", "Training image download completed. Training in progress."),
    "Uploading": ("InProgress", "Uploading generated training model"),
    "Stopping": ("Stopping", "Stopping the training job"),
    "Completed": ("Completed", "Training job completed"),
    "Failed": ("Failed", "Training job failed"),
    "Stopped": ("Stopped", "The training job was stopped"),
    "MaxRuntimeExceeded": ("Stopped", "Training job stopped because it exceeded MaxRuntimeInSeconds"),
}
TERMINAL = {"Completed", "Failed", "Stopped"}
DEFAULT_MAX_RUNTIME = 86400

# Members CreateTrainingJob echoes into DescribeTrainingJob unchanged.
_ECHOED = ("HyperParameters", "AlgorithmSpecification", "RoleArn", "InputDataConfig",
           "OutputDataConfig", "ResourceConfig", "VpcConfig", "StoppingCondition",
           "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations",
           "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
           "ProfilerRuleConfigurations", "Environment", "RetryStrategy", "RemoteDebugConfig",
           "InfraCheckConfig")


def new_document(request: dict, region: str, account: str, now: float) -> dict:
    """The stored document of a valid request (check_request raises for an invalid one)."""
    check_request(request)
    name = request["TrainingJobName"]
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc.setdefault("HyperParameters", {})
    doc["StoppingCondition"] = {"MaxRuntimeInSeconds": DEFAULT_MAX_RUNTIME, **request.get("StoppingCondition", {})}
    doc["ResourceConfig"] = {"VolumeSizeInGB": 30, **request["ResourceConfig"]}
    # AWS answers KmsKeyId "" when none was given (the SDK's Estimator.attach() reads it).
    doc["OutputDataConfig"] = {"KmsKeyId": "", **request["OutputDataConfig"]}
    spec = doc["AlgorithmSpecification"] = dict(request["AlgorithmSpecification"])
    spec.setdefault("EnableSageMakerMetricsTimeSeries", False)
    doc.update({
        "TrainingJobName": name,
        "TrainingJobArn": arn(region, account, "training-job", name),
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
        "SecondaryStatusTransitions": [{"Status": "Starting", "StartTime": now,
                                        "StatusMessage": SECONDARY["Starting"][1]}],
        "EnableNetworkIsolation": request.get("EnableNetworkIsolation", False),
        "EnableInterContainerTrafficEncryption": request.get("EnableInterContainerTrafficEncryption", False),
        "EnableManagedSpotTraining": request.get("EnableManagedSpotTraining", False),
        "CreationTime": now,
        "LastModifiedTime": now,
    })
    if "ProfilerConfig" in doc:
        doc["ProfilingStatus"] = "Disabled" if doc["ProfilerConfig"].get("DisableProfiler") else "Enabled"
    return doc


def check_request(request: dict) -> None:
    """What the botocore model cannot say: rules between members."""
    for member in ("AlgorithmSpecification", "ResourceConfig"):
        if member not in request:
            # Optional in the model only for serverless jobs, which the emulator does not run.
            raise ValidationException(f"{member} must be specified")
    spec = request["AlgorithmSpecification"]
    if not spec.get("TrainingImage"):
        if spec.get("AlgorithmName"):
            raise ValidationException("AlgorithmName (marketplace algorithms) is not supported by "
                                      "the emulator; specify AlgorithmSpecification.TrainingImage")
        raise ValidationException("Either AlgorithmSpecification.TrainingImage or "
                                  "AlgorithmSpecification.AlgorithmName must be specified")
    if "InstanceGroups" in request["ResourceConfig"] and "InstanceType" not in request["ResourceConfig"]:
        raise ValidationException("ResourceConfig.InstanceGroups (heterogeneous clusters) is not "
                                  "supported by the emulator; use InstanceType and InstanceCount")
    for field in ("InstanceType", "InstanceCount"):
        if field not in request["ResourceConfig"]:
            raise ValidationException(f"ResourceConfig.{field} must be specified")
    output = request["OutputDataConfig"].get("S3OutputPath", "")
    if not output.startswith("s3://") or len(output) <= 5:
        raise ValidationException(f"Value '{output}' at 'outputDataConfig.s3OutputPath' failed "
                                  "to satisfy constraint: Member must be an s3:// URI")
    names = [c["ChannelName"] for c in request.get("InputDataConfig", [])]
    if len(names) != len(set(names)):
        raise ValidationException("Channel names must be unique in InputDataConfig")
    for channel in request.get("InputDataConfig", []):
        source = channel["DataSource"]
        s3 = source.get("S3DataSource")
        if s3 is None:
            raise ValidationException(f"Channel '{channel['ChannelName']}': only S3DataSource is "
                                      "supported by the emulator (FileSystemDataSource is not)")
        uri = s3["S3Uri"]
        if not (uri.startswith("s3://") or uri.startswith("file://")):
            raise ValidationException(f"Channel '{channel['ChannelName']}': S3Uri '{uri}' must be "
                                      "an s3:// or file:// URI")
        if s3["S3DataType"] not in ("S3Prefix", "ManifestFile"):
            raise ValidationException(f"Channel '{channel['ChannelName']}': S3DataType "
                                      f"{s3['S3DataType']} is not supported (S3Prefix, ManifestFile)")
    checkpoint = request.get("CheckpointConfig")
    if checkpoint and not checkpoint["S3Uri"].startswith("s3://"):
        raise ValidationException("CheckpointConfig.S3Uri must be an s3:// URI")


def transition(doc: dict, secondary: str, now: float, message: str | None = None) -> None:
    """Move to a SecondaryStatus: close the open transition, open the new one."""
    primary, default_message = SECONDARY[secondary]
    transitions = doc["SecondaryStatusTransitions"]
    if transitions and "EndTime" not in transitions[-1]:
        transitions[-1]["EndTime"] = now
    entry = {"Status": secondary, "StartTime": now, "StatusMessage": message or default_message}
    if primary in TERMINAL:
        entry["EndTime"] = now
    transitions.append(entry)
    doc["SecondaryStatus"] = secondary
    doc["TrainingJobStatus"] = primary
    doc["LastModifiedTime"] = now


def _name_taken(existing: dict) -> ResourceInUse:
    return ResourceInUse("Training job names must be unique within an AWS account and region, and a training "
                         f"job with this name already exists ({existing['TrainingJobArn']})")


TRAINING_JOB = Kind(kind=KIND, noun="training job", prefix="TrainingJob", list_key="TrainingJobSummaries",
                    summary=("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingEndTime",
                             "LastModifiedTime", "TrainingJobStatus", "SecondaryStatus", "WarmPoolStatus"),
                    status="TrainingJobStatus", default_order="Ascending",
                    missing=lambda noun, name: not_found(), duplicate=_name_taken,
                    extra_filters={"WarmPoolStatusEquals":
                                   lambda d, v: d.get("WarmPoolStatus", {}).get("Status") == v})


def move(jobs: Resources, name: str, secondary: str, message: str | None = None, **fields) -> dict:
    """The one way a training job's status changes (see transition)."""
    def change(doc):
        transition(doc, secondary, time.time(), message)
        doc.update(fields)
    return jobs.update(name, change)
