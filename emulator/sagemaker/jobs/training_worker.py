"""Runs one training job through SageMaker's stages, on a thread of its own.

Starting -> Downloading (channels, checkpoints) -> Training (the runner) -> Uploading
(model.tar.gz, output.tar.gz, checkpoints) -> Completed | Failed | Stopped. Every status
change goes through training.move, so what Describe shows is what happened.
"""

import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...backing.moto_services import LogSink, MetricSink
from ...backing.objects import BadS3Uri, ObjectMissing, ObjectStore
from ...execution import contract, instances
from ...execution.runner import HostSpec, JobSpec, Runner, StartError
from ..images import resolve_image, version_notice
from ..resources import Resources
from . import data
from .training import move

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
METRIC_NAMESPACE = "/aws/sagemaker/TrainingJobs"


class JobStopped(Exception):
    pass


@dataclass
class _Control:
    stop_requested: threading.Event = field(default_factory=threading.Event)
    max_runtime_hit: threading.Event = field(default_factory=threading.Event)
    handle: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)


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


class TrainingWorker:
    runner_kind = "training"

    def __init__(self, jobs: Resources, objects: ObjectStore, logs: LogSink, metrics: MetricSink,
                 runner: Runner, work_dir: Path, platform_env: dict[str, str], stop_grace_seconds: int):
        self.jobs = jobs
        self.objects = objects
        self.logs = logs
        self.metrics = metrics
        self.runner = runner
        self.work_dir = work_dir
        self.platform_env = platform_env
        self.stop_grace_seconds = stop_grace_seconds
        self._controls: dict[str, _Control] = {}
        self._lock = threading.Lock()

    # -- the API's side -------------------------------------------------------------------

    def launch(self, name: str) -> None:
        with self._lock:
            self._controls[name] = _Control()
        threading.Thread(target=self._run, args=(name,), name=f"training-{name}", daemon=True).start()

    def request_stop(self, name: str) -> None:
        control = self._controls.get(name)
        if control is None:
            return
        control.stop_requested.set()
        with control.lock:
            handle = control.handle
        if handle is not None:
            threading.Thread(target=handle.stop, args=(self.stop_grace_seconds,), daemon=True).start()

    def mark_stopping(self, name: str) -> None:
        move(self.jobs, name, "Stopping")

    def finish(self, name: str, status: str, reason: str | None = None) -> None:
        self._finish(name, status, TrainingEndTime=time.time(), **({"FailureReason": reason} if reason else {}))

    # -- the job's side -------------------------------------------------------------------

    def _run(self, name: str) -> None:
        control = self._controls[name]
        job_dir = self.work_dir / name
        try:
            self._stages(name, control, job_dir)
        except Exception as exc:  # a job must end in a terminal state, whatever broke
            log.exception("training job %s failed inside the emulator", name)
            self._finish(name, "Failed", FailureReason=f"InternalServerError: {exc}"[:1024])
        finally:
            self._controls.pop(name, None)

    def _stages(self, name: str, control: _Control, job_dir: Path) -> None:
        doc = self.jobs.get(name)
        spec = doc["AlgorithmSpecification"]
        resources = doc["ResourceConfig"]
        instance = instances.lookup(resources["InstanceType"])
        hosts = contract.host_names(resources["InstanceCount"])
        started = time.time()

        move(self.jobs, name, "Downloading", TrainingStartTime=started)
        shutil.rmtree(job_dir, ignore_errors=True)
        host_specs = [HostSpec(h, contract.Layout(job_dir / h)) for h in hosts]
        try:
            self._prepare(doc, host_specs, instance.type)
        except (BadS3Uri, FileNotFoundError, ObjectMissing) as exc:
            self._finish(name, "Failed", started=started, FailureReason=f"ClientError: {exc}"[:1024])
            return
        if control.stop_requested.is_set():
            self._finish(name, "Stopped", started=started)
            return

        image = resolve_image(spec["TrainingImage"])
        job = JobSpec(
            name=name, kind=self.runner_kind, image=image,
            command=spec.get("ContainerArguments") or (None if spec.get("ContainerEntrypoint") else ["train"]),
            entrypoint=spec.get("ContainerEntrypoint"),
            environment={**self.platform_env, "TRAINING_JOB_NAME": name,
                         "TRAINING_JOB_ARN": doc["TrainingJobArn"], **doc.get("Environment", {})},
            hosts=host_specs, instance=instance)
        move(self.jobs, name, "Training")
        try:
            handle = self.runner.start(job)
        except StartError as exc:
            self._finish(name, "Failed", started=started, FailureReason=str(exc)[:1024])
            return
        with control.lock:
            control.handle = handle
        if control.stop_requested.is_set():
            handle.stop(self.stop_grace_seconds)

        metrics = MetricWatcher(spec.get("MetricDefinitions", []), publish=self._metric_publisher(name))
        sink = self._log_sink(name, hosts, started, metrics, first_line=version_notice(spec["TrainingImage"]))
        log_thread = threading.Thread(target=handle.follow_logs, args=(sink,), daemon=True)
        log_thread.start()
        max_runtime = doc["StoppingCondition"]["MaxRuntimeInSeconds"]
        timer = threading.Timer(max(0.0, started + max_runtime - time.time()),
                                self._max_runtime, args=(control, handle))
        timer.daemon = True
        timer.start()
        try:
            codes = handle.wait()
            log_thread.join(30)
        finally:
            timer.cancel()

        layouts = [h.layout for h in host_specs]
        final_metrics = {"FinalMetricDataList": metrics.final()} if metrics.patterns else {}
        stopped = control.max_runtime_hit.is_set() or control.stop_requested.is_set()
        lost = sorted(host for host, code in codes.items() if code is None)
        if lost or not codes:
            # The runner lost its containers (the engine restarted, someone killed them): what
            # they had written is kept in S3 as for a failed job, and the job fails.
            self._upload(doc, layouts, with_model=False)
            handle.remove()
            self._finish(name, "Failed", started=started, **final_metrics,
                         FailureReason=f"InternalServerError: the job's container on {', '.join(lost) or 'its hosts'} "
                                       "was stopped from outside the emulator (the container engine stopped or "
                                       "restarted, or a docker stop/kill); run the job again")
        elif stopped or all(code == 0 for code in codes.values()):
            # A stopped job keeps its model, as on AWS.
            outcome = ("MaxRuntimeExceeded" if control.max_runtime_hit.is_set()
                       else "Stopped" if stopped else "Completed")
            if not control.stop_requested.is_set():
                # A job being stopped stays Stopping while its model is saved: the status never goes back.
                move(self.jobs, name, "Uploading")
            artifacts = self._upload(doc, layouts, with_model=True)
            handle.remove()
            self._finish(name, outcome, started=started, **artifacts, **final_metrics)
        else:
            exit_code = next(code for code in codes.values() if code != 0)
            self._upload(doc, layouts, with_model=False)
            handle.remove()
            self._finish(name, "Failed", started=started, **final_metrics,
                         FailureReason=contract.failure_reason(layouts, exit_code))

    def _max_runtime(self, control: _Control, handle) -> None:
        control.max_runtime_hit.set()
        handle.stop(self.stop_grace_seconds)

    def _finish(self, name: str, secondary: str, started: float | None = None, **fields) -> None:
        now = time.time()
        if started is not None:
            seconds = max(1, int(round(now - started)))
            fields.update(TrainingEndTime=now, TrainingTimeInSeconds=seconds, BillableTimeInSeconds=seconds)
        move(self.jobs, name, secondary, **fields)

    def _log_sink(self, name: str, hosts: list[str], started: float, metrics: MetricWatcher,
                  first_line: str | None = None):
        """The emulator's own first_line, if any, opens each stream; metrics see only the job's."""
        streams = {h: f"{name}/{h}-{int(started)}" for h in hosts}
        for stream in streams.values():
            self.logs.open_stream(LOG_GROUP, stream)
            if first_line:
                self.logs.put(LOG_GROUP, stream, [first_line])

        def sink(host: str, line: str) -> None:
            now = time.time()
            self.logs.put(LOG_GROUP, streams[host], [line], int(now * 1000))
            metrics.feed(line, now, host)
        return sink

    def _metric_publisher(self, name: str):
        """Each match to CloudWatch as SageMaker publishes it: one series per job (what the SDK's
        TrainingJobAnalytics reads) and one per host."""
        def publish(metric: str, value: float, timestamp: float, host: str) -> None:
            self.metrics.put(METRIC_NAMESPACE, metric, value, timestamp,
                             [{"TrainingJobName": name}, {"Host": f"{name}/{host}"}])
        return publish

    # -- the platform's data movements -----------------------------------------------------

    def _prepare(self, doc: dict, host_specs: list[HostSpec], instance_type: str) -> None:
        hosts = [h.host for h in host_specs]
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

    def _upload(self, doc: dict, layouts: list[contract.Layout], with_model: bool) -> dict:
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

