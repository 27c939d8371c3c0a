"""The hyperparameter tuning operations (a provider part, see provider.py), and the tuning jobs'
life across emulator restarts.

CreateHyperParameterTuningJob checks the request (checks.py), stores the job and starts
its driver (driver.py), which reaches training jobs only through `api`, the
operations a user calls. Describe adds what changes by the second (ConsumedResources);
ListTrainingJobsForHyperParameterTuningJob answers the trials the driver recorded, sorted and
filtered as AWS does (SortBy Name by default, Ascending; FinalObjectiveMetricValue leaves out
the trials without an objective value). Stop moves the job to Stopping; its driver stops the
running trials and ends it Stopped. Delete removes an ended job's record only (its training
jobs stay, as on AWS). After a restart, a job that was running ends Failed, as the training
jobs it ran do (jobs/service.py), with its trials as they ended.
"""

import threading
import time
import weakref

from ....aws.errors import ResourceNotFound, ServiceError, ValidationException
from ....backing.moto_services import MetricSink
from ....store import Store
from ...jobs.training import KIND as TRAINING_JOB_KIND
from ...paging import page
from ...resources import Resources
from ...tagging import Tagging
from . import job
from .objective_series import ObjectiveSeries
from .checks import check_request
from .driver import TuningDriver

INTERRUPTED = "InternalServerError: the emulator stopped while this tuning job was running"


def mark_as_trial(store: Store, training_job: str, tuning_job_arn: str) -> None:
    """The one place a workflow writes a training job's stored document (the exception to
    "workflows reach jobs only through SageMakerApi"): on AWS the platform marks a training job
    that a tuning job launched with TuningJobArn in its DescribeTrainingJob, and no operation a
    user calls can set it."""
    store.update(TRAINING_JOB_KIND, training_job, lambda doc: doc.__setitem__("TuningJobArn", tuning_job_arn))


class TuningOperations:
    def __init__(self, jobs: Resources, api, tagging: Tagging, metrics: MetricSink, region: str, account: str,
                 poll_seconds: float):
        """jobs: Resources of job.TUNING_JOB; api: SageMakerApi (the operations a user calls)."""
        self.jobs = jobs
        self.store = jobs.store
        self.api = api
        self.tagging = tagging
        self.metrics = metrics
        self.region = region
        self.account = account
        self.poll_seconds = poll_seconds
        self._drivers: weakref.WeakValueDictionary[str, TuningDriver] = weakref.WeakValueDictionary()  # running ones
        self._closing = threading.Event()

    def methods(self) -> dict:
        return {"create_hyper_parameter_tuning_job": self.create,
                "describe_hyper_parameter_tuning_job": self.describe,
                "list_hyper_parameter_tuning_jobs": self.list,
                "stop_hyper_parameter_tuning_job": self.stop,
                "delete_hyper_parameter_tuning_job": self.delete,
                "list_training_jobs_for_hyper_parameter_tuning_job": self.list_trials}

    # -- operations -------------------------------------------------------------------------

    def create(self, request: dict) -> dict:
        parents = [self._parent(p) for p in request.get("WarmStartConfig", {}).get("ParentHyperParameterTuningJobs", [])]
        check_request(request, parents)
        doc = job.new_document(request, self.region, self.account, time.time())
        self.jobs.add(doc)
        self.tagging.tag_new(doc["HyperParameterTuningJobArn"], request)
        self._start(doc["HyperParameterTuningJobName"])
        return {"HyperParameterTuningJobArn": doc["HyperParameterTuningJobArn"]}

    def _parent(self, parent: dict) -> dict:
        name = parent.get("HyperParameterTuningJobName")
        if not name:
            raise ValidationException("Each of WarmStartConfig.ParentHyperParameterTuningJobs must name a "
                                      "HyperParameterTuningJobName")
        doc = self.jobs.find(name)
        if doc is None:
            raise ResourceNotFound(f"The parent tuning job {name} of WarmStartConfig was not found")
        return doc

    def describe(self, request: dict) -> dict:
        return self.view(self.jobs.get(request["HyperParameterTuningJobName"]))

    @staticmethod
    def view(stored: dict) -> dict:
        """A tuning job as Describe and Search show it: the stored document and what it has used so far."""
        doc = dict(stored)
        end = doc.get("HyperParameterTuningEndTime", time.time())
        doc["ConsumedResources"] = {"RuntimeInSeconds": int(max(0, end - doc["CreationTime"]))}
        return doc

    def list(self, request: dict) -> dict:
        return self.jobs.query({"SortBy": "Name", **request})

    def stop(self, request: dict) -> dict:
        name = request["HyperParameterTuningJobName"]
        status = self.jobs.get(name)["HyperParameterTuningJobStatus"]
        if status == "InProgress":
            def stopping(doc: dict) -> None:  # under the store's lock: the driver may have just ended it
                status = doc["HyperParameterTuningJobStatus"]
                if status == "InProgress":
                    doc["HyperParameterTuningJobStatus"] = "Stopping"
                seen.append(status)
            seen = []
            self.jobs.update(name, stopping)
            status = seen[0]
        if status not in job.RUNNING:
            raise ValidationException(f"The tuning job {name} is not in progress (HyperParameterTuningJobStatus: "
                                      f"{status}); only an InProgress tuning job can be stopped.")
        driver = self._drivers.get(name)
        if driver is not None:
            driver.wake.set()
        return {}

    def delete(self, request: dict) -> dict:
        name = request["HyperParameterTuningJobName"]
        doc = self.jobs.get(name)
        if doc["HyperParameterTuningJobStatus"] not in job.TERMINAL:
            raise ValidationException(f"The tuning job {name} is {doc['HyperParameterTuningJobStatus']}: only a "
                                      "tuning job that has ended (Completed, Stopped or Failed) can be deleted; "
                                      "stop it first.")
        self.jobs.remove(name)
        self.store.remove_tags(doc["HyperParameterTuningJobArn"],
                               [t["Key"] for t in self.store.tags(doc["HyperParameterTuningJobArn"])])
        return {}

    def list_trials(self, request: dict) -> dict:
        trials = list(self.jobs.get(request["HyperParameterTuningJobName"])[job.TRIALS])
        if request.get("StatusEquals"):
            trials = [t for t in trials if t["TrainingJobStatus"] == request["StatusEquals"]]
        by = request.get("SortBy", "Name")
        if by == "FinalObjectiveMetricValue":
            trials = [t for t in trials if job.objective_value(t) is not None]
        keys = {"Name": lambda t: t["TrainingJobName"], "CreationTime": lambda t: t["CreationTime"],
                "Status": lambda t: t["TrainingJobStatus"], "FinalObjectiveMetricValue": job.objective_value}
        trials.sort(key=keys[by], reverse=request.get("SortOrder", "Ascending") == "Descending")
        chunk, token = page(trials, request.get("MaxResults"), request.get("NextToken"))
        return {"TrainingJobSummaries": chunk, **({"NextToken": token} if token else {})}

    # -- life -------------------------------------------------------------------------------

    def _start(self, name: str) -> None:
        driver = TuningDriver(name, self.jobs, self.api, lambda trial, arn: mark_as_trial(self.store, trial, arn),
                              ObjectiveSeries(self.metrics), self.poll_seconds, self._closing)
        self._drivers[name] = driver
        driver.start()

    def restore(self) -> None:
        """After a restart (once the job service has failed the training jobs that were
        running): a tuning job that was running has failed, its trials as they ended."""
        for doc in self.jobs.all():
            if doc["HyperParameterTuningJobStatus"] in job.RUNNING:
                self._fail_interrupted(doc)

    def _fail_interrupted(self, doc: dict) -> None:
        definitions = {d.name: d for d in job.definitions(doc)}
        trials = []
        for summary in doc[job.TRIALS]:
            try:
                description = self.api("DescribeTrainingJob", TrainingJobName=summary["TrainingJobName"])
            except ServiceError:
                trials.append(summary)
                continue
            definition = definitions.get(summary.get("TrainingJobDefinitionName"), next(iter(definitions.values())))
            trials.append(job.trial_summary(description, doc["HyperParameterTuningJobName"], definition,
                                               summary["TunedHyperParameters"]))

        def fail(stored: dict) -> None:
            stored[job.TRIALS] = trials
            stored.update(job.tally(stored), HyperParameterTuningJobStatus="Failed", FailureReason=INTERRUPTED,
                          HyperParameterTuningEndTime=time.time())
        self.jobs.update(doc["HyperParameterTuningJobName"], fail)

    def close(self) -> None:
        """The drivers end with the emulator; their jobs are failed at the next start."""
        self._closing.set()
        for driver in self._drivers.values():
            driver.wake.set()
