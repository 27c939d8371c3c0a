"""examples/tuning end to end on real Docker, run as its README says with its smallest settings
(2 trials of 1 epoch, both at once): the SDK 2.x's HyperparameterTuner tunes the MNIST script on
lr and batch size, the best trial is the one with the best objective, and deployed it scores the
held-out digits as its trial measured."""

import re

import pytest

from example_runs import run_example, succeeded
from helpers import wait_until

pytestmark = pytest.mark.docker


def test_the_tuning_example_tunes_mnist_and_deploys_its_best_trial(emulator, sm, tmp_path):
    printed = succeeded(run_example(emulator, tmp_path, "tuning", "--max-jobs", "2", "--max-parallel-jobs", "2",
                                    "--epochs", "1"))

    tuning = re.search(r"tuning job (\S+): (\w+), (\d+) trials", printed)
    assert tuning and tuning.group(2, 3) == ("Completed", "2"), printed
    trials = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning[1], SortBy="FinalObjectiveMetricValue", SortOrder="Descending")[
        "TrainingJobSummaries"]
    assert [t["TrainingJobStatus"] for t in trials] == ["Completed", "Completed"]
    assert len({(t["TunedHyperParameters"]["lr"], t["TunedHyperParameters"]["batch-size"]) for t in trials}) == 2
    best = trials[0]
    objective = best["FinalHyperParameterTuningJobObjectiveMetric"]
    assert objective["MetricName"] == "test:accuracy"
    # analytics().dataframe() printed every trial, the best first; best_training_job() named it.
    rows = re.findall(rf"^({tuning[1]}-\d{{3}}-[0-9a-f]{{8}}) +([0-9.]+) +\S+ +([0-9.]+) +Completed", printed, re.M)
    assert [(name, float(value)) for name, _, value in rows] == [
        (t["TrainingJobName"], t["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]) for t in trials]
    assert f"best training job: {best['TrainingJobName']} (test:accuracy {objective['Value']:.4f})" in printed

    # Its endpoint's predictions over all 359 held-out digits score what its trial measured on
    # them, far above chance (0.1).
    scored = re.search(rf"on {best['TrainingJobName']}: (\d+)/359 held-out digits right", printed)
    assert scored, printed
    assert abs(int(scored[1]) / 359 - objective["Value"]) <= 2 / 359
    assert objective["Value"] > 0.3
    wait_until(lambda: best["TrainingJobName"] not in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]],
               30, "the example's endpoint to be deleted")
