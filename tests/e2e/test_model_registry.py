"""The Model Registry end to end on real Docker: a model a training job made is registered as
a version, approved, and deployed from the registry (CreateModel with ModelPackageName) with
boto3, and with the SageMaker Python SDK 2.x (Model.register() then ModelPackage.deploy())."""

import json
import subprocess
import sys

import pytest

from helpers import REPO, ROLE, user_shell_env
from hosting import INFERENCE_DLC, create_config, delete, deploy, unique, variant

pytestmark = pytest.mark.docker


def test_an_approved_version_deploys_and_predicts(sm, runtime, artifact):
    group = unique("tiny-models")
    sm.create_model_package_group(ModelPackageGroupName=group, ModelPackageGroupDescription="the tiny model")
    arn = sm.create_model_package(
        ModelPackageGroupName=group, ModelPackageDescription="out = [x0+x1+x2, x0-x1]",
        InferenceSpecification={"Containers": [{"Image": INFERENCE_DLC, "ModelDataUrl": artifact}],
                                "SupportedContentTypes": ["application/json"],
                                "SupportedResponseMIMETypes": ["application/json"]},
        ModelMetrics={"ModelQuality": {"Statistics": {"ContentType": "application/json",
                                                      "S3Uri": artifact.replace("model.tar.gz", "metrics.json")}}},
    )["ModelPackageArn"]
    assert sm.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "PendingManualApproval"
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="exact")
    model = unique("registered")
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, Containers=[{"ModelPackageName": arn}])

    endpoint = deploy(sm, create_config(sm, [variant(model)]))
    try:
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                         Accept="application/json", Body=json.dumps([[1, 2, 3], [4, 5, 6]]))

        assert json.loads(answer["Body"].read()) == [[6.0, -1.0], [15.0, -1.0]]
        [summary] = sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
        assert summary["DeployedImages"][0]["SpecifiedImage"] == INFERENCE_DLC
        assert sm.describe_model(ModelName=model)["Containers"] == [{"ModelPackageName": arn}]
    finally:
        delete(sm, endpoint)


def test_the_sdk_registers_a_model_and_deploys_the_package(emulator, artifact, tmp_path):
    group = unique("sdk-models")
    env = user_shell_env(emulator.port, tmp_path / "home")

    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_registry_flow.py"), INFERENCE_DLC,
                             artifact, group, ROLE], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["arn"] == f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{group}/1"
    assert (seen["registered_status"], seen["deployed_status"]) == ("PendingManualApproval", "Approved")
    assert (seen["description"], seen["metadata"]) == ("registered by the SDK", {"stage": "test"})
    assert (seen["container"]["Image"], seen["container"]["ModelDataUrl"]) == (INFERENCE_DLC, artifact)
    assert seen["model_containers"] == [{"ModelPackageName": seen["arn"]}]
    assert seen["prediction"] == [[6.0, -1.0], [15.0, -1.0]]
