"""Fixtures of the in-process emulator: one per session, on a fake runner (no Docker)."""

import uuid

import pytest

from fake_runner import FakeRunner
from helpers import ensure_bucket, held_to_output_shapes
from in_process import BUCKET, InProcessEmulator


@pytest.fixture(scope="session")
def fake_runner():
    return FakeRunner()


@pytest.fixture(scope="session")
def in_process(tmp_path_factory, fake_runner):
    with InProcessEmulator(tmp_path_factory.mktemp("in-process") / "data", fake_runner) as emulator:
        s3 = emulator.client("s3")
        ensure_bucket(s3, BUCKET)
        # SeaweedFS makes a bucket's volume at its first non-empty object, which may take seconds: not in a test.
        s3.put_object(Bucket=BUCKET, Key="warm-up", Body=b"a volume for the bucket")
        yield emulator


@pytest.fixture
def image(fake_runner):
    """Registers a program under a new image name (tests share the runner) and returns the name."""
    def register(program) -> str:
        name = f"fake/{uuid.uuid4().hex[:8]}:latest"
        fake_runner.images[name] = program
        return name
    return register


# In the unit tier the clients reach the in-process emulator (never a `serve` subprocess).
@pytest.fixture(scope="session")
def sm(in_process):
    return held_to_output_shapes(in_process.client("sagemaker"))


@pytest.fixture(scope="session")
def s3(in_process):
    return in_process.client("s3")


@pytest.fixture(scope="session")
def logs(in_process):
    return in_process.client("logs")


@pytest.fixture(scope="session")
def runtime(in_process):
    return in_process.client("sagemaker-runtime")
