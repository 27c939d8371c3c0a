"""The edge in front of the JSON-protocol APIs: a body cap for all of them, and for the ones
served by a server that trusts its input (moto's CloudWatch Logs and SQS, which answer 500 to a
body that is not JSON or a member of the wrong type), the same checks against botocore's model
that SageMaker's own requests get (protocol.parse_json_object, validation.validate).

What AWS answers for bad input, the server never sees: a 4xx in the service's error shape.
"""

import io
import logging

from . import protocol, routing
from .errors import (InternalFailure, RequestEntityTooLarge, SerializationException, ServiceError,
                     UnknownOperationException, ValidationException)
from .specs import service_model
from .validation import validate

log = logging.getLogger(__name__)

# Per signing name: how that service names a request that breaks the model's constraints.
# CloudWatch Logs answers InvalidParameterException with the "1 validation error detected"
# wording (as moto, which copies it, does too).
VALIDATION_CODES = {"logs": "InvalidParameterException", "sqs": "InvalidParameterValue"}


class _ServiceValidationError(ServiceError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def read_body(environ: dict, limit: int = protocol.MAX_BODY_BYTES) -> bytes:
    """The request body, refused (413) past `limit` before it is read into memory."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise SerializationException("The Content-Length header is not a number")
    if length < 0:
        raise SerializationException("The Content-Length header is negative")
    if length > limit:
        raise RequestEntityTooLarge(
            f"The request body of {length} bytes exceeds the maximum of {limit} bytes")
    if length:
        return environ["wsgi.input"].read(length)
    if environ.get("wsgi.input_terminated"):  # a chunked body the server has not measured
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge(f"The request body exceeds the maximum of {limit} bytes")
        return body
    return b""


def check_request(service: str, target: str, body: bytes) -> None:
    """Raise what the service answers for this request if botocore's model refuses it."""
    model = service_model(service)
    prefix = model.metadata["targetPrefix"] + "."
    operation = target[len(prefix):] if target.startswith(prefix) else None
    if operation not in model.operation_names:
        raise UnknownOperationException(f"Unknown operation target: {target!r}")
    params = protocol.parse_json_object(body)
    try:
        validate(params, model.operation_model(operation).input_shape)
    except ValidationException as error:
        raise _ServiceValidationError(VALIDATION_CODES.get(service, error.code), error.message)


class JsonEdge:
    """WSGI middleware: caps the body of requests signed for `services`, and checks those whose
    value names a botocore service against its model, before the wrapped server sees them."""

    def __init__(self, app, services: dict[str, str | None]):
        self.app = app
        self.services = services  # signing name -> botocore service to validate against, or None

    def __call__(self, environ, start_response):
        scope = routing.credential_scope(environ.get("HTTP_AUTHORIZATION", ""), environ.get("QUERY_STRING", ""))
        signing_name = scope[1] if scope else None
        if signing_name not in self.services:
            return self.app(environ, start_response)
        try:
            body = read_body(environ)
            service = self.services[signing_name]
            if service is not None:
                check_request(service, environ.get("HTTP_X_AMZ_TARGET", ""), body)
        except ServiceError as error:
            return protocol.error_response(error)(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return self.app(environ, start_response)
        except NotImplementedError:  # moto's word for an operation it does not serve
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            error = UnknownOperationException(f"The operation {target} is not supported by the emulator yet")
        except Exception as exc:  # never a traceback on the wire
            log.exception("internal error in %s", environ.get("HTTP_X_AMZ_TARGET"))
            error = InternalFailure(f"Internal error: {type(exc).__name__}")
        return protocol.error_response(error)(environ, start_response)


def guard_json_edges(targets: dict) -> dict:
    """The gateway's targets with the JSON edges in front: SageMaker's control plane (its
    requests are checked in protocol.handle), CloudWatch Logs and SQS (checked here)."""
    return {**targets,
            routing.SAGEMAKER: JsonEdge(targets[routing.SAGEMAKER], {"sagemaker": None}),
            routing.MOTO: JsonEdge(targets[routing.MOTO], {"logs": "logs", "sqs": "sqs"})}
