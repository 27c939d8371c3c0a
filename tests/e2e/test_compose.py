"""docker-compose.yml: the emulator in a container of its own (the image scripts/build_emulator_image.py
builds), its jobs and endpoints on this machine's engine through the socket mounted into it only,
the one port on 127.0.0.1, its data in a named volume that outlives `down`. Run with Debian's
docker-compose 1.x, and with `docker compose` 2.x where it is installed."""

import importlib.util
import ipaddress
import json
import os
import shutil
import subprocess
import uuid

import boto3
import pytest
import urllib3
from botocore.config import Config

from emulator_process import REPO, free_port
from engine_flows import predictions, train
from helpers import wait_until

pytestmark = pytest.mark.docker
BUCKET = "e2e-compose"


def _commands() -> list[list[str]]:
    commands = [["docker-compose"]]  # scripts/setup.sh installs it
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        commands.append(["docker", "compose"])
    return commands


def _emulator_image() -> str:
    spec = importlib.util.spec_from_file_location("build_emulator_image", REPO / "scripts/build_emulator_image.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ensure_emulator_image(quiet=True)  # a fraction of a second when it is up to date


class Compose:
    """One compose project of docker-compose.yml, on a port and network of its own."""

    def __init__(self, command: list[str]):
        self.command = command
        self.project = f"smemu-compose-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.env = {"SAGEMAKER_EMULATOR_PORT": str(self.port), "SAGEMAKER_EMULATOR_NETWORK": self.project}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __call__(self, *args: str) -> str:
        done = subprocess.run([*self.command, "-p", self.project, "-f", str(REPO / "docker-compose.yml"), *args],
                              env={**os.environ, **self.env}, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def up(self) -> None:
        self("up", "-d")
        http = urllib3.PoolManager(retries=False)

        def healthy():
            try:
                return http.request("GET", self.url + "/_emulator/health", timeout=1).status == 200
            except urllib3.exceptions.HTTPError:
                return False
        try:
            wait_until(healthy, 120, f"the compose emulator answering at {self.url}")
        except AssertionError:
            raise AssertionError(self("logs", "--tail", "40"))

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=Config(retries={"max_attempts": 2}))

    def container(self) -> dict:
        ids = self("ps", "-q").split()
        assert len(ids) == 1, ids
        return json.loads(subprocess.run(["docker", "inspect", ids[0]], capture_output=True, text=True,
                                         check=True).stdout)[0]


@pytest.fixture(scope="module", params=_commands(), ids=lambda command: " ".join(command))
def compose(request):
    _emulator_image()
    project = Compose(request.param)
    project.up()
    yield project
    project("down", "-v")


def test_only_the_one_port_is_published_and_only_on_loopback(compose):
    ports = compose.container()["NetworkSettings"]["Ports"]
    assert ports == {"8787/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(compose.port)}]}


def test_a_job_and_an_endpoint_run_beside_it_and_its_data_outlives_down(compose):
    sm, s3, runtime = compose.client("sagemaker"), compose.client("s3"), compose.client("sagemaker-runtime")
    desc, where = train(sm, s3, BUCKET)
    network = json.loads(subprocess.run(["docker", "network", "inspect", compose.project], capture_output=True,
                                        text=True, check=True).stdout)[0]["IPAM"]["Config"][0]["Subnet"]
    assert any(ipaddress.ip_address(a) in ipaddress.ip_network(network) for a in where["addresses"])  # on its network
    assert not where["docker_socket"]  # the emulator's container has the socket; a job's never does
    assert where["mounts"] == []  # its /opt/ml was copied in through the engine's API
    assert where["endpoint"] == "http://emulator:8787" and where["access_key"] == "emulator"
    answered, expected = predictions(sm, s3, runtime, BUCKET, desc["ModelArtifacts"]["S3ModelArtifacts"])
    assert answered == expected

    compose("down")  # not -v: the named volume stays
    compose.up()
    sm, s3 = compose.client("sagemaker"), compose.client("s3")
    assert sm.describe_training_job(TrainingJobName=desc["TrainingJobName"])["TrainingJobStatus"] == "Completed"
    key = desc["ModelArtifacts"]["S3ModelArtifacts"].split("/", 3)[3]
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] > 0
