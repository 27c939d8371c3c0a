"""Running apps: what a notebook instance and a Studio app share.

An app is one container of the notebook image at a time (execution.runner.AppSpec), with a
volume that outlives it. AppHost prepares each run's files in a folder of its own (the
supervisor's app.json, the lifecycle scripts, the sign-in key, the SDK's config file, the
/opt/ml/metadata/resource-metadata.json the SageMaker SDK reads to find the execution role), has
the runner start it, waits through its lifecycle scripts and until JupyterLab answers
(app_run.AppRun), and keeps the live runs to stop them. The resources' own rules (statuses,
messages, what a restart does) are their modules': instances.py, studio.py.
"""

import json
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ...backing.moto_services import LogSink
from ...execution.instances import Instance
from ...execution.runner import AppSpec, Runner
from .app_run import AppFailed, AppRun, Hook

log = logging.getLogger(__name__)

APP_FILES = "/opt/sagemaker-emulator/app"  # the supervisor's folder in the container
JUPYTER_PORT = 8888
STARTUP_SECONDS = 300  # from the container's start to each step it reports (not a lifecycle script's run)
STOP_GRACE_SECONDS = 10


@dataclass
class AppPlan:
    """One run of one app."""
    key: str            # unique among apps: its container's and volume's name part, its live run's key
    kind: str           # the runner label: "notebook-instance" | "studio-app"
    what: str           # how failure reasons name it: "notebook instance", "Studio app"
    image: str
    instance: Instance
    volume: str
    user: str           # who runs JupyterLab: ec2-user | sagemaker-user
    home: str
    volume_path: str    # where the volume is mounted, and JupyterLab's root
    base_url: str
    resource: str       # what the presigned URLs name
    signin_key: str
    metadata: dict      # resource-metadata.json
    log_group: str
    stream_of: Callable[[str], str]
    hooks: list[Hook] = field(default_factory=list)
    root_access: bool = True
    host_port: int | None = None
    extra_files: dict[str, bytes] = field(default_factory=dict)  # container path -> content


class AppHost:
    def __init__(self, runner: Runner, logs: LogSink, folder: Path, kernel_env: dict[str, str],
                 kernel_files: list[tuple[Path, str]], sdk_config: str, lifecycle_seconds: float,
                 startup_seconds: float = STARTUP_SECONDS):
        """kernel_env: what kernels need to reach the emulator (its URL, region, credentials);
        kernel_files: folders copied into every app beside it (the SDK fast path);
        sdk_config: the SageMaker SDK's config file (what `sagemaker-emulator env` writes)."""
        self.runner = runner
        self.logs = logs
        self.folder = folder
        self.kernel_env = kernel_env
        self.kernel_files = kernel_files
        self.sdk_config = sdk_config
        self.lifecycle_seconds = lifecycle_seconds
        self.startup_seconds = startup_seconds
        self.live: dict[str, AppRun] = {}
        self._lock = threading.Lock()

    def spec(self, plan: AppPlan, files: list[tuple[Path, str]] | None = None) -> AppSpec:
        return AppSpec(name=f"smemu-{plan.kind}-{plan.key}", image=plan.image, environment={},
                       volume=plan.volume, volume_path=plan.volume_path, port=JUPYTER_PORT, instance=plan.instance,
                       files=files or [], host_port=plan.host_port, labels={"kind": plan.kind, "owner": plan.key})

    def _files(self, plan: AppPlan) -> list[tuple[Path, str]]:
        run = self.folder / plan.key
        shutil.rmtree(run, ignore_errors=True)
        app, metadata = run / "app", run / "metadata"
        app.mkdir(parents=True)
        metadata.mkdir()
        for hook in plan.hooks:
            (app / hook.name).write_bytes(hook.script)
        (app / "signin.key").write_bytes(bytes.fromhex(plan.signin_key))
        (app / "sagemaker-sdk.yaml").write_text(self.sdk_config)
        (app / "app.json").write_text(json.dumps({
            "user": plan.user, "home": plan.home, "root_dir": plan.volume_path, "base_url": plan.base_url,
            "resource": plan.resource, "root_access": plan.root_access,
            "hooks": [{"name": h.name, "script": h.name, "stream": h.channel} for h in plan.hooks],
            "environment": {**self.kernel_env, "SAGEMAKER_USER_CONFIG_OVERRIDE": f"{APP_FILES}/sagemaker-sdk.yaml"}}))
        (metadata / "resource-metadata.json").write_text(json.dumps(plan.metadata))
        files = [(app, APP_FILES), (metadata, "/opt/ml/metadata"), *self.kernel_files]
        for index, (path, content) in enumerate(plan.extra_files.items()):
            folder = run / f"extra-{index}"
            folder.mkdir()
            (folder / Path(path).name).write_bytes(content)
            files.append((folder, str(Path(path).parent)))
        return files

    def run(self, plan: AppPlan, timed_out: Callable[[Hook], str], failed: Callable[[Hook, int], str],
            on_exit: Callable[[str], None]) -> AppRun:
        """Start the app and wait until JupyterLab answers (its lifecycle scripts first); AppFailed
        when it does not. on_exit(reason) is called if it ends later other than by stop()."""
        container = self.runner.app_container(self.spec(plan, self._files(plan)))
        run = AppRun(container, self.logs, plan.log_group, plan.stream_of)
        with self._lock:
            self.live[plan.key] = run
        try:
            run.start()
            run.run_hooks(plan.hooks, self.lifecycle_seconds, self.startup_seconds, plan.what, timed_out, failed)
            run.wait_ready(self.startup_seconds, plan.what)
        except AppFailed:
            self.forget(plan.key)
            run.stop(grace_seconds=1)
            raise
        run.watch(plan.what, on_exit)
        return run

    def forget(self, key: str) -> AppRun | None:
        with self._lock:
            return self.live.pop(key, None)

    def stop(self, key: str, grace_seconds: int = STOP_GRACE_SECONDS) -> None:
        run = self.forget(key)
        if run is not None:
            run.stop(grace_seconds)

    def remove_storage(self, plan: AppPlan) -> None:
        self.stop(plan.key, grace_seconds=1)
        self.runner.app_container(self.spec(plan)).remove_storage()
        shutil.rmtree(self.folder / plan.key, ignore_errors=True)

    def remove_leftovers(self, kind: str) -> None:
        self.runner.remove_leftovers(kind)

    def close(self) -> None:
        with self._lock:
            runs, self.live = list(self.live.values()), {}
        threads = [threading.Thread(target=run.stop, args=(1,), daemon=True) for run in runs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


class ResourceThreads:
    """Each resource's work (start, stop, delete) on a thread of its own, one at a time per
    resource; a bug fails the resource (on_error(key, reason)) rather than leaving it Pending."""

    def __init__(self, what: str, on_error: Callable[[str, str], None]):
        self.what = what
        self.on_error = on_error
        self._locks: dict[str, threading.Lock] = {}

    def run(self, key: str, target, *args) -> None:
        lock = self._locks.setdefault(key.lower(), threading.Lock())

        def work():
            with lock:
                try:
                    target(*args)
                except Exception as exc:
                    log.exception("%s %s", self.what, key)
                    self.on_error(key, f"InternalServerError: {type(exc).__name__}: {exc}")
        threading.Thread(target=work, daemon=True, name=f"{self.what}-{key}").start()
