"""The second Docker engine scripts/second-engine.sh starts on this machine, for the tests of the
Docker runner against an engine that shares no path with the emulator: it answers on TCP only,
keeps its own data root, exec root, pid file and bridge, and holds the scikit-learn image."""

import docker
from docker.errors import DockerException

from emulator.execution.framework_image import SKLEARN_IMAGE

ADDRESS = "tcp://127.0.0.1:23750"
BRIDGE_ADDRESS = "10.212.0.1"  # its bridge's address (this machine's): where its containers reach this host
BRIDGE_NETWORK = "10.212.0.0/24"
IMAGE = SKLEARN_IMAGE


def client() -> docker.DockerClient:
    """A client of the second engine; AssertionError saying how to start it when it does not answer."""
    engine = docker.DockerClient(base_url=ADDRESS, timeout=300)
    try:
        engine.ping()
        engine.images.get(IMAGE)
    except DockerException as exc:
        raise AssertionError(f"no second engine with {IMAGE} at {ADDRESS} ({exc}): "
                             "run scripts/second-engine.sh as root (scripts/setup.sh does)") from exc
    return engine
