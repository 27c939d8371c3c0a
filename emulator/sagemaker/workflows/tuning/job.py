"""The HyperParameterTuningJob resource: its document, its training job definitions, its trials.

The document is what DescribeHyperParameterTuningJob returns (the request echoed with AWS's
defaults filled in, status, times, counters, the best trial), plus two things no output shape
of Describe names: the top-level Strategy and ResourceLimits that ListHyperParameterTuningJobs'
summaries carry, and TRIALS, the trials' summaries exactly as
ListTrainingJobsForHyperParameterTuningJob returns them.

InProgress -> Completed | Failed, or Stopping -> Stopped (driver.py moves it). A trial
is a training job named `<tuning job>-NNN-<8 hex>` (as AWS names them), created with
CreateTrainingJob from its definition: the definition's StaticHyperParameters, the tuned
values, and `_tuning_objective_metric`, which AWS adds to every trial's hyperparameters (and
echoes among the definition's StaticHyperParameters; the SDK's attach() removes it from there).
"""

import json
import secrets
from dataclasses import dataclass

from ....aws.errors import ResourceInUse, ResourceNotFound
from ...arns import arn
from ...resources import Kind
from .early_stopping import Hyperband
from .parameter_space import ParameterSpace

KIND = "hyper-parameter-tuning-job"
TRIALS = "TrainingJobSummaries"  # the stored trials (ListTrainingJobsForHyperParameterTuningJob's answer)
OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"
TERMINAL = ("Completed", "Failed", "Stopped")
RUNNING = ("InProgress", "Stopping")
TRIAL_TERMINAL = ("Completed", "Failed", "Stopped")
# Where HyperbandStrategyConfig.MaxResource comes from when not given (AWS's documented keys).
EPOCH_HYPERPARAMETERS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
DEFAULT_MIN_RESOURCE = 1  # AWS does not document MinResource's default

# What a trial's CreateTrainingJob takes from its definition unchanged.
_TRIAL_MEMBERS = ("RoleArn", "InputDataConfig", "VpcConfig", "OutputDataConfig", "StoppingCondition",
                  "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining",
                  "CheckpointConfig", "RetryStrategy", "Environment")


def _missing(noun: str, name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Amazon SageMaker can't find a tuning job called {name}. Type another name.")


def _taken(existing: dict) -> ResourceInUse:
    return ResourceInUse(f"A hyperparameter tuning job with the name, {existing['HyperParameterTuningJobName']}, "
                         "already exists. Choose a different name.")


TUNING_JOB = Kind(kind=KIND, noun="tuning job", prefix="HyperParameterTuningJob",
                  list_key="HyperParameterTuningJobSummaries",
                  summary=("HyperParameterTuningJobName", "HyperParameterTuningJobArn",
                           "HyperParameterTuningJobStatus", "Strategy", "CreationTime",
                           "HyperParameterTuningEndTime", "LastModifiedTime", "TrainingJobStatusCounters",
                           "ObjectiveStatusCounters", "ResourceLimits"),
                  status="HyperParameterTuningJobStatus", missing=_missing, duplicate=_taken,
                  default_order="Ascending")


@dataclass
class Definition:
    """One training job definition, with the objective and ranges that apply to it (the
    job config's for a lone TrainingJobDefinition, its own in TrainingJobDefinitions)."""
    spec: dict       # the definition as the request gives it
    objective: dict  # {"Type": "Maximize" | "Minimize", "MetricName": ...}
    space: ParameterSpace

    @property
    def name(self) -> str | None:
        return self.spec.get("DefinitionName")

    @property
    def maximize(self) -> bool:
        return self.objective["Type"] == "Maximize"

    @property
    def static(self) -> dict[str, str]:
        return {k: v for k, v in self.spec.get("StaticHyperParameters", {}).items() if k != OBJECTIVE_HYPERPARAMETER}

    def hyperband(self, config: dict) -> Hyperband:
        hyperband = config.get("StrategyConfig", {}).get("HyperbandStrategyConfig", {})
        return Hyperband(hyperband.get("MinResource", DEFAULT_MIN_RESOURCE),
                         hyperband.get("MaxResource") or self.epochs_hyperparameter())

    def epochs_hyperparameter(self) -> int | None:
        """MaxResource as AWS infers it: the first of EPOCH_HYPERPARAMETERS among the static ones."""
        for key in EPOCH_HYPERPARAMETERS:
            if key in self.static:
                try:
                    return int(float(json.loads(self.static[key])))
                except (ValueError, TypeError):
                    return None
        return None


def definition_specs(request: dict) -> list[dict]:
    if "TrainingJobDefinition" in request:
        return [request["TrainingJobDefinition"]]
    return list(request.get("TrainingJobDefinitions", []))


def definitions(request: dict) -> list[Definition]:
    config = request["HyperParameterTuningJobConfig"]
    return [Definition(spec, spec.get("TuningObjective") or config.get("HyperParameterTuningJobObjective"),
                       ParameterSpace.from_request(spec.get("HyperParameterRanges") or config.get("ParameterRanges")))
            for spec in definition_specs(request)]


def new_document(request: dict, region: str, account: str, now: float) -> dict:
    """The stored document of a request that passed checks.check_request."""
    name = request["HyperParameterTuningJobName"]
    config = {"TrainingJobEarlyStoppingType": "Off", **request["HyperParameterTuningJobConfig"]}
    limits = config["ResourceLimits"] = dict(config["ResourceLimits"])
    if config["Strategy"] == "Grid":  # inferred from the grid when not given (AWS)
        limits.setdefault("MaxNumberOfTrainingJobs", sum(d.space.combinations() for d in definitions(request)))
    if "ParameterRanges" in config:
        config["ParameterRanges"] = _all_range_lists(config["ParameterRanges"])
    doc = {"HyperParameterTuningJobName": name,
           "HyperParameterTuningJobArn": arn(region, account, KIND, name),
           "HyperParameterTuningJobConfig": config,
           "HyperParameterTuningJobStatus": "InProgress",
           "CreationTime": now, "LastModifiedTime": now,
           "Strategy": config["Strategy"], "ResourceLimits": limits, TRIALS: []}
    described = [_described(d, config) for d in definitions(request)]
    if "TrainingJobDefinition" in request:
        doc["TrainingJobDefinition"] = described[0]
    else:
        doc["TrainingJobDefinitions"] = described
    if "WarmStartConfig" in request:
        doc["WarmStartConfig"] = request["WarmStartConfig"]
    doc.update(tally(doc))
    return doc


def _all_range_lists(ranges: dict) -> dict:
    """AWS answers every kind of range, empty ones too (the SDK's attach() reads all three)."""
    return {"IntegerParameterRanges": [], "ContinuousParameterRanges": [], "CategoricalParameterRanges": [],
            **ranges}


def _described(definition: Definition, config: dict) -> dict:
    spec = dict(definition.spec)
    spec["StaticHyperParameters"] = {**definition.static,
                                     OBJECTIVE_HYPERPARAMETER: definition.objective["MetricName"]}
    if "HyperParameterRanges" in spec:
        spec["HyperParameterRanges"] = _all_range_lists(spec["HyperParameterRanges"])
    return spec


# -- trials ---------------------------------------------------------------------------------

def trial_name(tuning_job: str, number: int) -> str:
    """AWS's form: the tuning job's name, the trial's number in three digits, 8 hex digits."""
    return f"{tuning_job}-{number:03d}-{secrets.token_hex(4)}"


def trial_request(definition: Definition, name: str, tuned: dict[str, str], tags: list[dict]) -> dict:
    """The CreateTrainingJob request of one trial, as a user would have written it."""
    spec = definition.spec
    algorithm = {k: v for k, v in spec["AlgorithmSpecification"].items() if v not in (None, [])}
    request = {"TrainingJobName": name, "AlgorithmSpecification": algorithm,
               "HyperParameters": {**definition.static, **tuned,
                                   OBJECTIVE_HYPERPARAMETER: definition.objective["MetricName"]},
               "ResourceConfig": resource_config(spec),
               **{k: spec[k] for k in _TRIAL_MEMBERS if k in spec}}
    if tags:
        request["Tags"] = tags  # AWS: the tuning job's tags are added to every training job it launches
    return request


def resource_config(spec: dict) -> dict:
    """ResourceConfig, or HyperParameterTuningResourceConfig's first choice: the emulator always
    has the capacity, so the first instance configuration of Prioritized is the one used."""
    if "ResourceConfig" in spec:
        return spec["ResourceConfig"]
    flexible = dict(spec.get("HyperParameterTuningResourceConfig", {}))
    configs = flexible.pop("InstanceConfigs", None)
    flexible.pop("AllocationStrategy", None)
    return {**flexible, **(configs[0] if configs else {})}


def trial_summary(description: dict, tuning_job: str, definition: Definition, tuned: dict[str, str]) -> dict:
    """A trial as ListTrainingJobsForHyperParameterTuningJob shows it, from its DescribeTrainingJob."""
    status = description["TrainingJobStatus"]
    summary = {"TrainingJobName": description["TrainingJobName"], "TrainingJobArn": description["TrainingJobArn"],
               "TuningJobName": tuning_job, "CreationTime": description["CreationTime"],
               "TrainingJobStatus": status, "TunedHyperParameters": tuned}
    if definition.name:
        summary["TrainingJobDefinitionName"] = definition.name
    for key in ("TrainingStartTime", "TrainingEndTime", "FailureReason"):
        if key in description:
            summary[key] = description[key]
    metric = definition.objective["MetricName"]
    final = next((m["Value"] for m in description.get("FinalMetricDataList", []) if m["MetricName"] == metric), None)
    if final is not None and status in ("Completed", "Stopped"):
        summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": definition.objective["Type"], "MetricName": metric, "Value": final}
        summary["ObjectiveStatus"] = "Succeeded"
    else:
        summary["ObjectiveStatus"] = "Failed" if status in TRIAL_TERMINAL else "Pending"
    return summary


def objective_value(summary: dict) -> float | None:
    return summary.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")


def best_of(summaries: list[dict], maximize: bool) -> dict | None:
    """The trial whose objective was evaluated with the best value (the earliest of equals)."""
    scored = [s for s in summaries if s["ObjectiveStatus"] == "Succeeded"]
    if not scored:
        return None
    return (max if maximize else min)(scored, key=objective_value)


def tally(doc: dict) -> dict:
    """The counters and the best trial, from the stored trials."""
    summaries = doc[TRIALS]
    statuses = [s["TrainingJobStatus"] for s in summaries]
    failed = [s for s in summaries if s["TrainingJobStatus"] == "Failed"]
    retryable = sum(1 for s in failed if s.get("FailureReason", "").startswith("InternalServerError"))
    objectives = [s["ObjectiveStatus"] for s in summaries]
    fields = {"TrainingJobStatusCounters": {
                  "Completed": statuses.count("Completed"),
                  "InProgress": statuses.count("InProgress") + statuses.count("Stopping"),
                  "RetryableError": retryable, "NonRetryableError": len(failed) - retryable,
                  "Stopped": statuses.count("Stopped")},
              "ObjectiveStatusCounters": {k: objectives.count(k) for k in ("Succeeded", "Pending", "Failed")}}
    best = best_of(summaries, maximizes(doc))
    if best is not None:
        fields["BestTrainingJob"] = best
    return fields


def maximizes(doc: dict) -> bool:
    """Every definition's objective has the same Type (checks.py makes sure)."""
    return definitions(doc)[0].maximize
