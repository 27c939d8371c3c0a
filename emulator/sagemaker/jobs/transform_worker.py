"""Runs one batch transform job: containers up, inputs split into requests, outputs to S3.

Each input object X gives <S3OutputPath>/<X relative to the input prefix>.out, written
only when the whole object succeeded; objects are shared across instances by key and
each instance takes MaxConcurrentTransforms requests at a time. Settings come from the
request, else the container's GET /execution-parameters, else SageMaker's defaults.
"""

import http.client
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor


from ...backing.objects import ObjectStore
from ...execution.instances import lookup
from ...hosting import filters
from ...hosting.launcher import STOP_GRACE_SECONDS, LaunchRequest, Launcher
from ...hosting.live import ContainerFailed, LiveInstance
from ..inference.models import serving_container
from ..resources import Resources
from . import transform
from .transform import LOG_GROUP

log = logging.getLogger(__name__)

DEFAULTS = {"MaxConcurrentTransforms": 1, "MaxPayloadInMB": 6, "BatchStrategy": "MultiRecord"}
_STRATEGY_ENV = {"SingleRecord": "SINGLE_RECORD", "MultiRecord": "MULTI_RECORD"}


class JobFailed(Exception):
    pass


class TransformWorker:
    runner_kind = "transform"

    def __init__(self, jobs: Resources, models: Resources, objects: ObjectStore, launcher: Launcher):
        self.jobs = jobs
        self.models = models
        self.objects = objects
        self.launcher = launcher
        self._stops: dict[str, threading.Event] = {}

    def new_document(self, request: dict, region: str, account: str, now: float) -> dict:
        self.models.get(request["ModelName"])
        return transform.new_document(request, region, account, now)

    def launch(self, name: str) -> None:
        self._stops[name] = threading.Event()
        threading.Thread(target=self._run, args=(name,), daemon=True, name=f"transform-{name}").start()

    def request_stop(self, name: str) -> None:
        if name in self._stops:
            self._stops[name].set()

    def _run(self, name: str) -> None:
        doc = self.jobs.get(name)
        stop = self._stops[name]
        self.jobs.update(name, lambda d: d.update(TransformStartTime=time.time()))
        instances: list[LiveInstance] = []
        try:
            model = self.models.find(doc["ModelName"])
            if model is None:
                raise JobFailed(f'ClientError: Could not find model "{doc["ModelName"]}".')
            instances = self._start(doc, model)
            settings = self._settings(doc, instances[0])
            self._transform(doc, settings, instances, stop)
            final = ("Stopped", None) if stop.is_set() else ("Completed", None)
        except (JobFailed, ContainerFailed) as exc:
            final = ("Stopped", None) if stop.is_set() else ("Failed", str(exc)[:1024])
        except Exception as exc:
            log.exception("transform job %s", name)
            final = ("Failed", f"InternalServerError: {type(exc).__name__}: {exc}"[:1024])
        finally:
            for instance in instances:
                instance.stop(STOP_GRACE_SECONDS)
        self.finish(name, *final)
        self._stops.pop(name, None)

    def mark_stopping(self, name: str) -> None:
        self.jobs.update(name, lambda d: d.update(TransformJobStatus="Stopping"))

    def finish(self, name: str, status: str, reason: str | None = None) -> None:
        def finished(d):
            d.update(TransformJobStatus=status, TransformEndTime=time.time())
            if reason:
                d["FailureReason"] = reason
        self.jobs.update(name, finished)

    def _start(self, doc: dict, model: dict) -> list[LiveInstance]:
        env = {"SAGEMAKER_BATCH": "true", **doc.get("Environment", {})}
        if doc.get("MaxPayloadInMB") is not None:
            env["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = str(doc["MaxPayloadInMB"])
        if doc.get("BatchStrategy"):
            env["SAGEMAKER_BATCH_STRATEGY"] = _STRATEGY_ENV[doc["BatchStrategy"]]
        if doc.get("MaxConcurrentTransforms"):
            env["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = str(doc["MaxConcurrentTransforms"])
        resources = doc["TransformResources"]
        container, image = serving_container(model)
        request = LaunchRequest(owner=doc["TransformJobName"], kind=self.runner_kind, variant=doc["TransformJobName"],
                                container=container, image=image, instance=lookup(resources["InstanceType"]), log_group=LOG_GROUP,
                                extra_env=env)
        return self.launcher.launch_many(request, resources["InstanceCount"])

    def _settings(self, doc: dict, instance: LiveInstance) -> dict:
        settings = dict(DEFAULTS)
        try:
            with instance.exchange("GET", "/execution-parameters", 5) as answer:
                status, data = answer.status, answer.read()
            if status == 200:
                offered = json.loads(data)
                strategy = {"SINGLE_RECORD": "SingleRecord", "MULTI_RECORD": "MultiRecord"}
                for key in ("MaxConcurrentTransforms", "MaxPayloadInMB"):
                    if isinstance(offered.get(key), int) and offered[key] > 0:
                        settings[key] = offered[key]
                if offered.get("BatchStrategy") in strategy:
                    settings["BatchStrategy"] = strategy[offered["BatchStrategy"]]
        except (OSError, http.client.HTTPException, ValueError):
            pass
        for key in DEFAULTS:
            if doc.get(key):
                settings[key] = doc[key]
        settings["Timeout"] = doc.get("ModelClientConfig", {}).get("InvocationsTimeoutInSeconds", 600)
        settings["Retries"] = doc.get("ModelClientConfig", {}).get("InvocationsMaxRetries", 3)
        return settings

    def _objects(self, doc: dict) -> list[tuple[str, str, str]]:
        source = doc["TransformInput"]["DataSource"]["S3DataSource"]
        try:
            if source["S3DataType"] == "ManifestFile":
                return self.objects.manifest_objects(source["S3Uri"])
            return self.objects.prefix_objects(source["S3Uri"])
        except Exception as exc:
            raise JobFailed(f"ClientError: could not list the input {source['S3Uri']}: {exc}")

    def _transform(self, doc: dict, settings: dict, instances: list[LiveInstance], stop: threading.Event) -> None:
        objects = self._objects(doc)
        if not objects:
            raise JobFailed(f"ClientError: no input objects found at "
                            f"{doc['TransformInput']['DataSource']['S3DataSource']['S3Uri']}")
        pools = [ThreadPoolExecutor(max_workers=settings["MaxConcurrentTransforms"]) for _ in instances]
        try:
            futures = [pools[i % len(instances)].submit(self._one_object, doc, settings, instances[i % len(instances)],
                                                        obj, stop)
                       for i, obj in enumerate(objects)]
            for future in futures:
                future.result()
        finally:
            for pool in pools:
                pool.shutdown(cancel_futures=True)

    def _one_object(self, doc: dict, settings: dict, instance: LiveInstance, obj: tuple[str, str, str],
                    stop: threading.Event) -> None:
        if stop.is_set():
            return
        bucket, key, relative = obj
        body = self.objects.read(f"s3://{bucket}/{key}")
        transform_input, output = doc["TransformInput"], doc["TransformOutput"]
        processing = doc.get("DataProcessing", {})
        csv_format = filters.is_csv(transform_input.get("ContentType"))
        limit = settings["MaxPayloadInMB"] * 1024 * 1024 if settings["MaxPayloadInMB"] else None
        if transform_input["SplitType"] == "None":
            if limit and len(body) > limit:
                raise JobFailed(f"ClientError: {key} is {len(body)} bytes, more than MaxPayloadInMB "
                                f"({settings['MaxPayloadInMB']} MB); split it with SplitType Line")
            records, inputs = [body], [None]
        else:
            lines = [line for line in body.split(b"\n") if line.strip()]
            inputs = [filters.parse_record(line, csv_format) for line in lines] if processing else [None] * len(lines)
            try:
                records = [filters.render_record(filters.select(value, processing.get("InputFilter", "$")), csv_format)
                           if processing else line for value, line in zip(inputs, lines)]
            except filters.FilterError as exc:
                raise JobFailed(f"ClientError: InputFilter on {key}: {exc}")
        outputs = []
        for batch in self._batches(records, settings, limit):
            answer = self._invoke(instance, b"\n".join(batch), transform_input.get("ContentType"),
                                  output.get("Accept"), settings, key)
            if len(batch) == 1:
                outputs.append(answer)
            else:
                parts = [p for p in answer.split(b"\n") if p.strip()]
                if processing.get("JoinSource") == "Input" and len(parts) != len(batch):
                    raise JobFailed(f"ClientError: the model answered {len(parts)} records for {len(batch)} "
                                    f"in {key}; JoinSource needs one output line per input record")
                outputs.extend(parts if output["AssembleWith"] == "Line" else [answer])
        if processing.get("JoinSource") == "Input" or processing.get("OutputFilter"):
            try:
                outputs = [self._post_process(value, out, processing, csv_format) for value, out in zip(inputs, outputs)]
            except (filters.FilterError, ValueError) as exc:
                raise JobFailed(f"ClientError: OutputFilter on {key}: {exc}")
        if output["AssembleWith"] == "Line":
            result = b"".join(o.rstrip(b"\n") + b"\n" for o in outputs)
        else:
            result = b"".join(outputs)
        self.objects.write(f"{output['S3OutputPath'].rstrip('/')}/{relative}.out", result)

    @staticmethod
    def _post_process(input_value, output: bytes, processing: dict, csv_format: bool) -> bytes:
        value = filters.join(input_value, output, csv_format) if processing.get("JoinSource") == "Input" \
            else filters.parse_record(output, csv_format)
        return filters.render_record(filters.select(value, processing.get("OutputFilter", "$")), csv_format)

    @staticmethod
    def _batches(records: list[bytes], settings: dict, limit: int | None):
        if settings["BatchStrategy"] == "SingleRecord":
            for record in records:
                yield [record]
            return
        batch, size = [], 0
        for record in records:
            if batch and limit and size + len(record) + 1 > limit:
                yield batch
                batch, size = [], 0
            batch.append(record)
            size += len(record) + 1
        if batch:
            yield batch

    @staticmethod
    def _invoke(instance: LiveInstance, body: bytes, content_type, accept, settings: dict, key: str) -> bytes:
        headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
        last = None
        for _ in range(settings["Retries"] + 1):
            try:
                with instance.exchange("POST", "/invocations", settings["Timeout"], body, headers) as answer:
                    status, data = answer.status, answer.read()
            except (OSError, http.client.HTTPException) as exc:
                last = f"no answer from the model container: {exc}"
                continue
            if 200 <= status < 300:
                return data
            last = f"the model container answered {status}: {data[:300].decode('utf-8', 'replace')}"
            if status < 500:
                break
        raise JobFailed(f"ClientError: {key}: {last}. See job logs for more information")
