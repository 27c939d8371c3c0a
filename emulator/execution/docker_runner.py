"""Runs jobs as Docker containers, one per host, as SageMaker does, on any engine.

Nothing of the emulator's disk is bind-mounted: a host's /opt/ml tree (and the folders mounted
beside it) goes into its container before it starts, and what the emulator reads afterwards
(HostSpec.outputs and read-write mounts; live_outputs also while it runs) comes back into the
tree as the container ends, through the engine's archive API, or through a volume's folder when
the engine's volumes are on this disk (docker_transfers.py). So the engine may be this machine's,
the one the emulator's own container runs on, or another machine's (docker_engine.py: which
engine, how the emulator and its containers reach each other). Inference containers mount their
model's volume (docker_model_volumes.py). Only file:// channels are still bind-mounted,
read-only, when the engine sees this machine's files.
"""

import ipaddress
import logging
import tarfile
import threading
import time

import docker
import requests
import urllib3
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from docker.types import DeviceRequest, IPAMConfig, IPAMPool, Mount

from ..backing.child_process import ProcessHandle
from .contract import CONTAINER_ROOT
from .docker_engine import EngineAccess, is_local_address, shares_files
from .docker_model_volumes import ModelVolumes
from .docker_transfers import ArchiveTransfer, VolumeFolderTransfer, host_folder, volume_folders_usable
from .runner import AppSpec, HostSpec, JobSpec, LineSink, ServeSpec, StartError

log = logging.getLogger(__name__)

LABEL = "sagemaker-emulator"
MODEL_DATA = "model-data"  # the kind label of model volumes (and the containers that fill them)
HOST_TREE_LABEL = f"{LABEL}.host-tree"  # marks a volume holding a job host's /opt/ml
LIVE_SYNC_SECONDS = 1.0  # how often live outputs are copied back while a job runs
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

    def __init__(self, client: docker.DockerClient | None = None, home: str = "default",
                 access: EngineAccess | None = None):
        self.client = client or docker.from_env(timeout=300)
        # Which emulator (data dir) started a container: the label's value. Another
        # emulator on the same Docker host leaves containers with another value alone.
        self.home = home
        self.access = access or EngineAccess.from_env()
        self.volumes = ModelVolumes(self.client, {LABEL: home, f"{LABEL}.kind": MODEL_DATA}, self.volume_folders)
        self._shares_files: bool | None = None
        self._volume_folders: bool | None = None

    def shares_files(self) -> bool:
        """Whether the engine sees this machine's files at the same paths (asked once)."""
        if self._shares_files is None:
            self._shares_files = shares_files(self.client)
        return self._shares_files

    def volume_folders(self) -> bool:
        """Whether the engine's volumes are folders this process can write here (asked once)."""
        if self._volume_folders is None:
            self._volume_folders = self.shares_files() and volume_folders_usable(self.client, {LABEL: self.home})
        return self._volume_folders

    def _transfer(self, spec: JobSpec, bound: set[str]):
        """Through a volume's folder when the engine's are on this disk and nothing is read while
        the job runs or written to a read-write mount; through the archive API otherwise."""
        read_while_running = any(h.live_outputs or any(not ro for *_, ro in h.mounts) for h in spec.hosts)
        if not read_while_running and self.volume_folders():
            return VolumeFolderTransfer(self.client, {**_job_labels(self.home, spec), HOST_TREE_LABEL: "true"},
                                        lambda host: container_name(spec.name, spec.kind, host))
        return ArchiveTransfer(bound)

    @staticmethod
    def available() -> bool:
        try:
            docker.from_env(timeout=5).ping()
            return True
        except DockerException:
            return False

    def image_id(self, image: str) -> str:
        return image_id(self.client, image)

    def start(self, spec: JobSpec) -> "DockerJob":
        self.image_id(spec.image)
        read_only = {target for host in spec.hosts for _, target, ro in host.mounts if ro}
        bound = read_only if read_only and self.shares_files() else set()  # file:// channels
        job = DockerJob(self.client, spec, self._transfer(spec, bound), self.home, self.access, bound)
        try:
            job.create()
        except (APIError, DockerException, OSError, *ENGINE_GONE) as exc:  # OSError: reading the tree to copy in
            job.remove()
            raise StartError(_start_failure(exc, spec.instance)) from exc
        return job

    def serve(self, spec: ServeSpec) -> "DockerServingContainer":
        """Start an inference container, its model's volume at /opt/ml/model (read-only), port
        8080 published on the publish address only (127.0.0.1 by default) and called there or,
        on an engine of this machine, at the container's bridge address; or not published and
        reached on the container network when there is one."""
        self.image_id(spec.image)
        cpus, memory = spec.instance.limits()
        mounts, held = [], None
        if self.access.network:
            reach = {"network": self.access.network}
        else:
            reach = {"ports": {"8080/tcp": (self.access.publish_address, None)}}
        try:
            if spec.model_dir is not None:
                volume = self.volumes.acquire(spec.model_dir, spec.image)
                held = spec.model_dir
                mounts.append(Mount(f"{CONTAINER_ROOT}/model", volume, type="volume", read_only=True, no_copy=True))
            container = self.client.containers.run(
                spec.image, command=["serve"], name=spec.name, detach=True,
                environment=spec.environment, mounts=mounts,
                labels={LABEL: self.home, **{f"{LABEL}.{k}": v for k, v in spec.labels.items()}},
                nano_cpus=int(cpus * 1e9), mem_limit=memory,
                device_requests=_gpu_request(spec.instance.gpus),
                extra_hosts={"host.docker.internal": "host-gateway"}, **reach)
            container.reload()
            url, bridge = self._serving_url(container), self._bridge_url(container)
        except (APIError, DockerException, KeyError, IndexError, TypeError, OSError, tarfile.TarError,
                *ENGINE_GONE) as exc:
            _remove_quietly(self.client, spec.name)
            if held is not None:
                self.volumes.release(held)
            raise StartError(_start_failure(exc, spec.instance)) from exc
        return DockerServingContainer(container, url, bridge,
                                      on_removed=(lambda: self.volumes.release(held)) if held else None)

    def app_container(self, spec: AppSpec) -> "DockerAppContainer":
        """A notebook instance's or Studio app's container (docker_apps.py); nothing starts yet."""
        from .docker_apps import DockerAppContainer  # it builds on this module's serving container
        return DockerAppContainer(self.client, spec, self.home, self.access)

    def _serving_url(self, container) -> str:
        settings = container.attrs["NetworkSettings"]
        if self.access.network:
            return f"http://{settings['Networks'][self.access.network]['IPAddress']}:8080"
        return f"http://{self.access.url_host()}:{settings['Ports']['8080/tcp'][0]['HostPort']}"

    def _bridge_url(self, container) -> tuple[str, ProcessHandle] | None:
        """(URL, its first process) of the container on the engine's bridge, when this machine
        routes there (docker_engine.py) and sees the container's process (its pid is this
        machine's); else None."""
        settings, pid = container.attrs["NetworkSettings"], container.attrs["State"].get("Pid")
        if self.access.network or not (settings.get("IPAddress") and settings.get("Gateway") and pid):
            return None
        if not (self.shares_files() and is_local_address(settings["Gateway"])):
            return None
        process = ProcessHandle(pid)
        return (f"http://{settings['IPAddress']}:8080", process) if process.alive() else None

    def remove_leftovers(self, kind: str) -> None:
        """Containers, networks and job hosts' volumes of that kind left by an emulator that did
        not shut down cleanly (a job's network goes after its containers: Docker refuses it
        before), and the model volumes it left."""
        filters = {"label": [f"{LABEL}={self.home}", f"{LABEL}.kind={kind}"]}
        for container in self.client.containers.list(all=True, filters=filters):
            try:
                container.remove(force=True, v=True)
            except (APIError, NotFound):
                pass
        for network in self.client.networks.list(filters=filters):
            try:
                network.remove()
            except (APIError, NotFound):
                pass
        # Job hosts' /opt/ml volumes (docker_transfers.py); not a notebook's home, which outlives its containers.
        for volume in self.client.volumes.list(filters={"label": [*filters["label"], HOST_TREE_LABEL]}):
            try:
                volume.remove(force=True)
            except (APIError, NotFound):
                pass
        self.volumes.remove_unused()


def image_id(client: docker.DockerClient, image: str) -> str:
    """The local image's ID; StartError saying why when the engine has no such image or does not answer."""
    try:
        return client.images.get(image).id
    except ImageNotFound:
        raise StartError(f"ClientError: image {image} not found on this host "
                         "(build it with `sagemaker-emulator images build`, or docker pull it)")
    except ENGINE_GONE as exc:
        raise StartError(f"InternalServerError: the Docker engine does not answer: {exc}") from exc
    except DockerException as exc:
        raise StartError(f"InternalServerError: the Docker engine could not look up {image}: {exc}") from exc


def _job_labels(home: str, spec: JobSpec) -> dict[str, str]:
    return {LABEL: home, f"{LABEL}.kind": spec.kind, f"{LABEL}.job": spec.name}


def _gpu_request(gpus: int):
    return [DeviceRequest(count=gpus, capabilities=[["gpu"]])] if gpus else None


def _remove_quietly(client, name: str) -> None:
    try:
        client.containers.get(name).remove(force=True)
    except (APIError, NotFound, DockerException, *ENGINE_GONE):
        pass


class DockerServingContainer:
    def __init__(self, container, url: str, bridge: tuple[str, ProcessHandle] | None = None, on_removed=None):
        self.container = container
        self._url = url
        self._bridge = bridge
        self._on_removed = on_removed  # once the container is gone (its model volume is let go)

    @property
    def url(self) -> str:
        """Where the emulator calls it now: its bridge address while its own process runs (no
        proxy between; docker_engine.py), else its published port. The engine gives a bridge
        address to the next container as soon as this one lets it go, while a host port comes
        round again only after the engine's ~28,000 others: so the address is used only while
        the container's first process, the very one, is alive (asked at every invocation)."""
        if self._bridge is not None:
            url, process = self._bridge
            if process.alive():
                return url
        return self._url

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
            self.container.remove(force=True)
        except NotFound:
            pass
        except APIError:  # e.g. it is already stopping, or being removed: removal ends it
            try:
                self.container.remove(force=True)
            except APIError:
                pass
        removed, self._on_removed = self._on_removed, None
        if removed:
            removed()


def _start_failure(exc: Exception, instance) -> str:
    text = str(exc)
    if "capabilities: [[gpu]]" in text or "nvidia" in text.lower():
        return (f"CapacityError: {instance.type} needs {instance.gpus} GPU(s) but this "
                "Docker host has no GPU runtime (NVIDIA Container Toolkit); use a CPU instance "
                "type such as ml.m5.xlarge")
    return f"InternalServerError: could not start the container: {text}"


class DockerJob:
    def __init__(self, client: docker.DockerClient, spec: JobSpec, transfer, home: str = "default",
                 access: EngineAccess | None = None, bound: set[str] = frozenset()):
        self.client = client
        self.spec = spec
        self.home = home
        self.access = access or EngineAccess()
        self.bound = bound  # container paths of read-only mounts (file://) bound, not copied
        self.transfer = transfer  # how the hosts' files go in and out (docker_transfers.py)
        self.containers: dict[str, "docker.models.containers.Container"] = {}
        self.network = None
        self._created = time.time()
        self._stopping = threading.Event()
        self._live_done = threading.Event()
        self._live: threading.Thread | None = None

    def create(self) -> None:
        spec = self.spec
        self._created = time.time()
        labels = _job_labels(self.home, spec)
        addresses = self._create_network(labels) if len(spec.hosts) > 1 else {}
        cpus, memory = spec.instance.limits()
        device_requests = _gpu_request(spec.instance.gpus)
        for host_spec in spec.hosts:
            binds = [Mount(target, str(source), type="bind", read_only=True)
                     for source, target, read_only in host_spec.mounts if read_only and target in self.bound]
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
                mounts=[*self.transfer.mounts(host_spec), *binds],
                labels={**labels, f"{LABEL}.host": host_spec.host},
                nano_cpus=int(cpus * 1e9),
                mem_limit=memory,
                device_requests=device_requests,
                # Every host in /etc/hosts: on AWS a host that finishes early keeps its
                # address until the job ends, and the toolkit waits until each name
                # resolves; Docker's DNS forgets a stopped container at once.
                extra_hosts={"host.docker.internal": "host-gateway", **addresses},
                network=self.network.name if self.network else self.access.network,
                networking_config=networking,
                detach=True,
            )
            self.containers[host_spec.host] = container
            if self.network is not None and self.access.network:
                self.client.networks.get(self.access.network).connect(container)
        self._each_host(lambda host_spec: self.transfer.send(host_spec, self.containers[host_spec.host]))
        for container in self.containers.values():
            container.start()
        if any(h.live_outputs for h in spec.hosts):
            self._live = threading.Thread(target=self._copy_live, daemon=True, name=f"live-{spec.name}")
            self._live.start()

    def _each_host(self, work) -> None:
        """work(host_spec) for every host, side by side; the first error is raised."""
        if len(self.spec.hosts) == 1:
            work(self.spec.hosts[0])
            return
        errors = []

        def one(host_spec):
            try:
                work(host_spec)
            except Exception as exc:
                errors.append(exc)
        _side_by_side(one, [(h,) for h in self.spec.hosts])
        if errors:
            raise errors[0]

    def _copy_back(self, host_spec: HostSpec) -> None:
        """What the emulator reads once the host has exited, into the layout."""
        # A read-write mount is where the job was told to write: an output path showing the same
        # folder (training's /opt/ml/checkpoints beside a CheckpointConfig.LocalPath) holds only
        # what was copied in, and is not read.
        mounted = {source for source, _, read_only in host_spec.mounts if not read_only}
        paths = [*(p for p in host_spec.outputs if host_folder(host_spec, p) not in mounted),
                 *(target for _, target, read_only in host_spec.mounts if not read_only)]
        self.transfer.fetch(host_spec, self.containers[host_spec.host], paths)

    def _copy_live(self) -> None:
        """Live outputs into the layout while the job runs (processing's Continuous uploads read them there)."""
        hosts = [h for h in self.spec.hosts if h.live_outputs]
        while not self._live_done.wait(LIVE_SYNC_SECONDS):
            for host_spec in hosts:
                try:
                    self.transfer.fetch(host_spec, self.containers[host_spec.host], host_spec.live_outputs,
                                        final=False)
                except Exception as exc:  # the next round, or the copy at the end, tries again
                    log.debug("live outputs of %s on %s: %s", self.spec.name, host_spec.host, exc)

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
        _side_by_side(self._follow, [(host, c, sink) for host, c in self.containers.items()])

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

        _side_by_side(wait_one, list(self.containers.items()))
        self._live_done.set()
        if self._live is not None:
            self._live.join()

        def copy_back(host_spec: HostSpec) -> None:
            if codes.get(host_spec.host) is None:
                return  # lost with the engine: nothing to read
            try:
                self._copy_back(host_spec)
            except (DockerException, OSError, tarfile.TarError, *ENGINE_GONE) as exc:
                log.warning("could not copy the outputs of %s on %s back: %s", self.spec.name, host_spec.host, exc)
                if codes[host_spec.host] == 0:
                    codes[host_spec.host] = None  # its outputs are lost as if the host were
        self._each_host(copy_back)
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
        _side_by_side(_quiet_stop, [(c, grace_seconds) for c in self.containers.values()])

    def remove(self) -> None:
        """Removes the containers, then the job's network and what its transfer left (a host's
        volume, the staging folders of archives)."""
        try:
            self._remove()
        except ENGINE_GONE:
            when_engine_answers(self._remove, f"the containers of {self.spec.name}")

    def _remove(self) -> None:
        for container in self.containers.values():
            try:
                container.remove(force=True, v=True)
            except (APIError, NotFound):
                pass
        if self.network is not None:
            try:
                self.network.remove()
            except (APIError, NotFound):
                pass
        for host_spec in self.spec.hosts:
            self.transfer.discard(host_spec)


def _side_by_side(work, calls: list[tuple]) -> None:
    """work(*args) for each args in calls, each in a thread of its own (one per host: a host's
    slow engine call must not hold up the others); returns once every one has ended."""
    threads = [threading.Thread(target=work, args=args, daemon=True) for args in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


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
