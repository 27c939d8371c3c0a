"""The Endpoint resource and its life: Creating -> InService | Failed, Updating ->
InService (new containers healthy before old ones go), Deleting -> gone. While it is live,
a health monitor replaces an instance whose container exits or stops answering /ping,
as AWS replaces unhealthy instances.

What an endpoint runs is snapshotted when it is deployed (its config and models), so it
keeps serving, and comes back after a restart, even when those are deleted later, as on
AWS.
"""

import logging
import threading
import time

from ...aws.errors import ValidationException
from ...hosting.launcher import STOP_GRACE_SECONDS, LaunchRequest, Launcher, instance_for
from ...hosting.live import ContainerFailed, Deployment, LiveInstance, LiveVariant
from ...hosting.serverless import ServerlessPool
from ..arns import arn
from .models import serving_container
from ..resources import Kind, Resources

log = logging.getLogger(__name__)

ENDPOINT = Kind(kind="endpoint", noun="endpoint", prefix="Endpoint", list_key="Endpoints",
                summary=("EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus"),
                status="EndpointStatus")
SNAPSHOT_KIND = "endpoint-deployment"  # {"Config": ..., "Models": {...}} per live endpoint
IN_PROGRESS = ("Creating", "Updating", "SystemUpdating", "Deleting")
DRAIN_SECONDS = 60  # an old container finishes the requests it has before it stops
REPLACE_RETRY_MAX_SECONDS = 30  # a replacement that could not start is tried again, backing off to this


def log_group(endpoint: str) -> str:
    return f"/aws/sagemaker/Endpoints/{endpoint}"


def new_document(name: str, config: dict, region: str, account: str, now: float) -> dict:
    doc = {"EndpointName": name, "EndpointArn": arn(region, account, "endpoint", name),
           "EndpointConfigName": config["EndpointConfigName"], "EndpointStatus": "Creating",
           "CreationTime": now, "LastModifiedTime": now}
    _describe_extras(doc, config)
    return doc


def _describe_extras(doc: dict, config: dict) -> None:
    for member in ("AsyncInferenceConfig", "ExplainerConfig", "MetricsConfig"):
        doc.pop(member, None)
        if member in config:
            doc[member] = config[member]
    capture = config.get("DataCaptureConfig")
    doc.pop("DataCaptureConfig", None)
    if capture:
        doc["DataCaptureConfig"] = {
            "EnableCapture": capture.get("EnableCapture", True),
            "CaptureStatus": "Started" if capture.get("EnableCapture", True) else "Stopped",
            "CurrentSamplingPercentage": capture["InitialSamplingPercentage"],
            "DestinationS3Uri": capture["DestinationS3Uri"],
            **({"KmsKeyId": capture["KmsKeyId"]} if capture.get("KmsKeyId") else {})}


def variant_summaries(config: dict, images: dict[str, tuple[str, str]], now: float) -> list[dict]:
    summaries = []
    for variant in config["ProductionVariants"]:
        specified, resolved = images[variant["VariantName"]]
        summary = {"VariantName": variant["VariantName"],
                   "DeployedImages": [{"SpecifiedImage": specified, "ResolvedImage": resolved,
                                       "ResolutionTime": now}],
                   "CurrentWeight": variant["InitialVariantWeight"],
                   "DesiredWeight": variant["InitialVariantWeight"]}
        if variant.get("ServerlessConfig"):
            summary["CurrentServerlessConfig"] = summary["DesiredServerlessConfig"] = variant["ServerlessConfig"]
        else:
            summary["CurrentInstanceCount"] = summary["DesiredInstanceCount"] = variant["InitialInstanceCount"]
        summaries.append(summary)
    return summaries


class EndpointService:
    def __init__(self, endpoints: Resources, launcher: Launcher, serverless_idle_seconds: float,
                 health_check_seconds: float):
        self.endpoints = endpoints
        self.store = endpoints.store
        self.launcher = launcher
        self.serverless_idle_seconds = serverless_idle_seconds
        self.health_check_seconds = health_check_seconds
        self.live: dict[str, Deployment] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._closed = threading.Event()
        threading.Thread(target=self._monitor, daemon=True, name="endpoint-health").start()

    # -- operations (each returns at once; the work goes on in a thread) -------------

    def create(self, doc: dict, config: dict, models: dict[str, dict]) -> None:
        self.endpoints.add(doc)
        self._in_thread(doc["EndpointName"], self._deploy, doc["EndpointName"], config, models, "Creating")

    def update(self, name: str, config: dict, models: dict[str, dict]) -> None:
        def start(doc):
            doc["EndpointStatus"] = "Updating"
            doc.pop("FailureReason", None)
            doc["PendingDeploymentSummary"] = {
                "EndpointConfigName": config["EndpointConfigName"], "StartTime": time.time(),
                "ProductionVariants": [{"VariantName": v["VariantName"], "VariantStatus": [
                    {"Status": "Creating", "StartTime": time.time()}]} for v in config["ProductionVariants"]]}
        self.endpoints.update(name, start)
        self._in_thread(name, self._deploy, name, config, models, "Updating")

    def delete(self, name: str) -> None:
        self.endpoints.update(name, lambda d: d.update(EndpointStatus="Deleting"))
        self._in_thread(name, self._delete, name)

    def restore(self) -> None:
        """After a restart: redeploy what was live (SystemUpdating, as AWS shows for
        platform work), finish deletes, and fail what was half created. Containers an
        emulator that did not shut down cleanly left go first."""
        self.launcher.remove_leftovers("endpoint")
        for doc in self.endpoints.all():
            name, status = doc["EndpointName"], doc["EndpointStatus"]
            snapshot = self.store.get(SNAPSHOT_KIND, name)
            if status == "Deleting":
                self._delete(name)
            elif status == "Failed":
                continue
            elif snapshot is None:
                self._fail(name, "InternalServerError: the emulator stopped while this endpoint was being created")
            else:
                self.endpoints.update(name, lambda d: d.update(EndpointStatus="SystemUpdating"))
                self._in_thread(name, self._deploy, name, snapshot["Config"], snapshot["Models"], "SystemUpdating")

    def close(self) -> None:
        self._closed.set()  # before the deployments are read: see _replace
        for name, deployment in list(self.live.items()):
            deployment.stop(grace_seconds=5)
            self.live.pop(name, None)

    # -- work ------------------------------------------------------------------------

    def _lock(self, name: str) -> threading.Lock:
        return self._locks.setdefault(name, threading.Lock())

    def _in_thread(self, name: str, target, *args) -> None:
        lock = self._lock(name)

        def run():
            with lock:
                try:
                    target(*args)
                except Exception as exc:  # a bug must not leave the endpoint Creating forever
                    log.exception("endpoint %s", name)
                    self._fail(name, f"InternalServerError: {type(exc).__name__}: {exc}")
        threading.Thread(target=run, daemon=True, name=f"endpoint-{name}").start()

    def _deploy(self, name: str, config: dict, models: dict[str, dict], why: str) -> None:
        try:
            deployment = self.build(name, config, models)
        except ContainerFailed as exc:
            reason = str(exc)[:1024]
            if why == "Updating":
                # The old containers never stopped serving: back to InService, reason kept.
                self.endpoints.update(name, lambda d: (d.update(EndpointStatus="InService", FailureReason=reason),
                                                       d.pop("PendingDeploymentSummary", None)))
            else:
                self._fail(name, reason)
            return
        images = {v["VariantName"]: self._images(models[v["ModelName"]]) for v in config["ProductionVariants"]}
        old = self.live.get(name)
        self.live[name] = deployment  # from here invocations reach the new containers
        self.store.insert_or_replace(SNAPSHOT_KIND, name, {"CreationTime": time.time(), "Config": config,
                                                           "Models": models})

        def done(doc):
            doc.update(EndpointStatus="InService", EndpointConfigName=config["EndpointConfigName"],
                       ProductionVariants=variant_summaries(config, images, time.time()))
            doc.pop("PendingDeploymentSummary", None)
            doc.pop("FailureReason", None)
            _describe_extras(doc, config)
        self.endpoints.update(name, done)
        if old is not None:
            old.stop(STOP_GRACE_SECONDS, drain_seconds=DRAIN_SECONDS)

    def _images(self, model: dict) -> tuple[str, str]:
        container, local = serving_container(model)
        return container["Image"], self.launcher.resolved_image(local)

    def build(self, name: str, config: dict, models: dict[str, dict]) -> Deployment:
        """Start every variant's containers and wait until each answers /ping."""
        variants, errors, threads = [], [], []

        def start(live: LiveVariant, count: int) -> None:
            try:
                live.instances.extend(self.launcher.launch_many(live.request, count))
            except ContainerFailed as exc:
                errors.append(exc)
        for variant in config["ProductionVariants"]:
            model = models[variant["ModelName"]]
            container, image = serving_container(model)
            request = LaunchRequest(
                owner=name, kind="endpoint", variant=variant["VariantName"], container=container, image=image,
                instance=instance_for(variant), log_group=log_group(name),
                startup_timeout=variant.get("ContainerStartupHealthCheckTimeoutInSeconds", 600),
                download_timeout=variant.get("ModelDataDownloadTimeoutInSeconds", 600))
            live = LiveVariant(variant["VariantName"], variant["InitialVariantWeight"], [], request=request)
            serverless = variant.get("ServerlessConfig")
            if serverless:
                live.serverless = ServerlessPool(lambda r=request: self.launcher.launch(r),
                                                 serverless["MaxConcurrency"], self.serverless_idle_seconds,
                                                 STOP_GRACE_SECONDS)
            else:
                threads.append(threading.Thread(target=start, args=(live, variant["InitialInstanceCount"]),
                                                daemon=True, name=f"start-{name}-{variant['VariantName']}"))
            variants.append(live)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deployment = Deployment(config["EndpointConfigName"], variants, config)
        if errors:
            deployment.stop(grace_seconds=1)  # the variants that did start
            raise errors[0]
        return deployment

    # -- health: instances that fail are replaced -------------------------------------

    def _monitor(self) -> None:
        while not self._closed.wait(self.health_check_seconds):
            for name, deployment in list(self.live.items()):
                try:
                    self._check(name, deployment)
                except Exception:  # a bug must not end the monitor for every endpoint
                    log.exception("health check of endpoint %s", name)

    def _check(self, name: str, deployment: Deployment) -> None:
        for variant in deployment.variants:
            if variant.serverless is not None:
                self._check_warm(variant)
                continue
            for instance in variant.instances:
                if instance.replacing:
                    continue
                if instance.replace_attempts:  # its replacement could not start: again, after a back-off
                    if time.monotonic() >= instance.next_replace_at:
                        self._start_replacement(name, deployment, variant, instance)
                    continue
                reason = instance.health_check(self.health_check_seconds)
                if reason:
                    log.warning("endpoint %s: instance %s failed its health check (%s): replacing it",
                                name, instance.id, reason)
                    instance.failure = reason
                    self._start_replacement(name, deployment, variant, instance)

    def _check_warm(self, variant: LiveVariant) -> None:
        warm = variant.serverless.instance
        if warm is None or not warm.healthy:
            return
        reason = warm.health_check(self.health_check_seconds)
        if reason and variant.serverless.instance is warm:  # not stopped as idle meanwhile
            self.launcher.note(variant.request, warm, f"Instance {warm.id} failed its health check: {reason}. "
                                                      "The next invocation starts a new one.")
            # In a thread: dropping it waits for a cold start that may be under way.
            threading.Thread(target=variant.serverless.discard, args=(warm,), daemon=True).start()

    def _start_replacement(self, name: str, deployment: Deployment, variant: LiveVariant,
                           failed: LiveInstance) -> None:
        failed.healthy, failed.replacing = False, True
        threading.Thread(target=self._replace, args=(name, deployment, variant, failed), daemon=True,
                         name=f"replace-{failed.id}").start()

    def _replace(self, name: str, deployment: Deployment, variant: LiveVariant, failed: LiveInstance) -> None:
        """Start a new instance, then put it in the failed one's place under the endpoint's
        lock, so that an update or delete sees either the failed instance or its replacement."""
        try:
            new = self.launcher.relaunch(variant.request, failed, failed.failure)
        except Exception as exc:
            # The engine may be away (restarting), or the model fail to start: try again later.
            if not isinstance(exc, ContainerFailed):
                log.exception("endpoint %s: replacing instance %s", name, failed.id)
            failed.replace_attempts += 1
            failed.next_replace_at = time.monotonic() + min(REPLACE_RETRY_MAX_SECONDS, 2 ** failed.replace_attempts)
            failed.replacing = False
            return
        with self._lock(name):
            placed = self.live.get(name) is deployment and not self._closed.is_set() and variant.swap(failed, new)
        # close() sets _closed before it reads the deployments: a swap it could have missed is seen here.
        if not placed or self._closed.is_set():
            new.stop(grace_seconds=1)  # the endpoint was updated, deleted or closed meanwhile

    def _delete(self, name: str) -> None:
        deployment = self.live.pop(name, None)  # from here no invocation reaches it
        if deployment is not None:
            # The containers get SIGTERM (SIGKILL after the grace period) and go; nothing can
            # reach them any more, so the endpoint is gone without waiting for them.
            threading.Thread(target=deployment.stop, args=(STOP_GRACE_SECONDS,), daemon=True,
                             name=f"stop-{name}").start()
        self.store.delete(SNAPSHOT_KIND, name)
        self.endpoints.remove(name)

    def _fail(self, name: str, reason: str) -> None:
        def failed(doc):
            doc.update(EndpointStatus="Failed", FailureReason=reason[:1024])
            doc.pop("PendingDeploymentSummary", None)
        try:
            self.endpoints.update(name, failed)
        except KeyError:
            pass


def check_can_update(doc: dict) -> None:
    status = doc["EndpointStatus"]
    if status == "Failed":
        raise ValidationException(f'Cannot update failed endpoint "{doc["EndpointArn"]}". '
                                  "Delete it and create it again.")
    if status != "InService":
        raise ValidationException(f'Cannot update in-progress endpoint "{doc["EndpointArn"]}".')


def check_can_delete(doc: dict) -> None:
    if doc["EndpointStatus"] in ("Creating", "Updating", "SystemUpdating", "Deleting"):
        raise ValidationException(f'Cannot delete in-progress endpoint "{doc["EndpointArn"]}".')
