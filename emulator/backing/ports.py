"""Free local ports for servers started a moment after their port is chosen (SeaweedFS's eight,
an emulator started by the test fixtures). They come from below the kernel's ephemeral range:
a port from that range could meanwhile become the local end of some outgoing connection (CI
saw SeaweedFS's filer fail with "bind: address already in use"), a port outside it only if
another program starts listening there."""

import random
import socket
from pathlib import Path

LOWEST_PORT = 10000


def ephemeral_ports() -> range:
    """The ports the kernel gives outgoing connections (and port-0 binds, and the Docker
    engine's published ports)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return range(low, high + 1)
    except (OSError, ValueError):
        return range(32768, 61000)  # Linux's default


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port(taken: set[int] = frozenset()) -> int:
    """A port of 127.0.0.1 nothing listens on, not in `taken`, below the ephemeral range where
    there is room, else the kernel's own pick."""
    below = range(LOWEST_PORT, ephemeral_ports().start)
    if len(below) > 1000:
        for _ in range(200):
            port = random.choice(below)
            if port not in taken and port_is_free(port):
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
