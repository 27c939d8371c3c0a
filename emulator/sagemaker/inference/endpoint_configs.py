"""The EndpointConfig resource: production variants (model, instances or serverless,
weight), data capture, async inference."""

from ...aws.errors import ValidationException
from ..arns import arn
from ..resources import Kind

ENDPOINT_CONFIG = Kind(kind="endpoint-config", noun="endpoint configuration", prefix="EndpointConfig",
                       list_key="EndpointConfigs",
                       summary=("EndpointConfigName", "EndpointConfigArn", "CreationTime"))

_ECHOED = ("DataCaptureConfig", "KmsKeyId", "AsyncInferenceConfig", "ExplainerConfig",
           "ShadowProductionVariants", "ExecutionRoleArn", "VpcConfig", "EnableNetworkIsolation",
           "MetricsConfig")


def new_document(request: dict, region: str, account: str, now: float, model_exists) -> dict:
    variants = request["ProductionVariants"]
    names = [v["VariantName"] for v in variants]
    if len(set(names)) != len(names):
        raise ValidationException("The VariantName of each ProductionVariant must be unique")
    for variant in variants:
        check_variant(variant, model_exists)
    doc = {k: request[k] for k in _ECHOED if k in request}
    doc["ProductionVariants"] = [{"InitialVariantWeight": 1.0, **v} for v in variants]
    capture = doc.get("DataCaptureConfig")
    if capture is not None:
        if not capture["DestinationS3Uri"].startswith("s3://"):
            raise ValidationException("DataCaptureConfig.DestinationS3Uri must be an s3:// URI")
        capture.setdefault("EnableCapture", True)
    async_config = doc.get("AsyncInferenceConfig")
    if async_config is not None:
        output = async_config["OutputConfig"]
        for member in ("S3OutputPath", "S3FailurePath"):
            if member in output and not output[member].startswith("s3://"):
                raise ValidationException(f"AsyncInferenceConfig.OutputConfig.{member} must be an s3:// URI")
        if "S3OutputPath" not in output:
            raise ValidationException("AsyncInferenceConfig.OutputConfig.S3OutputPath must be specified")
        if any(v.get("ServerlessConfig") for v in variants):
            raise ValidationException("AsyncInferenceConfig cannot be used with serverless variants")
    name = request["EndpointConfigName"]
    doc.update({"EndpointConfigName": name,
                "EndpointConfigArn": arn(region, account, "endpoint-config", name),
                "CreationTime": now})
    return doc


def check_variant(variant: dict, model_exists) -> None:
    name = variant["VariantName"]
    if not variant.get("ModelName"):
        raise ValidationException(f"ModelName must be specified for production variant {name}")
    if not model_exists(variant["ModelName"]):
        raise ValidationException(f'Could not find model "{variant["ModelName"]}".')
    serverless = variant.get("ServerlessConfig")
    if serverless:
        if variant.get("InstanceType") or variant.get("InitialInstanceCount"):
            raise ValidationException(f"Production variant {name}: ServerlessConfig cannot be combined "
                                      "with InstanceType or InitialInstanceCount")
        return
    for member in ("InstanceType", "InitialInstanceCount"):
        if variant.get(member) is None:
            raise ValidationException(f"Production variant {name}: {member} must be specified "
                                      "(or ServerlessConfig for a serverless endpoint)")
