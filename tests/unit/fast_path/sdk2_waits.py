"""Run by tests/unit/test_fast_path.py: the SageMaker SDK 2.x waiting on a training job it
starts (fit's logs loop) and, in a Python child, on an endpoint it creates (deploy's wait), on
the emulator the environment names; and get_execution_role(). Prints RESULT <json>.
Arguments: bucket, training image, serving image."""

import collections
import json
import subprocess
import sys
import time
import uuid

import sagemaker

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def counted_session():
    """A Session and a count of the SageMaker operations it calls."""
    session = sagemaker.Session()
    calls = collections.Counter()
    session.sagemaker_client.meta.events.register("before-call.sagemaker", lambda model, **_: calls.update([model.name]))
    return session, calls


def train(bucket: str, image: str) -> dict:
    session, calls = counted_session()
    name = f"fast-{uuid.uuid4().hex[:8]}"
    session.sagemaker_client.create_training_job(
        TrainingJobName=name, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600})
    started = time.monotonic()
    session.logs_for_job(name, wait=True)  # what fit(logs=True) runs
    return {"seconds": time.monotonic() - started, "describes": calls["DescribeTrainingJob"]}


def deploy(image: str) -> dict:
    session, calls = counted_session()
    name = f"fast-{uuid.uuid4().hex[:8]}"
    session.sagemaker_client.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image})
    session.sagemaker_client.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    session.sagemaker_client.create_endpoint(EndpointName=name, EndpointConfigName=name)
    started = time.monotonic()
    session.wait_for_endpoint(name)  # what deploy() runs
    return {"seconds": time.monotonic() - started, "describes": calls["DescribeEndpoint"]}


if sys.argv[1] == "deploy":
    print("RESULT", json.dumps(deploy(sys.argv[2])))
    sys.exit(0)
bucket, training_image, serving_image = sys.argv[1:4]
child = subprocess.Popen([sys.executable, __file__, "deploy", serving_image], stdout=subprocess.PIPE, text=True)
trained, role = train(bucket, training_image), sagemaker.get_execution_role()
assert child.wait() == 0
import sagemaker.config.config, sagemaker.workflow.pipeline  # noqa: E402,E401,F401  the rest of the SDK 2.x's patched modules
import sagemaker_emulator_fast_path  # noqa: E402  on PYTHONPATH under `run`

print("RESULT", json.dumps({"train": trained, "role": role,
                            "child_deploy": json.loads(child.stdout.read().split("RESULT ", 1)[1]),
                            "patched": sagemaker_emulator_fast_path.patched_modules()}))
