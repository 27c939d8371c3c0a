"""Training jobs end to end: boto3 over HTTP against `sagemaker-emulator serve`, real Docker."""

import datetime
import json
import time
import uuid

import docker
import pytest
from botocore.exceptions import ClientError

from emulator.execution.framework_image import PYTORCH_IMAGE

from helpers import (PYTORCH_DLC, REPO, ensure_bucket, log_messages, read_tar, script_hyperparameters,
                     training_request, upload_sourcedir, wait_for, wait_for_log_line, wait_until)

pytestmark = pytest.mark.docker
BUCKET = "e2e-training"
PROBE_METRICS = [{"Name": "loss", "Regex": r"loss=([0-9.]+)"},
                 {"Name": "accuracy", "Regex": r"accuracy=([0-9.]+)"}]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def probe_code(s3):
    ensure_bucket(s3, BUCKET)
    return upload_sourcedir(s3, BUCKET, "code/probe/sourcedir.tar.gz",
                            {"probe.py": REPO / "tests/e2e/code/probe.py"})


def probe_job(sm, probe_code, name, user_hps=None, channels=(), **extra):
    hps = script_hyperparameters("probe.py", probe_code, user_hps)
    request = training_request(name, BUCKET, hps, channels=channels, **extra)
    request["AlgorithmSpecification"]["MetricDefinitions"] = PROBE_METRICS
    sm.create_training_job(**request)
    return request


def probe_output(s3, desc):
    files = read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])
    return json.loads(files["probe.json"]), files


def test_contract_seen_by_the_script(sm, s3, probe_code):
    s3.put_object(Bucket=BUCKET, Key="data/contract/train/a.csv", Body=b"1,2\n")
    s3.put_object(Bucket=BUCKET, Key="data/contract/train/sub/b.csv", Body=b"3,4\n")
    name = unique("contract")
    probe_job(sm, probe_code, name,
              user_hps={"epochs": 3, "learning-rate": 0.01, "x": True, "layers": [64, 32]},
              channels=[("training", f"s3://{BUCKET}/data/contract/train")],
              Environment={"MY_FLAG": "on"})
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    probe, files = probe_output(s3, desc)

    # Hyperparameters: sorted --key value, -k for one letter, Python str() of decoded values.
    assert probe["argv"] == ["--epochs", "3", "--layers", "[64, 32]", "--learning-rate", "0.01", "-x", "True"]
    config = probe["config"]
    assert config["hyperparameters.json"]["epochs"] == "3"  # every value a string, as sent
    assert config["resourceconfig.json"] == {
        "current_host": "algo-1", "current_instance_type": "ml.m5.large",
        "current_group_name": "homogeneousCluster", "hosts": ["algo-1"],
        "instance_groups": [{"instance_group_name": "homogeneousCluster",
                             "instance_type": "ml.m5.large", "hosts": ["algo-1"]}],
        "network_interface_name": "eth0"}
    assert config["inputdataconfig.json"] == {"training": {
        "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"}}
    assert probe["data"]["training"] == {"a.csv": "1,2\n", "sub/b.csv": "3,4\n"}
    env = probe["env"]
    assert env["TRAINING_JOB_NAME"] == name
    assert env["TRAINING_JOB_ARN"] == desc["TrainingJobArn"]
    assert env["MY_FLAG"] == "on"
    assert env["SM_CHANNEL_TRAINING"] == "/opt/ml/input/data/training"
    assert env["SM_MODEL_DIR"] == "/opt/ml/model"
    assert json.loads(env["SM_HOSTS"]) == ["algo-1"]
    assert env["SM_HP_LEARNING-RATE"] == "0.01"
    assert env["SM_NUM_GPUS"] == "0"
    assert env["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.large"
    # The container gets no host credentials, only the emulator's dummy ones.
    assert env["AWS_ACCESS_KEY_ID"] == "emulator"
    # The PyTorch training toolkit's version variable: what torch in the image says it is (the
    # image's build reads it once, so the toolkit need not import torch in every job).
    assert env["SM_DLC_TORCH_VERSION"] == docker.from_env().containers.run(
        PYTORCH_IMAGE, ["python", "-c", "import torch; print(torch.__version__)"], remove=True).decode().strip()

    # output/data went to output.tar.gz beside model.tar.gz.
    output = read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"].replace("model.tar.gz", "output.tar.gz"))
    assert "probe.json" in output
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://{BUCKET}/output/{name}/output/model.tar.gz"


def test_status_timeline_metrics_and_logs(sm, logs, emulator, probe_code):
    name = unique("timeline")
    before = time.time()
    probe_job(sm, probe_code, name)
    sm.get_waiter("training_job_completed_or_stopped").wait(
        TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    desc = sm.describe_training_job(TrainingJobName=name)
    assert desc["TrainingJobStatus"] == "Completed"
    assert desc["SecondaryStatus"] == "Completed"
    statuses = [t["Status"] for t in desc["SecondaryStatusTransitions"]]
    assert statuses == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    for t in desc["SecondaryStatusTransitions"]:
        assert t["StartTime"] <= t["EndTime"] and t["StatusMessage"]
    assert desc["CreationTime"].timestamp() >= before - 1
    assert desc["TrainingStartTime"] <= desc["TrainingEndTime"]
    assert desc["TrainingTimeInSeconds"] >= 1
    assert desc["BillableTimeInSeconds"] == desc["TrainingTimeInSeconds"]
    assert desc["StoppingCondition"]["MaxRuntimeInSeconds"] == 600
    final = {m["MetricName"]: m["Value"] for m in desc["FinalMetricDataList"]}
    assert final == {"loss": 0.125, "accuracy": 0.9}  # the last match of each regex
    # Every match is also a CloudWatch datapoint, per job and per host, as SageMaker publishes.
    cloudwatch = emulator.client("cloudwatch")
    listed = {(m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"]))
              for m in cloudwatch.list_metrics(Namespace="/aws/sagemaker/TrainingJobs")["Metrics"]}
    assert {("loss", (("TrainingJobName", name),)), ("loss", (("Host", f"{name}/algo-1"),)),
            ("accuracy", (("TrainingJobName", name),))} <= listed
    points = cloudwatch.get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs", MetricName="loss",
        Dimensions=[{"Name": "TrainingJobName", "Value": name}], StartTime=desc["TrainingStartTime"],
        EndTime=desc["TrainingEndTime"] + datetime.timedelta(minutes=1), Period=60,
        Statistics=["SampleCount", "Minimum", "Maximum"])["Datapoints"]
    assert sum(p["SampleCount"] for p in points) == 2
    assert min(p["Minimum"] for p in points) == 0.125 and max(p["Maximum"] for p in points) == 0.25

    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                        logStreamNamePrefix=f"{name}/")["logStreams"]
    assert len(streams) == 1
    stream = streams[0]["logStreamName"]
    host, epoch = stream.split("/")[1].rsplit("-", 1)
    assert host == "algo-1" and abs(int(epoch) - before) < 120
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream,
                                 startFromHead=True)["events"]
    messages = [e["message"] for e in events]
    assert "probe done" in messages
    assert any("sagemaker-training-toolkit" in m for m in messages)


def test_failing_script_reports_algorithm_error(sm, probe_code):
    name = unique("fails")
    probe_job(sm, probe_code, name, user_hps={"mode": "fail", "exit-code": 7})
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["SecondaryStatus"] == "Failed"
    reason = desc["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 7\n")
    assert "about to fail with a ValueError" in reason
    assert len(reason) <= 1024
    assert "ModelArtifacts" not in desc or not desc["ModelArtifacts"].get("S3ModelArtifacts")
    with pytest.raises(Exception) as waited:
        sm.get_waiter("training_job_completed_or_stopped").wait(
            TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    assert "Failed" in str(waited.value)


def test_stop_sends_sigterm_and_keeps_the_model(sm, s3, logs, probe_code):
    name = unique("stopped")
    probe_job(sm, probe_code, name, user_hps={"mode": "term", "seconds": 300})
    wait_for_log_line(logs, name, "probe: waiting for SIGTERM")  # the script's handler is installed
    sm.stop_training_job(TrainingJobName=name)
    assert sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in ("Stopping", "Stopped")
    desc = wait_for(sm, name, timeout=120)
    assert desc["TrainingJobStatus"] == "Stopped"
    assert desc["SecondaryStatus"] == "Stopped"
    assert "Stopping" in [t["Status"] for t in desc["SecondaryStatusTransitions"]]
    _, files = probe_output(s3, desc)
    assert files["saved-on-sigterm.txt"] == b"bye"
    with pytest.raises(ClientError) as again:
        sm.stop_training_job(TrainingJobName=name)
    assert again.value.response["Error"]["Code"] == "ValidationException"


def test_max_runtime_stops_the_job(sm, probe_code):
    name = unique("timeout")
    probe_job(sm, probe_code, name, user_hps={"mode": "sleep", "seconds": 300}, max_runtime=8)
    desc = wait_for(sm, name, timeout=120)
    assert desc["TrainingJobStatus"] == "Stopped"
    assert desc["SecondaryStatus"] == "MaxRuntimeExceeded"
    assert desc["TrainingTimeInSeconds"] < 60


def test_gpu_instance_on_a_host_without_gpus_fails_clearly(sm, probe_code):
    import docker

    if "nvidia" in json.dumps(docker.from_env().info().get("Runtimes", {})):
        pytest.skip("this host has a GPU runtime; covered by the GPU check instead")
    name = unique("gpu")
    probe_job(sm, probe_code, name, instance_type="ml.g5.xlarge")
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Failed"
    assert "GPU" in desc["FailureReason"] and "ml.g5.xlarge" in desc["FailureReason"]


def test_two_instances_train_with_torch_distributed(sm, s3, logs):
    ensure_bucket(s3, BUCKET)
    code = upload_sourcedir(s3, BUCKET, "code/ddp/sourcedir.tar.gz",
                            {"train_ddp.py": REPO / "examples/distributed/train_ddp.py"})
    name = unique("ddp")
    hps = script_hyperparameters("train_ddp.py", code, {
        "steps": 30, "sagemaker_torch_distributed_enabled": True, "sagemaker_instance_type": "ml.c5.xlarge"})
    sm.create_training_job(**training_request(name, BUCKET, hps, instance_type="ml.c5.xlarge", count=2))
    desc = wait_for(sm, name, timeout=300)
    # torchrun's own complaint is in the hosts' logs, not in FailureReason: show it when it fails.
    assert desc["TrainingJobStatus"] == "Completed", (
        desc.get("FailureReason"), log_messages(logs, "/aws/sagemaker/TrainingJobs", f"{name}/")[-60:])
    model = json.loads(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["model.json"])
    assert model["world_size"] == 2
    assert abs(model["weight"] - 3) < 0.5 and abs(model["bias"] - 2) < 0.5


def test_sharded_and_manifest_channels_across_two_instances(sm, s3, probe_code):
    for i in range(4):
        s3.put_object(Bucket=BUCKET, Key=f"data/shards/part-{i}.csv", Body=f"{i}\n".encode())
    s3.put_object(Bucket=BUCKET, Key="data/manifest.json", Body=json.dumps(
        [{"prefix": f"s3://{BUCKET}/data/shards/"}, "part-0.csv", "part-3.csv"]).encode())
    name = unique("sharded")
    request = training_request(name, BUCKET, script_hyperparameters("probe.py", probe_code), count=2)
    request["InputDataConfig"] = [
        {"ChannelName": "sharded", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/data/shards/",
            "S3DataDistributionType": "ShardedByS3Key"}}},
        {"ChannelName": "listed", "DataSource": {"S3DataSource": {
            "S3DataType": "ManifestFile", "S3Uri": f"s3://{BUCKET}/data/manifest.json"}}},
    ]
    sm.create_training_job(**request)
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    # model.tar.gz merges both hosts' /opt/ml/model: the last host's probe.json wins.
    probe, _ = probe_output(s3, desc)
    assert probe["config"]["resourceconfig.json"]["hosts"] == ["algo-1", "algo-2"]
    assert probe["config"]["inputdataconfig.json"]["sharded"]["S3DistributionType"] == "ShardedByS3Key"
    assert sorted(probe["data"]["listed"]) == ["part-0.csv", "part-3.csv"]
    assert len(probe["data"]["sharded"]) == 2  # half of the four objects on each host


def test_checkpoints_restore_and_upload(sm, s3, probe_code):
    s3.put_object(Bucket=BUCKET, Key="ckpt/job1/previous.ckpt", Body=b"step=0")
    name = unique("ckpt")
    probe_job(sm, probe_code, name, CheckpointConfig={"S3Uri": f"s3://{BUCKET}/ckpt/job1"})
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    probe, _ = probe_output(s3, desc)
    assert probe["checkpoints"] == {"previous.ckpt": "step=0"}
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="ckpt/job1/")["Contents"]}
    assert keys == {"ckpt/job1/previous.ckpt", "ckpt/job1/algo-1.ckpt"}


def test_file_uri_channel_and_bring_your_own_entrypoint(sm, s3, tmp_path):
    (tmp_path / "local.txt").write_text("from disk")
    ensure_bucket(s3, BUCKET)
    name = unique("byoc")
    script = ("import os, json; "
              "open('/opt/ml/model/seen.json','w').write(json.dumps({"
              "'sm': sorted(k for k in os.environ if k.startswith('SM_')), "
              "'data': open('/opt/ml/input/data/local/local.txt').read()}))")
    request = training_request(name, BUCKET, {}, channels=[("local", f"file://{tmp_path}")])
    request["AlgorithmSpecification"] = {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                                         "ContainerEntrypoint": ["python3", "-c", script]}
    sm.create_training_job(**request)
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    seen = json.loads(read_tar(s3, desc["ModelArtifacts"]["S3ModelArtifacts"])["seen.json"])
    # Without the toolkit nothing sets SM_* variables, as on AWS.
    assert seen == {"sm": [], "data": "from disk"}


def test_unknown_image_fails_with_a_reason(sm, s3):
    ensure_bucket(s3, BUCKET)
    name = unique("noimage")
    sm.create_training_job(**training_request(name, BUCKET, {}, image="no-such/image:latest"))
    desc = wait_for(sm, name)
    assert desc["TrainingJobStatus"] == "Failed"
    assert "no-such/image:latest" in desc["FailureReason"]


def test_a_container_killed_from_outside_fails_the_job_with_that_reason(sm, s3):
    ensure_bucket(s3, BUCKET)
    name = unique("killed")
    request = training_request(name, BUCKET, {})
    request["AlgorithmSpecification"] = {"TrainingImage": PYTORCH_DLC, "TrainingInputMode": "File",
                                         "ContainerEntrypoint": ["sh", "-c", "echo up; sleep 600"]}
    sm.create_training_job(**request)
    engine = docker.from_env()
    container = wait_until(lambda: next(iter(engine.containers.list(
        filters={"label": f"sagemaker-emulator.job={name}", "status": "running"})), None), 120, "the container runs")
    container.kill()
    desc = wait_for(sm, name, timeout=60)
    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"].startswith("InternalServerError: the job's container on algo-1 was stopped "
                                            "from outside the emulator")
