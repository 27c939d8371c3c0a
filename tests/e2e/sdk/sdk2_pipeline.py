"""The SageMaker Python SDK 2.x's Pipelines, unchanged, against the emulator: a PipelineSession,
a ProcessingStep (ScriptProcessor on the PyTorch image), a TrainingStep (PyTorch estimator),
an evaluation ProcessingStep with a PropertyFile read by JsonGet in a ConditionStep, whose
branches are a ModelStep registering a PyTorchModel with inference code (the SDK adds its repack
training step, on the scikit-learn image) and a FailStep with a Join message; Pipeline.upsert
(create, then update), start, execution.wait(delay=1), describe, list_steps. The second run's
jobs are cache hits (CacheConfig on every job step). Prints one JSON line."""

import json
import sys
import uuid
from pathlib import Path

import sagemaker
from botocore.exceptions import WaiterError
from sagemaker.inputs import TrainingInput
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.pytorch import PyTorch, PyTorchModel
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

code, work = Path(sys.argv[1]), Path(sys.argv[2])
role = "arn:aws:iam::123456789012:role/SageMakerRole"
session = PipelineSession()
(work / "rows.csv").write_text("1,2,3\n4,5,6\n7,8,9\n10,11,12\n")
raw = session.upload_data(str(work / "rows.csv"), key_prefix="sdk2-pipeline/raw")
image = sagemaker.image_uris.retrieve("pytorch", session.boto_region_name, "2.6", py_version="py312",
                                      instance_type="ml.m5.large", image_scope="training")
cache = CacheConfig(enable_caching=True, expire_after="PT1H")
threshold = ParameterFloat(name="Threshold", default_value=0.5)
input_data = ParameterString(name="InputData", default_value=raw)
processor = ScriptProcessor(image_uri=image, command=["python3"], role=role, instance_count=1,
                            instance_type="ml.m5.large", sagemaker_session=session)

preprocess = ProcessingStep("Preprocess", cache_config=cache, step_args=processor.run(
    code=str(code / "pipelines" / "preprocess.py"),
    inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
    outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
             ProcessingOutput(output_name="test", source="/opt/ml/processing/test")]))
estimator = PyTorch(entry_point="tiny_train.py", source_dir=str(code / "tiny"), framework_version="2.6",
                    py_version="py312", role=role, instance_count=1, instance_type="ml.m5.large",
                    hyperparameters={"loss-lines": 1}, sagemaker_session=session)
train = TrainingStep("Train", cache_config=cache, step_args=estimator.fit({"train": TrainingInput(
    preprocess.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)}))
report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
evaluate = ProcessingStep("Evaluate", cache_config=cache, property_files=[report], step_args=processor.run(
    code=str(code / "pipelines" / "evaluate.py"),
    inputs=[ProcessingInput(source=train.properties.ModelArtifacts.S3ModelArtifacts,
                            destination="/opt/ml/processing/model"),
            ProcessingInput(source=preprocess.properties.ProcessingOutputConfig.Outputs["test"].S3Output.S3Uri,
                            destination="/opt/ml/processing/test")],
    outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]))
accuracy = JsonGet(step_name=evaluate.name, property_file=report, json_path="metrics.accuracy.value")
group = f"sdk2-pipeline-models-{uuid.uuid4().hex[:6]}"  # the register step makes it
model = PyTorchModel(model_data=train.properties.ModelArtifacts.S3ModelArtifacts, entry_point="inference.py",
                     source_dir=str(code / "serve"), framework_version="2.6", py_version="py312", role=role,
                     sagemaker_session=session)
register = ModelStep("Register", step_args=model.register(
    content_types=["application/json"], response_types=["application/json"], inference_instances=["ml.m5.large"],
    transform_instances=["ml.m5.large"], model_package_group_name=group, approval_status="Approved"))
check = ConditionStep("CheckAccuracy", conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
                      if_steps=[register], else_steps=[FailStep("TooInaccurate", error_message=Join(
                          on=" ", values=["accuracy", accuracy, "is below", threshold]))])
pipeline = Pipeline(name=f"sdk2-pipeline-{uuid.uuid4().hex[:6]}", parameters=[threshold, input_data],
                    steps=[preprocess, train, evaluate, check], sagemaker_session=session)
pipeline.upsert(role_arn=role, description="first")
pipeline.upsert(role_arn=role, description="upserted again")  # the update path


def run(**parameters) -> dict:
    execution = pipeline.start(parameters=parameters)
    try:
        execution.wait(delay=1, max_attempts=600)
    except WaiterError:  # a Failed execution: the waiter's failure state
        pass
    return {"arn": execution.arn, "status": execution.describe()["PipelineExecutionStatus"],
            "steps": {s["StepName"]: {"status": s["StepStatus"], "reason": s.get("FailureReason"),
                                      "cached_from": s.get("CacheHitResult", {}).get("SourcePipelineExecutionArn"),
                                      "metadata": s.get("Metadata", {})} for s in execution.list_steps()}}


seen = {"first": run(), "second": run(Threshold=1.5), "description": pipeline.describe()["PipelineDescription"],
        "group": group}
print(json.dumps(seen))
