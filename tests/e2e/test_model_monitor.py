"""Model Monitor end to end on real Docker, with the SDK 2.x unchanged (tests/e2e/sdk/
sdk2_model_monitor.py): two endpoints of the tiny PyTorch model capture their traffic, one
clean (the training data's own rows) and one shifted; the SDK suggests a baseline on the
analyzer image, runs a NOW schedule over each and a model quality one with ground truth, and
reads the reports back. The drift shows on the shifted endpoint only."""

import json
import subprocess
import sys
import time

import pytest

from helpers import REPO, user_shell_env, wait_until
from hosting import BUCKET, create_config, create_model, delete, deploy, variant

pytestmark = pytest.mark.docker


def captured(s3, endpoint: str) -> int:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"monitor-capture/{endpoint}/").get("Contents", [])
    return sum(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read().count(b"\n") for o in listed)


@pytest.fixture
def endpoints(sm, s3, runtime, artifact):
    """(clean, shifted) endpoints, their traffic captured; the clean calls' ground truth."""
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 100,
               "DestinationS3Uri": f"s3://{BUCKET}/monitor-capture",
               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    names = [deploy(sm, create_config(sm, [variant(create_model(sm, artifact))], DataCaptureConfig=capture), wait=False)
             for _ in range(2)]
    for name in names:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    clean, shifted = names
    rows = [(i % 8 / 8, i % 4 / 4, i % 2 / 2) for i in range(48)]  # the baseline's rows (sdk2_model_monitor.py)
    truth = {}
    for i, (a, b, c) in enumerate(rows):
        runtime.invoke_endpoint(EndpointName=clean, ContentType="text/csv", Body=f"{a},{b},{c}", InferenceId=f"id-{i}")
        runtime.invoke_endpoint(EndpointName=shifted, ContentType="text/csv", Body=f"{a + 3},{b + 3},{c}")
        truth[f"id-{i}"] = str(a + b + c + (1 if i % 3 == 0 else 0))  # the model is off by 1 on a third
    for name in names:
        wait_until(lambda: captured(s3, name) >= len(rows), 30, f"{name}'s traffic to be captured")
    yield clean, shifted, truth
    for name in names:
        delete(sm, name)


def test_sdk2_model_monitor_finds_drift_in_shifted_traffic_only(emulator, cloudwatch, endpoints, tmp_path):
    clean, shifted, truth = endpoints
    env = user_shell_env(emulator.port, tmp_path / "home")
    started = time.time()
    result = subprocess.run([sys.executable, str(REPO / "tests/e2e/sdk/sdk2_model_monitor.py"), str(tmp_path),
                             clean, shifted, json.dumps(truth)],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["baseline_status"] == "Completed" and seen["baseline_items"] == 48
    assert seen["baseline"] == [["y0", "Fractional"], ["y1", "Fractional"], ["x0", "Fractional"],
                                ["x1", "Fractional"], ["x2", "Fractional"]]
    # Shifted: x0 and x1 moved by 3, and so y0 = x0 + x1 + x2 by 6; x2 and y1 = x0 - x1 did not move.
    assert seen["shifted"] == {"status": "CompletedWithViolations", "reason": None, "executions": 1}
    assert seen["shifted_violations"] == [["x0", "baseline_drift_check"], ["x1", "baseline_drift_check"],
                                          ["y0", "baseline_drift_check"]]
    assert seen["shifted_statistics_items"] == 48
    assert seen["shifted_report"].startswith(f"s3://sagemaker-us-east-1-123456789012/monitor/shifted/{shifted}/"
                                             f"{seen['shifted_schedule']}/")
    # Clean: the training data's own rows, found through the baselining job's name.
    assert seen["clean"] == {"status": "Completed", "reason": None, "executions": 1}
    assert seen["clean_violations"] == []
    # Model quality: the first output against the ground truth, joined by inference id.
    assert seen["quality_baseline_status"] == "Completed"
    assert seen["quality"]["status"] == "CompletedWithViolations"
    assert seen["quality_mae"] == pytest.approx(16 / 48, abs=1e-6)  # 16 of 48 records off by 1
    assert seen["quality_violations"] == ["mae", "mse", "r2", "rmse"]
    # create_monitoring_schedule's enable_cloudwatch_metrics (True): the drift, in AWS's namespace.
    points = cloudwatch.get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName="feature_baseline_drift_x0",
        Dimensions=[{"Name": "Endpoint", "Value": shifted},
                    {"Name": "MonitoringSchedule", "Value": seen["shifted_schedule"]}],
        StartTime=started - 3600, EndTime=time.time() + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
    assert points and points[0]["Maximum"] == 1.0
