"""Hyperparameter tuning jobs through boto3 against the in-process emulator on the fake runner:
trials are real training jobs whose fake image computes an objective from its
hyperparameters.json and prints it, as a training script would; the tuning job's driver
reads those lines back from CloudWatch and the trials' descriptions."""

import json
import re
import uuid

import pytest

from helpers import ROLE, wait_until
from in_process import BUCKET

OBJECTIVE = {"Name": "objective", "Regex": r"objective: ([-0-9.e]+)"}
TRIAL_NAME = re.compile(r"^(?P<job>.+)-(?P<number>\d{3})-[0-9a-f]{8}$")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def hyperparameters(host) -> dict:
    return json.loads((host.root / "input/config/hyperparameters.json").read_text())


def definition(image: str, static: dict | None = None, **extra) -> dict:
    return {"StaticHyperParameters": static or {"source": "test"},
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File",
                                       "MetricDefinitions": [OBJECTIVE]},
            "RoleArn": ROLE, "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/tuning"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
            "StoppingCondition": {"MaxRuntimeInSeconds": 120}, **extra}


def tuning_request(image: str, strategy: str = "Random", max_jobs: int | None = 4, parallel: int = 2,
                   ranges: dict | None = None, objective_type: str = "Maximize", **config) -> dict:
    limits = {"MaxParallelTrainingJobs": parallel, **({"MaxNumberOfTrainingJobs": max_jobs} if max_jobs else {})}
    return {"HyperParameterTuningJobName": unique("tune"),
            "HyperParameterTuningJobConfig": {
                "Strategy": strategy, "ResourceLimits": limits, "RandomSeed": 11,
                "HyperParameterTuningJobObjective": {"Type": objective_type, "MetricName": "objective"},
                "ParameterRanges": ranges if ranges is not None else
                {"ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "10"}]},
                **config},
            "TrainingJobDefinition": definition(image)}


def ended(sm, name: str, timeout: float = 30) -> dict:
    def terminal():
        desc = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        return desc if desc["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped") else None
    return wait_until(terminal, timeout, f"tuning job {name} to end")


def trials(sm, name: str, **query) -> list[dict]:
    return sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, MaxResults=100,
                                                                **query)["TrainingJobSummaries"]


def run(sm, request: dict, timeout: float = 30) -> dict:
    sm.create_hyper_parameter_tuning_job(**request)
    return ended(sm, request["HyperParameterTuningJobName"], timeout)


def parabola(x: float, batch: int) -> float:
    return round(-(x - 3) ** 2 + batch / 100, 6)


def train_parabola(host):
    """Peaks at x = 3; takes a moment, so that trials overlap."""
    hp = hyperparameters(host)
    host.sleep(0.3)
    host.print(f"objective: {parabola(float(hp['x']), int(hp['batch']))}")
    return 0


def until_stopped(host):
    """Reports once, then trains until stopped (and would end Completed after 30 s)."""
    host.print("objective: 1.0")
    host.wait_for_stop(timeout=30)
    return 0


def trial_stages(sm, name: str) -> list[str]:
    """Each trial's SecondaryStatus, as DescribeTrainingJob shows it."""
    return [sm.describe_training_job(TrainingJobName=t["TrainingJobName"])["SecondaryStatus"] for t in trials(sm, name)]


def objective_lines(logs, job: str) -> list[str]:
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=job)["logStreams"]
    return [e["message"] for s in streams for e in logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=s["logStreamName"], startFromHead=True)["events"]
        if e["message"].startswith("objective:")]


@pytest.fixture(scope="module")
def random_job(sm, fake_runner):
    """A Random tuning job of 6 trials, 2 at a time, tagged; its request and its description."""
    fake_runner.images["fake/parabola:1"] = train_parabola
    request = tuning_request("fake/parabola:1", max_jobs=6, parallel=2, ranges={
        "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "10", "ScalingType": "Linear"}],
        "IntegerParameterRanges": [{"Name": "batch", "MinValue": "16", "MaxValue": "256"}]})
    request["Tags"] = [{"Key": "team", "Value": "search"}]
    return request, run(sm, request)


# -- a whole tuning job -----------------------------------------------------------------------

def test_trials_run_two_at_a_time_and_the_best_is_found(sm, random_job):
    request, desc = random_job
    name = request["HyperParameterTuningJobName"]
    found = trials(sm, name)

    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["TrainingJobStatusCounters"] == {"Completed": 6, "InProgress": 0, "RetryableError": 0,
                                                 "NonRetryableError": 0, "Stopped": 0}
    assert desc["ObjectiveStatusCounters"] == {"Succeeded": 6, "Pending": 0, "Failed": 0}
    assert sorted(TRIAL_NAME.match(t["TrainingJobName"])["number"] for t in found) == [
        "001", "002", "003", "004", "005", "006"]
    assert {TRIAL_NAME.match(t["TrainingJobName"])["job"] for t in found} == {name}
    for trial in found:  # each objective is what the trial's own hyperparameters give
        tuned = trial["TunedHyperParameters"]
        assert set(tuned) == {"x", "batch"} and 16 <= int(tuned["batch"]) <= 256
        assert trial["FinalHyperParameterTuningJobObjectiveMetric"] == {
            "Type": "Maximize", "MetricName": "objective", "Value": parabola(float(tuned["x"]), int(tuned["batch"]))}
    best = max(found, key=lambda t: t["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert desc["BestTrainingJob"] == best
    spans = [(t["TrainingStartTime"], t["TrainingEndTime"]) for t in found]
    overlaps = [sum(1 for s, e in spans if s <= start < e) for start, _ in spans]
    assert max(overlaps) == 2  # MaxParallelTrainingJobs, and no more
    assert desc["HyperParameterTuningEndTime"] >= max(e for _, e in spans)
    assert desc["ConsumedResources"]["RuntimeInSeconds"] >= 1


def test_each_trial_is_a_training_job_marked_with_its_tuning_job(sm, random_job):
    request, desc = random_job
    trial = desc["BestTrainingJob"]
    job = sm.describe_training_job(TrainingJobName=trial["TrainingJobName"])

    assert job["TuningJobArn"] == desc["HyperParameterTuningJobArn"]
    assert job["TuningJobArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{request['HyperParameterTuningJobName']}"
    assert job["HyperParameters"] == {"source": "test", **trial["TunedHyperParameters"],
                                      "_tuning_objective_metric": "objective"}
    assert job["AlgorithmSpecification"]["MetricDefinitions"] == [OBJECTIVE]
    # The tuning job's tags are added to every training job it launches (AWS).
    assert sm.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"] == [{"Key": "team", "Value": "search"}]
    assert sm.list_tags(ResourceArn=desc["HyperParameterTuningJobArn"])["Tags"] == [{"Key": "team", "Value": "search"}]
    # Describe echoes the request, with what AWS adds.
    assert desc["TrainingJobDefinition"]["StaticHyperParameters"] == {"source": "test",
                                                                      "_tuning_objective_metric": "objective"}
    assert desc["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Off"
    assert desc["HyperParameterTuningJobConfig"]["ParameterRanges"]["CategoricalParameterRanges"] == []


def test_trials_list_sorted_filtered_and_paged(sm, random_job):
    name = random_job[0]["HyperParameterTuningJobName"]
    everything = trials(sm, name)
    values = [t["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for t in
              trials(sm, name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending")]

    assert [t["TrainingJobName"] for t in everything] == sorted(t["TrainingJobName"] for t in everything)  # Name
    assert values == sorted(values, reverse=True) and len(values) == 6
    by_time = trials(sm, name, SortBy="CreationTime", SortOrder="Descending")
    assert [t["CreationTime"] for t in by_time] == sorted((t["CreationTime"] for t in by_time), reverse=True)
    assert len(trials(sm, name, StatusEquals="Completed")) == 6 and trials(sm, name, StatusEquals="Failed") == []
    first = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, MaxResults=4)
    rest = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, MaxResults=4,
                                                                NextToken=first["NextToken"])
    assert [t["TrainingJobName"] for t in first["TrainingJobSummaries"] + rest["TrainingJobSummaries"]] == [
        t["TrainingJobName"] for t in everything]
    assert "NextToken" not in rest


def test_tuning_jobs_list_with_their_summaries(sm, random_job):
    request, desc = random_job
    listed = sm.list_hyper_parameter_tuning_jobs(NameContains=request["HyperParameterTuningJobName"],
                                                 StatusEquals="Completed")["HyperParameterTuningJobSummaries"]

    assert listed == [{k: desc[k] for k in (
        "HyperParameterTuningJobName", "HyperParameterTuningJobArn", "HyperParameterTuningJobStatus",
        "CreationTime", "HyperParameterTuningEndTime", "LastModifiedTime", "TrainingJobStatusCounters",
        "ObjectiveStatusCounters")} | {"Strategy": "Random", "ResourceLimits": {"MaxNumberOfTrainingJobs": 6,
                                                                                 "MaxParallelTrainingJobs": 2}}]
    names = [s["HyperParameterTuningJobName"] for s in sm.list_hyper_parameter_tuning_jobs(
        MaxResults=100)["HyperParameterTuningJobSummaries"]]
    assert names == sorted(names)  # SortBy Name, Ascending, by default (AWS)


def test_search_finds_tuning_jobs_as_describe_shows_them(sm, random_job):
    request, desc = random_job
    name = request["HyperParameterTuningJobName"]

    [found] = sm.search(Resource="HyperParameterTuningJob", SearchExpression={"Filters": [
        {"Name": "HyperParameterTuningJobName", "Operator": "Equals", "Value": name},
        {"Name": "Tags.team", "Operator": "Equals", "Value": "search"},
        {"Name": "ConsumedResources.RuntimeInSeconds", "Operator": "GreaterThanOrEqualTo", "Value": "0"}]})["Results"]
    entity = found["HyperParameterTuningJob"]  # a HyperParameterTuningJobSearchEntity
    assert entity["HyperParameterTuningJobStatus"] == "Completed"
    assert entity["BestTrainingJob"] == desc["BestTrainingJob"]
    assert entity["ConsumedResources"] == desc["ConsumedResources"]  # ended: it no longer grows
    assert entity["Tags"] == [{"Key": "team", "Value": "search"}]
    assert not sm.search(Resource="HyperParameterTuningJob", SearchExpression={"Filters": [
        {"Name": "HyperParameterTuningJobName", "Operator": "Equals", "Value": name},
        {"Name": "HyperParameterTuningJobStatus", "Operator": "Equals", "Value": "Failed"}]})["Results"]


def test_a_warm_start_sees_its_parents_best(sm, image, random_job):
    parent_request, parent = random_job
    request = tuning_request(image(train_parabola), strategy="Bayesian", max_jobs=2, parallel=2,
                             ranges=parent_request["HyperParameterTuningJobConfig"]["ParameterRanges"])
    request["WarmStartConfig"] = {"WarmStartType": "IdenticalDataAndAlgorithm", "ParentHyperParameterTuningJobs": [
        {"HyperParameterTuningJobName": parent_request["HyperParameterTuningJobName"]}]}
    request["TrainingJobDefinition"]["AlgorithmSpecification"] = parent_request["TrainingJobDefinition"][
        "AlgorithmSpecification"]

    desc = run(sm, request)

    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["WarmStartConfig"] == request["WarmStartConfig"]
    own = [t["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for t in trials(sm, request["HyperParameterTuningJobName"])]
    overall = desc["OverallBestTrainingJob"]
    assert overall["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == max(
        own + [parent["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]])


# -- stop, early stopping, failures, completion criteria ---------------------------------------

def test_stop_stops_the_running_trials(sm, image):
    request = tuning_request(image(until_stopped), max_jobs=4, parallel=2)
    name = request["HyperParameterTuningJobName"]
    sm.create_hyper_parameter_tuning_job(**request)
    wait_until(lambda: trial_stages(sm, name) == ["Training", "Training"], 10, "two trials training")

    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)

    assert sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
        "HyperParameterTuningJobStatus"] in ("Stopping", "Stopped")
    desc = ended(sm, name)
    assert desc["HyperParameterTuningJobStatus"] == "Stopped"
    assert [t["TrainingJobStatus"] for t in trials(sm, name)] == ["Stopped", "Stopped"]  # and no new trial
    assert desc["TrainingJobStatusCounters"]["Stopped"] == 2
    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_early_stopping_stops_a_trial_worse_than_the_median(sm, logs, image):
    def train(host):
        quality = hyperparameters(host)["quality"]
        if quality == "bad":
            host.print("objective: 0.1")
            host.wait_for_stop(timeout=30)  # would go on, and end Completed, if not stopped
            return 0
        for epoch in range(3):
            host.print(f"objective: {0.8 + epoch / 10}")
        return 0
    request = tuning_request(image(train), strategy="Grid", max_jobs=None, parallel=1,
                             ranges={"CategoricalParameterRanges": [
                                 {"Name": "quality", "Values": ["good-1", "good-2", "good-3", "bad"]}]},
                             TrainingJobEarlyStoppingType="Auto")

    desc = run(sm, request)

    found = {t["TunedHyperParameters"]["quality"]: t for t in trials(sm, request["HyperParameterTuningJobName"])}
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 4  # Grid's size
    assert {q: t["TrainingJobStatus"] for q, t in found.items()} == {
        "good-1": "Completed", "good-2": "Completed", "good-3": "Completed", "bad": "Stopped"}
    assert found["bad"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 0.1
    assert desc["TrainingJobStatusCounters"]["Stopped"] == 1
    assert desc["BestTrainingJob"]["TunedHyperParameters"]["quality"].startswith("good")
    assert objective_lines(logs, found["bad"]["TrainingJobName"]) == ["objective: 0.1"]


def test_hyperband_stops_losers_at_a_rung_and_every_trial_at_max_resource(sm, logs, image):
    def train(host):
        """Trial 003 shares Hyperband's first bracket with trial 001 and does worse at epoch 1."""
        worse = "-003-" in host.environment["TRAINING_JOB_NAME"]
        for epoch in range(3):
            host.print(f"objective: {0.1 if worse else 0.9}")
            if worse:
                break
        host.wait_for_stop(timeout=30)  # ends Completed only if Hyperband does not stop it
        return 0
    request = tuning_request(image(train), strategy="Hyperband", max_jobs=4, parallel=1,
                             StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1}})
    request["TrainingJobDefinition"]["StaticHyperParameters"] = {"epochs": "3"}  # MaxResource, inferred

    desc = run(sm, request)

    found = sorted(trials(sm, request["HyperParameterTuningJobName"]), key=lambda t: t["TrainingJobName"][-12:])
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert [t["TrainingJobStatus"] for t in found] == ["Stopped"] * 4
    assert [len(objective_lines(logs, t["TrainingJobName"])) for t in found] == [3, 3, 1, 3]
    assert desc["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 0.9


def test_a_failed_trial_is_counted_and_the_others_still_compete(sm, image):
    def train(host):
        mode = hyperparameters(host)["mode"]
        if mode == "broken":
            (host.root / "output" / "failure").write_text("ValueError: broken on purpose")
            return 1
        host.print(f"objective: {len(mode)}")
        return 0
    request = tuning_request(image(train), strategy="Grid", max_jobs=3, parallel=3, ranges={
        "CategoricalParameterRanges": [{"Name": "mode", "Values": ["ok", "broken", "fine"]}]})

    desc = run(sm, request)

    found = {t["TunedHyperParameters"]["mode"]: t for t in trials(sm, request["HyperParameterTuningJobName"])}
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert desc["TrainingJobStatusCounters"] == {"Completed": 2, "InProgress": 0, "RetryableError": 0,
                                                 "NonRetryableError": 1, "Stopped": 0}
    assert desc["ObjectiveStatusCounters"] == {"Succeeded": 2, "Pending": 0, "Failed": 1}
    assert found["broken"]["FailureReason"] == "AlgorithmError: ValueError: broken on purpose"
    assert found["broken"]["ObjectiveStatus"] == "Failed"
    assert "FinalHyperParameterTuningJobObjectiveMetric" not in found["broken"]
    assert desc["BestTrainingJob"]["TunedHyperParameters"] == {"mode": "fine"}


@pytest.mark.parametrize("failing", ["exits 1", "has no image"])
def test_a_tuning_job_whose_trials_all_fail_fails(sm, image, failing):
    request = tuning_request(image(lambda host: 1) if failing == "exits 1" else "fake/not-on-this-host:1",
                             max_jobs=10, parallel=1)

    desc = run(sm, request)

    assert desc["HyperParameterTuningJobStatus"] == "Failed"
    assert desc["FailureReason"] == ("No training job succeeded after 5 attempts. Please take a look at the "
                                     "training job failures to get more details.")
    assert desc["TrainingJobStatusCounters"]["NonRetryableError"] == 5
    assert len(trials(sm, request["HyperParameterTuningJobName"])) == 5
    assert "BestTrainingJob" not in desc


def test_reaching_the_target_objective_completes_early(sm, image):
    def train(host):
        host.print("objective: 0.95")
        return 0
    request = tuning_request(image(train), max_jobs=10, parallel=1,
                             TuningJobCompletionCriteria={"TargetObjectiveMetricValue": 0.9})

    desc = run(sm, request)

    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert len(trials(sm, request["HyperParameterTuningJobName"])) == 1
    assert desc["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 0.95


def test_a_best_objective_not_improving_completes_the_job(sm, image):
    def train(host):
        host.print("objective: 0.5")
        return 0
    request = tuning_request(image(train), max_jobs=10, parallel=1, objective_type="Minimize",
                             TuningJobCompletionCriteria={"BestObjectiveNotImproving": {
                                 "MaxNumberOfTrainingJobsNotImproving": 3}})

    desc = run(sm, request)

    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert len(trials(sm, request["HyperParameterTuningJobName"])) == 4  # the first, then 3 not improving on it
    assert desc["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] == 3


def test_several_definitions_take_turns(sm, image):
    def train(host):
        hp = hyperparameters(host)
        host.print(f"objective: {float(hp.get('lr', 0)) + float(hp.get('depth', 0))}")
        return 0
    fake = image(train)
    request = tuning_request(fake, max_jobs=4, parallel=2)
    del request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    del request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    del request["TrainingJobDefinition"]
    objective = {"Type": "Maximize", "MetricName": "objective"}
    request["TrainingJobDefinitions"] = [
        definition(fake, DefinitionName="net", TuningObjective=objective, HyperParameterRanges={
            "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.1", "MaxValue": "0.2"}]}),
        definition(fake, DefinitionName="trees", TuningObjective=objective, HyperParameterRanges={
            "IntegerParameterRanges": [{"Name": "depth", "MinValue": "5", "MaxValue": "9"}]})]

    desc = run(sm, request)

    found = trials(sm, request["HyperParameterTuningJobName"])
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert sorted(t["TrainingJobDefinitionName"] for t in found) == ["net", "net", "trees", "trees"]
    assert all(set(t["TunedHyperParameters"]) == ({"lr"} if t["TrainingJobDefinitionName"] == "net" else {"depth"})
               for t in found)
    assert desc["BestTrainingJob"]["TrainingJobDefinitionName"] == "trees"  # depth >= 5 beats lr <= 0.2
    assert [d["StaticHyperParameters"]["_tuning_objective_metric"] for d in desc["TrainingJobDefinitions"]] == [
        "objective", "objective"]


def test_delete_removes_an_ended_job_and_refuses_a_running_one(sm, image):
    request = tuning_request(image(until_stopped), max_jobs=1, parallel=1)
    name = request["HyperParameterTuningJobName"]
    sm.create_hyper_parameter_tuning_job(**request)
    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert refused.value.response["Error"]["Code"] == "ValidationException"

    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    ended(sm, name)
    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)

    with pytest.raises(sm.exceptions.ClientError) as missing:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert missing.value.response["Error"] == {
        "Code": "ResourceNotFound", "Message": f"Amazon SageMaker can't find a tuning job called {name}. Type another name."}


# -- bad requests -------------------------------------------------------------------------------

def grid(values):
    return {"CategoricalParameterRanges": [{"Name": "c", "Values": values}]}


BAD = [
    (dict(strategy="Grid", max_jobs=None), "ValidationException",
     "Only categorical parameters are supported when using the Grid strategy; integer or continuous ranges given: x"),
    (dict(strategy="Grid", max_jobs=3, ranges=grid(["a", "b"])), "ValidationException",
     "With the Grid strategy, MaxNumberOfTrainingJobs (3) must equal the total number of distinct categorical "
     "combinations (2)"),
    (dict(max_jobs=10, ranges={"IntegerParameterRanges": [{"Name": "n", "MinValue": "1", "MaxValue": "3"}]}),
     "ValidationException",
     "You don't have enough combinations of hyperparameter ranges. The total number of hyperparameter combinations "
     "for the provided ranges [3.0] must be equal or greater than the value of MaxNumberOfJobs, [10]. Provide "
     "additional ranges."),
    (dict(max_jobs=None), "ValidationException", "ResourceLimits.MaxNumberOfTrainingJobs must be specified"),
    (dict(strategy="Hyperband", TrainingJobEarlyStoppingType="Auto"), "ValidationException",
     "TrainingJobEarlyStoppingType must be Off to use the Hyperband strategy"),
    (dict(strategy="Hyperband"), "ValidationException",
     "HyperbandStrategyConfig.MaxResource is not given and cannot be inferred from the StaticHyperParameters"),
    (dict(StrategyConfig={"HyperbandStrategyConfig": {"MaxResource": 3}}), "ValidationException",
     "StrategyConfig should be provided only if Hyperband is selected as the Strategy"),
    (dict(ranges={"ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0", "MaxValue": "1",
                                                "ScalingType": "Logarithmic"}]}), "ValidationException",
     "Logarithmic scaling works only for ranges that have only values greater than 0: hyperparameter 'lr'"),
    (dict(ranges={"ContinuousParameterRanges": [{"Name": "source", "MinValue": "0", "MaxValue": "1"}]}),
     "ValidationException", "hyperparameters cannot be both static and tunable: source"),
    (dict(parallel=101), "ResourceLimitExceeded",
     "MaxParallelTrainingJobs (101) exceeds the limit of 100 parallel training jobs per tuning job"),
]


@pytest.mark.parametrize("change, code, message", BAD)
def test_bad_requests_are_refused_with_awss_wording(sm, change, code, message):
    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.create_hyper_parameter_tuning_job(**tuning_request("fake/unused:1", **change))

    assert refused.value.response["Error"]["Code"] == code
    assert message in refused.value.response["Error"]["Message"]


def test_an_objective_no_trial_reports_is_refused(sm):
    request = tuning_request("fake/unused:1")
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "validation:auc"

    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.create_hyper_parameter_tuning_job(**request)

    assert refused.value.response["Error"]["Message"] == (
        "TrainingJobDefinition: the objective metric 'validation:auc' is not one of the metrics the training jobs "
        "report: define it in AlgorithmSpecification.MetricDefinitions (defined: objective)")


def test_names_are_unique_and_unknown_ones_not_found(sm, random_job):
    request, _ = random_job
    with pytest.raises(sm.exceptions.ResourceInUse) as taken:
        sm.create_hyper_parameter_tuning_job(**request)
    assert taken.value.response["Error"]["Message"] == (
        f"A hyperparameter tuning job with the name, {request['HyperParameterTuningJobName']}, already exists. "
        "Choose a different name.")
    for call in (sm.describe_hyper_parameter_tuning_job, sm.stop_hyper_parameter_tuning_job,
                 sm.list_training_jobs_for_hyper_parameter_tuning_job):
        with pytest.raises(sm.exceptions.ResourceNotFound):
            call(HyperParameterTuningJobName="no-such-tuning-job")


def test_a_built_in_algorithm_offers_its_own_objectives(sm):
    """XGBoost's image with no MetricDefinitions: its validation:* metrics, not train:*."""
    request = tuning_request("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", max_jobs=1,
                             parallel=1)
    del request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    objective = request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    objective.update(Type="Minimize", MetricName="train:rmse")
    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.create_hyper_parameter_tuning_job(**request)
    assert "the objective metric 'train:rmse' is not one of" in refused.value.response["Error"]["Message"]
    assert "validation:rmse" in refused.value.response["Error"]["Message"]

    objective["MetricName"] = "validation:rmse"
    desc = run(sm, request)  # accepted; its one trial fails here, where the fake runner has no XGBoost image

    assert desc["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] == "validation:rmse"
    assert desc["TrainingJobStatusCounters"]["NonRetryableError"] == 1
