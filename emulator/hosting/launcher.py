"""Starting one inference container for a model, as SageMaker hosting does for an
instance: model data at /opt/ml/model, the model's environment, `serve`, then /ping."""

import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass

from ..backing.moto_services import LogSink
from ..execution.instances import Instance, lookup
from ..execution.runner import Runner, ServeSpec, StartError
from .live import ContainerFailed, LiveInstance
from .model_data import ModelDataCache, ModelDataError

log = logging.getLogger(__name__)

DEFAULT_STARTUP_TIMEOUT = 600   # ContainerStartupHealthCheckTimeoutInSeconds when not given
DEFAULT_DOWNLOAD_TIMEOUT = 600  # ModelDataDownloadTimeoutInSeconds when not given
STOP_GRACE_SECONDS = 30         # SageMaker's SIGTERM -> SIGKILL window for inference


@dataclass
class LaunchRequest:
    owner: str          # endpoint or transform job name, for container names and labels
    kind: str           # "endpoint" | "transform"
    variant: str
    container: dict     # the model's ContainerDefinition
    image: str          # the local image that runs it
    instance: Instance
    log_group: str
    startup_timeout: int = DEFAULT_STARTUP_TIMEOUT
    download_timeout: int = DEFAULT_DOWNLOAD_TIMEOUT
    extra_env: dict | None = None

    @property
    def subject(self) -> str:
        """What runs the container, as failure reasons name it."""
        return f"production variant {self.variant}" if self.kind == "endpoint" else f"{self.noun} {self.owner}"

    @property
    def noun(self) -> str:
        return "endpoint" if self.kind == "endpoint" else f"{self.kind} job"


def serverless_instance(memory_mb: int) -> Instance:
    # Serverless memory sizes go from 1 to 6 GB; vCPUs grow with memory as on AWS.
    return Instance("ml.serverless", max(1, math.ceil(memory_mb / 3072)), memory_mb / 1024, 0)


def instance_for(variant: dict) -> Instance:
    serverless = variant.get("ServerlessConfig")
    if serverless:
        return serverless_instance(serverless["MemorySizeInMB"])
    return lookup(variant["InstanceType"])


class Launcher:
    def __init__(self, runner: Runner, model_data: ModelDataCache, logs: LogSink, platform_env: dict[str, str]):
        self.runner = runner
        self.model_data = model_data
        self.logs = logs
        self.platform_env = platform_env

    def launch(self, request: LaunchRequest) -> LiveInstance:
        container = request.container
        try:
            model_dir = self.model_data.fetch(container, request.download_timeout)
        except ModelDataError as exc:
            raise ContainerFailed(str(exc))
        instance_id = "i-" + uuid.uuid4().hex[:17]
        stream = f"{request.variant}/{instance_id}"
        environment = {**self.platform_env, **container.get("Environment", {}), **(request.extra_env or {})}
        spec = ServeSpec(name=f"smemu-{request.kind}-{request.owner}-{request.variant}-{instance_id}",
                         image=request.image, environment=environment,
                         model_dir=model_dir, instance=request.instance,
                         labels={"kind": request.kind, "owner": request.owner, "variant": request.variant})
        try:
            serving = self.runner.serve(spec)
        except StartError as exc:
            raise ContainerFailed(str(exc))
        live = LiveInstance(instance_id, request.variant, serving, stream)
        self.logs.open_stream(request.log_group, stream)
        threading.Thread(target=self._pump_logs, args=(live, request.log_group), daemon=True,
                         name=f"logs-{spec.name}").start()
        try:
            live.wait_healthy(request.startup_timeout, request.subject, request.noun)
        except ContainerFailed:
            time.sleep(0.2)  # let the last lines reach the log before the container goes
            serving.stop(grace_seconds=1)
            raise
        return live

    def launch_many(self, request: LaunchRequest, count: int) -> list[LiveInstance]:
        """`count` instances started side by side; if one cannot start, those that did are
        stopped and the first failure is raised (ContainerFailed)."""
        instances, errors = [], []

        def one():
            try:
                instances.append(self.launch(request))
            except ContainerFailed as exc:
                errors.append(exc)
        threads = [threading.Thread(target=one, daemon=True, name=f"launch-{request.owner}") for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            for instance in instances:
                instance.stop(grace_seconds=1)
            raise errors[0]
        return instances

    def remove_leftovers(self, kind: str) -> None:
        """The containers of that kind an emulator that did not shut down cleanly left."""
        self.runner.remove_leftovers(kind)

    def resolved_image(self, image: str) -> str:
        """name@image ID, as DescribeEndpoint's ResolvedImage; the name alone when the runner
        cannot say (the image went missing after the containers started)."""
        try:
            return f"{image.split(':')[0]}@{self.runner.image_id(image)}"
        except StartError:
            return image

    def relaunch(self, request: LaunchRequest, failed: LiveInstance, reason: str) -> LiveInstance:
        """A new instance from the same request in place of one that failed its health check.
        The failed one's container goes first (AWS terminates an unhealthy instance); both
        log streams say what happened. Raises ContainerFailed when the new one cannot start."""
        self.note(request, failed, f"Instance {failed.id} failed its health check: {reason}. "
                                   "It is being replaced with a new instance.")
        failed.stop(grace_seconds=1)
        try:
            new = self.launch(request)
        except ContainerFailed as exc:
            self.note(request, failed, f"The instance replacing {failed.id} could not start: {exc}")
            raise
        self.note(request, failed, f"Instance {failed.id} was replaced by instance {new.id}.")
        self.note(request, new, f"Instance {new.id} replaces instance {failed.id}, which failed its health check.")
        return new

    def note(self, request: LaunchRequest, instance: LiveInstance, line: str) -> None:
        """A line of the platform's own in an instance's log stream."""
        self.logs.put(request.log_group, instance.log_stream, [line])

    def _pump_logs(self, live: LiveInstance, group: str) -> None:
        def sink(line: str) -> None:
            live.recent_lines.append(line)
            del live.recent_lines[:-200]
            self.logs.put(group, live.log_stream, [line])
        try:
            live.container.follow_logs(sink)
        except Exception:  # the container went away under us: nothing more to read
            log.debug("log stream of %s ended", live.id, exc_info=True)
