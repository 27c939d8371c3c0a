import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_process import EmulatorProcess  # noqa: E402
from helpers import held_to_output_shapes  # noqa: E402


def pytest_collection_modifyitems(items):
    """Tests that restart the Docker engine run last: they take it away from everything else."""
    items.sort(key=lambda item: item.get_closest_marker("engine_restart") is not None)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    proc = EmulatorProcess(tmp_path_factory.mktemp("emulator") / "data").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def sm(emulator):
    return held_to_output_shapes(emulator.client("sagemaker"))


@pytest.fixture(scope="session")
def s3(emulator):
    return emulator.client("s3")


@pytest.fixture(scope="session")
def logs(emulator):
    return emulator.client("logs")


@pytest.fixture(scope="session")
def cloudwatch(emulator):
    return emulator.client("cloudwatch")
