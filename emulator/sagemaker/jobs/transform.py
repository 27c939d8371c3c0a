"""The TransformJob resource: InProgress -> Completed | Failed, Stopping -> Stopped."""

from ...aws.errors import ValidationException, not_found
from ..arns import arn
from ..resources import Kind

TRANSFORM_JOB = Kind(kind="transform-job", noun="transform job", prefix="TransformJob",
                     list_key="TransformJobSummaries",
                     summary=("TransformJobName", "TransformJobArn", "CreationTime", "TransformEndTime",
                              "LastModifiedTime", "TransformJobStatus", "FailureReason"),
                     status="TransformJobStatus",
                     missing=lambda noun, name: not_found())
LOG_GROUP = "/aws/sagemaker/TransformJobs"
MAX_PAYLOAD_PRODUCT_MB = 100  # MaxConcurrentTransforms x MaxPayloadInMB

_ECHOED = ("ModelName", "MaxConcurrentTransforms", "ModelClientConfig", "MaxPayloadInMB", "BatchStrategy",
           "Environment", "TransformInput", "TransformOutput", "DataCaptureConfig", "TransformResources",
           "DataProcessing", "ExperimentConfig")


def new_document(request: dict, region: str, account: str, now: float) -> dict:
    check_request(request)
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc["TransformInput"] = {"CompressionType": "None", "SplitType": "None", **request["TransformInput"]}
    doc["TransformOutput"] = {"AssembleWith": "None", **request["TransformOutput"]}
    name = request["TransformJobName"]
    doc.update({"TransformJobName": name, "TransformJobArn": arn(region, account, "transform-job", name),
                "TransformJobStatus": "InProgress", "CreationTime": now, "LastModifiedTime": now})
    return doc


def check_request(request: dict) -> None:
    source = request["TransformInput"]["DataSource"]["S3DataSource"]
    if source["S3DataType"] not in ("S3Prefix", "ManifestFile"):
        raise ValidationException(f"S3DataType {source['S3DataType']} is not supported for transform jobs "
                                  "(S3Prefix, ManifestFile)")
    for member, uri in (("TransformInput.DataSource.S3DataSource.S3Uri", source["S3Uri"]),
                        ("TransformOutput.S3OutputPath", request["TransformOutput"]["S3OutputPath"])):
        if not uri.startswith("s3://"):
            raise ValidationException(f"{member} must be an s3:// URI")
    split = request["TransformInput"].get("SplitType", "None")
    if split in ("RecordIO", "TFRecord"):
        raise ValidationException(f"SplitType {split} is not supported by the emulator (None, Line)")
    if request["TransformInput"].get("CompressionType", "None") != "None":
        raise ValidationException("CompressionType Gzip is not supported by the emulator for transform input")
    concurrent, payload = request.get("MaxConcurrentTransforms"), request.get("MaxPayloadInMB")
    if concurrent and payload and concurrent * payload > MAX_PAYLOAD_PRODUCT_MB:
        raise ValidationException("MaxConcurrentTransforms * MaxPayloadInMB must not exceed 100 MB")
    processing = request.get("DataProcessing", {})
    if processing.get("JoinSource") == "Input":
        if request["TransformOutput"].get("AssembleWith", "None") != split or split != "Line":
            raise ValidationException("DataProcessing.JoinSource Input requires SplitType Line and "
                                      "AssembleWith Line")
