"""Training's part of the container job life (lifecycle.py runs it).

Starting -> Downloading (channels, checkpoints) -> Training (the runner) -> Uploading
(model.tar.gz, output.tar.gz, checkpoints) -> Completed | Failed | Stopped. Every status
change goes through training.move, so what Describe shows is what happened.
"""

import logging
import re
import time

from ...backing.moto_services import MetricSink
from ...backing.objects import ObjectStore
from ...execution import contract
from ...execution.runner import HostSpec
from ...store import Store
from .. import images
from ..resources import Resources
from . import data, lifecycle
from .lifecycle import Container
from . import training
from .training import move

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
METRIC_NAMESPACE = "/aws/sagemaker/TrainingJobs"
TERMINAL_SECONDARY = {"Completed", "Failed", "Stopped", "MaxRuntimeExceeded"}


class MetricWatcher:
    """AlgorithmSpecification.MetricDefinitions applied to each log line, as SageMaker does."""

    def __init__(self, definitions: list[dict], publish=None):
        self.publish = publish  # (metric name, value, timestamp, host) -> None
        self.patterns = []
        for d in definitions:
            try:
                self.patterns.append((d["Name"], re.compile(d["Regex"])))
            except re.error:
                log.warning("metric %s: bad regex %r ignored", d["Name"], d["Regex"])
        self.latest: dict[str, dict] = {}
        self.series: dict[str, list[tuple[float, float]]] = {}

    def feed(self, line: str, timestamp: float, host: str = "algo-1") -> None:
        for name, pattern in self.patterns:
            match = pattern.search(line)
            if not match:
                continue
            try:
                value = float(match.group(1) if match.groups() else match.group(0))
            except (ValueError, IndexError):
                continue
            self.latest[name] = {"MetricName": name, "Value": value, "Timestamp": timestamp}
            self.series.setdefault(name, []).append((timestamp, value))
            if self.publish:
                self.publish(name, value, timestamp, host)

    def final(self) -> list[dict]:
        return [self.latest[name] for name, _ in self.patterns if name in self.latest]

    def fields(self) -> dict:
        return {"FinalMetricDataList": self.final()} if self.patterns else {}


class TrainingJobKind:
    """Training's part of the container job life (see lifecycle): hyperparameters and channels
    in, `train` run, model.tar.gz and output.tar.gz out, SecondaryStatus transitions."""
    runner_kind = "training"
    log_group = LOG_GROUP

    def __init__(self, store: Store, objects: ObjectStore, metrics: MetricSink):
        self.jobs = Resources(store, training.TRAINING_JOB)
        self.objects = objects
        self.metrics = metrics

    @staticmethod
    def new_document(request: dict, region: str, account: str, now: float) -> dict:
        return training.new_document(request, region, account, now)

    def container(self, doc: dict) -> Container:
        spec = doc["AlgorithmSpecification"]
        return Container(
            image=spec["TrainingImage"],
            command=spec.get("ContainerArguments") or (None if spec.get("ContainerEntrypoint") else ["train"]),
            entrypoint=spec.get("ContainerEntrypoint"),
            environment={"TRAINING_JOB_NAME": doc["TrainingJobName"], "TRAINING_JOB_ARN": doc["TrainingJobArn"],
                         **doc.get("Environment", {})},
            instance_type=doc["ResourceConfig"]["InstanceType"],
            instance_count=doc["ResourceConfig"]["InstanceCount"],
            max_runtime_seconds=doc["StoppingCondition"]["MaxRuntimeInSeconds"])

    def observer(self, doc: dict) -> "MetricWatcher":
        definitions = images.job_metric_definitions(doc["AlgorithmSpecification"], doc.get("HyperParameters", {}))
        return MetricWatcher(definitions, publish=self._metric_publisher(doc["TrainingJobName"]))

    def watch(self, doc: dict, hosts: list[HostSpec]) -> None:
        return None

    def record(self, name: str, stage: str, started: float | None = None, **fields) -> None:
        secondary = {lifecycle.RUNNING: "Training"}.get(stage, stage)
        now = time.time()
        if stage == lifecycle.DOWNLOADING:
            fields["TrainingStartTime"] = started
        elif secondary in TERMINAL_SECONDARY:
            fields["TrainingEndTime"] = now
            if started is not None:
                seconds = max(1, int(round(now - started)))
                fields.update(TrainingTimeInSeconds=seconds, BillableTimeInSeconds=seconds)
        move(self.jobs, name, secondary, **fields)

    def failure_reason(self, hosts: list[HostSpec], exit_code: int) -> str:
        return contract.failure_reason([h.layout for h in hosts], exit_code)

    def _metric_publisher(self, name: str):
        """Each match to CloudWatch as SageMaker publishes it: one series per job (what the SDK's
        TrainingJobAnalytics reads) and one per host."""
        def publish(metric: str, value: float, timestamp: float, host: str) -> None:
            self.metrics.put(METRIC_NAMESPACE, metric, value, timestamp,
                             [{"TrainingJobName": name}, {"Host": f"{name}/{host}"}])
        return publish

    # -- the platform's data movements -----------------------------------------------------

    def prepare(self, doc: dict, host_specs: list[HostSpec]) -> None:
        hosts = [h.host for h in host_specs]
        instance_type = doc["ResourceConfig"]["InstanceType"]
        channels = doc.get("InputDataConfig", [])
        mode = doc["AlgorithmSpecification"].get("TrainingInputMode", "File")
        for host_spec in host_specs:
            layout = host_spec.layout
            layout.create()
            contract.write_hyperparameters(layout, doc.get("HyperParameters", {}))
            contract.write_resource_config(layout, host_spec.host, hosts, instance_type)
            contract.write_input_data_config(layout, channels, mode)
        for channel in channels:
            name, source = channel["ChannelName"], channel["DataSource"]["S3DataSource"]
            data.fetch_input(self.objects, source["S3Uri"], source["S3DataType"],
                             source.get("S3DataDistributionType", "FullyReplicated"), host_specs,
                             lambda h, name=name: h.layout.channel_dir(name), contract.channel_path(name))
        checkpoint = doc.get("CheckpointConfig")
        if checkpoint:
            local = checkpoint.get("LocalPath", contract.CHECKPOINTS_PATH)
            objects = self.objects.prefix_objects(checkpoint["S3Uri"].rstrip("/") + "/")
            for host_spec in host_specs:
                self.objects.download(objects, host_spec.layout.checkpoints_dir)
                if local.rstrip("/") != contract.CHECKPOINTS_PATH:
                    host_spec.mounts.append((host_spec.layout.checkpoints_dir, local, False))

    def upload(self, doc: dict, hosts: list[HostSpec], outcome: str) -> dict:
        """A stopped job keeps its model, as on AWS; a failed one keeps only its output data."""
        with_model = outcome in (lifecycle.COMPLETED, lifecycle.STOPPED, lifecycle.MAX_RUNTIME)
        layouts = [h.layout for h in hosts]
        name = doc["TrainingJobName"]
        output = doc["OutputDataConfig"]
        base = output["S3OutputPath"].rstrip("/") + f"/{name}/output"
        compressed = output.get("CompressionType", "GZIP") != "NONE"
        staging = layouts[0].root.parent / "_upload"
        staging.mkdir(exist_ok=True)
        result = {}
        if with_model:
            if compressed:
                archive = staging / "model.tar.gz"
                data.tar_merged([l.model_dir for l in layouts], archive)
                self.objects.upload_file(archive, f"{base}/model.tar.gz")
                result["ModelArtifacts"] = {"S3ModelArtifacts": f"{base}/model.tar.gz"}
            else:
                for l in layouts:
                    self.objects.upload_tree(l.model_dir, f"{base}/model/")
                result["ModelArtifacts"] = {"S3ModelArtifacts": f"{base}/model/"}
        archive = staging / "output.tar.gz"
        data.tar_merged([l.output_data_dir for l in layouts], archive)
        self.objects.upload_file(archive, f"{base}/output.tar.gz")
        checkpoint = doc.get("CheckpointConfig")
        if checkpoint:
            for l in layouts:
                self.objects.upload_tree(l.checkpoints_dir, checkpoint["S3Uri"])
        return result

