"""Runs training on this host, without Docker, under the same /opt/ml contract.

For machines with no Docker engine. The job runs the `train` program of the emulator's own
environment (the same sagemaker-training and PyTorch toolkits the image has; install the
`ml` extra) in a bubblewrap sandbox that shows the job's folder at /opt/ml, with its own
PID namespace and the host name algo-1. Without bubblewrap it falls back to the toolkit's
SAGEMAKER_BASE_DIR, so scripts that read SM_* paths work and hard-coded /opt/ml paths do not.

What it does not give: CPU and memory limits, several instances, other images than the
PyTorch framework image, isolation of pip installs from requirements.txt, endpoints, notebook
instances and Studio apps (those are containers by nature).
"""

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ..backing.child_process import die_with_parent
from .contract import CONTAINER_ROOT
from .framework_image import PYTORCH_IMAGE
from .runner import AppSpec, JobSpec, LineSink, ServeSpec, StartError

log = logging.getLogger(__name__)

FRAMEWORK_MODULE = "sagemaker_pytorch_container.training:main"


class ProcessRunner:
    name = "process"

    def __init__(self, home: str = "default", bin_dir: Path | None = None):
        self.bin_dir = bin_dir or Path(sys.executable).parent
        self.bwrap = shutil.which("bwrap")
        if not self.bwrap:
            log.warning("bubblewrap (bwrap) is missing: jobs see their files through "
                        "SAGEMAKER_BASE_DIR, not at /opt/ml")

    @staticmethod
    def available() -> bool:
        return True  # it needs nothing but this host

    def image_id(self, image: str) -> str:
        if image != PYTORCH_IMAGE:
            raise StartError(f"ClientError: the process runner runs only the PyTorch framework "
                             f"image, not {image}; start Docker to run other images")
        return image

    def serve(self, spec: ServeSpec):
        raise StartError("ClientError: endpoints and transform jobs need a Docker engine; "
                         "the emulator is running with the process runner")

    def app_container(self, spec: AppSpec):
        raise StartError("ClientError: notebook instances and Studio apps run JupyterLab in a container and "
                         "need a Docker engine; the emulator is running with the process runner")

    def remove_leftovers(self, kind: str) -> None:
        """Nothing: its processes die with the emulator (bubblewrap's --die-with-parent)."""

    def start(self, spec: JobSpec) -> "ProcessJob":
        self.image_id(spec.image)
        if len(spec.hosts) != 1:
            raise StartError("ClientError: the process runner runs one instance; start Docker "
                             "for InstanceCount > 1")
        if not (self.bin_dir / "train").exists():
            raise StartError("InternalServerError: the `train` program of sagemaker-training is "
                             "not installed beside the emulator (pip install 'sagemaker-emulator[ml]')")
        host = spec.hosts[0]
        root = host.layout.root
        argv = list(spec.entrypoint or []) + list(spec.command or [])
        if not spec.entrypoint and spec.kind != "training":
            raise StartError("ClientError: the process runner has no image, so no image ENTRYPOINT to run; "
                             "give a ContainerEntrypoint (e.g. [\"python3\", \"/opt/ml/processing/input/code/"
                             "script.py\"]) or use the Docker runner")
        if argv and argv[0] == "train":
            argv[0] = str(self.bin_dir / "train")
        env = {"PATH": f"{self.bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
               "SAGEMAKER_TRAINING_MODULE": FRAMEWORK_MODULE, **spec.environment}
        if self.bwrap:
            # The toolkit blocks until every host name resolves, as on a cluster.
            hosts_file = root.parent / f"{host.host}.hosts"
            hosts_file.write_text(f"127.0.0.1 localhost {host.host}\n")
            sandbox = [self.bwrap, "--dev-bind", "/", "/", "--tmpfs", "/opt",
                       "--bind", str(root), CONTAINER_ROOT, "--ro-bind", str(hosts_file), "/etc/hosts"]
            for source, target, read_only in host.mounts:
                sandbox += ["--ro-bind" if read_only else "--bind", str(source), target]
            sandbox += ["--unshare-pid", "--unshare-uts", "--hostname", host.host,
                        "--die-with-parent", "--chdir", CONTAINER_ROOT, "--"]
            argv = sandbox + argv
        else:
            env["SAGEMAKER_BASE_DIR"] = str(root)
        # bwrap's --die-with-parent ends the sandbox with the emulator; without it, the kernel does.
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, cwd=root,
                                   preexec_fn=None if self.bwrap else die_with_parent)
        return ProcessJob(process, host.host, sandboxed=bool(self.bwrap))


def _group_members(pgid: int) -> list[int]:
    """The processes of a process group, from /proc (a process may exit while it is read)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after its last ")".
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            members.append(int(entry.name))
    return members


class ProcessJob:
    def __init__(self, process: subprocess.Popen, host: str, sandboxed: bool):
        self.process = process
        self.host = host
        self.sandboxed = sandboxed

    def follow_logs(self, sink: LineSink) -> None:
        for raw in self.process.stdout:
            sink(self.host, raw.decode("utf-8", errors="replace").rstrip("\r\n"))

    def wait(self) -> dict[str, int]:
        code = self.process.wait()
        return {self.host: code if code >= 0 else 128 - code}

    def stop(self, grace_seconds: int) -> None:
        self._terminate()
        timer = threading.Timer(grace_seconds, self._signal, args=(signal.SIGKILL,))
        timer.daemon = True
        timer.start()
        self.process.wait()
        timer.cancel()

    def _terminate(self) -> None:
        """SIGTERM to every process of the job, as `docker stop` and the Docker runner's
        `kill -TERM -1` give them, but not to bubblewrap itself: it would die at once and its
        --die-with-parent SIGKILL everything inside before the script's handler has run."""
        if not self.sandboxed:
            self._signal(signal.SIGTERM)
            return
        for pid in _group_members(self.process.pid):
            if pid != self.process.pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def remove(self) -> None:
        self._signal(signal.SIGKILL)
        if self.process.stdout:
            self.process.stdout.close()
