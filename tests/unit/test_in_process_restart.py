"""What a new emulator on the same data dir makes of what the last one left: a training job
that was running fails, and so do a tuning job and a pipeline execution, and a live endpoint is deployed again. Two emulators of their own,
on fake runners (no Docker); this module pays two SeaweedFS starts and stops."""

import uuid

import pytest

from fake_runner import FakeRunner, ServeProgram
from helpers import ROLE, ensure_bucket, held_to_output_shapes, training_request, wait_until
from in_process import InProcessEmulator
from test_in_process_pipelines import assert_interrupted, start_parked_pipeline
from test_in_process_tuning import trial_stages, trials, tuning_request

BUCKET = "restart"
INTERRUPTED = "InternalServerError: the emulator stopped while this job was running"
TUNING_JOB = f"restart-{uuid.uuid4().hex[:8]}"
PIPELINE = f"restart-{uuid.uuid4().hex[:8]}"


def park(host):
    """Trains until the process dies; the old emulator's job thread stays parked here, as a
    dead process's would, so that it never writes into the data dir the new emulator owns."""
    host.killed.wait()
    return None


def serve(request):
    return 200, "text/plain", b"served by " + request.environment["OWNER_TAG"].encode()


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """(the new emulator, the job's name, the endpoint's name), after the first emulator
    closed with the job running and the endpoint InService."""
    data_dir = tmp_path_factory.mktemp("restart") / "data"
    images = {"fake/park:1": park, "fake/serve:1": ServeProgram(serve)}
    job, endpoint = f"job-{uuid.uuid4().hex[:8]}", f"endpoint-{uuid.uuid4().hex[:8]}"
    with InProcessEmulator(data_dir, FakeRunner(images)) as first:
        sm = first.client("sagemaker")
        ensure_bucket(first.client("s3"), BUCKET)
        sm.create_training_job(**training_request(job, BUCKET, {}, image="fake/park:1"))
        tuning = tuning_request("fake/park:1", max_jobs=3, parallel=1)
        tuning["HyperParameterTuningJobName"] = TUNING_JOB
        tuning["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"] = f"s3://{BUCKET}/tuning"
        sm.create_hyper_parameter_tuning_job(**tuning)
        sm.create_model(ModelName="served", ExecutionRoleArn=ROLE, PrimaryContainer={
            "Image": "fake/serve:1", "Environment": {"OWNER_TAG": "the model"}})
        sm.create_endpoint_config(EndpointConfigName="served", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "served", "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}])
        sm.create_endpoint(EndpointName=endpoint, EndpointConfigName="served")
        wait_until(lambda: sm.describe_training_job(TrainingJobName=job)["SecondaryStatus"] == "Training", 10,
                   "the job to train")
        wait_until(lambda: sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService", 10,
                   "the endpoint to be InService")
        wait_until(lambda: trial_stages(sm, TUNING_JOB) == ["Training"], 10, "the tuning job's first trial to train")
        start_parked_pipeline(sm, "fake/park:1", BUCKET, PIPELINE)
    with InProcessEmulator(data_dir, FakeRunner(images)) as second:
        yield second, job, endpoint


def test_a_job_running_when_the_emulator_stopped_has_failed(restarted):
    emulator, job, _ = restarted

    desc = emulator.client("sagemaker").describe_training_job(TrainingJobName=job)

    assert (desc["TrainingJobStatus"], desc["SecondaryStatus"]) == ("Failed", "Failed")
    assert desc["FailureReason"] == INTERRUPTED
    assert "TrainingEndTime" in desc


def test_a_live_endpoint_serves_again_after_a_restart(restarted):
    emulator, _, endpoint = restarted
    sm, runtime = emulator.client("sagemaker"), emulator.client("sagemaker-runtime")

    wait_until(lambda: sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService", 10,
               "the endpoint to be InService again")

    assert runtime.invoke_endpoint(EndpointName=endpoint, Body=b"x")["Body"].read() == b"served by the model"
    assert emulator.runner.serving(owner=endpoint)


def test_a_tuning_job_running_when_the_emulator_stopped_has_failed(restarted):
    emulator, _, _ = restarted
    sm = emulator.client("sagemaker")

    desc = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=TUNING_JOB)

    assert desc["HyperParameterTuningJobStatus"] == "Failed"
    assert desc["FailureReason"] == "InternalServerError: the emulator stopped while this tuning job was running"
    assert "HyperParameterTuningEndTime" in desc
    assert [(t["TrainingJobStatus"], t["FailureReason"]) for t in trials(sm, TUNING_JOB)] == [("Failed", INTERRUPTED)]
    assert desc["TrainingJobStatusCounters"]["RetryableError"] == 1  # an internal error: retryable, as AWS counts


def test_a_pipeline_execution_running_when_the_emulator_stopped_has_failed(restarted):
    emulator, _, _ = restarted

    assert_interrupted(held_to_output_shapes(emulator.client("sagemaker")), PIPELINE)
