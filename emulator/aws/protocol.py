"""The JSON 1.1 protocol SageMaker's control plane speaks: parse a request, answer or fail.

`handle` is the whole edge for one request: target header -> operation model -> JSON
body -> validation -> provider method (snake_case of the operation) -> JSON response.
Errors leave as AWS shapes them: {"__type": code, "message": ...} plus x-amzn-ErrorType.
"""

import json
import logging
import uuid

from botocore import xform_name
from flask import Response

from .errors import InternalFailure, SerializationException, ServiceError, UnknownOperationException
from .specs import service_model
from .validation import validate

log = logging.getLogger(__name__)

JSON_11 = "application/x-amz-json-1.1"


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, content_type=JSON_11)
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def error_response(error: ServiceError) -> Response:
    return json_response({"__type": error.code, "message": error.message}, status=error.status,
                         headers={"x-amzn-ErrorType": error.code})


def handle(service: str, target: str, body: bytes, provider) -> Response:
    try:
        prefix = service_model(service).metadata["targetPrefix"] + "."
        if not target.startswith(prefix):
            raise UnknownOperationException(f"Unknown operation target: {target!r}")
        operation = target[len(prefix):]
        try:
            op = service_model(service).operation_model(operation)
        except Exception:
            raise UnknownOperationException(f"The operation {operation} is not known to {service}")
        method = getattr(provider, xform_name(operation), None)
        if method is None:
            raise UnknownOperationException(f"The operation {operation} is not supported by the emulator yet")
        try:
            params = json.loads(body) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            raise SerializationException("The request body is not valid JSON")
        validate(params, op.input_shape)
        return json_response(method(params) or {})
    except ServiceError as error:
        return error_response(error)
    except Exception as exc:  # never a traceback on the wire
        log.exception("internal error in %s", target)
        return error_response(InternalFailure(f"Internal error: {type(exc).__name__}: {exc}"))
