"""Answers leave shaped by the operation's output shape, and botocore's own parser reads them
back as boto3 would."""

import datetime
import json

import botocore.session
from botocore.parsers import create_parser

from emulator.aws.serialize import shaped
from emulator.sagemaker.jobs.training import TRAINING_JOB, new_document, transition
from emulator.sagemaker.resources import Resources
from emulator.store import Store

MODEL = botocore.session.get_session().get_service_model("sagemaker")
REQUEST = {"TrainingJobName": "job-a", "RoleArn": "arn:aws:iam::123456789012:role/r",
           "AlgorithmSpecification": {"TrainingImage": "i", "TrainingInputMode": "File"},
           "HyperParameters": {"epochs": "3"},
           "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
           "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1}}


def round_trip(operation: str, answer: dict) -> dict:
    shape = MODEL.operation_model(operation).output_shape
    body = json.dumps(shaped(answer, shape)).encode()
    parsed = create_parser("json").parse({"status_code": 200, "headers": {}, "body": body}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def test_a_described_job_round_trips_through_botocores_parser():
    doc = new_document(REQUEST, "us-east-1", "123456789012", 1_700_000_000.5)
    transition(doc, "Downloading", 1_700_000_001.0)
    parsed = round_trip("DescribeTrainingJob", doc)
    assert parsed["TrainingJobName"] == "job-a" and parsed["HyperParameters"] == {"epochs": "3"}
    assert parsed["CreationTime"] == datetime.datetime.fromtimestamp(1_700_000_000.5, datetime.timezone.utc)
    assert [t["Status"] for t in parsed["SecondaryStatusTransitions"]] == ["Starting", "Downloading"]
    assert set(parsed) == set(doc)  # nothing the emulator stores is outside the shape


def test_members_the_shape_does_not_name_and_none_are_left_out():
    doc = new_document(REQUEST, "us-east-1", "123456789012", 10.0)
    doc["EmulatorInternal"] = {"x": 1}
    doc["FailureReason"] = None
    doc["ResourceConfig"]["Unknown"] = "y"
    answer = shaped(doc, MODEL.operation_model("DescribeTrainingJob").output_shape)
    assert "EmulatorInternal" not in answer and "FailureReason" not in answer
    assert "Unknown" not in answer["ResourceConfig"] and answer["ResourceConfig"]["InstanceCount"] == 1


def test_timestamps_leave_as_epoch_seconds_whatever_form_they_were_kept_in():
    shape = MODEL.operation_model("DescribeTrainingJob").output_shape
    moment = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.timezone.utc)
    for kept in (moment, moment.timestamp(), "2026-11-25T12:00:00Z"):
        assert shaped({"CreationTime": kept}, shape) == {"CreationTime": moment.timestamp()}


def test_a_list_page_round_trips(tmp_path):
    jobs = Resources(Store(tmp_path / "s.db"), TRAINING_JOB)
    for i in range(3):
        jobs.add(new_document({**REQUEST, "TrainingJobName": f"job-{i}"}, "us-east-1", "123456789012", 10.0 + i))
    parsed = round_trip("ListTrainingJobs", jobs.query({"MaxResults": 2}))
    assert [s["TrainingJobName"] for s in parsed["TrainingJobSummaries"]] == ["job-0", "job-1"]
    assert parsed["NextToken"]


def test_an_operation_without_output_answers_an_empty_object():
    assert shaped({"anything": 1}, MODEL.operation_model("DeleteModel").output_shape) == {}


def test_answers_outside_their_shape_are_named():
    from emulator.aws.validation import answer_errors
    shape = MODEL.operation_model("DescribeTrainingJob").output_shape
    good = shaped(new_document(REQUEST, "us-east-1", "123456789012", 10.0), shape)
    assert answer_errors(good, shape) == []
    bad = {**good, "TrainingJobStatus": "Running", "TrainingJobArn": "job-a", "EnableNetworkIsolation": "no",
           "ResourceConfig": {**good["ResourceConfig"], "InstanceCount": "1"}}
    errors = " | ".join(answer_errors(bad, shape))
    assert "trainingJobStatus" in errors and "enum" in errors
    assert "trainingJobArn" in errors and "pattern" in errors
    assert "EnableNetworkIsolation" in errors and "ResourceConfig.InstanceCount" in errors
    assert answer_errors({"x": 1}, None) == ["answer ['x'] to an operation without output"]
