"""Runs jobs as Docker containers, one per host, as SageMaker does."""

import ipaddress
import logging
import os
import threading
import time

import docker
import requests
import urllib3
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from docker.types import DeviceRequest, IPAMConfig, IPAMPool

from .contract import CONTAINER_ROOT
from .runner import JobSpec, LineSink, ServeSpec, StartError

log = logging.getLogger(__name__)

LABEL = "sagemaker-emulator"
# What the Docker SDK raises when the engine stops answering (restarted, crashed): the
# connection breaks under a call rather than an API error coming back.
ENGINE_GONE = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, ConnectionError)
REMOVE_RETRY_SECONDS = 600  # how long removal is retried while the engine is away


def when_engine_answers(remove, what: str) -> None:
    """Run remove() once the engine is back (it is away: restarting), in the background, so
    that nothing is left behind; the next start's sweep covers an emulator that stops first."""
    def retry():
        deadline = time.monotonic() + REMOVE_RETRY_SECONDS
        while time.monotonic() < deadline:
            time.sleep(2)
            try:
                remove()
                return
            except (DockerException, *ENGINE_GONE):
                continue
        log.warning("%s could not be removed: the Docker engine did not answer", what)
    threading.Thread(target=retry, daemon=True, name=f"remove-{what}").start()


def container_name(job: str, kind: str, host: str) -> str:
    # Job names match [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}: safe as Docker names as they are.
    return f"smemu-{kind}-{job}-{host}"


class DockerRunner:
    name = "docker"

    def __init__(self, client: docker.DockerClient | None = None, home: str = "default"):
        self.client = client or docker.from_env(timeout=300)
        # Which emulator (data dir) started a container: the label's value. Another
        # emulator on the same Docker host leaves containers with another value alone.
        self.home = home

    @staticmethod
    def available() -> bool:
        try:
            docker.from_env(timeout=5).ping()
            return True
        except DockerException:
            return False

    def image_id(self, image: str) -> str:
        try:
            return self.client.images.get(image).id
        except ImageNotFound:
            raise StartError(f"ClientError: image {image} not found on this host "
                             "(build it with `sagemaker-emulator images build`, or docker pull it)")
        except ENGINE_GONE as exc:
            raise StartError(f"InternalServerError: the Docker engine does not answer: {exc}") from exc
        except DockerException as exc:
            raise StartError(f"InternalServerError: the Docker engine could not look up {image}: {exc}") from exc

    def start(self, spec: JobSpec) -> "DockerJob":
        self.image_id(spec.image)
        job = DockerJob(self.client, spec, self.home)
        try:
            job.create()
        except (APIError, DockerException, *ENGINE_GONE) as exc:
            job.remove()
            raise StartError(_start_failure(exc, spec.instance)) from exc
        return job


    def serve(self, spec: ServeSpec) -> "DockerServingContainer":
        """Start an inference container; port 8080 is published on 127.0.0.1 only."""
        self.image_id(spec.image)
        cpus, memory = spec.instance.limits()
        volumes = {}
        if spec.model_dir is not None:
            volumes[str(spec.model_dir)] = {"bind": f"{CONTAINER_ROOT}/model", "mode": "ro"}
        try:
            container = self.client.containers.run(
                spec.image, command=["serve"], name=spec.name, detach=True,
                environment=spec.environment, volumes=volumes,
                labels={LABEL: self.home, **{f"{LABEL}.{k}": v for k, v in spec.labels.items()}},
                ports={"8080/tcp": ("127.0.0.1", None)},
                nano_cpus=int(cpus * 1e9), mem_limit=memory,
                device_requests=_gpu_request(spec.instance.gpus),
                extra_hosts={"host.docker.internal": "host-gateway"})
            container.reload()
            port = container.attrs["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"]
        except (APIError, DockerException, KeyError, IndexError, TypeError, *ENGINE_GONE) as exc:
            _remove_quietly(self.client, spec.name)
            raise StartError(_start_failure(exc, spec.instance)) from exc
        return DockerServingContainer(container, f"http://127.0.0.1:{port}")

    def remove_leftovers(self, kind: str) -> None:
        """Containers and networks of that kind left by an emulator that did not shut down
        cleanly (a job's network goes after its containers: Docker refuses it before)."""
        filters = {"label": [f"{LABEL}={self.home}", f"{LABEL}.kind={kind}"]}
        for container in self.client.containers.list(all=True, filters=filters):
            try:
                container.remove(force=True)
            except (APIError, NotFound):
                pass
        for network in self.client.networks.list(filters=filters):
            try:
                network.remove()
            except (APIError, NotFound):
                pass


def _gpu_request(gpus: int):
    return [DeviceRequest(count=gpus, capabilities=[["gpu"]])] if gpus else None


def _remove_quietly(client, name: str) -> None:
    try:
        client.containers.get(name).remove(force=True)
    except (APIError, NotFound, DockerException, *ENGINE_GONE):
        pass


class DockerServingContainer:
    def __init__(self, container, url: str):
        self.container = container
        self.url = url

    def follow_logs(self, sink) -> None:
        DockerJob._follow("", self.container, lambda _host, line: sink(line))

    def exit_code(self) -> int | None:
        """None while it runs, and while the engine does not answer (restarting: unknown yet)."""
        try:
            self.container.reload()
        except NotFound:
            return 137  # removed under us
        except (DockerException, *ENGINE_GONE):
            return None
        state = self.container.attrs["State"]
        return None if state.get("Running") or state.get("Status") == "created" else state.get("ExitCode", 1)

    def stop(self, grace_seconds: int) -> None:
        try:
            self._stop(grace_seconds)
        except (DockerException, *ENGINE_GONE):
            when_engine_answers(lambda: self._stop(grace_seconds=0), f"container {self.container.name}")

    def _stop(self, grace_seconds: int) -> None:
        try:
            self.container.stop(timeout=grace_seconds)
        except NotFound:
            return
        except APIError:
            pass  # e.g. it is already stopping: removal below ends it
        try:
            self.container.remove(force=True)
        except APIError:  # NotFound, or a removal already under way
            pass


def _start_failure(exc: Exception, instance) -> str:
    text = str(exc)
    if "capabilities: [[gpu]]" in text or "nvidia" in text.lower():
        return (f"CapacityError: {instance.type} needs {instance.gpus} GPU(s) but this "
                "Docker host has no GPU runtime (NVIDIA Container Toolkit); use a CPU instance "
                "type such as ml.m5.xlarge")
    return f"InternalServerError: could not start the container: {text}"


class DockerJob:
    def __init__(self, client: docker.DockerClient, spec: JobSpec, home: str = "default"):
        self.client = client
        self.spec = spec
        self.home = home
        self.containers: dict[str, "docker.models.containers.Container"] = {}
        self.network = None
        self._created = time.time()
        self._stopping = threading.Event()

    def create(self) -> None:
        spec = self.spec
        self._created = time.time()
        labels = {LABEL: self.home, f"{LABEL}.kind": spec.kind, f"{LABEL}.job": spec.name}
        addresses = self._create_network(labels) if len(spec.hosts) > 1 else {}
        cpus, memory = spec.instance.limits()
        device_requests = _gpu_request(spec.instance.gpus)
        for host_spec in spec.hosts:
            volumes = {str(host_spec.layout.root): {"bind": CONTAINER_ROOT, "mode": "rw"}}
            for source, target, read_only in host_spec.mounts:
                volumes[str(source)] = {"bind": target, "mode": "ro" if read_only else "rw"}
            networking = None
            if self.network is not None:
                endpoint = self.client.api.create_endpoint_config(
                    aliases=[host_spec.host], ipv4_address=addresses.get(host_spec.host))
                networking = {self.network.name: endpoint}
            container = self.client.containers.create(
                spec.image,
                command=spec.command,
                entrypoint=spec.entrypoint,
                name=container_name(spec.name, spec.kind, host_spec.host),
                hostname=host_spec.host,
                environment=spec.environment,
                volumes=volumes,
                labels={**labels, f"{LABEL}.host": host_spec.host},
                nano_cpus=int(cpus * 1e9),
                mem_limit=memory,
                device_requests=device_requests,
                # Every host in /etc/hosts: on AWS a host that finishes early keeps its
                # address until the job ends, and the toolkit waits until each name
                # resolves; Docker's DNS forgets a stopped container at once.
                extra_hosts={"host.docker.internal": "host-gateway", **addresses},
                network=self.network.name if self.network else None,
                networking_config=networking,
                detach=True,
            )
            self.containers[host_spec.host] = container
        for container in self.containers.values():
            container.start()

    def _create_network(self, labels: dict) -> dict[str, str]:
        """A private network per job (algo-N reach each other and nobody else) with a fixed
        address per host. Docker picks a free subnet; the network is then made again with
        that subnet stated, since fixed addresses need a subnet the user configured."""
        name = f"smemu-{self.spec.kind}-{self.spec.name}"
        network = self.client.networks.create(name, driver="bridge", labels=labels)
        network.reload()
        config = ((network.attrs.get("IPAM") or {}).get("Config") or [{}])[0]
        if not config.get("Subnet") or ":" in config["Subnet"]:
            self.network = network  # names then resolve through Docker's DNS only
            return {}
        network.remove()
        subnet = ipaddress.ip_network(config["Subnet"])
        pool = IPAMPool(subnet=str(subnet), gateway=config.get("Gateway") or str(next(subnet.hosts())))
        self.network = self.client.networks.create(name, driver="bridge", labels=labels,
                                                   ipam=IPAMConfig(pool_configs=[pool]))
        free = (str(address) for address in subnet.hosts() if str(address) != pool["Gateway"])
        return {host_spec.host: next(free) for host_spec in self.spec.hosts}

    def follow_logs(self, sink: LineSink) -> None:
        threads = [threading.Thread(target=self._follow, args=(host, c, sink), daemon=True)
                   for host, c in self.containers.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    @staticmethod
    def _follow(host: str, container, sink: LineSink) -> None:
        pending = b""
        try:
            for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    sink(host, line.decode("utf-8", errors="replace").rstrip("\r"))
        except (APIError, NotFound, *ENGINE_GONE):
            pass
        if pending:
            sink(host, pending.decode("utf-8", errors="replace"))

    def wait(self) -> dict[str, int | None]:
        codes: dict[str, int | None] = {}
        lock = threading.Lock()

        def wait_one(host, container):
            try:
                code = container.wait()["StatusCode"]
            except (APIError, NotFound):
                code = 137
            except ENGINE_GONE:
                code = None  # the engine went away under the job: its containers went with it
            if code and not self._stopping.is_set() and self._stopped_from_outside(container):
                code = None
            if code is None:
                log.warning("%s on %s was stopped from outside the emulator", self.spec.name, host)
            with lock:
                codes[host] = code
            if code != 0 and len(self.containers) > 1 and not self._stopping.is_set():
                # One host failing fails the job: SageMaker tears the cluster down.
                self.stop(grace_seconds=10)

        threads = [threading.Thread(target=wait_one, args=item, daemon=True)
                   for item in self.containers.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return codes

    def _stopped_from_outside(self, container) -> bool:
        """Whether the container got a kill the emulator did not send: the engine stopping or
        restarting (it stops every container before it goes), or a `docker stop`/`docker kill`."""
        try:
            return any(True for _ in self.client.events(
                since=self._created - 1, until=time.time(), decode=True,
                filters={"container": container.id, "event": "kill"}))
        except (DockerException, *ENGINE_GONE):
            return True  # the engine is going away

    def stop(self, grace_seconds: int) -> None:
        self._stopping.set()
        threads = [threading.Thread(target=_quiet_stop, args=(c, grace_seconds), daemon=True)
                   for c in self.containers.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def remove(self) -> None:
        try:
            self._remove()
        except ENGINE_GONE:
            when_engine_answers(self._remove, f"the containers of {self.spec.name}")
            return
        if os.geteuid() != 0:
            self._give_files_back()

    def _remove(self) -> None:
        for container in self.containers.values():
            try:
                container.remove(force=True)
            except (APIError, NotFound):
                pass
        if self.network is not None:
            try:
                self.network.remove()
            except (APIError, NotFound):
                pass

    def _give_files_back(self) -> None:
        """Files a root container wrote become the emulator user's (local mode leaves root's)."""
        owner = f"{os.getuid()}:{os.getgid()}"
        for host_spec in self.spec.hosts:
            try:
                self.client.containers.run(
                    self.spec.image, entrypoint=["chown", "-R", owner, "/x"], remove=True,
                    volumes={str(host_spec.layout.root): {"bind": "/x", "mode": "rw"}},
                    labels={LABEL: self.home}, network_mode="none")
            except (APIError, DockerException) as exc:
                log.warning("could not hand %s back to %s: %s", host_spec.layout.root, owner, exc)


def _quiet_stop(container, grace_seconds: int) -> None:
    """SIGTERM to every process, SIGKILL after the grace period.

    `docker stop` signals PID 1 only, and the toolkit's `train` as PID 1 has no SIGTERM
    handler (PID 1 ignores such signals), so the user's script would never hear it.
    """
    try:
        container.kill("SIGTERM")
        container.exec_run(["sh", "-c", "kill -TERM -1"], detach=True)
    except (APIError, NotFound, *ENGINE_GONE):
        pass
    try:
        container.wait(timeout=grace_seconds)
        return
    except (APIError, NotFound):
        return
    except Exception:  # the wait timed out, or the engine is away
        pass
    try:
        container.kill("SIGKILL")
    except (APIError, NotFound, *ENGINE_GONE):
        pass
