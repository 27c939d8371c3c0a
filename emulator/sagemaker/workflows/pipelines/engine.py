"""Runs pipeline executions: each on a thread of its own that starts the steps as their
dependencies succeed, each step on a thread of its own, at most MaxParallelExecutionSteps
(the execution's ParallelismConfiguration, else the pipeline's; read anew as steps end, so
UpdatePipelineExecution applies) at once.

- A step runs once every step it waits for has Succeeded (definition.py says which). A
  condition step's outcome skips the other branch; a step waiting for a skipped step is
  skipped too. Skipped steps never start, so ListPipelineExecutionSteps does not list them.
- A step that fails (or stops) fails the execution: no further step starts, the running ones
  finish (AWS: "the pipeline does not terminate until all concurrent steps are completed"),
  then the execution is Failed with "Step failure: One or multiple steps failed."
- Before a step runs: its cache (cache.py); after an attempt fails: its retry policies
  (retry.py). AttemptCount counts the attempts, retries and RetryPipelineExecution's included.
- StopPipelineExecution: running steps are asked to stop (their jobs get Stop*Job, a callback
  step's queue gets the Stopping message); no new step starts; the execution is Stopped once
  they have ended.
- RetryPipelineExecution: the same execution runs again, its Succeeded steps kept (with
  their properties and a condition's branch), the others run anew.
- After a restart, an execution that was running has failed with the emulator, as its jobs
  have (jobs/service.py); on close, the threads end without writing anything more, so that a
  new emulator on the same data dir owns the store alone.
"""

import datetime
import json
import logging
import queue
import secrets
import string
import threading
import time
from dataclasses import dataclass, field

from ....aws.errors import ServiceError
from ....backing.objects import BadS3Uri, ObjectMissing
from ...resources import Resources
from . import cache, retry
from .definition import Definition, Step
from .expressions import ExpressionError, Scope, evaluate
from .resources import RUNNING, STEP_RUNNING, STEPS, execution_id, step_record
from .steps import STEP_TYPES
from .steps.base import FAILED, STOPPED, SUCCEEDED, Attempt, Closed, Outcome

log = logging.getLogger(__name__)

SKIPPED = "Skipped"  # never written: a step of a branch not taken, or waiting for one
POLL_SECONDS = 0.2
STEP_FAILURE = "Step failure: One or multiple steps failed."
INTERRUPTED = "InternalServerError: the emulator stopped while this pipeline execution was running"
FAILURE_REASON_MAX = 1024  # a step's FailureReason (the output shape's limit)
EXECUTION_FAILURE_REASON_MAX = 1300  # DescribePipelineExecution's FailureReason
# A cache key is computed before the step's job has a name: its own name reads as this.
_UNNAMED_JOB = "job-name-not-yet-chosen"


@dataclass
class Answer:
    """What SendPipelineExecutionStepSuccess/Failure brought a waiting callback step."""
    outputs: list[dict] = field(default_factory=list)
    failure_reason: str | None = None  # set (possibly "") for a failure


class Answers:
    def __init__(self, execution_arn: str):
        self.execution_arn = execution_arn
        self._queue: queue.Queue = queue.Queue()

    def put(self, answer: Answer) -> None:
        self._queue.put(answer)

    def take(self, timeout: float) -> Answer | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None


class Callbacks:
    """The tokens of callback steps that wait for an answer now."""

    def __init__(self):
        self._waiting: dict[str, Answers] = {}
        self._lock = threading.Lock()

    def expect(self, token: str, execution_arn: str) -> Answers:
        with self._lock:
            answers = self._waiting[token] = Answers(execution_arn)
        return answers

    def forget(self, token: str) -> None:
        with self._lock:
            self._waiting.pop(token, None)

    def deliver(self, token: str, answer: Answer) -> str | None:
        """The waiting step's execution ARN, or None when no step waits for this token."""
        with self._lock:
            answers = self._waiting.pop(token, None)
        if answers is None:
            return None
        answers.put(answer)
        return answers.execution_arn


@dataclass
class _Control:
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


def iso_time(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


class PipelineEngine:
    def __init__(self, executions: Resources, definition_of, api, objects, queues,
                 poll_seconds: float = POLL_SECONDS):
        """definition_of(execution document) -> the Definition it runs."""
        self.executions = executions
        self.definition_of = definition_of
        self.api = api
        self.objects = objects
        self.queues = queues
        self.poll_seconds = poll_seconds
        self.callbacks = Callbacks()
        self._controls: dict[str, _Control] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()

    # -- what the API calls ----------------------------------------------------------------

    def launch(self, arn: str) -> None:
        """Run (or, after RetryPipelineExecution, run again) the stored execution."""
        control = _Control()
        control.thread = threading.Thread(target=self._run, args=(arn, control), daemon=True,
                                          name=f"pipeline-{execution_id(arn)}")
        with self._lock:
            self._controls[arn] = control
        control.thread.start()

    def stop(self, arn: str) -> None:
        with self._lock:
            control = self._controls.get(arn)
        if control is not None:
            control.stop.set()

    def restore(self) -> None:
        """After a restart: what was running failed with the emulator."""
        now = time.time()

        def interrupted(doc):
            for record in doc.get(STEPS, []):
                if record["StepStatus"] in STEP_RUNNING:
                    record.update(StepStatus=FAILED, FailureReason=INTERRUPTED, EndTime=now)
            _finish(doc, FAILED, INTERRUPTED)
        for doc in self.executions.all():
            if doc["PipelineExecutionStatus"] in RUNNING:
                self.executions.update(doc["PipelineExecutionArn"], interrupted)

    def close(self, wait_seconds: float = 5.0) -> None:
        self._closed.set()
        deadline = time.monotonic() + wait_seconds
        with self._lock:
            threads = [c.thread for c in self._controls.values() if c.thread is not None]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def running(self, arn: str) -> bool:
        with self._lock:
            control = self._controls.get(arn)
        return control is not None and control.thread is not None and control.thread.is_alive()

    # -- one execution -----------------------------------------------------------------------

    def _write(self, arn: str, change) -> None:
        if self._closed.is_set():
            raise Closed()
        self.executions.update(arn, change)

    def _run(self, arn: str, control: _Control) -> None:
        try:
            self._drive(arn, control)
        except Closed:
            pass
        except Exception as exc:  # an execution must end in a terminal status, whatever broke
            log.exception("pipeline execution %s failed inside the emulator", arn)
            try:
                self._write(arn, lambda doc: _finish(doc, FAILED, f"InternalServerError: {exc}"))
            except Closed:
                pass

    def _drive(self, arn: str, control: _Control) -> None:
        doc = self.executions.get(arn)
        definition = self.definition_of(doc)
        scope = self._scope(doc, definition)
        status: dict[str, str] = {}
        for record in doc.get(STEPS, []):  # what an earlier run of this execution left (a retry)
            if record["StepStatus"] == SUCCEEDED and record["StepName"] in definition.steps:
                self._succeeded(definition, record["StepName"], record.get("Properties", {}), record.get("Branch"),
                                status, scope)
        running: dict[str, threading.Thread] = {}
        finished: queue.Queue = queue.Queue()
        failed = False
        while True:
            if not failed and not control.stop.is_set():
                self._start_ready(arn, definition, status, running, scope, control, finished)
            if not running:
                break
            name, outcome = finished.get()
            running.pop(name)
            if outcome is None:  # closed
                raise Closed()
            if outcome.status == SUCCEEDED:
                self._succeeded(definition, name, outcome.properties, outcome.branch, status, scope)
            else:
                status[name] = outcome.status
                failed = True
        if control.stop.is_set():
            self._write(arn, lambda d: _finish(d, STOPPED))
        elif failed:
            self._write(arn, lambda d: _finish(d, FAILED, STEP_FAILURE))
        else:
            self._write(arn, lambda d: _finish(d, SUCCEEDED))

    @staticmethod
    def _succeeded(definition: Definition, name: str, properties: dict, branch: str | None,
                   status: dict, scope: Scope) -> None:
        status[name] = SUCCEEDED
        scope.properties[name] = properties
        if branch:
            other = "ElseSteps" if branch == "IfSteps" else "IfSteps"
            for child in definition.branch_of(name, other):
                status[child] = SKIPPED

    def _start_ready(self, arn, definition: Definition, status, running, scope, control, finished) -> None:
        limit = self._parallelism(arn)
        for name in definition.steps:  # dependencies come first in this order
            if name in status or name in running:
                continue
            waits = definition.upstream[name]
            if any(status.get(d) == SKIPPED for d in waits):
                status[name] = SKIPPED
            elif all(status.get(d) == SUCCEEDED for d in waits) and len(running) < limit:
                thread = threading.Thread(target=self._step, args=(arn, definition, definition.steps[name], scope,
                                                                  control, finished),
                                          daemon=True, name=f"pipeline-step-{name}")
                running[name] = thread
                thread.start()

    def _parallelism(self, arn: str) -> int:
        doc = self.executions.get(arn)
        return doc.get("ParallelismConfiguration", {}).get("MaxParallelExecutionSteps") or 1_000_000

    def _scope(self, doc: dict, definition: Definition) -> Scope:
        given = {p["Name"]: p["Value"] for p in doc.get("PipelineParameters", [])}
        variables = {"PipelineName": doc["PipelineName"], "PipelineArn": doc["PipelineArn"],
                     "PipelineExecutionId": execution_id(doc["PipelineExecutionArn"]),
                     "PipelineExecutionArn": doc["PipelineExecutionArn"],
                     "StartDateTime": iso_time(doc["CreationTime"]),
                     "CurrentDateTime": lambda: iso_time(time.time())}
        files = {s.name: {f.get("PropertyFileName"): f for f in s.property_files} for s in definition.steps.values()}
        return Scope(definition.values(given), variables, dict(doc.get("PipelineExperimentConfig", {})),
                     {}, files, self._read_json)

    def _read_json(self, uri: str):
        try:
            return json.loads(self.objects.read(uri))
        except (ObjectMissing, BadS3Uri, FileNotFoundError):
            raise ExpressionError(f"the property file {uri} does not exist")
        except (ValueError, UnicodeDecodeError):
            raise ExpressionError(f"the property file {uri} is not valid JSON")

    # -- one step ----------------------------------------------------------------------------

    def _step(self, arn: str, definition: Definition, step: Step, scope: Scope, control: _Control,
              finished: queue.Queue) -> None:
        try:
            outcome = self._attempts(arn, definition, step, scope, control)
        except Closed:
            outcome = None
        except Exception as exc:  # a step must end, whatever broke
            log.exception("step %s of %s failed inside the emulator", step.name, arn)
            outcome = Outcome.failed(f"InternalServerError: {exc}")
            try:
                self._end_step(arn, step, outcome, None)
            except Closed:
                outcome = None
        finished.put((step.name, outcome))

    def _attempts(self, arn: str, definition: Definition, step: Step, scope: Scope, control: _Control) -> Outcome:
        earlier = step_record(self.executions.get(arn), step.name)
        attempts = (earlier or {}).get("AttemptCount", 0) + 1
        started = time.time()
        record = {"StepName": step.name, "StartTime": started, "StepStatus": "Starting", "AttemptCount": attempts,
                  "Metadata": {}}
        record.update({k: v for k, v in (("StepDisplayName", step.display_name),
                                          ("StepDescription", step.description)) if v})
        self._write(arn, lambda doc: _put_step(doc, record))
        key = self._cache_key(arn, step, scope)
        if key is not None:
            hit = self._cache_hit(arn, step, key)
            if hit is not None:
                return hit
        retries = 0
        while True:
            outcome = self._attempt(arn, step, scope, control)
            if outcome.status == FAILED and not control.stop.is_set():
                delay = retry.delay_before_retry(step.retry_policies, outcome.failure_type, retries, started,
                                                 time.time())
                if delay is not None:
                    retries += 1
                    self._write(arn, lambda doc: _put_step(doc, {**step_record(doc, step.name),
                                                                 "AttemptCount": attempts + retries}))
                    self._new_attempt(arn, step, scope, control).pause(delay)
                    if not control.stop.is_set():
                        continue
            break
        self._end_step(arn, step, outcome, key)
        return outcome

    def _new_attempt(self, arn: str, step: Step, scope: Scope, control: _Control) -> Attempt:
        def report(status: str | None = None, metadata: dict | None = None) -> None:
            def change(doc):
                current = step_record(doc, step.name)
                _put_step(doc, {**current, **({"StepStatus": status} if status else {}),
                                **({"Metadata": metadata} if metadata is not None else {})})
            self._write(arn, change)
        return Attempt(step, self.api, scope, arn, execution_id(arn), report, control.stop, self._closed,
                       self.poll_seconds, self.queues, self.callbacks)

    def _attempt(self, arn: str, step: Step, scope: Scope, control: _Control) -> Outcome:
        attempt = self._new_attempt(arn, step, scope, control)
        try:
            return STEP_TYPES[step.type](attempt)
        except ExpressionError as error:
            return Outcome.failed(f"ClientError: {error}")
        except ServiceError as error:  # a Describe the step made did not answer
            return Outcome.failed(f"{error.code}: {error.message}", retry.error_type(error))

    def _end_step(self, arn: str, step: Step, outcome: Outcome, key: str | None) -> None:
        def change(doc):
            current = step_record(doc, step.name)
            ended = {**current, "StepStatus": outcome.status, "EndTime": time.time(),
                     "Properties": outcome.properties}
            if outcome.metadata:
                ended["Metadata"] = outcome.metadata
            ended.pop("FailureReason", None)
            if outcome.failure_reason:
                ended["FailureReason"] = outcome.failure_reason[:FAILURE_REASON_MAX]
            if outcome.branch:
                ended["Branch"] = outcome.branch
            if key is not None and outcome.status == SUCCEEDED:
                ended["CacheKey"] = key
            _put_step(doc, ended)
        self._write(arn, change)

    # -- caching -----------------------------------------------------------------------------

    def _cache_key(self, arn: str, step: Step, scope: Scope) -> str | None:
        if not cache.cacheable(step.type, step.cache_config):
            return None
        unnamed = scope.with_variables(TrainingJobName=_UNNAMED_JOB, ProcessingJobName=_UNNAMED_JOB)
        try:
            arguments = evaluate(step.arguments, unnamed)
        except ExpressionError:
            return None  # the attempt itself reports what cannot be evaluated
        return cache.cache_key(self.executions.get(arn)["PipelineArn"], step.name, step.type, arguments)

    def _cache_hit(self, arn: str, step: Step, key: str) -> Outcome | None:
        pipeline = self.executions.get(arn)["PipelineArn"]
        earlier = [d for d in self.executions.all()
                   if d["PipelineArn"] == pipeline and d["PipelineExecutionArn"] != arn]
        expire = cache.expire_seconds(step.cache_config.get("ExpireAfter"))
        hit = cache.find_hit(earlier, key, step.name, time.time(), expire)
        if hit is None:
            return None
        source, record = hit
        outcome = Outcome(SUCCEEDED, properties=record.get("Properties", {}), metadata=record.get("Metadata", {}))

        def change(doc):
            current = step_record(doc, step.name)
            _put_step(doc, {**current, "StepStatus": SUCCEEDED, "EndTime": time.time(), "AttemptCount": 0,
                            "Metadata": outcome.metadata, "Properties": outcome.properties,
                            "CacheHitResult": {"SourcePipelineExecutionArn": source["PipelineExecutionArn"]}})
        self._write(arn, change)
        return outcome


def _put_step(doc: dict, record: dict) -> None:
    steps = [s for s in doc.get(STEPS, []) if s["StepName"] != record["StepName"]]
    doc[STEPS] = [*steps, record]


def _finish(doc: dict, status: str, reason: str | None = None) -> None:
    doc["PipelineExecutionStatus"] = status
    for member in ("FailureReason", "PipelineExecutionFailureReason"):
        doc.pop(member, None)
        if reason:
            doc[member] = reason[:EXECUTION_FAILURE_REASON_MAX]


def new_execution_id() -> str:
    """12 lower-case letters and digits, as AWS's execution ids are."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))
