"""The runtime's errors (rest-json): the code travels in x-amzn-ErrorType, members in the body."""

from ..aws.errors import ServiceError


class RuntimeError_(ServiceError):
    members: dict = {}

    def body(self) -> dict:
        return {"message": self.message, **self.members}


class ValidationError(RuntimeError_):
    code = "ValidationError"
    status = 400


class ThrottlingException(RuntimeError_):
    code = "ThrottlingException"
    status = 400


class ModelNotReadyException(RuntimeError_):
    code = "ModelNotReadyException"
    status = 429


class InternalFailure(RuntimeError_):
    code = "InternalFailure"
    status = 500


class ServiceUnavailable(RuntimeError_):
    code = "ServiceUnavailable"
    status = 503


class ModelError(RuntimeError_):
    code = "ModelError"
    status = 424

    def __init__(self, message: str, log_stream_arn: str, original_status: int | None = None,
                 original_message: str | None = None):
        super().__init__(message)
        self.members = {"LogStreamArn": log_stream_arn}
        if original_status is not None:
            self.members["OriginalStatusCode"] = original_status
            self.members["OriginalMessage"] = original_message or ""
