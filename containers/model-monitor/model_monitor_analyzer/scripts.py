"""The user's scripts a job runs: the record preprocessor (`preprocess_handler`) and the
post-analytics processor (`postprocess_handler`), each a Python file in the job's inputs."""

import functools
import importlib.util
from pathlib import Path

from .environment import JobError


@functools.lru_cache(maxsize=None)
def load_script(path: str, function: str):
    """`function` of the Python file at path (loaded once per job)."""
    file = Path(path)
    if not file.is_file():
        raise JobError(f"the script {path} is not there")
    spec = importlib.util.spec_from_file_location(f"user_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise JobError(f"{file.name} could not be loaded: {type(exc).__name__}: {exc}")
    handler = getattr(module, function, None)
    if not callable(handler):
        raise JobError(f"{file.name} defines no {function}()")
    return handler
