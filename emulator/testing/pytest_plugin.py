"""The pytest plugin (entry point `pytest11`): fixtures for testing code against the emulator.

Loaded in every pytest session of an environment where sagemaker-emulator is installed, so it
does nothing until a test asks for one of its fixtures: it adds its options and defines the
fixtures, nothing more (no autouse fixture, no hook that runs per test, no import of the
emulator, boto3 or the SDK).

- `sagemaker_emulator` (session): an `emulator.testing.Emulator` started on a free port with a
  temporary data dir under pytest's basetemp (or the one at $SAGEMAKER_EMULATOR_URL), the
  environment pointed at it and the SDK fast path on, from the first test that asks until
  the session ends.
- `sagemaker_emulator_isolated` (function): the same object; what the test made is removed
  when it ends (`Emulator.isolated()`, cleanup.py says what that covers).

Options: `--sagemaker-emulator-runner` or the ini value `sagemaker_emulator_runner`
(auto | docker | process), `sagemaker_emulator_fast_path` (ini, default true).
"""

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("sagemaker-emulator")
    group.addoption("--sagemaker-emulator-runner", dest="sagemaker_emulator_runner", default=None,
                    metavar="RUNNER", help="where the emulator runs jobs: auto, docker or process "
                                           "(default: the ini value sagemaker_emulator_runner, else auto)")
    parser.addini("sagemaker_emulator_runner", default="auto",
                  help="where the sagemaker_emulator fixture's emulator runs jobs: auto, docker or process")
    parser.addini("sagemaker_emulator_fast_path", type="bool", default=True,
                  help="shorten the SageMaker SDK's fixed polls in the tests (default: true)")


@pytest.fixture(scope="session")
def sagemaker_emulator(request, tmp_path_factory):
    """The emulator of this test session (see emulator.testing.Emulator)."""
    from .server import Emulator

    config = request.config
    runner = config.getoption("sagemaker_emulator_runner") or config.getini("sagemaker_emulator_runner")
    with Emulator(runner=runner, fast_path=config.getini("sagemaker_emulator_fast_path"),
                  work_dir=tmp_path_factory.mktemp("sagemaker-emulator")) as emulator:
        yield emulator


@pytest.fixture
def sagemaker_emulator_isolated(sagemaker_emulator):
    """The session's emulator; what this test made there is removed when it ends."""
    with sagemaker_emulator.isolated():
        yield sagemaker_emulator
