"""The WSGI application each gunicorn worker runs: /ping, /invocations, /execution-parameters.

What answers an invocation is the image's handler, named by SAGEMAKER_EMULATOR_SERVING_HANDLER
("module:factory"): the PyTorch image's is the inference toolkit's HandlerService
(inference_toolkit.py), scikit-learn's the framework contract of AWS's scikit-learn
container (framework.py with its defaults), XGBoost's its algorithm or its script mode. A
handler loads the model once per worker and turns a request into a Reply.
"""

import http.client
import importlib
import logging
import os

from .reply import Handler, Reply, as_bytes

log = logging.getLogger("sagemaker_emulator_serving")

MODEL_DIR = os.environ.get("SAGEMAKER_MODEL_DIR", "/opt/ml/model")
HANDLER_ENV = "SAGEMAKER_EMULATOR_SERVING_HANDLER"
# Headers the platform passes through to the container (everything else is dropped).
FORWARDED = ("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes",
             "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Id")


def load_handler(spec: str) -> Handler:
    module, _, factory = spec.partition(":")
    return getattr(importlib.import_module(module), factory)()


class ModelServer:
    def __init__(self, handler: Handler):
        self.handler = handler
        self.loaded = False

    def load(self) -> None:
        self.handler.load(MODEL_DIR)
        self.loaded = True

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/ping" and method == "GET":
            return _reply(start_response, Reply(200 if self.loaded else 503, b"", "text/plain"))
        if path == "/invocations" and method == "POST":
            return _reply(start_response, self.handler.invoke(_body(environ), _headers(environ)))
        if path == "/execution-parameters" and method == "GET":
            answer = self.handler.execution_parameters()
            if answer is not None:
                return _reply(start_response, answer)
        return _reply(start_response, Reply(404, b'{"message": "Not found"}', "application/json"))


def _body(environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def _headers(environ) -> dict[str, str]:
    headers = {}
    for name in FORWARDED:
        value = environ.get("CONTENT_TYPE") if name == "Content-Type" else \
            environ.get("HTTP_" + name.upper().replace("-", "_"))
        if value:
            headers[name] = value
    return headers


def _reply(start_response, reply: Reply):
    status = f"{reply.status} {http.client.responses.get(reply.status, 'Unknown')}"
    if isinstance(reply.body, (bytes, bytearray, str)):
        body = as_bytes(reply.body)
        start_response(status, [("Content-Type", reply.content_type), ("Content-Length", str(len(body))),
                                *reply.headers])
        return [body]
    start_response(status, [("Content-Type", reply.content_type), *reply.headers])
    return (as_bytes(chunk) for chunk in reply.body)


# Made before gunicorn forks its workers (preload), so each worker starts with the framework imported.
application = ModelServer(load_handler(os.environ[HANDLER_ENV]))
