"""STS and IAM as the SageMaker SDK 3.x role checks and get_execution_role-style code see them."""

import json
import urllib.parse

import pytest


@pytest.fixture(scope="module")
def iam(emulator):
    return emulator.client("iam")


def test_the_caller_is_a_session_of_the_emulators_role(emulator, iam):
    identity = emulator.client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == ("arn:aws:sts::123456789012:assumed-role/"
                               "SageMakerEmulatorExecutionRole/sagemaker-emulator")
    role = iam.get_role(RoleName="SageMakerEmulatorExecutionRole")["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/SageMakerEmulatorExecutionRole"
    assert identity["UserId"].startswith(role["RoleId"] + ":")


def trusted_services(role):
    document = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    return {s for st in document["Statement"] for s in st["Principal"].get("Service", [])}


def test_any_role_named_exists_and_trusts_sagemaker(iam):
    role = iam.get_role(RoleName="AmazonSageMaker-ExecutionRole-20240101T000000")["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/AmazonSageMaker-ExecutionRole-20240101T000000"
    assert "sagemaker.amazonaws.com" in trusted_services(role)
    # A role the user makes keeps what they gave it.
    own = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=json.dumps(own), Path="/service-role/")
    mine = iam.get_role(RoleName="mine")["Role"]
    assert mine["Arn"] == "arn:aws:iam::123456789012:role/service-role/mine"
    assert "sagemaker.amazonaws.com" not in trusted_services(mine)


def test_every_action_is_allowed(iam):
    pages = iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn="arn:aws:iam::123456789012:role/AnyRole",
        ActionNames=["sagemaker:CreateTrainingJob", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::bucket/*"])
    results = [r for page in pages for r in page["EvaluationResults"]]
    assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results] == [
        ("sagemaker:CreateTrainingJob", "arn:aws:s3:::bucket/*", "allowed"),
        ("s3:PutObject", "arn:aws:s3:::bucket/*", "allowed")]
