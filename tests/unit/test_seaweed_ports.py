"""The ports SeaweedFS is started on: chosen a moment before it binds them, so never from the
range the kernel hands to outgoing connections (one of those took a chosen port in CI and the
filer failed with "bind: address already in use"), and kept across restarts while free."""

import json
import socket

from emulator.backing.ports import ephemeral_ports
from emulator.backing.seaweed import SeaweedS3


def test_fresh_ports_are_distinct_free_and_outside_the_ephemeral_range(tmp_path):
    ports = SeaweedS3(tmp_path).ports
    assert len(set(ports.values())) == len(ports) == 8
    assert not any(p in ephemeral_ports() for p in ports.values()), ports
    for port in ports.values():
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # free: SeaweedFS can bind it


def test_the_last_runs_ports_are_kept_while_free_and_all_chosen_again_when_one_is_taken(tmp_path):
    first = SeaweedS3(tmp_path)
    (tmp_path / "s3" / "ports.json").write_text(json.dumps(first.ports))  # what start() records
    assert SeaweedS3(tmp_path).ports == first.ports
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first.ports["filer.port.grpc"]))
        again = SeaweedS3(tmp_path).ports
    assert again != first.ports and first.ports["filer.port.grpc"] not in again.values()
