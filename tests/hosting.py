"""What endpoint tests do as a SageMaker user does: models, configs, endpoints, waiters."""

import uuid

from botocore.exceptions import WaiterError

from helpers import ROLE

BUCKET = "e2e-endpoints"
INFERENCE_DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_model(sm, artifact, environment=None, image=INFERENCE_DLC) -> str:
    name = unique("model")
    container = {"Image": image, "ModelDataUrl": artifact}
    if environment:
        container["Environment"] = environment
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer=container)
    return name


def custom_env(user_code, **extra) -> dict:
    return {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": user_code, **extra}


def create_config(sm, variants, **extra) -> str:
    name = unique("config")
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=variants, **extra)
    return name


def variant(model, name="AllTraffic", count=1, weight=1.0, **extra) -> dict:
    return {"VariantName": name, "ModelName": model, "InstanceType": "ml.m5.large",
            "InitialInstanceCount": count, "InitialVariantWeight": weight, **extra}


def deploy(sm, config, wait=True) -> str:
    name = unique("endpoint")
    arn = sm.create_endpoint(EndpointName=name, EndpointConfigName=config)["EndpointArn"]
    assert arn.endswith(f":endpoint/{name}")
    if wait:
        wait_in_service(sm, name)
    return name


def wait_in_service(sm, endpoint):
    try:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    except WaiterError:
        raise AssertionError(sm.describe_endpoint(EndpointName=endpoint).get("FailureReason"))


def delete(sm, endpoint):
    sm.delete_endpoint(EndpointName=endpoint)
    sm.get_waiter("endpoint_deleted").wait(EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 60})




def byoc_model(sm, image) -> str:
    name = unique("byoc")
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image})
    return name
