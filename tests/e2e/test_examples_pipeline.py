"""examples/pipeline end to end on real Docker, run twice as its README says: the classic
pipeline (SKLearnProcessor preprocessing, PyTorch training, an evaluation with a PropertyFile,
the accuracy condition) registers a version of the digits model with its evaluation as
ModelMetrics; run again with a threshold no model meets, its jobs come from the cache and the
execution fails at the Fail step with the joined message, and the script exits 1 saying so."""

import json
import re

import pytest

from example_runs import run_example, succeeded

pytestmark = pytest.mark.docker

STEPS = ["Preprocess", "Train", "Evaluate", "CheckAccuracy"]


def printed_steps(printed: str) -> dict[str, tuple[str, bool]]:
    """The example's step table: name -> (status, cache hit)."""
    return {name: (status, bool(cached)) for name, status, cached in
            re.findall(r"^  (\S+) +(\w+) +[0-9.]+ s( \(cache hit\))?$", printed, re.M)}


def test_the_pipeline_example_registers_the_model_then_fails_at_its_threshold(emulator, sm, s3, tmp_path):
    printed = succeeded(run_example(emulator, tmp_path, "pipeline"))

    assert "execution Succeeded" in printed, printed
    steps = printed_steps(printed)
    assert {n: status for n, (status, _) in steps.items()} == {
        **{n: "Succeeded" for n in STEPS}, "RegisterDigitsModel-RegisterModel": "Succeeded"}
    package_arn = re.search(r"^registered (\S+):", printed, re.M)[1]
    package = sm.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelPackageGroupName"] == "digits-classifier"
    assert (package["ModelPackageStatus"], package["ModelApprovalStatus"]) == ("Completed", "PendingManualApproval")
    versions = sm.list_model_packages(ModelPackageGroupName="digits-classifier")["ModelPackageSummaryList"]
    assert package_arn == max(versions, key=lambda v: v["ModelPackageVersion"])["ModelPackageArn"]
    # The version's model is what the Train step made, served by the PyTorch inference image.
    execution = sm.list_pipeline_executions(PipelineName="digits-classification", SortOrder="Descending")[
        "PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    metadata = {s["StepName"]: s["Metadata"] for s in sm.list_pipeline_execution_steps(
        PipelineExecutionArn=execution)["PipelineExecutionSteps"]}
    job = next(j for j in sm.list_training_jobs(NameContains=execution.rsplit("/", 1)[1])["TrainingJobSummaries"]
               if j["TrainingJobArn"] == metadata["Train"]["TrainingJob"]["Arn"])  # the ARN has the name in lower case
    training = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["ModelDataUrl"] == training["ModelArtifacts"]["S3ModelArtifacts"]
    assert "/pytorch-inference:2.6" in container["Image"]
    # Its ModelMetrics are the Evaluate step's evaluation.json: the accuracy the condition passed.
    uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    bucket, key = uri[len("s3://"):].split("/", 1)
    accuracy = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())[
        "multiclass_classification_metrics"]["accuracy"]["value"]
    assert 0.9 <= accuracy <= 1 and f"test accuracy {accuracy:.4f}" in printed

    failed = run_example(emulator, tmp_path, "pipeline", "--accuracy-threshold", "1.01")

    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-3000:]
    assert "execution Failed" in failed.stdout
    assert printed_steps(failed.stdout) == {"Preprocess": ("Succeeded", True), "Train": ("Succeeded", True),
                                            "Evaluate": ("Succeeded", True), "CheckAccuracy": ("Succeeded", False),
                                            "TooInaccurate": ("Failed", False)}
    assert (f"the pipeline failed: TooInaccurate: Test accuracy {accuracy} is below the threshold 1.01"
            in failed.stderr.splitlines())
    assert len(sm.list_model_packages(ModelPackageGroupName="digits-classifier")["ModelPackageSummaryList"]) == len(
        versions)
