"""The SageMaker operations as a user calls them, for workflows inside the emulator."""

from ...aws.protocol import invoke
from ...aws.specs import service_model


class SageMakerApi:
    """`api("CreateTrainingJob", TrainingJobName=..., ...)` -> the answer boto3 would parse.

    The request is validated against the botocore model and the answer shaped by the output
    shape exactly as for a request over HTTP (timestamps as epoch seconds); errors raise the
    ServiceError the wire would answer. Bound to the provider once it is built, since the
    workflows are parts of that same provider."""

    def __init__(self):
        self._provider = None

    def bind(self, provider) -> None:
        self._provider = provider

    def __call__(self, operation: str, **params) -> dict:
        if self._provider is None:
            raise RuntimeError("SageMakerApi used before the provider was bound")
        return invoke(service_model("sagemaker").operation_model(operation), params, self._provider)
