"""The runtime's wire (rest-json): routes, headers in and out, errors as botocore reads them."""

import json
import re
import uuid

from flask import Flask, Response, request

from ..aws import routing
from ..aws.errors import ServiceError
from . import eventstream
from .async_inference import AsyncInference
from .capture import CaptureWriter
from .errors import InternalFailure, RuntimeError_, ValidationError
from .invoke import FORWARDED, Invocation, Invoker, new_inference_id

_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
EVENT_STREAM = "application/vnd.amazon.eventstream"


def error_response(error: ServiceError) -> Response:
    body = error.body() if isinstance(error, RuntimeError_) else {"message": error.message}
    return Response(json.dumps(body), status=error.status, content_type="application/json",
                    headers={"x-amzn-ErrorType": error.code, "x-amzn-RequestId": str(uuid.uuid4())})


def _call(name: str, header_map: dict[str, str]) -> Invocation:
    if request.environ.get("emulator.service") != routing.SAGEMAKER_RUNTIME:
        raise ValidationError("Not a SageMaker runtime request")
    if not _ENDPOINT_NAME.match(name):
        raise ValidationError(f"1 validation error detected: Value '{name}' at 'endpointName' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: "
                              "^[a-zA-Z0-9](-*[a-zA-Z0-9])*")
    inference_id = request.headers.get("X-Amzn-SageMaker-Inference-Id")
    if inference_id is not None and not 1 <= len(inference_id) <= 64:
        raise ValidationError("1 validation error detected: Value at 'inferenceId' failed to satisfy "
                              "constraint: Member must have length between 1 and 64")
    headers = {}
    for wire, forwarded in header_map.items():
        value = request.headers.get(wire)
        if value is not None:
            headers[forwarded] = value
    return Invocation(name, b"", headers, request.headers.get("X-Amzn-SageMaker-Target-Variant"))


_SYNC_HEADERS = {name: name for name in FORWARDED}
_STREAM_HEADERS = {**_SYNC_HEADERS, "X-Amzn-SageMaker-Accept": "Accept"}
_STREAM_HEADERS.pop("Accept")
_ASYNC_HEADERS = {"X-Amzn-SageMaker-Content-Type": "Content-Type", "X-Amzn-SageMaker-Accept": "Accept",
                  "X-Amzn-SageMaker-Custom-Attributes": "X-Amzn-SageMaker-Custom-Attributes",
                  "X-Amzn-SageMaker-Inference-Id": "X-Amzn-SageMaker-Inference-Id"}


def _read_body(call: Invocation, limit: int | None) -> None:
    length = request.content_length or 0
    if limit is not None and length > limit:
        raise ValidationError(f"Request body size {length} bytes exceeds the maximum of {limit} bytes "
                              "(6 MB) for InvokeEndpoint.")
    call.body = request.get_data()


def register(app: Flask, invoker: Invoker, capture: CaptureWriter, async_inference: AsyncInference) -> None:
    from .invoke import MAX_PAYLOAD_BYTES

    def guarded(handler):
        def wrapper(name):
            try:
                return handler(name)
            except ServiceError as error:
                return error_response(error)
            except Exception as exc:  # never a traceback on the wire
                app.logger.exception("runtime error")
                return error_response(InternalFailure(f"Internal error: {type(exc).__name__}"))
        wrapper.__name__ = handler.__name__
        return wrapper

    def record(call: Invocation, variant: str, response_type: str, response_body: bytes) -> None:
        deployment = invoker.live.get(call.endpoint)
        config = deployment.config.get("DataCaptureConfig") if deployment else None
        if config:
            capture.record(config, call.endpoint, variant, call.headers.get("Content-Type", ""), call.body,
                           response_type, response_body, call.headers.get("X-Amzn-SageMaker-Inference-Id"))

    @app.post("/endpoints/<name>/invocations")
    @guarded
    def invoke_endpoint(name):
        call = _call(name, _SYNC_HEADERS)
        _read_body(call, MAX_PAYLOAD_BYTES)
        answer = invoker.invoke(call)
        record(call, answer.variant, answer.content_type, answer.body)
        headers = {"x-Amzn-Invoked-Production-Variant": answer.variant}
        if answer.custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = answer.custom_attributes
        return Response(answer.body, status=200, content_type=answer.content_type, headers=headers)

    @app.post("/endpoints/<name>/invocations-response-stream")
    @guarded
    def invoke_endpoint_with_response_stream(name):
        call = _call(name, _STREAM_HEADERS)
        _read_body(call, MAX_PAYLOAD_BYTES)
        answer = invoker.invoke(call, stream=True)

        def frames():
            received = []
            try:
                source = answer.response.read_chunked() if answer.response.chunked \
                    else answer.response.stream(65536)
                for chunk in source:
                    if chunk:
                        received.append(chunk)
                        yield eventstream.event("PayloadPart", chunk)
            except Exception as exc:
                yield eventstream.exception("ModelStreamError", json.dumps(
                    {"Message": f"The model's response stream broke: {type(exc).__name__}",
                     "ErrorCode": "StreamBroken"}).encode())
            finally:
                answer.response.release_conn()
                answer.release()
            record(call, answer.variant, answer.content_type, b"".join(received))

        headers = {"X-Amzn-SageMaker-Content-Type": answer.content_type,
                   "x-Amzn-Invoked-Production-Variant": answer.variant}
        if answer.custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = answer.custom_attributes
        return Response(frames(), status=200, content_type=EVENT_STREAM, headers=headers)

    @app.post("/endpoints/<name>/async-invocations")
    @guarded
    def invoke_endpoint_async(name):
        call = _call(name, _ASYNC_HEADERS)
        location = request.headers.get("X-Amzn-SageMaker-InputLocation")
        if not location:
            raise ValidationError("1 validation error detected: Value null at 'inputLocation' failed to "
                                  "satisfy constraint: Member must not be null")
        if not location.startswith("s3://"):
            raise ValidationError(f"InputLocation '{location}' must be an s3:// URI")
        deployment = invoker.deployment(name)
        config = deployment.config.get("AsyncInferenceConfig")
        if not config:
            raise ValidationError(f"Endpoint {name} is not configured for asynchronous inference "
                                  "(its endpoint config has no AsyncInferenceConfig).")
        inference_id = call.headers.get("X-Amzn-SageMaker-Inference-Id") or new_inference_id()
        output, failure = async_inference.locations(config, inference_id)
        async_inference.submit(call, location, config, inference_id)
        headers = {"X-Amzn-SageMaker-OutputLocation": output}
        if failure:
            headers["X-Amzn-SageMaker-FailureLocation"] = failure
        return Response(json.dumps({"InferenceId": inference_id}), status=202,
                        content_type="application/json", headers=headers)
