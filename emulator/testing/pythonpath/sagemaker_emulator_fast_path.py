"""The SageMaker Python SDK's fast path against the emulator: its fixed polls become short.

The SDK waits as AWS needs: `deploy()` sleeps 30 s before it first looks at the endpoint,
`fit(logs=True)` polls logs every 10 s and describes the job every 30 s, every job and
resource wait sleeps 5 s between looks. The emulator answers in milliseconds, but no server
answer shortens a client's sleep, so only the client process can. This module does it, and
only in the processes that ask: `sagemaker-emulator run` puts its directory on PYTHONPATH
(its `sitecustomize` calls `install_from_environment()`), the pytest plugin and
`emulator.testing.Emulator` call `install()` in their own process. A Python process started
any other way never imports it and keeps the SDK's own waits.

It needs the standard library only: the process it runs in may have the SDK but not the
emulator installed. An import hook patches each SDK module named in PATCHES right after the
module's own code has run (or at once, when it is imported already); `uninstall()` puts every
original back. The patches are the narrowest that do it:

- `fast_clock`: the module's global `time` becomes a clock whose `sleep` lasts at most
  POLL_SECONDS; everything else (`time.time()`, and with it every timeout) is the real clock.
  Only for modules where every `time.sleep` is a status poll (checked by reading the 2.257.7
  and 3.27.0 sources: the wait loops, the logs loops, `_wait_until`). `_wait_until` counts its
  sleeps at their nominal length for its 5-minute tolerance of AccessDenied (tags propagating
  on AWS), so that tolerance is shorter in real time; the emulator never answers AccessDenied.
- `describe_every_poll`: the logs loops describe the job only when 30 s have passed since
  the last describe (`time.time() - last_describe_job_call >= 30`); that one literal becomes 0,
  so the job's end is seen at the next poll.
- `cap_poll`: a function whose poll is an argument, in a module whose other sleeps are not
  polls (3.x `common_utils._wait_until`; that module's retries keep their pace) or whose
  `time` is imported inside the function.
- `stretch_waiter`: a pipeline execution's `wait(delay=30, max_attempts=60)` polls every
  POLL_SECONDS with as many more attempts as keep its 30-minute budget.
- `validate_once`: the SDK validates its whole config file against its JSON schema at every
  config value it reads (49 times in a fit-deploy-predict flow of 2.x, 0.06 s each), which a
  user on AWS without a config file never pays but one pointed here by `sagemaker-emulator env`
  does; the module's global `jsonschema` becomes one whose `validate` remembers the
  (config, schema) pairs it found valid. An invalid config raises as before, every time.
- `sts_here`: `get_execution_role()` builds its STS client with the explicit endpoint
  `https://sts.<region>.amazonaws.com` from `sts_regional_endpoint`, which no variable
  redirects; under the fast path that function names the emulator.

A patch that no longer fits its SDK (a renamed function, a changed literal) is skipped with
one warning line on stderr; the SDK then keeps that wait as it is.
"""

import functools
import importlib.abc
import json
import math
import os
import sys
import time

ENV = "SAGEMAKER_EMULATOR_FAST_PATH"  # the emulator's URL; set only where the fast path is wanted
POLL_SECONDS = 0.1
DESCRIBE_INTERVAL = 30  # the logs loops' literal: seconds between two describes of the job


class FastClock:
    """The `time` an SDK waiting module sees: the real module, with sleeps of at most POLL_SECONDS."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds):
        time.sleep(min(seconds, POLL_SECONDS))  # looked up now: a measuring wrapper still sees it

    def __repr__(self):
        return f"<the time module, sleeps capped at {POLL_SECONDS} s by the SageMaker emulator's fast path>"


FAST_CLOCK = FastClock()


class ValidateOnce:
    """The `jsonschema` an SDK config module sees: the real module, whose `validate` returns at
    once for a (config, schema) pair it has already found valid; the config is compared by
    value, so one changed in place is validated again."""

    def __init__(self, jsonschema):
        self._jsonschema = jsonschema
        self._valid = {}  # (id(schema), config as canonical JSON) -> schema, kept alive with its id

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)

    def validate(self, instance, schema, *args, **kwargs):
        if args or kwargs:  # a validator class or format checker given: not the SDK's call, not remembered
            return self._jsonschema.validate(instance, schema, *args, **kwargs)
        try:
            key = (id(schema), json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):  # not plain JSON: nothing to compare it by
            return self._jsonschema.validate(instance, schema)
        if self._valid.get(key) is not schema:
            self._jsonschema.validate(instance, schema)
            self._valid[key] = schema


class PatchDoesNotFit(Exception):
    """The SDK is not shaped as the patch expects."""


def _resolve(module, dotted: str):
    """(owner, attribute name, value) of "function" or "Class.method" in module."""
    owner, *path, name = [module, *dotted.split(".")]
    for part in path:
        owner = getattr(owner, part)
    if name not in vars(owner):
        raise PatchDoesNotFit(f"{module.__name__}.{dotted} is not there")
    return owner, name, vars(owner)[name]


# -- the patches: each takes (module, undo) and records in undo what it replaced ----------

def fast_clock():
    def patch(module, undo):
        if getattr(module, "time", None) is not time:
            raise PatchDoesNotFit(f"{module.__name__} has no `import time`")
        undo.set(module, "time", FAST_CLOCK)
    return patch


def validate_once():
    def patch(module, undo):
        jsonschema = getattr(module, "jsonschema", None)
        if getattr(jsonschema, "__name__", None) != "jsonschema" or not hasattr(jsonschema, "validate"):
            raise PatchDoesNotFit(f"{module.__name__} has no `import jsonschema`")
        undo.set(module, "jsonschema", ValidateOnce(jsonschema))
    return patch


def describe_every_poll(*functions):
    def patch(module, undo):
        for dotted in functions:
            _, _, function = _resolve(module, dotted)
            undo.set(function, "__code__", _without_describe_interval(function.__code__, dotted))
    return patch


def _without_describe_interval(code, dotted):
    import dis

    loads = [i for i in dis.get_instructions(code)
             if i.opname in ("LOAD_CONST", "LOAD_SMALL_INT") and i.argval == DESCRIBE_INTERVAL
             and type(i.argval) is int]
    if len(loads) != 1:
        raise PatchDoesNotFit(f"{dotted} uses {DESCRIBE_INTERVAL} {len(loads)} times, not once")
    if loads[0].opname == "LOAD_CONST":
        consts = tuple(0 if c == DESCRIBE_INTERVAL and type(c) is int else c for c in code.co_consts)
        return code.replace(co_consts=consts)
    raw = bytearray(code.co_code)  # Python 3.14+: small ints are the instruction's argument
    raw[loads[0].offset + 1] = 0
    return code.replace(co_code=bytes(raw))


def _replacing(dotted, make):
    """A patch that puts make(original) where "function" or "Class.method" was."""
    def patch(module, undo):
        owner, name, original = _resolve(module, dotted)
        undo.set(owner, name, make(original))
    return patch


def _with_arguments(original, change):
    """original, its bound arguments (defaults included) first changed by change(arguments)."""
    @functools.wraps(original)
    def changed(*args, **kwargs):
        import inspect  # not at the top: this module is imported as every process under `run` starts

        bound = inspect.signature(original).bind(*args, **kwargs)
        bound.apply_defaults()
        change(bound.arguments)
        return original(*bound.args, **bound.kwargs)
    return changed


def cap_poll(dotted, parameter="poll"):
    def shorten(arguments):
        arguments[parameter] = min(arguments[parameter], POLL_SECONDS)
    return _replacing(dotted, lambda original: _with_arguments(original, shorten))


def stretch_waiter(dotted):
    """wait(delay, max_attempts) on a botocore waiter: short delays, the same overall budget."""
    def shorten(arguments):
        delay, attempts = arguments["delay"], arguments["max_attempts"]
        if delay > POLL_SECONDS:
            arguments.update(delay=POLL_SECONDS, max_attempts=math.ceil(attempts * delay / POLL_SECONDS))
    return _replacing(dotted, lambda original: _with_arguments(original, shorten))


def sts_here(dotted="sts_regional_endpoint"):
    def make(original):
        @functools.wraps(original)
        def emulator_sts_endpoint(region):
            return _state["url"]
        return emulator_sts_endpoint
    return _replacing(dotted, make)


# The SDK modules patched when imported, and how. SDK 2.x (2.257.7) first, then 3.x (3.27.0).
PATCHES = {
    "sagemaker.config.config": [validate_once()],
    "sagemaker.utils": [sts_here()],
    "sagemaker.session": [fast_clock(), sts_here(), describe_every_poll(
        "_logs_for_job", "Session.logs_for_processing_job", "Session.logs_for_transform_job",
        "Session.logs_for_auto_ml_job")],
    "sagemaker.workflow.pipeline": [stretch_waiter("_PipelineExecution.wait")],
    "sagemaker.core.config.config": [validate_once()],
    "sagemaker.core.config.config_manager": [validate_once()],
    "sagemaker.core.utils.intelligent_defaults_helper": [validate_once()],
    "sagemaker.core.common_utils": [cap_poll("_wait_until"), sts_here()],
    "sagemaker.core.helper.session_helper": [fast_clock(), sts_here(), describe_every_poll("_logs_for_job")],
    "sagemaker.core.resources": [fast_clock()],  # every resource's wait, wait_for_status, wait_for_delete
    "sagemaker.core.processing": [fast_clock(), describe_every_poll("logs_for_processing_job")],
    "sagemaker.core.transformer": [fast_clock(), describe_every_poll("logs_for_transform_job")],
    "sagemaker.core.remote_function.job": [fast_clock(), describe_every_poll("_logs_for_job")],
    "sagemaker.mlops.workflow.pipeline": [stretch_waiter("PipelineExecution.wait")],
    # ModelBuilder.deploy's progress display; it sleeps `poll` (30 s) once when the endpoint failed.
    "sagemaker.serve.deployment_progress": [cap_poll("_live_logging_deploy_done_with_progress")],
}


# -- installing ---------------------------------------------------------------------------

class Undo:
    """What the patches replaced, to put back in reverse order."""

    def __init__(self):
        self.records = []

    def set(self, owner, name, value):
        self.records.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def restore(self):
        while self.records:
            owner, name, original = self.records.pop()
            setattr(owner, name, original)


_state = {"url": None, "finder": None, "undo": Undo(), "patched": []}


def _patch_module(module) -> None:
    for patch in PATCHES[module.__name__]:
        try:
            patch(module, _state["undo"])
        except (PatchDoesNotFit, AttributeError) as exc:
            print(f"sagemaker-emulator fast path: skipped a patch: {exc}", file=sys.stderr)
    _state["patched"].append(module.__name__)


class _PatchingLoader(importlib.abc.Loader):
    """The module's own loader, then its patches."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _patch_module(module)

    def __getattr__(self, name):  # get_source, get_resource_reader, ...: the module's own loader
        return getattr(self._loader, name)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


def install(url: str) -> None:
    """Patch the SDK modules in this process (now if imported, else when they are)."""
    if _state["finder"] is not None:
        return
    _state["url"] = url
    _state["finder"] = _PatchOnImport()
    sys.meta_path.insert(0, _state["finder"])
    for name in PATCHES:
        if name in sys.modules:
            _patch_module(sys.modules[name])


def uninstall() -> None:
    """Every SDK wait as it was; modules imported later are left alone."""
    if _state["finder"] is None:
        return
    sys.meta_path.remove(_state["finder"])
    _state["undo"].restore()
    _state.update(url=None, finder=None, patched=[])


def installed() -> bool:
    return _state["finder"] is not None


def patched_modules() -> list[str]:
    """The SDK modules patched so far in this process."""
    return list(_state["patched"])


def install_from_environment() -> None:
    url = os.environ.get(ENV)
    if url:
        install(url)
