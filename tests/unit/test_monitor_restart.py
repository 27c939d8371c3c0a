"""An hourly monitoring schedule on a fast schedule clock (monitoring_hour_seconds, what
SAGEMAKER_EMULATOR_MONITORING_HOUR_SECONDS sets), before and after the emulator restarts on
the same data dir: it runs on each (short) hour over the hour before it, and keeps running
after the restart. Two emulators of their own, on fake runners; this module pays two
SeaweedFS starts and stops."""

import threading
import time
import uuid

import pytest

from emulator.sagemaker.images import resolve_image
from fake_runner import FakeRunner, ServeProgram
from helpers import ensure_bucket, held_to_output_shapes, wait_until
from in_process import BUCKET, InProcessEmulator
from test_monitor_schedules import (ANALYZER_URI, OUTPUT, analyzer, data_quality_definition, deploy_captured,
                                    executions, model, rows, send, suggest_baseline)

HOUR_SECONDS = 2.0
MODEL_IMAGE = "fake/monitored-model:1"


class Traffic:
    """Invokes an endpoint every 0.1 s on a thread, so that every short hour has captured data."""

    def __init__(self, runtime, endpoint: str):
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(runtime, endpoint), daemon=True)
        self._thread.start()

    def _run(self, runtime, endpoint: str) -> None:
        for row in rows(100_000, seed=9):
            if self._done.wait(0.1):
                return
            try:
                runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=",".join(map(str, row)))
            except Exception:  # the endpoint is coming back after the restart
                pass

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def completed_after(sm, schedule: str, after: float) -> dict:
    def found():
        return next((e for e in executions(sm, schedule) if e["ScheduledTime"].timestamp() > after
                     and e["MonitoringExecutionStatus"] == "Completed"), None)
    return wait_until(found, 30, f"a completed execution of {schedule} scheduled after {after}")


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """What each emulator saw: (sm, the first emulator's run, the schedule, when it restarted, the second's run)."""
    data_dir = tmp_path_factory.mktemp("monitor-restart") / "data"
    images = {resolve_image(ANALYZER_URI): analyzer, MODEL_IMAGE: ServeProgram(model)}
    schedule = f"hourly-{uuid.uuid4().hex[:8]}"
    with InProcessEmulator(data_dir, FakeRunner(images), monitoring_hour_seconds=HOUR_SECONDS) as first:
        sm, s3, runtime = held_to_output_shapes(first.client("sagemaker")), first.client("s3"), first.client(
            "sagemaker-runtime")
        ensure_bucket(s3, BUCKET)
        s3.put_object(Bucket=BUCKET, Key="warm-up", Body=b"a volume for the bucket")
        endpoint = deploy_captured(sm, MODEL_IMAGE)
        send(runtime, s3, endpoint, rows(5))
        definition = data_quality_definition(sm, ANALYZER_URI, endpoint, {"BaseliningJobName": suggest_baseline(
            sm, s3, ANALYZER_URI)})
        traffic = Traffic(runtime, endpoint)
        sm.create_monitoring_schedule(MonitoringScheduleName=schedule, MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringJobDefinitionName": definition,
            "MonitoringType": "DataQuality"})
        before = completed_after(sm, schedule, 0)
        before_job = sm.describe_processing_job(ProcessingJobName=before["ProcessingJobArn"].split("/")[-1])
        traffic.stop()
    restarted = time.time()
    with InProcessEmulator(data_dir, FakeRunner(images), monitoring_hour_seconds=HOUR_SECONDS) as second:
        sm, runtime = held_to_output_shapes(second.client("sagemaker")), second.client("sagemaker-runtime")
        wait_until(lambda: sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService", 10,
                   "the endpoint to serve again")
        traffic = Traffic(runtime, endpoint)
        try:
            after = completed_after(sm, schedule, restarted)
            yield sm, before, before_job, schedule, restarted, after
        finally:
            traffic.stop()


def test_an_hourly_schedule_runs_every_short_hour_over_the_hour_before(story):
    _, before, job, schedule, _, _ = story
    scheduled = before["ScheduledTime"].timestamp()
    assert scheduled % HOUR_SECONDS == 0  # on the (short) hour
    environment = job["Environment"]
    window = [time.mktime(time.strptime(environment[k], "%Y-%m-%dT%H:%M:%SZ")) for k in ("start_time", "end_time")]
    assert window[1] - window[0] == HOUR_SECONDS
    # Each run keeps its own report: the fast clock adds minute and second to AWS's hour folder.
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].endswith(
        time.strftime("%Y/%m/%d/%H/%M/%S", time.gmtime(scheduled)))
    assert job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].startswith(OUTPUT)


def test_schedules_keep_running_after_a_restart(story):
    sm, before, _, schedule, restarted, after = story
    assert sm.describe_monitoring_schedule(MonitoringScheduleName=schedule)["MonitoringScheduleStatus"] == "Scheduled"
    assert after["ScheduledTime"].timestamp() > restarted
    listed = {e["ProcessingJobArn"] for e in executions(sm, schedule) if "ProcessingJobArn" in e}
    assert {before["ProcessingJobArn"], after["ProcessingJobArn"]} <= listed  # the history is kept
