"""The platform side of SageMaker's container contracts (training, processing): the /opt/ml tree.

Only what SageMaker itself does lives here (config files, channel folders, the failure
file's meaning). SM_* variables are the toolkit's business inside the image, not ours.
"""

import json
from dataclasses import dataclass
from pathlib import Path

CONTAINER_ROOT = "/opt/ml"
CHECKPOINTS_PATH = f"{CONTAINER_ROOT}/checkpoints"  # CheckpointConfig.LocalPath's default
PROCESSING_ROOT = f"{CONTAINER_ROOT}/processing"    # where every processing LocalPath lies
FAILURE_REASON_LIMIT = 1024
DEFAULT_GROUP = "homogeneousCluster"


def channel_path(channel: str) -> str:
    """Where a channel's files are inside the container."""
    return f"{CONTAINER_ROOT}/input/data/{channel}"


def host_names(count: int) -> list[str]:
    """algo-1..algo-N, sorted as SageMaker writes them (the first is the master)."""
    return sorted(f"algo-{i}" for i in range(1, count + 1))


@dataclass(frozen=True)
class Layout:
    """One host's /opt/ml tree on the emulator's disk."""

    root: Path

    @property
    def config_dir(self) -> Path:
        return self.root / "input" / "config"

    def channel_dir(self, channel: str) -> Path:
        return self.root / "input" / "data" / channel

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.root / "output" / "data"

    @property
    def failure_file(self) -> Path:
        return self.root / "output" / "failure"

    @property
    def checkpoints_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def processing_config_dir(self) -> Path:
        """/opt/ml/config: a processing job's config files (training's are in input/config)."""
        return self.root / "config"

    @property
    def message_file(self) -> Path:
        """/opt/ml/output/message: what a processing container says as it exits (ExitMessage)."""
        return self.root / "output" / "message"

    def host_path(self, container_path: str) -> Path:
        """Where a path under /opt/ml inside the container is on this disk (already checked
        to be a normal path under /opt/ml)."""
        relative = container_path[len(CONTAINER_ROOT):].strip("/")
        if not container_path.startswith(CONTAINER_ROOT + "/") or ".." in relative.split("/"):
            raise ValueError(f"{container_path} is not a path under {CONTAINER_ROOT}")
        return self.root / relative

    def create(self) -> None:
        for d in (self.config_dir, self.root / "input" / "data", self.model_dir,
                  self.output_data_dir, self.root / "output" / "intermediate",
                  self.checkpoints_dir, self.root / "code"):
            d.mkdir(parents=True, exist_ok=True)


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=None), encoding="utf-8")


def write_hyperparameters(layout: Layout, hyperparameters: dict[str, str]) -> None:
    """hyperparameters.json: the API's string->string map, as given."""
    _write_json(layout.config_dir / "hyperparameters.json", dict(hyperparameters))


def write_resource_config(layout: Layout, current_host: str, hosts: list[str], instance_type: str,
                          directory: Path | None = None) -> None:
    """resourceconfig.json, in input/config (training) or the given directory (processing)."""
    _write_json((directory or layout.config_dir) / "resourceconfig.json", {
        "current_host": current_host,
        "current_instance_type": instance_type,
        "current_group_name": DEFAULT_GROUP,
        "hosts": hosts,
        "instance_groups": [{"instance_group_name": DEFAULT_GROUP, "instance_type": instance_type,
                             "hosts": hosts}],
        "network_interface_name": "eth0",
    })


def write_processing_job_config(layout: Layout, config: dict) -> None:
    """/opt/ml/config/processingjobconfig.json: the job as SageMaker stores it."""
    _write_json(layout.processing_config_dir / "processingjobconfig.json", config)


def input_data_config(channels: list[dict], default_mode: str) -> dict:
    """inputdataconfig.json's content from CreateTrainingJob's InputDataConfig."""
    config = {}
    for channel in channels:
        s3 = channel.get("DataSource", {}).get("S3DataSource", {})
        entry = {}
        if channel.get("ContentType"):
            entry["ContentType"] = channel["ContentType"]
        entry["TrainingInputMode"] = channel.get("InputMode") or default_mode
        entry["S3DistributionType"] = s3.get("S3DataDistributionType", "FullyReplicated")
        entry["RecordWrapperType"] = channel.get("RecordWrapperType", "None")
        config[channel["ChannelName"]] = entry
    return config


def write_input_data_config(layout: Layout, channels: list[dict], default_mode: str) -> None:
    _write_json(layout.config_dir / "inputdataconfig.json", input_data_config(channels, default_mode))


def failure_reason(layouts: list[Layout], exit_code: int) -> str:
    """AWS's FailureReason: "AlgorithmError: " + the first failure file found, cut to 1,024."""
    for layout in layouts:
        if layout.failure_file.is_file():
            text = layout.failure_file.read_text(encoding="utf-8", errors="replace")
            return ("AlgorithmError: " + text)[:FAILURE_REASON_LIMIT]
    return f"AlgorithmError: , exit code: {exit_code}"
