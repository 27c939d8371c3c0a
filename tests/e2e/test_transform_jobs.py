"""Batch transform end to end: the trained model over S3 inputs, outputs read back from S3."""

import json
import time

import pytest
from botocore.exceptions import ClientError, WaiterError

from hosting import BUCKET, create_model, custom_env, unique

pytestmark = pytest.mark.docker


def transform(sm, model, input_uri, output_uri, content_type, accept, **extra) -> str:
    name = unique("transform")
    sm.create_transform_job(
        TransformJobName=name, ModelName=model,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                        "ContentType": content_type, "SplitType": extra.pop("SplitType", "Line")},
        TransformOutput={"S3OutputPath": output_uri, "Accept": accept, "AssembleWith": extra.pop("AssembleWith", "Line")},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": extra.pop("InstanceCount", 1)},
        **extra)
    return name


def wait(sm, name):
    sm.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return sm.describe_transform_job(TransformJobName=name)


def text(s3, key) -> str:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def test_csv_lines_multi_record_one_output_per_input(sm, s3, logs, artifact):
    s3.put_object(Bucket=BUCKET, Key="bt/csv/in/a.csv", Body=b"1,2,3\n4,5,6\n")
    s3.put_object(Bucket=BUCKET, Key="bt/csv/in/more/b.csv", Body=b"0,0,1\n1,0,0\n")
    name = transform(sm, create_model(sm, artifact), f"s3://{BUCKET}/bt/csv/in", f"s3://{BUCKET}/bt/csv/out",
                     "text/csv", "text/csv", BatchStrategy="MultiRecord", MaxPayloadInMB=1,
                     MaxConcurrentTransforms=2, InstanceCount=2)
    assert sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"] == "InProgress"
    desc = wait(sm, name)
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["TransformEndTime"] >= desc["TransformStartTime"]
    assert text(s3, "bt/csv/out/a.csv.out") == "6.0,-1.0\n15.0,-1.0\n"
    assert text(s3, "bt/csv/out/more/b.csv.out") == "1.0,0.0\n1.0,1.0\n"
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TransformJobs",
                                        logStreamNamePrefix=f"{name}/")["logStreams"]
    assert len(streams) == 2 and all(s["logStreamName"].split("/")[1].startswith("i-") for s in streams)
    summaries = sm.list_transform_jobs(NameContains=name)["TransformJobSummaries"]
    assert [(s["TransformJobName"], s["TransformJobStatus"]) for s in summaries] == [(name, "Completed")]


def test_json_single_record_with_filters_and_join(sm, s3, artifact):
    records = [{"id": 1, "features": [1, 2, 3]}, {"id": 2, "features": [0, 1, 0]}]
    s3.put_object(Bucket=BUCKET, Key="bt/json/in/records.jsonl", Body="\n".join(map(json.dumps, records)).encode())
    name = transform(sm, create_model(sm, artifact), f"s3://{BUCKET}/bt/json/in", f"s3://{BUCKET}/bt/json/out",
                     "application/json", "application/json", BatchStrategy="SingleRecord",
                     DataProcessing={"InputFilter": "$.features", "JoinSource": "Input",
                                     "OutputFilter": "$['id','SageMakerOutput']"})
    desc = wait(sm, name)
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    lines = [json.loads(line) for line in text(s3, "bt/json/out/records.jsonl.out").splitlines()]
    assert lines == [{"id": 1, "SageMakerOutput": [6.0, -1.0]}, {"id": 2, "SageMakerOutput": [1.0, -1.0]}]


def test_csv_join_and_output_filter(sm, s3, artifact):
    s3.put_object(Bucket=BUCKET, Key="bt/join/in/rows.csv", Body=b"1,2,3\n3,2,1\n")
    name = transform(sm, create_model(sm, artifact), f"s3://{BUCKET}/bt/join/in", f"s3://{BUCKET}/bt/join/out",
                     "text/csv", "text/csv", DataProcessing={"JoinSource": "Input", "OutputFilter": "$[0,-2]"})
    desc = wait(sm, name)
    assert desc["TransformJobStatus"] == "Completed", desc.get("FailureReason")
    assert text(s3, "bt/join/out/rows.csv.out") == "1,6.0\n3,6.0\n"


def test_model_errors_fail_the_job_and_stop_works(sm, s3, artifact, user_code):
    model = create_model(sm, artifact, custom_env(user_code))
    s3.put_object(Bucket=BUCKET, Key="bt/bad/in/x.json", Body=json.dumps({"inputs": [[1, 1, 1]], "fail": True}).encode())
    name = transform(sm, model, f"s3://{BUCKET}/bt/bad/in", f"s3://{BUCKET}/bt/bad/out", "application/json",
                     "application/json", SplitType="None", AssembleWith="None")
    with pytest.raises(WaiterError):
        wait(sm, name)
    desc = sm.describe_transform_job(TransformJobName=name)
    assert desc["TransformJobStatus"] == "Failed"
    assert "input_fn was told to fail" in desc["FailureReason"]
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key="bt/bad/out/x.json.out")

    slow = "\n".join(json.dumps({"inputs": [[1, 1, 1]], "sleep": 0.5}) for _ in range(40))
    s3.put_object(Bucket=BUCKET, Key="bt/slow/in/x.jsonl", Body=slow.encode())
    name = transform(sm, model, f"s3://{BUCKET}/bt/slow/in", f"s3://{BUCKET}/bt/slow/out", "application/json",
                     "application/json", BatchStrategy="SingleRecord")
    time.sleep(1)
    sm.stop_transform_job(TransformJobName=name)
    assert sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"] in ("Stopping", "Stopped")
    assert wait(sm, name)["TransformJobStatus"] == "Stopped"

    error = sm.exceptions.ClientError
    with pytest.raises(error) as err:
        sm.describe_transform_job(TransformJobName="no-such-job")
    assert err.value.response["Error"]["Code"] == "ValidationException"
