"""Settings of one emulator process."""

import os
from dataclasses import dataclass, field
from pathlib import Path

ACCOUNT_ID = "123456789012"  # moto's default account: ARNs from every service agree
DEFAULT_REGION = "us-east-1"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "sagemaker-emulator"


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8787
    data_dir: Path = field(default_factory=default_data_dir)
    region: str = field(default_factory=lambda: os.environ.get("AWS_DEFAULT_REGION")
                        or os.environ.get("AWS_REGION") or DEFAULT_REGION)
    account_id: str = ACCOUNT_ID
    runner: str = "auto"  # auto | docker | process
    # Grace period between SIGTERM and SIGKILL on stop (AWS: 120 s).
    stop_grace_seconds: int = 120
    # A serverless variant's container stops after this long without invocations.
    serverless_idle_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_SERVERLESS_IDLE_SECONDS", "300")))
    # How long InvokeEndpoint waits for a container (AWS: 60 s).
    invocation_timeout_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_INVOCATION_TIMEOUT_SECONDS", "60")))
    # How often every live endpoint instance is health-checked (AWS pings every few seconds).
    health_check_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_HEALTH_CHECK_SECONDS", "2")))
    # Data capture files are written this often.
    capture_flush_seconds: float = 2.0
    # How long an hour of monitoring schedules lasts (sagemaker/workflows/monitoring/schedules.py): 60 runs
    # an hourly schedule every minute, over the minute before it.
    monitoring_hour_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_MONITORING_HOUR_SECONDS", "3600")))
    # How often a tuning job's driver looks at its trials (sagemaker/workflows/tuning_driver.py).
    tuning_poll_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_TUNING_POLL_SECONDS", "0.5")))
    # How long a notebook instance's lifecycle script may run (AWS: 5 minutes) before the instance fails.
    notebook_lifecycle_seconds: float = field(default_factory=lambda: float(
        os.environ.get("SAGEMAKER_EMULATOR_NOTEBOOK_LIFECYCLE_SECONDS", "300")))
    # Host names/addresses and browser origins let through besides the emulator's own
    # (aws/guard.py); "*" lets every one through. `serve --allow-host/--allow-origin` add to these.
    allow_hosts: list[str] = field(default_factory=lambda: _env_list("SAGEMAKER_EMULATOR_ALLOW_HOSTS"))
    allow_origins: list[str] = field(default_factory=lambda: _env_list("SAGEMAKER_EMULATOR_ALLOW_ORIGINS"))
    # The emulator's URL as job and endpoint containers reach it (their AWS_ENDPOINT_URL), for an
    # engine on another machine or network; None: http://host.docker.internal:<port>, this machine's
    # Docker bridge (README "Where the containers run").
    container_url: str | None = field(default_factory=lambda: os.environ.get(
        "SAGEMAKER_EMULATOR_CONTAINER_URL", "").strip().rstrip("/") or None)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
