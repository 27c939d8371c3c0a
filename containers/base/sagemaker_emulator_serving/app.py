"""The WSGI application each gunicorn worker runs: /ping, /invocations, /execution-parameters."""

import http.client
import logging
import os

# Imported before gunicorn forks its workers (preload), so each worker starts warm.
from sagemaker_pytorch_serving_container.handler_service import HandlerService

from .context import Context

log = logging.getLogger("sagemaker_emulator_serving")

MODEL_DIR = os.environ.get("SAGEMAKER_MODEL_DIR", "/opt/ml/model")
# Headers the platform passes through to the container (everything else is dropped).
FORWARDED = ("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes",
             "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Id")


class ModelServer:
    def __init__(self):
        self.service = None

    def load(self) -> None:
        """Load the model in this worker, as TorchServe does when a worker starts."""
        service = HandlerService()
        service.initialize(Context(MODEL_DIR, {}, gpu_id=_gpu_id()))
        self.service = service

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/ping" and method == "GET":
            return _reply(start_response, 200 if self.service else 503, b"")
        if path == "/invocations" and method == "POST":
            return self.invoke(environ, start_response)
        return _reply(start_response, 404, b'{"message": "Not found"}', "application/json")

    def invoke(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {}
        for name in FORWARDED:
            value = environ.get("HTTP_" + name.upper().replace("-", "_")) if name != "Content-Type" \
                else environ.get("CONTENT_TYPE")
            if value:
                headers[name] = value
        context = Context(MODEL_DIR, headers, gpu_id=_gpu_id())
        result = self.service.handle([{"body": body}], context)
        payload = result[0] if result else b""
        content_type = context.content_type or ("application/json" if context.status < 400 else "text/plain")
        extra = list(context.response_headers.items())
        if isinstance(payload, (bytes, bytearray, str)):
            return _reply(start_response, context.status, _as_bytes(payload), content_type, extra)
        # An iterator (a generator from output_fn or transform_fn) streams chunk by chunk.
        start_response(_status_line(context.status), [("Content-Type", content_type), *extra])
        return (_as_bytes(chunk) for chunk in payload)


def _gpu_id():
    import torch

    return 0 if torch.cuda.is_available() else None


def _as_bytes(value) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def _status_line(code: int) -> str:
    return f"{code} {http.client.responses.get(code, 'Unknown')}"


def _reply(start_response, code: int, body: bytes, content_type: str = "text/plain",
           extra: list | None = None):
    start_response(_status_line(code), [("Content-Type", content_type),
                                        ("Content-Length", str(len(body))), *(extra or [])])
    return [body]


application = ModelServer()
