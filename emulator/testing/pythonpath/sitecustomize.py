"""Run at the start of every Python process whose PYTHONPATH holds this directory, which only
`sagemaker-emulator run` (and the pytest plugin, for the processes tests start) sets: the
SageMaker SDK fast path for that process, then the `sitecustomize` this one shadows, if any."""

import importlib.machinery
import importlib.util
import os
import sys


def _run_shadowed_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


try:
    import sagemaker_emulator_fast_path

    sagemaker_emulator_fast_path.install_from_environment()
finally:
    _run_shadowed_sitecustomize()
