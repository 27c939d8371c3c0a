"""The monitoring scheduler: one thread that starts each schedule's executions when they are due
and follows them to their end.

Each pass (every POLL_SECONDS, and at once when a schedule is created, changed or started):
- a Pending schedule (just created, updated or started) becomes Scheduled, its next run the
  first of its cron after now; a NOW schedule runs once, at once;
- a Scheduled schedule whose run is due gets an execution: a record (Pending), then its
  processing job created through SageMakerApi exactly as a user would create it (InProgress,
  ProcessingJobArn), or Failed with the reason when it cannot start (no captured data in the
  window: "Job inputs had no data"). Runs missed while the emulator was down are not made up
  for: the next one is the next after now;
- an unfinished execution takes its processing job's status (documents.execution_status).

Nothing but the store remembers a schedule, so after a restart the thread starts from the
stored schedules and executions: schedules keep running, an execution whose processing job
the restart failed ends Failed with it, and one caught before its job existed ends Failed too.
"""

import logging
import threading
import time

from ....aws.errors import ServiceError
from ...resources import Resources
from . import documents
from .executions import ExecutionError, ExecutionPlanner, job_name
from .schedules import Clock

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
INTERRUPTED = "InternalServerError: the emulator stopped while this monitoring execution was starting"


class MonitoringScheduler:
    def __init__(self, schedules: Resources, executions: Resources, definition_of, planner: ExecutionPlanner,
                 api, clock: Clock):
        """definition_of(schedule document) -> its job definition in the inline shape (or
        ExecutionError); api: SageMakerApi."""
        self.schedules = schedules
        self.executions = executions
        self.definition_of = definition_of
        self.planner = planner
        self.api = api
        self.clock = clock
        self._due: dict[str, float] = {}  # schedule name -> its next run (real seconds)
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="monitoring-scheduler")

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._closing.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._closing.is_set():
            try:
                wait = self.tick(time.time())
            except Exception:  # one bad pass must not stop every schedule
                log.exception("monitoring scheduler")
                wait = POLL_SECONDS
            self._wake.wait(wait)
            self._wake.clear()

    def tick(self, now: float) -> float:
        """One pass; how long until the next is due (at most POLL_SECONDS)."""
        live = set()
        for schedule in self.schedules.all():
            name = schedule["MonitoringScheduleName"]
            if schedule["MonitoringScheduleStatus"] == documents.PENDING:
                self._due.pop(name, None)
                schedule = self._set(name, MonitoringScheduleStatus=documents.SCHEDULED)
            if schedule is None or schedule["MonitoringScheduleStatus"] != documents.SCHEDULED:
                continue
            live.add(name)
            if schedule.get(documents.ONE_TIME_RUN_PENDING):
                self._set(name, **{documents.ONE_TIME_RUN_PENDING: False})
                self._run(schedule, now, now)
                continue
            cron = self.clock.cron(schedule["MonitoringScheduleConfig"].get("ScheduleConfig"),
                                   schedule["CreationTime"])
            if cron is None:  # NOW, and it has run
                continue
            due = self._due.get(name) or self.clock.next_run(cron, now)
            if due <= now:
                self._run(schedule, due, now)
                due = self.clock.next_run(cron, now)
            self._due[name] = due
        for gone in self._due.keys() - live:
            del self._due[gone]
        self._follow()
        return max(0.0, min([POLL_SECONDS, *(due - now for due in self._due.values())]))

    def _set(self, name: str, **members) -> dict | None:
        """The schedule with members changed; None when it was deleted meanwhile."""
        try:
            return self.schedules.update(name, lambda doc: doc.update(members))
        except KeyError:
            return None

    def _run(self, schedule: dict, scheduled: float, now: float) -> None:
        name = job_name(scheduled)
        self.executions.add(documents.new_execution(name, schedule, scheduled, now))
        try:
            request = self.planner.request(schedule, self.definition_of(schedule), name, scheduled, now)
            answer = self.api("CreateProcessingJob", **request)
        except (ExecutionError, ServiceError) as exc:
            reason = exc.message if isinstance(exc, ServiceError) else str(exc)
            log.info("monitoring execution of %s at %s did not start: %s", schedule["MonitoringScheduleName"],
                     scheduled, reason)
            self._record(name, MonitoringExecutionStatus=documents.FAILED, FailureReason=reason[:1024])
            return
        except Exception as exc:  # a bug: the execution says so rather than staying Pending
            log.exception("monitoring execution of %s", schedule["MonitoringScheduleName"])
            self._record(name, MonitoringExecutionStatus=documents.FAILED,
                         FailureReason=f"InternalServerError: {type(exc).__name__}: {exc}"[:1024])
            return
        self._record(name, MonitoringExecutionStatus="InProgress", ProcessingJobArn=answer["ProcessingJobArn"])

    def _record(self, execution: str, **members) -> None:
        self.executions.update(execution, lambda doc: doc.update(members))

    def _follow(self) -> None:
        for execution in self.executions.all():
            if execution["MonitoringExecutionStatus"] not in documents.RUNNING:
                continue
            name = execution[documents.EXECUTION_NAME]
            if "ProcessingJobArn" not in execution:  # from before a restart: its job never started
                self._record(name, MonitoringExecutionStatus=documents.FAILED, FailureReason=INTERRUPTED)
                continue
            try:
                job = self.api("DescribeProcessingJob", ProcessingJobName=name)
            except ServiceError as exc:
                self._record(name, MonitoringExecutionStatus=documents.FAILED,
                             FailureReason=f"The processing job {name} cannot be read: {exc.message}")
                continue
            status = documents.execution_status(job)
            if any(execution.get(k) != v for k, v in status.items()):
                self._record(name, **status)
