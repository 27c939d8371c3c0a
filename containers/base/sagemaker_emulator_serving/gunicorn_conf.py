"""gunicorn settings for `serve`, from the variables SageMaker's inference toolkits read."""

import os

from sagemaker_emulator_serving.app import application

bind = f"0.0.0.0:{os.environ.get('SAGEMAKER_BIND_TO_PORT', '8080')}"
worker_class = "sync"  # one request per worker at a time, as TorchServe's workers; a hung one is killed
preload_app = True
timeout = int(os.environ.get("SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS")
              or os.environ.get("SAGEMAKER_MODEL_SERVER_TIMEOUT") or 60)
graceful_timeout = 30  # SageMaker's SIGTERM -> SIGKILL window
limit_request_line = 0
accesslog = None
errorlog = "-"
loglevel = "info"


def _default_workers() -> int:
    """TorchServe's default: one worker per CPU the container may use."""
    try:
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()
        if quota != "max":
            return max(1, int(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return len(os.sched_getaffinity(0))


workers = int(os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS") or _default_workers())


def post_worker_init(worker):
    # A model_fn that raises fails the worker's boot; gunicorn then exits and the
    # endpoint fails with this traceback in its logs, as a TorchServe worker would.
    application.load()
