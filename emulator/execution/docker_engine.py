"""Which Docker engine the runner talks to, and how the emulator and its containers reach each
other across it.

The engine is the Docker SDK's `from_env` choice, the one the docker CLI makes: DOCKER_HOST (unix://,
tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://), else the current Docker context
(DOCKER_CONTEXT or ~/.docker/config.json), else the local socket. Files never go through a
folder both sides see (docker_files.py), with one exception: file:// channels, a path on the
emulator's machine, are bind-mounted when the engine sees this machine's files at the same
paths (`shares_files`) and copied in otherwise.

How containers reach the emulator is its URL in their environment (AWS_ENDPOINT_URL, set from
SAGEMAKER_EMULATOR_CONTAINER_URL by app.container_env). How the emulator reaches an inference
container, three ways:
- on the engine's bridge: an engine on this machine (`shares_files`) whose bridge's gateway is
  one of this machine's addresses (not a VM's, as Docker Desktop's, nor another network
  namespace's, as rootless Docker's) routes this machine to the container's own address, so
  the emulator calls it there and not through the published port's userland proxy
  (docker-proxy: about 0.3 ms and its CPU per invocation, BENCHMARKS.md inference); the port
  is still published for the user;
- published: port 8080 published on the engine host's SAGEMAKER_EMULATOR_PUBLISH_ADDRESS
  (127.0.0.1 by default: an engine on this machine; for one on another machine, that machine's
  address as the emulator reaches it, where the port is then open to whoever reaches it too);
- on a network: with SAGEMAKER_EMULATOR_CONTAINER_NETWORK every job and inference container also
  joins that Docker network and the emulator calls an inference container at its address there,
  nothing published (docker-compose.yml: the emulator is itself a container on that network).
"""

import ipaddress
import os
import socket
from dataclasses import dataclass

import docker
from docker.errors import DockerException

NETWORK_VARIABLE = "SAGEMAKER_EMULATOR_CONTAINER_NETWORK"
PUBLISH_VARIABLE = "SAGEMAKER_EMULATOR_PUBLISH_ADDRESS"


class EngineSettingError(ValueError):
    """A setting of how to reach the engine's containers is not usable; the message says which."""


@dataclass(frozen=True)
class EngineAccess:
    network: str | None = None          # a Docker network every container joins
    publish_address: str = "127.0.0.1"  # where inference ports are published and called

    @classmethod
    def from_env(cls, environ=os.environ) -> "EngineAccess":
        address = environ.get(PUBLISH_VARIABLE, "").strip() or "127.0.0.1"
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise EngineSettingError(f"{PUBLISH_VARIABLE}={address!r} is not an IP address (the engine host's "
                                     "address where inference containers' ports are published)") from None
        return cls(network=environ.get(NETWORK_VARIABLE, "").strip() or None, publish_address=address)

    def url_host(self) -> str:
        """The publish address as a URL's host (IPv6 in brackets)."""
        return f"[{self.publish_address}]" if ":" in self.publish_address else self.publish_address


def is_local_address(address: str) -> bool:
    """Whether this machine has that address (a listener can bind it)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def shares_files(client: docker.DockerClient) -> bool:
    """Whether a path here names the same folder for the engine: it answers on a local socket
    and calls itself by this machine's name. A socket forwarded from elsewhere, a VM's engine
    (Docker Desktop) and the engine of the emulator's own container (whose host name is the
    container's) call themselves otherwise; a container given its host's name would pass, and
    its binds then fail on paths the host lacks (they are bind mounts, which Docker never makes)."""
    if not client.api.base_url.startswith("http+docker://localhost"):  # unix socket; tcp, ssh, npipe differ
        return False
    try:
        return client.info().get("Name") == socket.gethostname()
    except DockerException:
        return False
