"""Notebook instances and Studio's JupyterLab spaces: JupyterLab in a container of the notebook
image (containers/notebook), already pointed at this emulator.

A notebook instance or a Studio app is a long-running container, closer to an endpoint's
instance than to a job: `apps.py` runs them through the Runner seam (its app_container: one
container at a time on a volume that outlives it), `app_run.py` follows one run (its lifecycle
scripts with their time limit, JupyterLab coming up, its logs in CloudWatch Logs), `instances.py`
and `studio.py` hold the resources' documents and AWS's rules, `api.py` their operations, and
`signin.py` the presigned URLs' tokens, which the image's JupyterLab checks.

What a kernel starts with (so that `sagemaker.Session()`, `get_execution_role()` and
`Estimator(...).fit()` work in a first cell): the emulator's URL as containers reach it
(AWS_ENDPOINT_URL, as job containers get it), region, dummy credentials, the SDK's config file
(`sagemaker-emulator env`'s), and /opt/ml/metadata/resource-metadata.json naming the instance
(or the space's domain and user profile), from which the SDK finds the execution role as it does
on AWS.
"""

from pathlib import Path

from ...backing.moto_services import LogSink
from ...execution.runner import Runner
from ..resources import Resources
from ..tagging import Tagging
from .api import NotebookApi, StudioApi
from .apps import AppHost
from .instances import NotebookInstances
from .studio import Studio


class Notebooks:
    """Notebook instances and Studio together, as the emulator wires them (emulator/app.py)."""

    def __init__(self, store, runner: Runner, logs: LogSink, folder: Path, kernel_env: dict[str, str],
                 kernel_files: list[tuple[Path, str]], sdk_config: str, lifecycle_seconds: float, region: str,
                 account: str, console_url: str):
        self.apps = AppHost(runner, logs, folder, kernel_env, kernel_files, sdk_config, lifecycle_seconds)
        self.instances = NotebookInstances(store, self.apps, region, account)
        self.studio = Studio(store, self.apps, region, account, console_url)

    @property
    def taggable(self) -> list[Resources]:
        return [self.instances.instances, self.instances.configs, *self.studio.taggable]

    def parts(self, tagging: Tagging) -> list:
        """The provider parts that serve their operations."""
        return [NotebookApi(self.instances, tagging), StudioApi(self.studio, tagging)]

    def restore(self) -> None:
        self.instances.restore()
        self.studio.restore()

    def close(self) -> None:
        self.apps.close()
