"""Processing's part of the container job life (lifecycle.py runs it).

Each host gets /opt/ml/config/processingjobconfig.json and resourceconfig.json, and every
ProcessingInput downloaded to its LocalPath; the image runs as `docker run [--entrypoint
ContainerEntrypoint] ImageUri [ContainerArguments]`; each ProcessingOutput's LocalPath is
uploaded to its S3Uri (Continuous ones also while the job runs); /opt/ml/output/message
becomes ExitMessage.
"""

import gzip
import logging
import shutil
import threading
import time
from pathlib import Path

from ...backing.moto_services import MetricSink
from ...backing.objects import ObjectStore
from ...execution import contract
from ...execution.runner import HostSpec
from ...store import Store
from ..resources import Resources
from . import data, lifecycle, processing
from .lifecycle import Container, InputError

log = logging.getLogger(__name__)

EXIT_MESSAGE_LIMIT = 1024
CONTINUOUS_UPLOAD_SECONDS = 1.0  # how often Continuous outputs are looked at while the job runs
# A processing job's outcome -> its ProcessingJobStatus (one that ran out of time is Stopped).
_STATUS = {lifecycle.STOPPING: "Stopping", lifecycle.COMPLETED: "Completed", lifecycle.FAILED: "Failed",
           lifecycle.STOPPED: "Stopped", lifecycle.MAX_RUNTIME: "Stopped"}
_TERMINAL = {"Completed", "Failed", "Stopped"}


class ProcessingJobKind:
    runner_kind = "processing"
    log_group = processing.LOG_GROUP
    new_document = staticmethod(processing.new_document)

    def __init__(self, store: Store, objects: ObjectStore, metrics: MetricSink):
        self.jobs = Resources(store, processing.PROCESSING_JOB)
        self.objects = objects

    def container(self, doc: dict) -> Container:
        app = doc["AppSpecification"]
        cluster = doc["ProcessingResources"]["ClusterConfig"]
        return Container(image=app["ImageUri"], command=app.get("ContainerArguments"),
                         entrypoint=app.get("ContainerEntrypoint"), environment=dict(doc.get("Environment", {})),
                         instance_type=cluster["InstanceType"], instance_count=cluster["InstanceCount"],
                         max_runtime_seconds=doc["StoppingCondition"]["MaxRuntimeInSeconds"])

    def observer(self, doc: dict) -> None:
        return None

    def watch(self, doc: dict, hosts: list[HostSpec]):
        outputs = [o for o in _outputs(doc) if o["S3Output"]["S3UploadMode"] == "Continuous"]
        return ContinuousUpload(self.objects, outputs, hosts).stop if outputs else None

    def record(self, name: str, stage: str, started: float | None = None, **fields) -> None:
        status = _STATUS.get(stage)
        if stage == lifecycle.DOWNLOADING:
            fields["ProcessingStartTime"] = started
        if status in _TERMINAL:
            fields["ProcessingEndTime"] = time.time()
        self.jobs.update(name, lambda d: d.update(fields, **({"ProcessingJobStatus": status} if status else {})))

    def prepare(self, doc: dict, hosts: list[HostSpec]) -> None:
        names = [h.host for h in hosts]
        instance_type = doc["ProcessingResources"]["ClusterConfig"]["InstanceType"]
        config = job_config(doc)
        for host in hosts:
            layout = host.layout
            layout.create()
            layout.processing_config_dir.mkdir(parents=True, exist_ok=True)
            contract.write_processing_job_config(layout, config)
            contract.write_resource_config(layout, host.host, names, instance_type, layout.processing_config_dir)
            for output in _outputs(doc):
                # Output folders exist before the container starts, as SageMaker makes them.
                local = output["S3Output"]["LocalPath"]
                layout.host_path(local).mkdir(parents=True, exist_ok=True)
                host.outputs.append(local)
                if output["S3Output"]["S3UploadMode"] == "Continuous":
                    host.live_outputs.append(local)  # ContinuousUpload reads it while the job runs
        for item in doc.get("ProcessingInputs", []):
            s3 = item["S3Input"]
            data.fetch_input(self.objects, s3["S3Uri"], s3["S3DataType"], s3["S3DataDistributionType"], hosts,
                             lambda h, path=s3["LocalPath"]: h.layout.host_path(path), s3["LocalPath"])
            if s3["S3CompressionType"] == "Gzip":
                for host in hosts:
                    _gunzip_tree(host.layout.host_path(s3["LocalPath"]))

    def upload(self, doc: dict, hosts: list[HostSpec], outcome: str) -> dict:
        """Outputs are kept for a job that completed or was stopped; every end reads the hosts'
        /opt/ml/output/message into ExitMessage."""
        if outcome in (lifecycle.COMPLETED, lifecycle.STOPPED, lifecycle.MAX_RUNTIME):
            for output in _outputs(doc):
                for host in hosts:  # several hosts write to the one S3Uri; a later host's file wins a clash
                    self.objects.upload_tree(host.layout.host_path(output["S3Output"]["LocalPath"]),
                                             output["S3Output"]["S3Uri"])
        return exit_message(hosts)

    def failure_reason(self, hosts: list[HostSpec], exit_code: int) -> str:
        return "AlgorithmError: See job logs for more information"


def _outputs(doc: dict) -> list[dict]:
    return doc.get("ProcessingOutputConfig", {}).get("Outputs", [])


def job_config(doc: dict) -> dict:
    """processingjobconfig.json: the request as SageMaker stores it, absent members as null."""
    config = {k: doc[k] for k in ("ProcessingJobArn", "ProcessingJobName", "Environment", "ProcessingInputs",
                                  "RoleArn", "StoppingCondition", "NetworkConfig", "ExperimentConfig") if k in doc}
    app = doc["AppSpecification"]
    config["AppSpecification"] = {"ImageUri": app["ImageUri"], "ContainerEntrypoint": app.get("ContainerEntrypoint"),
                                  "ContainerArguments": app.get("ContainerArguments")}
    if "ProcessingOutputConfig" in doc:
        config["ProcessingOutputConfig"] = {"KmsKeyId": None, **doc["ProcessingOutputConfig"]}
    config["ProcessingResources"] = {"ClusterConfig": {"VolumeKmsKeyId": None,
                                                       **doc["ProcessingResources"]["ClusterConfig"]}}
    return config


def exit_message(hosts: list[HostSpec]) -> dict:
    """ExitMessage: the hosts' /opt/ml/output/message files, concatenated, cut to 1 KB; a job
    whose message is not UTF-8 fails with a ClientError, as on AWS."""
    raw = b"".join(h.layout.message_file.read_bytes() for h in hosts if h.layout.message_file.is_file())
    if not raw:
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"FailureReason": "ClientError: /opt/ml/output/message is not UTF-8 text"}
    return {"ExitMessage": text[:EXIT_MESSAGE_LIMIT]}


def _gunzip_tree(folder: Path) -> None:
    """Gzip inputs (S3CompressionType Gzip) decompressed in place: x.csv.gz -> x.csv."""
    for path in [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]:
        target = path.with_suffix("") if path.suffix == ".gz" else path
        try:
            with gzip.open(path) as source, open(f"{target}.part", "wb") as sink:
                shutil.copyfileobj(source, sink)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path.name} is not gzip data ({exc})")
        path.unlink()
        Path(f"{target}.part").rename(target)


class ContinuousUpload:
    """S3UploadMode Continuous: what appears or changes in the outputs' LocalPaths is uploaded
    while the job runs, and once more as it ends."""

    def __init__(self, objects: ObjectStore, outputs: list[dict], hosts: list[HostSpec]):
        self.objects = objects
        self.outputs = outputs
        self.hosts = hosts
        self._seen: dict[Path, tuple[int, int]] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="continuous-upload")
        self._thread.start()

    def _loop(self) -> None:
        while not self._done.wait(CONTINUOUS_UPLOAD_SECONDS):
            try:
                self.sweep()
            except Exception:  # the next sweep, or the one at the end, tries again
                log.exception("continuous upload")

    def sweep(self) -> None:
        for output in self.outputs:
            s3 = output["S3Output"]
            for host in self.hosts:
                root = host.layout.host_path(s3["LocalPath"])
                for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                    stat = path.stat()
                    if self._seen.get(path) == (stat.st_mtime_ns, stat.st_size):
                        continue
                    self._seen[path] = (stat.st_mtime_ns, stat.st_size)
                    self.objects.upload_file(path, s3["S3Uri"].rstrip("/") + "/" + path.relative_to(root).as_posix())

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        self.sweep()
