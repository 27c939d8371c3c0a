"""Pipeline definitions as the SageMaker Python SDK 2.x writes them, for tests: a step of each
kind with its arguments, and the definition around them."""

import json

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def get(reference: str) -> dict:
    return {"Get": reference}


def join(*values, on: str = "") -> dict:
    return {"Std:Join": {"On": on, "Values": list(values)}}


def definition(*steps, parameters=()) -> str:
    return json.dumps({"Version": "2020-12-01", "Metadata": {}, "Parameters": list(parameters),
                       "PipelineExperimentConfig": {"ExperimentName": get("Execution.PipelineName"),
                                                    "TrialName": get("Execution.PipelineExecutionId")},
                       "Steps": list(steps)})


def processing(name: str, image: str, inputs=(), outputs=(), **extra) -> dict:
    """inputs: (name, S3 URI or expression, LocalPath); outputs: (name, S3 URI or expression, LocalPath)."""
    return {"Name": name, "Type": "Processing", "Arguments": {
        "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                                  "VolumeSizeInGB": 1}},
        "AppSpecification": {"ImageUri": image}, "RoleArn": ROLE,
        "ProcessingInputs": [{"InputName": n, "AppManaged": False, "S3Input": {
            "S3Uri": uri, "LocalPath": path, "S3DataType": "S3Prefix", "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated", "S3CompressionType": "None"}} for n, uri, path in inputs],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": n, "AppManaged": False, "S3Output": {
            "S3Uri": uri, "LocalPath": path, "S3UploadMode": "EndOfJob"}} for n, uri, path in outputs]}}, **extra}


def training(name: str, image: str, output_path: str, channels=(), hyperparameters=None, **extra) -> dict:
    """channels: (name, S3 URI or expression)."""
    return {"Name": name, "Type": "Training", "Arguments": {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"}, "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": output_path},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600}, "HyperParameters": hyperparameters or {},
        **({"InputDataConfig": [{"ChannelName": ch, "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}}
            for ch, uri in channels]} if channels else {})}, **extra}


def condition(name: str, conditions: list, if_steps=(), else_steps=(), **extra) -> dict:
    return {"Name": name, "Type": "Condition", "Arguments": {
        "Conditions": conditions, "IfSteps": list(if_steps), "ElseSteps": list(else_steps)}, **extra}


def fail(name: str, message) -> dict:
    return {"Name": name, "Type": "Fail", "Arguments": {"ErrorMessage": message}}


def output_uri(step: str, output: str) -> dict:
    return get(f"Steps.{step}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri")
