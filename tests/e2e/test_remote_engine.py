"""The emulator's containers on another Docker engine: the second engine (tests/second_engine.py),
reached over TCP (DOCKER_HOST), sharing no path with the emulator. As for an engine on another
machine, the containers call the emulator at SAGEMAKER_EMULATOR_CONTAINER_URL (here the second
engine's bridge address, which is this machine's, so the emulator listens there too) and the
emulator calls inference containers on the port they publish at SAGEMAKER_EMULATOR_PUBLISH_ADDRESS
(the engine host's address: that same one)."""

import ipaddress
import os
import subprocess
import sys

import pytest

import second_engine
from emulator.execution.runners import home_of
from emulator_process import REPO, EmulatorProcess, free_port
from engine_flows import continuous_processing, predictions, train
from helpers import wait_until

pytestmark = pytest.mark.docker
BUCKET = "e2e-remote-engine"


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    second_engine.client()  # fails saying how to start it when it is not there
    port = free_port()
    proc = EmulatorProcess(tmp_path_factory.mktemp("remote") / "data", port=port, env={
        "DOCKER_HOST": second_engine.ADDRESS,
        "SAGEMAKER_EMULATOR_CONTAINER_URL": f"http://{second_engine.BRIDGE_ADDRESS}:{port}",
        "SAGEMAKER_EMULATOR_PUBLISH_ADDRESS": second_engine.BRIDGE_ADDRESS}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def clients(remote):
    return remote.client("sagemaker"), remote.client("s3"), remote.client("sagemaker-runtime")


@pytest.fixture(scope="module")
def trained(clients, tmp_path_factory):
    sm, s3, _ = clients
    notes = tmp_path_factory.mktemp("notes")  # a file:// channel: a folder on the emulator's machine
    (notes / "note.txt").write_text("from the emulator's disk\n")
    return train(sm, s3, BUCKET, [{"ChannelName": "notes", "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": f"file://{notes}", "S3DataDistributionType": "FullyReplicated"}}}])


def test_a_job_runs_on_the_other_engine_with_nothing_of_this_disk_mounted(remote, trained):
    _, where = trained
    assert where["addresses"] and all(ipaddress.ip_address(a) in ipaddress.ip_network(second_engine.BRIDGE_NETWORK)
                                      for a in where["addresses"])  # the second engine's bridge
    assert where["mounts"] == []  # /opt/ml and the file:// channel were copied in, not mounted
    assert where["notes"] == "from the emulator's disk\n"
    assert where["endpoint"] == f"http://{second_engine.BRIDGE_ADDRESS}:{remote.port}"  # the container URL set
    assert not where["docker_socket"] and not where["aws_credentials_file"] and where["access_key"] == "emulator"


def test_an_endpoint_on_the_other_engine_predicts_and_leaves_nothing_behind(remote, clients, trained):
    sm, s3, runtime = clients
    answered, expected = predictions(sm, s3, runtime, BUCKET, trained[0]["ModelArtifacts"]["S3ModelArtifacts"])
    assert answered == expected
    engine = second_engine.client()
    mine = {"label": f"sagemaker-emulator={home_of(remote.data_dir)}"}
    # What `docker ps -a` and `docker volume ls` show there once the endpoint's instance has
    # stopped (its removal follows DeleteEndpoint): the model's volume goes with its last container.
    wait_until(lambda: not engine.containers.list(all=True, filters=mine) and not engine.volumes.list(filters=mine),
               60, "the endpoint's container and model volume removed from the second engine")


def test_continuous_outputs_reach_s3_while_the_job_runs(clients):
    sm, s3, _ = clients
    assert continuous_processing(sm, s3, BUCKET) == {
        "first.txt": b"written while running\n", "second.txt": b"first.txt was in S3 while the job ran\n"}


@pytest.mark.parametrize("setting, value, message", [
    ("SAGEMAKER_EMULATOR_CONTAINER_URL", "emulator:8787", "is not an http:// URL"),
    ("SAGEMAKER_EMULATOR_PUBLISH_ADDRESS", "engine-host", "is not an IP address"),
])
def test_unusable_settings_stop_serve_with_a_message(tmp_path, setting, value, message):
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", str(free_port()),
                           "--data-dir", str(tmp_path / "data")], cwd=REPO, capture_output=True, text=True,
                          timeout=60, env={**_environ(), setting: value})
    assert done.returncode == 2
    assert f"{setting}={value!r} {message}" in done.stderr


def _environ() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("SAGEMAKER_EMULATOR_")}
