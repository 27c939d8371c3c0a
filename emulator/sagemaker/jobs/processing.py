"""The ProcessingJob resource: its document and the rules a request must meet.

InProgress -> Completed | Failed, or Stopping -> Stopped. The document is what
DescribeProcessingJob returns: the request's members echoed, defaults filled in as AWS
fills them, and the job's times, ExitMessage and FailureReason as it runs.
"""

import posixpath

from ...aws.errors import ValidationException, not_found
from ...execution.contract import PROCESSING_ROOT
from ..arns import arn
from ..resources import Kind

PROCESSING_JOB = Kind(kind="processing-job", noun="processing job", prefix="ProcessingJob",
                      list_key="ProcessingJobSummaries",
                      summary=("ProcessingJobName", "ProcessingJobArn", "CreationTime", "ProcessingEndTime",
                               "LastModifiedTime", "ProcessingJobStatus", "FailureReason", "ExitMessage"),
                      status="ProcessingJobStatus", missing=lambda noun, name: not_found())
LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
DEFAULT_MAX_RUNTIME = 86400

_ECHOED = ("ProcessingInputs", "ProcessingOutputConfig", "ProcessingResources", "StoppingCondition",
           "AppSpecification", "Environment", "NetworkConfig", "RoleArn", "ExperimentConfig")
_S3_INPUT_DEFAULTS = {"S3InputMode": "File", "S3DataDistributionType": "FullyReplicated",
                      "S3CompressionType": "None"}


def new_document(request: dict, region: str, account: str, now: float) -> dict:
    check_request(request)
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc["ProcessingInputs"] = [
        {**i, "S3Input": {**_S3_INPUT_DEFAULTS, **i["S3Input"]}} if "S3Input" in i else i
        for i in request.get("ProcessingInputs", [])]
    if not doc["ProcessingInputs"]:
        del doc["ProcessingInputs"]
    doc["StoppingCondition"] = {"MaxRuntimeInSeconds": DEFAULT_MAX_RUNTIME, **request.get("StoppingCondition", {})}
    name = request["ProcessingJobName"]
    doc.update({"ProcessingJobName": name, "ProcessingJobArn": arn(region, account, "processing-job", name),
                "ProcessingJobStatus": "InProgress", "CreationTime": now, "LastModifiedTime": now})
    return doc


def _local_path(member: str, path: str) -> str:
    normal = posixpath.normpath(path)
    if not normal.startswith(PROCESSING_ROOT + "/") or normal != path.rstrip("/") or "/../" in f"{path}/":
        raise ValidationException(f"{member} '{path}' must be a path under {PROCESSING_ROOT}/ "
                                  "(an absolute path, without '..')")
    return normal


def check_request(request: dict) -> None:
    """What the botocore model cannot say: rules between members, and what the emulator serves."""
    inputs = request.get("ProcessingInputs", [])
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    for what, names in (("ProcessingInputs", [i["InputName"] for i in inputs]),
                        ("ProcessingOutputConfig.Outputs", [o["OutputName"] for o in outputs])):
        if len(names) != len(set(names)):
            raise ValidationException(f"{what}: names must be unique ({', '.join(sorted(names))})")
    paths = {}
    for item in inputs:
        member = f"ProcessingInputs[{item['InputName']}]"
        if "DatasetDefinition" in item:
            raise ValidationException(f"{member}.DatasetDefinition (Athena and Redshift inputs) is not supported "
                                      "by the emulator; use S3Input")
        s3 = item.get("S3Input")
        if s3 is None:
            raise ValidationException(f"{member}: S3Input must be specified")
        if not s3["S3Uri"].startswith(("s3://", "file://")):
            raise ValidationException(f"{member}.S3Input.S3Uri '{s3['S3Uri']}' must be an s3:// URI")
        if "LocalPath" not in s3:
            raise ValidationException(f"{member}.S3Input.LocalPath must be specified")
        if s3.get("S3CompressionType") == "Gzip" and s3.get("S3InputMode", "File") != "Pipe":
            raise ValidationException(f"{member}: S3CompressionType Gzip can only be used when S3InputMode is Pipe")
        paths[_local_path(f"{member}.S3Input.LocalPath", s3["LocalPath"])] = member
    for item in outputs:
        member = f"ProcessingOutputConfig.Outputs[{item['OutputName']}]"
        if "FeatureStoreOutput" in item:
            raise ValidationException(f"{member}.FeatureStoreOutput is not supported by the emulator; use S3Output")
        s3 = item.get("S3Output")
        if s3 is None:
            raise ValidationException(f"{member}: S3Output must be specified")
        if not s3["S3Uri"].startswith("s3://") or len(s3["S3Uri"]) <= 5:
            raise ValidationException(f"{member}.S3Output.S3Uri '{s3['S3Uri']}' must be an s3:// URI")
        if "LocalPath" not in s3:
            raise ValidationException(f"{member}.S3Output.LocalPath must be specified")
        path = _local_path(f"{member}.S3Output.LocalPath", s3["LocalPath"])
        if path in paths:
            raise ValidationException(f"{member}.S3Output.LocalPath '{path}' is also the LocalPath of {paths[path]}")
        paths[path] = member
    cluster = request["ProcessingResources"]["ClusterConfig"]
    if "InstanceType" not in cluster or "InstanceCount" not in cluster:
        raise ValidationException("ProcessingResources.ClusterConfig: InstanceType and InstanceCount must be "
                                  "specified (InstancePreferences is not supported by the emulator)")
