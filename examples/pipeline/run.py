"""The classic SageMaker pipeline, with the SageMaker Python SDK 2.x: preprocess -> train ->
evaluate -> accuracy check -> register, or fail.

- Preprocess: examples/processing/preprocess.py in AWS's scikit-learn container (SKLearnProcessor):
  the raw digits CSV split into train and test and standardized.
- Train: train.py, a small PyTorch classifier, in the PyTorch container.
- Evaluate: evaluate.py on the PyTorch image (ScriptProcessor) writes evaluation.json, read by
  the pipeline as a PropertyFile.
- CheckAccuracy: a ConditionStep, test accuracy >= the AccuracyThreshold parameter (0.9). If so,
  RegisterDigitsModel (a ModelStep) registers the model as a new version in the
  `digits-classifier` model package group, with the evaluation as its ModelMetrics; if not,
  TooInaccurate (a FailStep) fails the execution with a message joined from the two numbers.

The job steps are cached (CacheConfig): run it again and they are not run again, and
`--accuracy-threshold 1.01` takes the else-branch at once.

Nothing here knows about the emulator: run it in the environment `sagemaker-emulator env`
prints, or under `sagemaker-emulator run` (which also shortens the SDK's polls), or on AWS with
a real role (ROLE_ARN). Usage: python examples/pipeline/run.py [--accuracy-threshold 0.9]
"""

import argparse
import json
import os
import tempfile
from pathlib import Path

import boto3
import pandas as pd
import sagemaker
from botocore.exceptions import WaiterError
from sagemaker.inputs import TrainingInput
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.pytorch import PyTorch, PyTorchModel
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import CacheConfig, ProcessingStep, TrainingStep
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent
PIPELINE = "digits-classification"
MODEL_GROUP = "digits-classifier"


def raw_digits(session: sagemaker.Session) -> str:
    """The 1,797 digits as one raw CSV in S3 (a `label` column, then pixel0..pixel63)."""
    digits = load_digits(as_frame=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "digits.csv"
        pd.concat([digits.target.rename("label"), digits.data.astype(int)], axis=1).to_csv(path, index=False)
        return session.upload_data(str(path), key_prefix=f"{PIPELINE}/raw")


def define(session: PipelineSession, role: str, raw: str) -> Pipeline:
    region = session.boto_region_name
    cache = CacheConfig(enable_caching=True, expire_after="P30D")
    input_data = ParameterString(name="InputData", default_value=raw)
    threshold = ParameterFloat(name="AccuracyThreshold", default_value=0.9)
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")

    sklearn = SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.xlarge", instance_count=1,
                               base_job_name="digits-preprocess", sagemaker_session=session)
    preprocess = ProcessingStep("Preprocess", cache_config=cache, step_args=sklearn.run(
        code=str(HERE.parent / "processing" / "preprocess.py"),
        inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
        outputs=[ProcessingOutput(output_name=n, source=f"/opt/ml/processing/{n}") for n in ("train", "test")]))
    split = preprocess.properties.ProcessingOutputConfig.Outputs

    estimator = PyTorch(entry_point=str(HERE / "train.py"), framework_version="2.6", py_version="py312", role=role,
                        instance_count=1, instance_type="ml.m5.xlarge", hyperparameters={"epochs": 150},
                        base_job_name="digits-train", sagemaker_session=session)
    train = TrainingStep("Train", cache_config=cache, step_args=estimator.fit(
        {"train": TrainingInput(split["train"].S3Output.S3Uri, content_type="text/csv")}))
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts

    torch_image = sagemaker.image_uris.retrieve("pytorch", region, "2.6", py_version="py312",
                                                instance_type="ml.m5.xlarge", image_scope="training")
    evaluator = ScriptProcessor(image_uri=torch_image, command=["python3"], role=role, instance_type="ml.m5.xlarge",
                                instance_count=1, base_job_name="digits-evaluate", sagemaker_session=session)
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep("Evaluate", cache_config=cache, property_files=[report], step_args=evaluator.run(
        code=str(HERE / "evaluate.py"),
        inputs=[ProcessingInput(source=model_data, destination="/opt/ml/processing/model"),
                ProcessingInput(source=split["test"].S3Output.S3Uri, destination="/opt/ml/processing/test")],
        outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]))
    accuracy = JsonGet(step_name=evaluate.name, property_file=report,
                       json_path="multiclass_classification_metrics.accuracy.value")

    metrics = ModelMetrics(model_statistics=MetricsSource(content_type="application/json", s3_uri=Join(on="/", values=[
        evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri, "evaluation.json"])))
    model = PyTorchModel(model_data=model_data, framework_version="2.6", py_version="py312", role=role,
                         sagemaker_session=session)
    register = ModelStep("RegisterDigitsModel", step_args=model.register(
        content_types=["application/x-npy", "text/csv", "application/json"], response_types=["application/x-npy"],
        inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"],
        model_package_group_name=MODEL_GROUP, approval_status=approval, model_metrics=metrics))
    fail = FailStep("TooInaccurate", error_message=Join(
        on=" ", values=["Test accuracy", accuracy, "is below the threshold", threshold]))
    check = ConditionStep("CheckAccuracy", conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
                          if_steps=[register], else_steps=[fail])
    return Pipeline(name=PIPELINE, parameters=[input_data, threshold, approval],
                    steps=[preprocess, train, evaluate, check], sagemaker_session=session)


def print_steps(execution) -> dict:
    """Each step as it ended (first started first); returns them by name."""
    steps = sorted(execution.list_steps(), key=lambda s: s["StartTime"])
    for step in steps:
        seconds = (step["EndTime"] - step["StartTime"]).total_seconds() if "EndTime" in step else float("nan")
        cached = " (cache hit)" if "CacheHitResult" in step else ""
        print(f"  {step['StepName']:<34} {step['StepStatus']:<10} {seconds:6.1f} s{cached}")
    return {s["StepName"]: s for s in steps}


def read_s3(session: sagemaker.Session, uri: str) -> str:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return session.read_s3_file(bucket, key)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accuracy-threshold", type=float, help="the AccuracyThreshold parameter (default 0.9)")
    args = parser.parse_args()

    session = PipelineSession()
    account = boto3.client("sts", region_name=session.boto_region_name).get_caller_identity()["Account"]
    role = os.environ.get("ROLE_ARN", f"arn:aws:iam::{account}:role/SageMakerRole")
    pipeline = define(session, role, raw_digits(session))
    pipeline.upsert(role_arn=role, description="digits: preprocess, train, evaluate, register")
    parameters = {} if args.accuracy_threshold is None else {"AccuracyThreshold": args.accuracy_threshold}
    execution = pipeline.start(parameters=parameters)
    print(f"pipeline {PIPELINE}: execution {execution.arn}")
    try:
        execution.wait(delay=10, max_attempts=360)
    except WaiterError:  # the waiter's failure state: the execution Failed
        pass
    status = execution.describe()["PipelineExecutionStatus"]
    print(f"execution {status}")
    steps = print_steps(execution)
    if status != "Succeeded":
        reasons = [f"{n}: {s['FailureReason']}" for n, s in steps.items() if s.get("FailureReason")]
        raise SystemExit("the pipeline failed: " + "; ".join(reasons))
    package_arn = steps["RegisterDigitsModel-RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    package = session.sagemaker_client.describe_model_package(ModelPackageName=package_arn)
    statistics = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    accuracy = json.loads(read_s3(session, statistics))["multiclass_classification_metrics"]["accuracy"]["value"]
    print(f"registered {package_arn}: {package['ModelPackageStatus']}, {package['ModelApprovalStatus']}, "
          f"test accuracy {accuracy:.4f} ({statistics})")


if __name__ == "__main__":
    main()
