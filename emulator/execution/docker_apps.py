"""App containers on the Docker engine: what a notebook instance or a Studio app runs (AppSpec).

An app is closer to an endpoint instance than to a job: one long-running container answering on
a port. What sets it apart is its storage: a named volume (the instance's /home/ec2-user/SageMaker,
the space's home) made on the first start, mounted by each run's fresh container, and kept until
remove_storage(). Each start makes a new container, so that nothing but the volume survives a Stop
and Start, as on SageMaker, where the rest of the instance's disk is the image's again.

The port is published on the publish address only (127.0.0.1 unless
SAGEMAKER_EMULATOR_PUBLISH_ADDRESS says otherwise, docker_engine.py): the user's browser reaches
the app, other machines do not. The port of the previous run is asked for again, so the app's URL
stays the same across starts while that port is free. Files go in through the archive API before
the container starts (docker_files.py), as a job's /opt/ml does: the engine may be another
machine's. The container gets what job containers get to reach the emulator (host.docker.internal,
the container network) and nothing of the host's: no socket, no credentials, no bind mounts.
"""

import logging

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.types import Mount

from .docker_engine import EngineAccess
from .docker_files import Upload
from .docker_runner import (ENGINE_GONE, LABEL, DockerServingContainer, _gpu_request, _remove_quietly,
                            _start_failure, image_id, when_engine_answers)
from .runner import AppSpec, StartError

log = logging.getLogger(__name__)

# What the engine says when the asked-for host port is taken (by then the container exists).
PORT_TAKEN = ("port is already allocated", "address already in use")


class DockerAppContainer:
    def __init__(self, client: docker.DockerClient, spec: AppSpec, home: str, access: EngineAccess):
        self.client = client
        self.spec = spec
        self.access = access
        self.labels = {LABEL: home, **{f"{LABEL}.{k}": v for k, v in spec.labels.items()}}
        self.host_port = spec.host_port
        self.url = ""
        self._running: DockerServingContainer | None = None  # its exit code, logs and stop, once started

    def start(self) -> None:
        spec = self.spec
        image_id(self.client, spec.image)
        try:
            self._volume()
            container = self._start(spec.host_port)
        except (APIError, DockerException, OSError, KeyError, IndexError, TypeError, *ENGINE_GONE) as exc:
            _remove_quietly(self.client, spec.name)
            raise StartError(_start_failure(exc, spec.instance)) from exc
        self.host_port = int(container.attrs["NetworkSettings"]["Ports"][f"{spec.port}/tcp"][0]["HostPort"])
        self.url = f"http://{self.access.url_host()}:{self.host_port}"
        self._running = DockerServingContainer(container, self.url)

    def _volume(self) -> None:
        try:
            self.client.volumes.get(self.spec.volume)
        except NotFound:
            self.client.volumes.create(self.spec.volume, labels=self.labels)

    def _start(self, host_port: int | None):
        """A fresh container on the volume, its files in, started; on the asked-for port, or any
        free one when that is taken."""
        spec = self.spec
        _remove_quietly(self.client, spec.name)  # an earlier run's, left by an emulator that was killed
        cpus, memory = spec.instance.limits()
        container = self.client.containers.create(
            spec.image, name=spec.name, environment=spec.environment, labels=self.labels,
            mounts=[Mount(spec.volume_path, spec.volume, type="volume")],
            ports={f"{spec.port}/tcp": (self.access.publish_address, host_port)},
            nano_cpus=int(cpus * 1e9), mem_limit=memory, device_requests=_gpu_request(spec.instance.gpus),
            extra_hosts={"host.docker.internal": "host-gateway"}, network=self.access.network, detach=True)
        if spec.files:
            container.put_archive("/", Upload(spec.files).stream())
        try:
            container.start()
        except APIError as exc:
            if host_port is None or not any(text in str(exc) for text in PORT_TAKEN):
                raise
            return self._start(None)
        container.reload()
        return container

    def follow_logs(self, sink) -> None:
        if self._running is not None:
            self._running.follow_logs(sink)

    def exit_code(self) -> int | None:
        return None if self._running is None else self._running.exit_code()

    def stop(self, grace_seconds: int) -> None:
        if self._running is not None:
            self._running.stop(grace_seconds)
        else:
            _remove_quietly(self.client, self.spec.name)

    def remove_storage(self) -> None:
        self.stop(grace_seconds=0)
        try:
            self._remove_volume()
        except ENGINE_GONE:
            when_engine_answers(self._remove_volume, f"volume {self.spec.volume}")

    def _remove_volume(self) -> None:
        try:
            self.client.volumes.get(self.spec.volume).remove(force=True)
        except NotFound:
            pass
