"""The handler contract of AWS's scikit-learn and XGBoost (script mode) serving.

The user's module is SAGEMAKER_PROGRAM (its folder is on the path: see serve.py). Its
model_fn loads the model once per worker; input_fn(body, content_type) -> predict_fn(data,
model) -> output_fn(prediction, accept) answer a request, or transform_fn(model, body,
content_type, accept) alone (with any of the other three it is refused at load, as AWS
refuses it). What the module leaves out comes from the framework's Defaults. As
sagemaker-containers' worker answers (what those containers run for a single model):

- no model_fn: loading fails with "Please provide a model_fn implementation." (the
  endpoint never gets healthy);
- Content-Type unset: application/json; Accept unset or */*: SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT,
  else application/json; JSON and CSV bodies reach input_fn as text;
- a content type the default input_fn cannot read: 415, one the default output_fn cannot
  write: 406, each with a JSON body {"error", "error-message", "stack-trace"};
- any other exception: 500 with Flask's "Internal Server Error" page, the traceback in the log;
- output_fn's (body, content type) tuple is the answer; a bare str/bytes goes out as
  text/html, as Flask sends it.
"""

import importlib
import json
import logging
import os
import textwrap
import traceback
from dataclasses import dataclass
from typing import Callable

from . import encoders
from .reply import Reply

log = logging.getLogger("sagemaker_emulator_serving")

INTERNAL_ERROR_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete "
    "your request. Either the server is overloaded or there is an error in the application.</p>\n")
# Flask adds the charset to these mimetypes (werkzeug.utils.get_content_type).
_CHARSET_TYPES = ("application/ecmascript", "application/javascript", "application/sql", "application/xml",
                  "application/xml-dtd", "application/xml-external-parsed-entity")


def default_model_fn(model_dir):
    raise NotImplementedError(textwrap.dedent("""
    Please provide a model_fn implementation.
    See documentation for model_fn at https://github.com/aws/sagemaker-python-sdk
    """))


@dataclass
class Defaults:
    """A framework's defaults for what the user's module does not define."""
    input_fn: Callable
    predict_fn: Callable
    output_fn: Callable
    model_fn: Callable = default_model_fn


def module_name() -> str | None:
    program = os.environ.get("SAGEMAKER_PROGRAM")
    return program[:-3] if program and program.endswith(".py") else program


def flask_content_type(mimetype: str) -> str:
    if mimetype.startswith("text/") or mimetype in _CHARSET_TYPES or mimetype.endswith("+xml"):
        return f"{mimetype}; charset=utf-8"
    return mimetype


class FrameworkHandler:
    def __init__(self, defaults: Defaults):
        self.defaults = defaults
        self.model = None
        self.transform_fn = None
        self.execution_parameters_fn = None

    def load(self, model_dir: str) -> None:
        name = module_name()
        if not name:
            raise RuntimeError("SAGEMAKER_PROGRAM is not set: the model has no inference script "
                               "(the SDK sets it from entry_point)")
        module = importlib.import_module(name)
        fns = {fn: getattr(module, fn, None) for fn in ("input_fn", "predict_fn", "output_fn", "transform_fn")}
        if fns["transform_fn"] and (fns["input_fn"] or fns["predict_fn"] or fns["output_fn"]):
            raise ValueError("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn")
        self.transform_fn = fns["transform_fn"] or self._default_transform(
            *(fns[fn] or getattr(self.defaults, fn) for fn in ("input_fn", "predict_fn", "output_fn")))
        self.execution_parameters_fn = getattr(module, "execution_parameters_fn", None)
        self.model = (getattr(module, "model_fn", None) or self.defaults.model_fn)(model_dir)

    def invoke(self, body: bytes, headers: dict[str, str]) -> Reply:
        content_type = headers.get("Content-Type") or encoders.JSON
        accept = headers.get("Accept")
        if not accept or accept == encoders.ANY:
            accept = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", encoders.JSON)
        content = body.decode("utf-8", errors="replace") if content_type in encoders.UTF8_TYPES else body
        try:
            result = self.transform_fn(self.model, content, content_type, accept)
        except Exception:  # what Flask does with an exception in a view
            log.exception("Exception on /invocations [POST]")
            return Reply(500, INTERNAL_ERROR_PAGE, "text/html; charset=utf-8")
        if isinstance(result, Reply):
            return result
        if isinstance(result, tuple):
            return Reply(200, result[0], flask_content_type(result[1]))
        return Reply(200, result, "text/html; charset=utf-8")

    def execution_parameters(self) -> Reply | None:
        if self.execution_parameters_fn is None:
            return None
        answer = self.execution_parameters_fn()
        if isinstance(answer, (dict, list)):
            return Reply(200, json.dumps(answer), "application/json")
        return Reply(200, answer, "text/html; charset=utf-8")

    @staticmethod
    def _default_transform(input_fn, predict_fn, output_fn):
        def transform(model, content, content_type, accept):
            try:
                data = input_fn(content, content_type)
            except encoders.UnsupportedFormatError as error:
                return _format_error(error, 415)
            prediction = predict_fn(data, model)
            try:
                return output_fn(prediction, accept)
            except encoders.UnsupportedFormatError as error:
                return _format_error(error, 406)
        return transform


def _format_error(error: Exception, status: int) -> Reply:
    body = json.dumps({"error": error.__class__.__name__, "error-message": str(error),
                       "stack-trace": traceback.format_exc()})
    return Reply(status, body, "application/json")
