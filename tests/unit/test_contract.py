import json
import tarfile

from emulator.execution import contract, instances
from emulator.sagemaker.jobs.data import tar_merged
from emulator.sagemaker.jobs.training_worker import MetricWatcher


def test_hosts_are_sorted_as_sagemaker_writes_them():
    assert contract.host_names(2) == ["algo-1", "algo-2"]
    assert contract.host_names(11)[:3] == ["algo-1", "algo-10", "algo-11"]


def test_config_files(tmp_path):
    layout = contract.Layout(tmp_path)
    layout.create()
    contract.write_hyperparameters(layout, {"epochs": "3"})
    contract.write_resource_config(layout, "algo-2", ["algo-1", "algo-2"], "ml.c5.xlarge")
    channels = [{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": "s3://b/p", "S3DataDistributionType": "ShardedByS3Key"}}},
        {"ChannelName": "eval", "InputMode": "Pipe", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://b/q"}}}]
    contract.write_input_data_config(layout, channels, "File")
    read = lambda n: json.loads((layout.config_dir / n).read_text())
    assert read("hyperparameters.json") == {"epochs": "3"}
    rc = read("resourceconfig.json")
    assert rc["current_host"] == "algo-2" and rc["hosts"] == ["algo-1", "algo-2"]
    assert rc["instance_groups"][0]["instance_type"] == "ml.c5.xlarge"
    assert read("inputdataconfig.json") == {
        "train": {"ContentType": "text/csv", "TrainingInputMode": "File",
                  "S3DistributionType": "ShardedByS3Key", "RecordWrapperType": "None"},
        "eval": {"TrainingInputMode": "Pipe", "S3DistributionType": "FullyReplicated",
                 "RecordWrapperType": "None"}}


def test_failure_reason_from_the_failure_file(tmp_path):
    layout = contract.Layout(tmp_path)
    layout.create()
    assert contract.failure_reason([layout], 2) == "AlgorithmError: , exit code: 2"
    layout.failure_file.write_text("ExecuteUserScriptError:\n" + "x" * 2000)
    reason = contract.failure_reason([layout], 1)
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nxxx") and len(reason) == 1024


def test_instance_limits_are_capped_to_the_host():
    big = instances.lookup("ml.p4d.24xlarge")
    assert (big.vcpus, big.gpus) == (96, 8)
    cpus, memory = big.limits()
    assert cpus <= __import__("os").cpu_count()
    assert instances.lookup("ml.m5.large") == instances.Instance("ml.m5.large", 2, 8, 0)
    assert instances.lookup("ml.g5.xlarge").gpus == 1


def test_metric_watcher_keeps_the_last_match():
    watcher = MetricWatcher([{"Name": "loss", "Regex": r"loss=([0-9.]+)"},
                             {"Name": "never", "Regex": r"nope=(\d+)"}])
    watcher.feed("epoch 1 loss=0.5", 1.0)
    watcher.feed("epoch 2 loss=0.25", 2.0)
    assert watcher.final() == [{"MetricName": "loss", "Value": 0.25, "Timestamp": 2.0}]
    assert watcher.series["loss"] == [(1.0, 0.5), (2.0, 0.25)]


def test_model_archives_merge_hosts(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "sub").mkdir(parents=True)
    b.mkdir()
    (a / "sub" / "w.pt").write_text("a")
    (a / "same.txt").write_text("from a")
    (b / "same.txt").write_text("from b")
    tar_merged([a, b], tmp_path / "model.tar.gz")
    with tarfile.open(tmp_path / "model.tar.gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    assert files == {"same.txt": b"from b", "sub/w.pt": b"a"}
