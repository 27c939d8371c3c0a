"""Service errors as AWS shapes them: a code (the error shape's name), a message, a status."""


class ServiceError(Exception):
    code = "InternalFailure"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationException(ServiceError):
    code = "ValidationException"


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"


class ResourceInUse(ServiceError):
    code = "ResourceInUse"


class ResourceLimitExceeded(ServiceError):
    code = "ResourceLimitExceeded"


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"


class SerializationException(ServiceError):
    code = "SerializationException"


class RequestEntityTooLarge(ServiceError):
    code = "RequestEntityTooLargeException"
    status = 413


class InternalFailure(ServiceError):
    code = "InternalFailure"
    status = 500


def not_found() -> ValidationException:
    """What SageMaker answers for Describe/Stop of an unknown name (the waiters rely on it)."""
    return ValidationException("Requested resource not found.")
