"""InvokeEndpointAsync: requests queued per endpoint, input read from S3, the answer
(or the error) written to the AsyncInferenceConfig's output paths."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from ..aws.errors import ServiceError
from ..backing.objects import ObjectStore
from .invoke import Invocation, Invoker

log = logging.getLogger(__name__)


class AsyncInference:
    def __init__(self, invoker: Invoker, objects: ObjectStore):
        self.invoker = invoker
        self.objects = objects
        self._executors: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def locations(self, config: dict, inference_id: str) -> tuple[str, str | None]:
        output = config["OutputConfig"]
        out = f"{output['S3OutputPath'].rstrip('/')}/{inference_id}.out"
        failure = output.get("S3FailurePath")
        return out, (f"{failure.rstrip('/')}/{inference_id}-error.out" if failure else None)

    def submit(self, call: Invocation, input_location: str, config: dict, inference_id: str) -> None:
        per_instance = config.get("ClientConfig", {}).get("MaxConcurrentInvocationsPerInstance", 4)
        with self._lock:
            executor = self._executors.get(call.endpoint)
            if executor is None:
                executor = self._executors[call.endpoint] = ThreadPoolExecutor(
                    max_workers=per_instance, thread_name_prefix=f"async-{call.endpoint}")
        executor.submit(self._run, call, input_location, config, inference_id)

    def _run(self, call: Invocation, input_location: str, config: dict, inference_id: str) -> None:
        output, failure = self.locations(config, inference_id)
        try:
            call.body = self.objects.read(input_location)
            answer = self.invoker.invoke(call)
            self.objects.write(output, answer.body, answer.content_type)
        except Exception as exc:
            message = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
            target = failure or output
            try:
                self.objects.write(target, message.encode())
            except Exception:
                log.exception("async inference %s: could not write its failure to %s", inference_id, target)

    def close(self) -> None:
        for executor in self._executors.values():
            executor.shutdown(wait=False, cancel_futures=True)
