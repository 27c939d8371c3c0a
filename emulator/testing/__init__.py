"""Testing code against the emulator: what a project's own tests use.

- `Emulator` (server.py): `with Emulator() as emu:` starts an emulator (or uses the one at
  $SAGEMAKER_EMULATOR_URL), points this process's environment at it, turns the SDK fast path on,
  and gives boto3 clients and SageMaker SDK sessions; `emu.isolated()` removes what a block made.
- The pytest plugin (pytest_plugin.py, registered as the `pytest11` entry point): the session
  fixture `sagemaker_emulator` and the per-test `sagemaker_emulator_isolated`.
- The SDK fast path (fast_path.py, pythonpath/): the SageMaker SDK's fixed polls shortened, in
  the processes that ask for it only (also `sagemaker-emulator run -- CMD`).

Importing this package imports nothing heavy: pytest loads the plugin in every session.
"""


def __getattr__(name):
    if name == "Emulator":
        from .server import Emulator

        return Emulator
    raise AttributeError(name)


__all__ = ["Emulator"]
