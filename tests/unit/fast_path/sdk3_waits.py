"""Run by tests/unit/test_fast_path.py: the SageMaker SDK 3.x waiting on a training job
(TrainingJob.wait, what ModelTrainer.train runs) and on an endpoint (Session.wait_for_endpoint,
what ModelBuilder.deploy runs), and get_execution_role(). Prints RESULT <json>.
Arguments: bucket, training image, serving image."""

import collections
import json
import sys
import time
import uuid

from sagemaker.core.helper.session_helper import Session, get_execution_role
from sagemaker.core.resources import TrainingJob

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
bucket, training_image, serving_image = sys.argv[1:4]
session = Session()
sm = session.sagemaker_client
calls = collections.Counter()
sm.meta.events.register("before-call.sagemaker", lambda model, **_: calls.update([model.name]))
name = f"fast3-{uuid.uuid4().hex[:8]}"

sm.create_training_job(
    TrainingJobName=name, RoleArn=ROLE, AlgorithmSpecification={"TrainingImage": training_image, "TrainingInputMode": "File"},
    OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
    StoppingCondition={"MaxRuntimeInSeconds": 600})
# The resource's own client comes from the boto3 session: count its calls too.
session.boto_session.events.register("before-call.sagemaker", lambda model, **_: calls.update(["resource " + model.name]))
started = time.monotonic()
TrainingJob.get(training_job_name=name, session=session.boto_session).wait(logs=False)
train_seconds = time.monotonic() - started

sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": serving_image})
sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
    "VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
started = time.monotonic()
session.wait_for_endpoint(name)
deploy_seconds = time.monotonic() - started

# The rest of the SDK 3.x's patched modules.
import sagemaker.core.processing, sagemaker.core.transformer, sagemaker.core.remote_function.job  # noqa: E402,E401,F401
import sagemaker.mlops.workflow.pipeline, sagemaker.serve.deployment_progress  # noqa: E402,E401,F401
import sagemaker.core.config.config, sagemaker.core.config.config_manager  # noqa: E402,E401,F401
import sagemaker.core.utils.intelligent_defaults_helper  # noqa: E402,F401
import sagemaker_emulator_fast_path  # noqa: E402  on PYTHONPATH under `run`

print("RESULT", json.dumps({"train_seconds": train_seconds, "train_describes": calls["resource DescribeTrainingJob"],
                            "deploy_seconds": deploy_seconds, "deploy_describes": calls["DescribeEndpoint"],
                            "role": get_execution_role(session),
                            "patched": sagemaker_emulator_fast_path.patched_modules()}))
