"""The runtime's wire (rest-json): a plain WSGI application, because every microsecond
here is added to each invocation. Routes, headers in and out, errors as botocore reads them."""

import http.client
import json
import logging
import re
import uuid

from ..aws.errors import ServiceError
from . import eventstream
from .async_inference import AsyncInference
from .capture import CaptureWriter
from .errors import InternalFailure, RuntimeError_, ValidationError
from .invoke import FORWARDED, MAX_PAYLOAD_BYTES, Invocation, Invoker, new_inference_id

log = logging.getLogger(__name__)

_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_ROUTE = re.compile(r"^/endpoints/([^/]+)/(invocations|invocations-response-stream|async-invocations)$")
EVENT_STREAM = "application/vnd.amazon.eventstream"


class Request:
    """What a handler reads of a WSGI request: headers by their wire names, the body."""

    def __init__(self, environ: dict):
        self.environ = environ

    def header(self, name: str) -> str | None:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return self.environ.get(key) or None
        return self.environ.get("HTTP_" + key)

    @property
    def content_length(self) -> int:
        try:
            return int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ValidationError("Content-Length is not a number")

    def body(self, limit: int) -> bytes:
        """The body; one sent chunked (no Content-Length) is read up to one byte past `limit`."""
        length = self.content_length
        if length:
            return self.environ["wsgi.input"].read(length)
        if self.environ.get("wsgi.input_terminated"):  # the server ends the stream where the body ends
            return self.environ["wsgi.input"].read(limit + 1)
        return b""


class Reply:
    def __init__(self, status: int, body, content_type: str, headers: dict | None = None):
        self.status, self.body, self.content_type, self.headers = status, body, content_type, headers or {}

    def __call__(self, start_response):
        headers = [("Content-Type", self.content_type), ("x-amzn-RequestId", str(uuid.uuid4())),
                   *self.headers.items()]
        if isinstance(self.body, bytes):
            headers.append(("Content-Length", str(len(self.body))))
            start_response(f"{self.status} {http.client.responses.get(self.status, '')}", headers)
            return [self.body]
        start_response(f"{self.status} {http.client.responses.get(self.status, '')}", headers)
        return self.body


def error_reply(error: ServiceError) -> Reply:
    body = error.body() if isinstance(error, RuntimeError_) else {"message": error.message}
    return Reply(error.status, json.dumps(body).encode(), "application/json", {"x-amzn-ErrorType": error.code})


def _call(request: Request, name: str, header_map: dict[str, str]) -> Invocation:
    if not _ENDPOINT_NAME.match(name):
        raise ValidationError(f"1 validation error detected: Value '{name}' at 'endpointName' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: "
                              "^[a-zA-Z0-9](-*[a-zA-Z0-9])*")
    inference_id = request.header("X-Amzn-SageMaker-Inference-Id")
    if inference_id is not None and not 1 <= len(inference_id) <= 64:
        raise ValidationError("1 validation error detected: Value at 'inferenceId' failed to satisfy "
                              "constraint: Member must have length between 1 and 64")
    headers = {}
    for wire, forwarded in header_map.items():
        value = request.header(wire)
        if value is not None:
            headers[forwarded] = value
    return Invocation(name, b"", headers, request.header("X-Amzn-SageMaker-Target-Variant"))


_SYNC_HEADERS = {name: name for name in FORWARDED}
_STREAM_HEADERS = {**_SYNC_HEADERS, "X-Amzn-SageMaker-Accept": "Accept"}
_STREAM_HEADERS.pop("Accept")
_ASYNC_HEADERS = {"X-Amzn-SageMaker-Content-Type": "Content-Type", "X-Amzn-SageMaker-Accept": "Accept",
                  "X-Amzn-SageMaker-Custom-Attributes": "X-Amzn-SageMaker-Custom-Attributes",
                  "X-Amzn-SageMaker-Inference-Id": "X-Amzn-SageMaker-Inference-Id"}


def _read_body(request: Request, call: Invocation) -> None:
    length = request.content_length
    if length <= MAX_PAYLOAD_BYTES:
        call.body = request.body(MAX_PAYLOAD_BYTES)
        if len(call.body) <= MAX_PAYLOAD_BYTES:
            return
    size = f"size {length} bytes " if length else ""  # a chunked body's size is not known
    raise ValidationError(f"Request body {size}exceeds the maximum of {MAX_PAYLOAD_BYTES} bytes (6 MB) "
                          "for InvokeEndpoint.")


class RuntimeApp:
    """InvokeEndpoint, InvokeEndpointWithResponseStream, InvokeEndpointAsync."""

    def __init__(self, invoker: Invoker, capture: CaptureWriter, async_inference: AsyncInference):
        self.invoker = invoker
        self.capture = capture
        self.async_inference = async_inference
        self.handlers = {"invocations": self.invoke_endpoint,
                         "invocations-response-stream": self.invoke_endpoint_with_response_stream,
                         "async-invocations": self.invoke_endpoint_async}

    def __call__(self, environ, start_response):
        match = _ROUTE.match(environ.get("PATH_INFO", ""))
        try:
            if not match or environ.get("REQUEST_METHOD") != "POST":
                raise ValidationError(f"No runtime operation at {environ.get('REQUEST_METHOD')} "
                                      f"{environ.get('PATH_INFO')}")
            reply = self.handlers[match.group(2)](Request(environ), match.group(1))
        except ServiceError as error:
            reply = error_reply(error)
        except Exception as exc:  # never a traceback on the wire
            log.exception("runtime error")
            reply = error_reply(InternalFailure(f"Internal error: {type(exc).__name__}"))
        return reply(start_response)

    def record(self, call: Invocation, variant: str, response_type: str, response_body: bytes) -> None:
        deployment = self.invoker.live.get(call.endpoint)
        config = deployment.config.get("DataCaptureConfig") if deployment else None
        if config:
            self.capture.record(config, call.endpoint, variant, call.headers.get("Content-Type", ""), call.body,
                                response_type, response_body, call.headers.get("X-Amzn-SageMaker-Inference-Id"))

    @staticmethod
    def _answer_headers(answer) -> dict:
        headers = {"x-Amzn-Invoked-Production-Variant": answer.variant}
        if answer.custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = answer.custom_attributes
        return headers

    def invoke_endpoint(self, request: Request, name: str) -> Reply:
        call = _call(request, name, _SYNC_HEADERS)
        _read_body(request, call)
        answer = self.invoker.invoke(call)
        self.record(call, answer.variant, answer.content_type, answer.body)
        return Reply(200, answer.body, answer.content_type, self._answer_headers(answer))

    def invoke_endpoint_with_response_stream(self, request: Request, name: str) -> Reply:
        call = _call(request, name, _STREAM_HEADERS)
        _read_body(request, call)
        answer = self.invoker.invoke(call, stream=True)

        def frames():
            received = []
            try:
                for chunk in answer.exchange.chunks():
                    received.append(chunk)
                    yield eventstream.event("PayloadPart", chunk)
            except Exception as exc:
                yield eventstream.exception("ModelStreamError", json.dumps(
                    {"Message": f"The model's response stream broke: {type(exc).__name__}",
                     "ErrorCode": "StreamBroken"}).encode())
            finally:
                answer.exchange.close()
                answer.release()
            self.record(call, answer.variant, answer.content_type, b"".join(received))

        headers = {"X-Amzn-SageMaker-Content-Type": answer.content_type, **self._answer_headers(answer)}
        return Reply(200, frames(), EVENT_STREAM, headers)

    def invoke_endpoint_async(self, request: Request, name: str) -> Reply:
        call = _call(request, name, _ASYNC_HEADERS)
        location = request.header("X-Amzn-SageMaker-InputLocation")
        if not location:
            raise ValidationError("1 validation error detected: Value null at 'inputLocation' failed to "
                                  "satisfy constraint: Member must not be null")
        if not location.startswith("s3://"):
            raise ValidationError(f"InputLocation '{location}' must be an s3:// URI")
        config = self.invoker.deployment(name).config.get("AsyncInferenceConfig")
        if not config:
            raise ValidationError(f"Endpoint {name} is not configured for asynchronous inference "
                                  "(its endpoint config has no AsyncInferenceConfig).")
        inference_id = call.headers.get("X-Amzn-SageMaker-Inference-Id") or new_inference_id()
        output, failure = self.async_inference.locations(config, inference_id)
        self.async_inference.submit(call, location, config, inference_id)
        headers = {"X-Amzn-SageMaker-OutputLocation": output}
        if failure:
            headers["X-Amzn-SageMaker-FailureLocation"] = failure
        return Reply(202, json.dumps({"InferenceId": inference_id}).encode(), "application/json", headers)
