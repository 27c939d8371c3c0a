"""The SDK fast path from the emulator's side: the environment that turns it on in the
processes a command starts (`sagemaker-emulator run`), and turning it on in this process (the
test fixtures). What it patches, and why that way: `pythonpath/sagemaker_emulator_fast_path.py`.

Besides the SDKs' own sleeps, botocore's waiters (what `aws sagemaker wait ...` and boto3's
`get_waiter` run) sleep their model's fixed Delay: 120 s for training-job-completed-or-stopped,
30 s for endpoint-in-service. botocore reads extra data directories from its `data_path`
setting (AWS_DATA_PATH) before its own, so the fast path writes the waiter definitions of the
emulator's services there with Delay POLL_SECONDS and as many more attempts as keep each
waiter's overall budget: the AWS CLI's waiters are shortened through its configuration, in the
processes `run` starts only.
"""

import importlib.util
import json
import math
import os
import sys
from pathlib import Path

from ..shell_env import config_dir

PYTHONPATH_DIR = Path(__file__).resolve().with_name("pythonpath")
MODULE_NAME = "sagemaker_emulator_fast_path"
WAITER_SERVICES = ("sagemaker", "s3")  # the emulator's services with waiters a workflow uses


def module():
    """The fast path module under its own name: one copy per process, however it came in
    (`run`'s sitecustomize imports it by that name from PYTHONPATH)."""
    if MODULE_NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, PYTHONPATH_DIR / f"{MODULE_NAME}.py")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = loaded
        spec.loader.exec_module(loaded)
    return sys.modules[MODULE_NAME]


def write_fast_waiters(root: Path) -> Path:
    """botocore's waiter models of WAITER_SERVICES, polling every POLL_SECONDS, under root
    laid out as a botocore data path (<service>/<api version>/waiters-2.json)."""
    from botocore.loaders import Loader

    poll = module().POLL_SECONDS
    loader = Loader()  # botocore's own data only (AWS_DATA_PATH is not read here)
    for service in WAITER_SERVICES:
        version = loader.determine_latest_version(service, "waiters-2")
        model = loader.load_service_model(service, "waiters-2", version)
        for waiter in model["waiters"].values():
            budget = waiter["delay"] * waiter["maxAttempts"]
            waiter["delay"] = min(waiter["delay"], poll)
            waiter["maxAttempts"] = math.ceil(budget / waiter["delay"])
        target = root / service / version / "waiters-2.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(model))
    return root


def _prepend(entry: str, current: str | None) -> str:
    rest = [p for p in (current or "").split(os.pathsep) if p and p != entry]
    return os.pathsep.join([entry, *rest])


def exports(url: str, environ) -> list[tuple[str, str]]:
    """What a process's environment needs for the fast path in it and in its Python children."""
    waiters = write_fast_waiters(config_dir() / "fast-waiters")
    return [(module().ENV, url),
            ("PYTHONPATH", _prepend(str(PYTHONPATH_DIR), environ.get("PYTHONPATH"))),
            ("AWS_DATA_PATH", _prepend(str(waiters), environ.get("AWS_DATA_PATH")))]
