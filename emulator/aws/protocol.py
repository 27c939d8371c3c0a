"""The JSON 1.1 protocol SageMaker's control plane speaks: parse a request, answer or fail.

`handle` is the whole edge for one request: target header -> operation model -> JSON
body -> validation -> provider method (snake_case of the operation) -> JSON response.
Errors leave as AWS shapes them: {"__type": code, "message": ...} plus x-amzn-ErrorType.
"""

import json
import logging
import math
import re
import uuid

from botocore import xform_name
from werkzeug.http import HTTP_STATUS_CODES

from .errors import InternalFailure, SerializationException, ServiceError, UnknownOperationException
from .serialize import shaped
from .specs import service_model
from .validation import validate

log = logging.getLogger(__name__)

JSON_11 = "application/x-amz-json-1.1"

# The largest request body the JSON APIs read. AWS publishes no number for SageMaker's control
# plane; its largest member (PipelineDefinition) is 1 MiB of characters, up to 6 MiB once
# JSON-escaped, so 8 MiB refuses no valid request and keeps a runaway client from making the
# emulator hold gigabytes.
MAX_BODY_BYTES = 8 * 1024 * 1024
# Far deeper than real requests nest (a CreateTrainingJob is 5 levels; Search's recursive
# SubExpressions and NestedFilters a few more) and far below where Python's recursion gives out:
# the parser, the validator and the providers all recurse over the request.
MAX_JSON_DEPTH = 100
_MAX_NUMBER_DIGITS = 40  # beyond any 64-bit integer, and long before int() gets slow
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # the escape of a UTF-16 surrogate


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_NUMBER_DIGITS:
        raise SerializationException(f"Number {text[:20]}... is out of range")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise SerializationException(f"Number {text[:40]} is out of range")
    return value


def _not_json(constant: str):
    # Python's json takes NaN and Infinity; JSON (and AWS's parsers) do not.
    raise SerializationException(f"Unexpected token {constant}: NaN and Infinity are not JSON numbers")


def _check_tree(value, check_strings: bool) -> None:
    """Depth and (when the text escapes surrogates) lone surrogates, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise SerializationException(f"The request's JSON nests deeper than {MAX_JSON_DEPTH} levels")
        items = list(node.items()) if isinstance(node, dict) else [(None, v) for v in node]
        for key, child in items:
            if check_strings:
                for text in (key, child):
                    if isinstance(text, str):
                        try:
                            text.encode("utf-8")
                        except UnicodeEncodeError:
                            raise SerializationException("The request's JSON has a lone UTF-16 surrogate "
                                                         "escape, which is not a character")
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))


def parse_json_object(body: bytes) -> dict:
    """A JSON-protocol request body as the object it must be; an empty body is {}.

    Anything else is a SerializationException, as AWS's JSON services answer: bytes that are
    not UTF-8, text that is not JSON, JSON that is not an object, nesting too deep to be a
    request, numbers no member can hold.
    """
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SerializationException("The request body is not valid UTF-8")
    try:
        params = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_not_json)
    except RecursionError:
        raise SerializationException(f"The request's JSON nests deeper than {MAX_JSON_DEPTH} levels")
    except ValueError:
        raise SerializationException("The request body is not valid JSON")
    if not isinstance(params, dict):
        kind = "an array" if isinstance(params, list) else "a scalar"
        raise SerializationException(f"The request body must be a JSON object, not {kind}")
    _check_tree(params, check_strings=bool(_SURROGATE_ESCAPE.search(text)))
    return params


class JsonResponse:
    """One JSON protocol answer, itself a WSGI application (no web framework needed)."""

    def __init__(self, body: dict, status: int = 200, headers: dict | None = None):
        self.status = status
        self.body = json.dumps(body).encode()
        self.headers = {"Content-Type": JSON_11, "x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}

    def __call__(self, environ, start_response):
        headers = [*self.headers.items(), ("Content-Length", str(len(self.body)))]
        start_response(f"{self.status} {HTTP_STATUS_CODES.get(self.status, '')}".rstrip(), headers)
        return [self.body]


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(body, status, headers)


def error_response(error: ServiceError) -> JsonResponse:
    return json_response({"__type": error.code, "message": error.message}, status=error.status,
                         headers={"x-amzn-ErrorType": error.code})


def invoke(op, params: dict, provider) -> dict:
    """One operation as the wire serves it: the request validated against its input shape, the
    provider's method (snake_case of the operation) called, the answer shaped by the output
    shape. Raises ServiceError as the wire would answer it. What the HTTP edge and workflows
    (which call operations as a user does, see sagemaker/workflows) share."""
    method = getattr(provider, xform_name(op.name), None)
    if method is None:
        raise UnknownOperationException(f"The operation {op.name} is not supported by the emulator yet")
    return shaped(method(validate(params, op.input_shape)) or {}, op.output_shape)


def handle(service: str, target: str, body: bytes, provider) -> JsonResponse:
    try:
        prefix = service_model(service).metadata["targetPrefix"] + "."
        if not target.startswith(prefix):
            raise UnknownOperationException(f"Unknown operation target: {target!r}")
        operation = target[len(prefix):]
        try:
            op = service_model(service).operation_model(operation)
        except Exception:
            raise UnknownOperationException(f"The operation {operation} is not known to {service}")
        return json_response(invoke(op, parse_json_object(body), provider))
    except ServiceError as error:
        return error_response(error)
    except Exception as exc:  # never a traceback on the wire
        log.exception("internal error in %s", target)
        return error_response(InternalFailure(f"Internal error: {type(exc).__name__}: {exc}"))


class JsonProtocolApp:
    """A JSON 1.1 service served by `provider` (one method per operation), as a WSGI application.
    The gateway has routed the request here, and the JSON edge has capped its body."""

    def __init__(self, service: str, provider):
        self.service = service
        self.provider = provider

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        answer = handle(self.service, environ.get("HTTP_X_AMZ_TARGET", ""), body, self.provider)
        return answer(environ, start_response)
