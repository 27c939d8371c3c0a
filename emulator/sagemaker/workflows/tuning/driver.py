"""The driver of one tuning job: a thread that runs it to a terminal status.

Every poll (Settings.tuning_poll_seconds, 0.5 s) it: describes its running trials
(DescribeTrainingJob, as a user would) and records them; reads their intermediate objective
values from CloudWatch (objective_series.py) and stops, with StopTrainingJob, those that the
early stopping rule or Hyperband (early_stopping.py) says to; checks the completion criteria
(completion.py); then starts new trials with CreateTrainingJob while fewer than
MaxParallelTrainingJobs run, the search (strategies.py) has configurations left and the job's
budget allows. A StopHyperParameterTuningJob (the status is Stopping) or a completion criterion
met stops the running trials; once none runs the job ends:
- Stopped, when it was asked to stop;
- Completed, when a trial's objective was evaluated (BestTrainingJob is the best of them),
  also when MaxRuntimeInSeconds passed or a completion criterion was met (AWS does not say
  what MaxRuntimeInSeconds ends in; the emulator ends it as the completion criteria do);
- Failed, when none was: its first FAIL_FAST trials failed (AWS's "No training job succeeded
  after 5 attempts"), or the trials ended without reporting the objective, or a trial could not
  be created (its definition is refused by CreateTrainingJob).
Whatever breaks inside the driver, the job still ends (Failed, InternalServerError) and its
running trials are stopped. The emulator closing ends the thread without a status: the next
start fails the job, as it fails the jobs that were running (api.restore).
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from ....aws.errors import ServiceError
from ...resources import Resources
from . import completion, job
from .early_stopping import median_rule
from .objective_series import ObjectiveSeries
from .strategies import Observation, Suggestion, make_search

log = logging.getLogger(__name__)


@dataclass
class Trial:
    index: int          # 0-based, in launch order (the NNN of its name is index + 1)
    name: str
    suggestion: Suggestion
    summary: dict
    stop_asked: bool = False
    judged: int = 0      # epochs the stopping rules have judged
    observed: bool = False  # the search was told how it ended

    @property
    def ended(self) -> bool:
        return self.summary["TrainingJobStatus"] in job.TRIAL_TERMINAL


@dataclass
class Ending:
    status: str  # the terminal status once no trial runs: Completed, Stopped or Failed
    reason: str | None = None


@dataclass
class _Progress:
    """What the completion criteria look at: objective values in the order trials ended."""
    values: list[float] = field(default_factory=list)
    failures: int = 0
    converged_at: float | None = None


class TuningDriver:
    def __init__(self, name: str, jobs: Resources, api, mark_trial, series: ObjectiveSeries,
                 poll_seconds: float, closing: threading.Event):
        """mark_trial(training job name, tuning job ARN): the platform's mark on a trial (see
        api.mark_as_trial). closing: set when the emulator closes."""
        self.name = name
        self.jobs = jobs
        self.api = api
        self.mark_trial = mark_trial
        self.series = series
        self.poll_seconds = poll_seconds
        self.closing = closing
        self.wake = threading.Event()  # a stop request cuts the poll short
        self.trials: list[Trial] = []
        self.progress = _Progress()
        self.ending: Ending | None = None
        self.exhausted = False
        self._written: dict | None = None

    def start(self) -> None:
        threading.Thread(target=self.run, name=f"tuning-{self.name}", daemon=True).start()

    # -- the thread ---------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._setup()
            while not self.closing.is_set():
                if self._step():
                    return
                self.wake.wait(self.poll_seconds)
                self.wake.clear()
        except Exception as exc:  # a tuning job must end in a terminal status, whatever broke
            log.exception("tuning job %s failed inside the emulator", self.name)
            self._give_up(f"InternalServerError: {type(exc).__name__}: {exc}"[:1024])

    def _setup(self) -> None:
        doc = self.jobs.get(self.name)
        self.doc = doc
        self.arn = doc["HyperParameterTuningJobArn"]
        self.config = doc["HyperParameterTuningJobConfig"]
        self.definitions = job.definitions(doc)
        self.maximize = job.maximizes(doc)
        self.limits = self.config["ResourceLimits"]
        self.tags = self.jobs.store.tags(self.arn)
        self.parent_trials = [s for parent in doc.get("WarmStartConfig", {}).get("ParentHyperParameterTuningJobs", [])
                              for s in (self.jobs.find(parent["HyperParameterTuningJobName"]) or {}).get(job.TRIALS, [])]
        self.search = make_search(self.config["Strategy"], [d.space for d in self.definitions],
                                  self.config.get("RandomSeed"), self.maximize, self.limits["MaxNumberOfTrainingJobs"],
                                  [self._known(d) for d in self.definitions])
        self.hyperband = ([d.hyperband(self.config) for d in self.definitions]
                          if self.config["Strategy"] == "Hyperband" else None)

    def _known(self, definition: job.Definition) -> list[Observation]:
        """The warm-start parents' trials a definition's search learns from (those of the same
        DefinitionName, or all of them when the parents' trials have none)."""
        return [Observation(s["TunedHyperParameters"], job.objective_value(s)) for s in self.parent_trials
                if s.get("TrainingJobDefinitionName") in (None, definition.name)]

    def _step(self) -> bool:
        """One poll; True once the job has ended."""
        status = self.jobs.get(self.name)["HyperParameterTuningJobStatus"]
        if status == "Stopping" and (self.ending is None or self.ending.status != "Stopped"):
            self.ending = Ending("Stopped")
        self._refresh()
        self._judge_running()
        if self.ending is None:
            self.ending = self._criteria_met()
        if self.ending is None:
            self._launch()
        else:
            self._stop_running()
        done = all(t.ended for t in self.trials) and (self.ending is not None or self._budget_spent())
        if done:
            self._finish()
        else:
            self._record()
        return done

    # -- trials ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        for trial in self.trials:
            if trial.observed:
                continue
            if not trial.ended:  # (one that failed at once ended before its first refresh)
                description = self.api("DescribeTrainingJob", TrainingJobName=trial.name)
                trial.summary = job.trial_summary(description, self.name,
                                                     self.definitions[trial.suggestion.definition],
                                                     trial.suggestion.hyperparameters)
            if trial.ended:
                trial.observed = True
                value = job.objective_value(trial.summary)
                self.search.observe(trial.suggestion, value)
                if value is None:
                    self.progress.failures += 1
                else:
                    self.progress.values.append(value)

    def _objective_of(self, trial: Trial) -> str:
        return self.definitions[trial.suggestion.definition].objective["MetricName"]

    def _judge_running(self) -> None:
        """Early stopping (TrainingJobEarlyStoppingType Auto) or Hyperband, on the epochs
        each running trial has reported since the last poll."""
        auto = self.config.get("TrainingJobEarlyStoppingType") == "Auto"
        if not (auto or self.hyperband):
            return
        self.series.read({t.name: self._objective_of(t) for t in self.trials})
        for trial in self.trials:
            values = self.series.values.get(trial.name, [])
            if trial.ended or trial.stop_asked or len(values) <= trial.judged:
                continue
            same = [t for t in self.trials if t.suggestion.definition == trial.suggestion.definition]
            if self.hyperband:
                epoch = self.hyperband[trial.suggestion.definition].decide(
                    trial.index, values, {t.index: self.series.values.get(t.name, []) for t in same},
                    self.maximize, since=trial.judged)
            else:
                epoch = median_rule(values, [self.series.values.get(t.name, []) for t in same if t.index < trial.index],
                                    self.maximize, since=trial.judged)
            trial.judged = len(values)
            if epoch is not None:
                log.info("tuning job %s: stopping %s early at epoch %d", self.name, trial.name, epoch)
                self._stop(trial)

    def _launch(self) -> None:
        running = sum(1 for t in self.trials if not t.ended)
        while running < self.limits["MaxParallelTrainingJobs"] and not self._budget_spent():
            suggestion = self.search.suggest()
            if suggestion is None:
                self.exhausted = True
                return
            name = job.trial_name(self.name, len(self.trials) + 1)
            definition = self.definitions[suggestion.definition]
            try:
                self.api("CreateTrainingJob", **job.trial_request(definition, name, suggestion.hyperparameters,
                                                                       self.tags))
            except ServiceError as error:
                self.ending = Ending("Failed", f"ClientError: the training job {name} could not be created: "
                                               f"{error.code}: {error.message}"[:1024])
                return
            self.mark_trial(name, self.arn)
            description = self.api("DescribeTrainingJob", TrainingJobName=name)
            self.trials.append(Trial(len(self.trials), name, suggestion,
                                     job.trial_summary(description, self.name, definition,
                                                          suggestion.hyperparameters)))
            running += 1

    def _budget_spent(self) -> bool:
        return self.exhausted or len(self.trials) >= self.limits["MaxNumberOfTrainingJobs"]

    def _stop(self, trial: Trial) -> None:
        trial.stop_asked = True
        try:
            self.api("StopTrainingJob", TrainingJobName=trial.name)
        except ServiceError:
            pass  # it ended meanwhile

    def _stop_running(self) -> None:
        for trial in self.trials:
            if not trial.ended and not trial.stop_asked:
                self._stop(trial)

    # -- the job --------------------------------------------------------------------------------

    def _criteria_met(self) -> Ending | None:
        progress, criteria = self.progress, self.config.get("TuningJobCompletionCriteria", {})
        max_runtime = self.limits.get("MaxRuntimeInSeconds")
        if max_runtime and time.time() - self.doc["CreationTime"] >= max_runtime:
            return Ending("Completed", "MaxRuntimeInSeconds")
        if not progress.values and progress.failures >= min(completion.FAIL_FAST, self.limits["MaxNumberOfTrainingJobs"]):
            return Ending("Failed", completion.no_success_reason(progress.failures))
        if "TargetObjectiveMetricValue" in criteria and completion.target_reached(
                progress.values, criteria["TargetObjectiveMetricValue"], self.maximize):
            return Ending("Completed", "TargetObjectiveMetricValue")
        not_improving = criteria.get("BestObjectiveNotImproving", {}).get("MaxNumberOfTrainingJobsNotImproving")
        if not_improving and completion.not_improving(progress.values, self.maximize) >= not_improving:
            return Ending("Completed", "BestObjectiveNotImproving")
        if progress.converged_at is None and completion.converged(progress.values, self.maximize,
                                                                  self.limits["MaxNumberOfTrainingJobs"]):
            progress.converged_at = time.time()
        if progress.converged_at and criteria.get("ConvergenceDetected", {}).get("CompleteOnConvergence") == "Enabled":
            return Ending("Completed", "ConvergenceDetected")
        return None

    def _fields(self) -> dict:
        """What Describe shows of the trials: summaries, counters, best, completion details."""
        doc = {**self.doc, job.TRIALS: [t.summary for t in self.trials]}
        fields = {job.TRIALS: doc[job.TRIALS], **job.tally(doc)}
        details = {"NumberOfTrainingJobsObjectiveNotImproving": completion.not_improving(self.progress.values,
                                                                                         self.maximize)}
        if self.progress.converged_at:
            details["ConvergenceDetectedTime"] = self.progress.converged_at
        fields["TuningJobCompletionDetails"] = details
        if self.doc.get("WarmStartConfig", {}).get("WarmStartType") == "IdenticalDataAndAlgorithm":
            overall = job.best_of(fields[job.TRIALS] + self.parent_trials, self.maximize)
            if overall is not None:
                fields["OverallBestTrainingJob"] = overall
        return fields

    def _record(self) -> None:
        fields = self._fields()
        if fields != self._written:
            self.jobs.update(self.name, lambda doc: doc.update(fields))
            self._written = fields

    def _finish(self) -> None:
        fields = self._fields()
        ending = self.ending or Ending("Completed")
        status, reason = ending.status, ending.reason if ending.status == "Failed" else None
        if status == "Completed" and "BestTrainingJob" not in fields:
            status = "Failed"
            reason = (completion.no_success_reason(self.progress.failures) if self.progress.failures
                      else "No training job reported the objective metric; check that the training jobs print it "
                           "as their MetricDefinitions' Regex expects (see their FinalMetricDataList)")
        if reason:
            fields["FailureReason"] = reason

        def end(doc: dict) -> None:
            # A stop asked since this poll began still ends the job Stopped.
            final = "Stopped" if doc["HyperParameterTuningJobStatus"] == "Stopping" else status
            doc.update(fields, HyperParameterTuningJobStatus=final, HyperParameterTuningEndTime=time.time())
            if final != "Failed":
                doc.pop("FailureReason", None)
            log.info("tuning job %s %s%s", self.name, final, f" ({ending.reason})" if ending.reason else "")
        self.jobs.update(self.name, end)

    def _give_up(self, reason: str) -> None:
        """After an error inside the driver: stop what runs and fail the job (best effort)."""
        for trial in self.trials:
            if not trial.ended:
                try:
                    self._stop(trial)
                except Exception:
                    log.exception("tuning job %s: could not stop %s", self.name, trial.name)
        try:
            self.jobs.update(self.name, lambda doc: doc.update(HyperParameterTuningJobStatus="Failed",
                                                              FailureReason=reason,
                                                              HyperParameterTuningEndTime=time.time()))
        except Exception:
            log.exception("tuning job %s: could not record its failure", self.name)
