"""What every job kind shares above its worker: stop, and the rules after a restart.

A kind registers its worker; the worker knows its stored jobs (`jobs`, a Resources of the
kind), the label its containers carry with the runner (`runner_kind`), the document a
Create request makes (`new_document`), how to run one job (`launch`), how to ask a running one to stop (`request_stop`) and how to record a terminal
status (`finish`). Workflows (tuning, pipelines, schedules) do not come here: they call the
provider's operations, as a user does.
"""

from typing import Protocol

from ...aws.errors import ValidationException
from ...execution.runner import Runner
from ..resources import Resources

RUNNING = ("InProgress", "Stopping")
INTERRUPTED = "InternalServerError: the emulator stopped while this job was running"


class JobWorker(Protocol):
    jobs: Resources
    runner_kind: str  # "training", "processing", "transform": what the runner labels the job's containers with

    def new_document(self, request: dict, region: str, account: str, now: float) -> dict:
        """The stored document of a valid Create request (a ValidationException for an invalid one)."""

    def launch(self, name: str) -> None:
        """Run the stored job `name` to a terminal status, on a thread of its own."""

    def request_stop(self, name: str) -> None:
        """Ask the running job to stop; it ends Stopped when its containers have."""

    def mark_stopping(self, name: str) -> None:
        """Record that a stop was asked (TrainingJobStatus/TransformJobStatus Stopping)."""

    def finish(self, name: str, status: str, reason: str | None = None) -> None:
        """Record a terminal status (and FailureReason) with its end time."""


class JobService:
    def __init__(self, workers: list[JobWorker], runner: Runner):
        self.workers = {w.jobs.kind.kind: w for w in workers}
        self.runner = runner

    def stop(self, worker: JobWorker, name: str) -> None:
        kind = worker.jobs.kind
        status = worker.jobs.get(name)[kind.status]
        if status == "Stopping":
            return
        if status != "InProgress":
            raise ValidationException(f"The {kind.noun} {name} is not in progress ({kind.status}: {status}); "
                                      "only an InProgress job can be stopped.")
        worker.mark_stopping(name)
        worker.request_stop(name)

    def restore(self) -> None:
        """After a restart: a job that was running failed with the emulator (its containers
        died with it, or are removed now), as AWS fails a job whose instance was lost."""
        for worker in self.workers.values():
            kind = worker.jobs.kind
            for doc in worker.jobs.all():
                if doc[kind.status] in RUNNING:
                    worker.finish(doc[kind.name_key], "Failed", INTERRUPTED)
            self.runner.remove_leftovers(worker.runner_kind)
