"""Notebook instances and their lifecycle configurations: documents, AWS's rules, and their life.

Statuses as on AWS: Pending (the container starting, its lifecycle scripts running, JupyterLab
coming up) -> InService; StopNotebookInstance: Stopping -> Stopped (the container goes, the volume
at /home/ec2-user/SageMaker stays); StartNotebookInstance from Stopped or Failed: Pending again,
a fresh container on the same volume; DeleteNotebookInstance from Stopped or Failed: Deleting ->
gone, with the volume. A lifecycle script that fails or runs over its limit (5 minutes) fails the
instance with AWS's reason; so does a container that dies while serving. Transitions AWS refuses
answer its ValidationException (`Status (InService) not in ([Stopped, Failed]). Unable to transition
to (Deleting) for Notebook Instance (arn)`).

Lifecycle scripts run as SageMaker runs them (base64 content, as root, OnCreate once when the
instance is created, OnStart at every start including the first), their output in CloudWatch Logs:
group /aws/sagemaker/NotebookInstances, streams <instance>/LifecycleConfigOnCreate and
<instance>/LifecycleConfigOnStart; JupyterLab's own log in <instance>/jupyter.log.

After an emulator restart an instance that was InService (or Pending) starts again: Pending, a new
container on its volume, OnStart run again (the instance's machine is a new one, as after a
reboot), then InService; one that was Stopping is Stopped, one Deleting is deleted.
"""

import base64
import binascii
import time
import uuid

from ...aws.errors import ValidationException
from ...execution.instances import lookup
from ..arns import arn
from ..images import NOTEBOOK_IMAGE
from ..resources import Kind, Resources
from . import signin
from .app_run import AppFailed, Hook
from .apps import AppHost, AppPlan, ResourceThreads

LOG_GROUP = "/aws/sagemaker/NotebookInstances"
RUNNER_KIND = "notebook-instance"
HOME = "/home/ec2-user"
DEFAULT_PLATFORM = "notebook-al2-v3"  # JupyterLab 4, as this image has
DEFAULT_VOLUME_GB = 5
HOOKS = ("OnCreate", "OnStart")

NOTEBOOK_INSTANCE = Kind(
    kind="notebook-instance", noun="notebook instance", prefix="NotebookInstance", list_key="NotebookInstances",
    summary=("NotebookInstanceName", "NotebookInstanceArn", "NotebookInstanceStatus", "Url", "InstanceType",
             "CreationTime", "LastModifiedTime", "NotebookInstanceLifecycleConfigName", "DefaultCodeRepository",
             "AdditionalCodeRepositories"),
    status="NotebookInstanceStatus",
    missing=lambda noun, name: ValidationException("RecordNotFound"),
    duplicate=lambda doc: ValidationException(f"Cannot create a duplicate Notebook Instance ({doc['NotebookInstanceArn']})"),
    default_order="Ascending",
    extra_filters={
        "NotebookInstanceLifecycleConfigNameContains":
            lambda d, v: v.lower() in d.get("NotebookInstanceLifecycleConfigName", "").lower(),
        "DefaultCodeRepositoryContains": lambda d, v: v in d.get("DefaultCodeRepository", ""),
        "AdditionalCodeRepositoryEquals": lambda d, v: v in d.get("AdditionalCodeRepositories", []),
    })

LIFECYCLE_CONFIG = Kind(
    kind="notebook-instance-lifecycle-config", noun="notebook instance lifecycle configuration",
    prefix="NotebookInstanceLifecycleConfig", list_key="NotebookInstanceLifecycleConfigs",
    summary=("NotebookInstanceLifecycleConfigName", "NotebookInstanceLifecycleConfigArn", "CreationTime",
             "LastModifiedTime"),
    sort_keys={"LastModifiedTime": "LastModifiedTime"},
    duplicate=lambda doc: ValidationException(
        f"Unable to create Notebook Instance Lifecycle Config {doc['NotebookInstanceLifecycleConfigArn']}. "
        "(Details: Notebook Instance Lifecycle Config already exists.)"))

# Members of CreateNotebookInstance kept as given (and what UpdateNotebookInstance may change).
_KEPT = ("InstanceType", "SubnetId", "SecurityGroupIds", "IpAddressType", "RoleArn", "KmsKeyId", "DirectInternetAccess",
         "VolumeSizeInGB", "AcceleratorTypes", "DefaultCodeRepository", "AdditionalCodeRepositories", "RootAccess",
         "PlatformIdentifier", "InstanceMetadataServiceConfiguration")
_UPDATABLE = ("InstanceType", "IpAddressType", "PlatformIdentifier", "RoleArn", "VolumeSizeInGB", "DefaultCodeRepository",
              "AdditionalCodeRepositories", "AcceleratorTypes", "RootAccess", "InstanceMetadataServiceConfiguration")
# Update's Disassociate* flags: each removes a member.
_DISASSOCIATE = {"DisassociateLifecycleConfig": "NotebookInstanceLifecycleConfigName",
                 "DisassociateAcceleratorTypes": "AcceleratorTypes",
                 "DisassociateDefaultCodeRepository": "DefaultCodeRepository",
                 "DisassociateAdditionalCodeRepositories": "AdditionalCodeRepositories"}


def check_transition(doc: dict, allowed: tuple[str, ...], target: str) -> None:
    status = doc["NotebookInstanceStatus"]
    if status not in allowed:
        raise ValidationException(f"Status ({status}) not in ([{', '.join(allowed)}]). Unable to transition to "
                                  f"({target}) for Notebook Instance ({doc['NotebookInstanceArn']}).")


def lifecycle_config_missing(config_arn: str, verb: str) -> ValidationException:
    return ValidationException(f"Unable to {verb} Notebook Instance Lifecycle Config '{config_arn}'. "
                               "(Details: Notebook Instance Lifecycle Config does not exist.)")


def checked_hooks(request: dict, name: str) -> dict:
    """OnCreate/OnStart as given, each Content checked to be base64 (what the instance decodes)."""
    hooks = {}
    for hook in HOOKS:
        if hook in request:
            for entry in request[hook]:
                try:
                    base64.b64decode(entry.get("Content", ""), validate=True)
                except (binascii.Error, ValueError):
                    raise ValidationException(f"The {hook} script of Notebook Instance Lifecycle Config {name} is not "
                                              "base64-encoded: a lifecycle script's Content is the script in base64") from None
            hooks[hook] = request[hook]
    return hooks


def _limit_text(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds % 60 == 0 else f"{seconds:g} seconds"


class NotebookInstances:
    """The instances' operations that start, stop and delete, on a thread per instance."""

    def __init__(self, store, apps: AppHost, region: str, account: str):
        self.instances = Resources(store, NOTEBOOK_INSTANCE)
        self.configs = Resources(store, LIFECYCLE_CONFIG)
        self.apps = apps
        self.region = region
        self.account = account
        self._in_thread = ResourceThreads("notebook-instance", self._fail).run

    def config_arn(self, name: str) -> str:
        return arn(self.region, self.account, LIFECYCLE_CONFIG.kind, name)

    def config(self, name: str, verb: str = "describe") -> dict:
        doc = self.configs.find(name)
        if doc is None:
            raise lifecycle_config_missing(self.config_arn(name), verb)
        return doc

    # -- operations --------------------------------------------------------------------------

    def create(self, request: dict) -> dict:
        name = request["NotebookInstanceName"]
        config = request.get("LifecycleConfigName")
        if config:
            self.config(config)
        now = time.time()
        doc = {"NotebookInstanceName": name, "NotebookInstanceArn": arn(self.region, self.account, "notebook-instance", name),
               "NotebookInstanceStatus": "Pending", "CreationTime": now, "LastModifiedTime": now,
               "DirectInternetAccess": "Enabled", "VolumeSizeInGB": DEFAULT_VOLUME_GB, "RootAccess": "Enabled",
               "PlatformIdentifier": DEFAULT_PLATFORM, "IpAddressType": "ipv4",
               **{k: request[k] for k in _KEPT if k in request},
               **({"NotebookInstanceLifecycleConfigName": config} if config else {}),
               # The emulator's own: never in an answer (the output shape has no such member).
               "Emulator": {"SigninKey": signin.new_key(), "OnCreateDone": False,
                            "Volume": f"smemu-notebook-{name.lower()}-{uuid.uuid4().hex[:8]}"}}
        self.instances.add(doc)
        self._in_thread(name, self._start, name)
        return doc

    def start(self, name: str) -> None:
        doc = self.instances.get(name)
        check_transition(doc, ("Stopped", "Failed"), "Pending")
        self.instances.update(name, lambda d: (d.update(NotebookInstanceStatus="Pending"), d.pop("FailureReason", None)))
        self._in_thread(name, self._start, name)

    def stop(self, name: str) -> None:
        doc = self.instances.get(name)
        check_transition(doc, ("InService",), "Stopping")
        self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Stopping"))
        self._in_thread(name, self._stop, name)

    def update(self, request: dict) -> None:
        name = request["NotebookInstanceName"]
        doc = self.instances.get(name)
        check_transition(doc, ("Stopped", "Failed"), "Updating")
        if request.get("LifecycleConfigName"):
            self.config(request["LifecycleConfigName"])
        size = request.get("VolumeSizeInGB")
        if size is not None and size < doc.get("VolumeSizeInGB", DEFAULT_VOLUME_GB):
            raise ValidationException(f"The volume size of a notebook instance cannot be decreased: "
                                      f"{name} has {doc.get('VolumeSizeInGB')} GB, {size} GB asked")

        def change(d):
            d.update({k: request[k] for k in _UPDATABLE if k in request})
            if request.get("LifecycleConfigName"):
                d["NotebookInstanceLifecycleConfigName"] = request["LifecycleConfigName"]
            for flag, member in _DISASSOCIATE.items():
                if request.get(flag):
                    d.pop(member, None)
        self.instances.update(name, change)

    def delete(self, name: str) -> None:
        doc = self.instances.get(name)
        check_transition(doc, ("Stopped", "Failed"), "Deleting")
        self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Deleting"))
        self._in_thread(name, self._delete, name)

    def presigned_url(self, name: str, session_seconds: int) -> str:
        doc = self.instances.get(name)
        port = doc["Emulator"].get("HostPort")
        if port is None:
            raise ValidationException(f"Notebook instance {name} has not been InService yet: its JupyterLab has no URL")
        host = doc["Url"].rsplit(":", 1)[0]
        token = signin.token(doc["Emulator"]["SigninKey"], name, time.time() + signin.URL_LIFETIME_SECONDS,
                             session_seconds)
        return f"http://{host}:{port}/lab?authToken={token}"

    def restore(self) -> None:
        """After a restart (see the module's docstring); containers a killed emulator left go first."""
        self.apps.remove_leftovers(RUNNER_KIND)
        for doc in self.instances.all():
            name, status = doc["NotebookInstanceName"], doc["NotebookInstanceStatus"]
            if status in ("Pending", "InService"):
                self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Pending"))
                self._in_thread(name, self._start, name)
            elif status in ("Stopping", "Updating"):
                self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Stopped"))
            elif status == "Deleting":
                self._in_thread(name, self._delete, name)

    # -- work ------------------------------------------------------------------------------------

    def _hooks(self, doc: dict) -> list[Hook]:
        config_name = doc.get("NotebookInstanceLifecycleConfigName")
        if not config_name:
            return []
        config = self.configs.find(config_name)
        if config is None:
            raise AppFailed(f"Notebook Instance Lifecycle Config '{self.config_arn(config_name)}' for Notebook Instance "
                            f"'{doc['NotebookInstanceArn']}' does not exist.")
        run = HOOKS if not doc["Emulator"]["OnCreateDone"] else ("OnStart",)
        return [Hook(hook, base64.b64decode(config[hook][0]["Content"])) for hook in run if config.get(hook)]

    def plan(self, doc: dict) -> AppPlan:
        name = doc["NotebookInstanceName"]
        own = doc["Emulator"]
        return AppPlan(
            key=name.lower(), kind=RUNNER_KIND, what="notebook instance's", image=NOTEBOOK_IMAGE,
            instance=lookup(doc["InstanceType"]), volume=own["Volume"], user="ec2-user", home=HOME,
            volume_path=f"{HOME}/SageMaker", base_url="/", resource=name, signin_key=own["SigninKey"],
            metadata={"ResourceArn": doc["NotebookInstanceArn"], "ResourceName": name},
            log_group=LOG_GROUP, stream_of=lambda channel: f"{name}/{channel}",
            root_access=doc.get("RootAccess", "Enabled") == "Enabled", host_port=own.get("HostPort"),
            extra_files={"/etc/opt/ml/sagemaker-notebook-instance-version.txt":
                         doc.get("PlatformIdentifier", DEFAULT_PLATFORM).encode()})

    def _start(self, name: str) -> None:
        doc = self.instances.get(name)
        config_arn = self.config_arn(doc.get("NotebookInstanceLifecycleConfigName", ""))
        limit = _limit_text(self.apps.lifecycle_seconds)

        def timed_out(hook: Hook) -> str:
            return (f"Notebook Instance Lifecycle Config '{config_arn}' for Notebook Instance '{doc['NotebookInstanceArn']}' "
                    f"took longer than {limit}. Please check your CloudWatch logs for more details if your Notebook "
                    "Instance has Internet access.")

        def failed(hook: Hook, code: int) -> str:
            return (f"Notebook Instance Lifecycle Config '{config_arn}' for Notebook Instance '{doc['NotebookInstanceArn']}' "
                    f"failed: its {hook.name} script exited with status {code}. Please check your CloudWatch logs for "
                    "more details if your Notebook Instance has Internet access.")
        try:
            plan = self.plan(doc)
            plan.hooks = self._hooks(doc)
            run = self.apps.run(plan, timed_out, failed, on_exit=lambda reason: self._died(name, reason))
        except AppFailed as exc:
            self._fail(name, str(exc))
            return
        url = run.container.url

        def serving(d):
            d.update(NotebookInstanceStatus="InService", Url=url.split("//", 1)[1])
            d.pop("FailureReason", None)
            d["Emulator"].update(OnCreateDone=True, HostPort=run.container.host_port)
        self.instances.update(name, serving)

    def _stop(self, name: str) -> None:
        self.apps.stop(name.lower())
        self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Stopped"))

    def _delete(self, name: str) -> None:
        self.apps.remove_storage(self.plan(self.instances.get(name)))
        self.instances.remove(name)

    def _died(self, name: str, reason: str) -> None:
        if self.apps.forget(name.lower()) is not None:
            self._fail(name, reason)

    def _fail(self, name: str, reason: str) -> None:
        try:
            self.instances.update(name, lambda d: d.update(NotebookInstanceStatus="Failed", FailureReason=reason[:1024]))
        except KeyError:
            pass
