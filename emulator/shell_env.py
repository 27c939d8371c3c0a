"""`sagemaker-emulator env`: the exports that point unchanged AWS code at the emulator.

Besides AWS_ENDPOINT_URL (honoured by boto3, the AWS CLI and the SageMaker SDK), the
SageMaker Python SDK needs its own config file: with DefaultS3Bucket set it never calls
AWS's hard-coded STS host, and with TelemetryOptOut it never reaches for AWS's S3.
"""

import os
import shlex
from pathlib import Path

from .config import ACCOUNT_ID, DEFAULT_REGION


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "sagemaker-emulator"


def sdk_config(region: str, account: str = ACCOUNT_ID) -> str:
    """The SDK's config file (also what notebook kernels get: emulator/sagemaker/notebooks)."""
    return ("# Written by the SageMaker emulator for the SageMaker Python SDK "
            "(SAGEMAKER_USER_CONFIG_OVERRIDE).\n"
            "SchemaVersion: '1.0'\n"
            "SageMaker:\n"
            "  PythonSDK:\n"
            "    Modules:\n"
            "      TelemetryOptOut: true\n"
            "      Session:\n"
            f"        DefaultS3Bucket: sagemaker-{region}-{account}\n")


def write_sdk_config(region: str, account: str = ACCOUNT_ID) -> Path:
    path = config_dir() / f"sagemaker-sdk-{region}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdk_config(region, account))
    return path


def _has_credentials(environ) -> bool:
    if environ.get("AWS_ACCESS_KEY_ID") or environ.get("AWS_PROFILE"):
        return True
    shared = environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "credentials")
    return os.path.exists(shared)


def exports(host: str, port: int, environ=None) -> list[tuple[str, str]]:
    environ = os.environ if environ is None else environ
    region = environ.get("AWS_DEFAULT_REGION") or environ.get("AWS_REGION") or DEFAULT_REGION
    pairs = [("AWS_ENDPOINT_URL", f"http://{host}:{port}")]
    if not (environ.get("AWS_DEFAULT_REGION") and environ.get("AWS_REGION")):
        pairs += [("AWS_DEFAULT_REGION", region), ("AWS_REGION", region)]
    if not _has_credentials(environ):
        # The emulator checks no signature; any key pair will do.
        pairs += [("AWS_ACCESS_KEY_ID", "emulator"), ("AWS_SECRET_ACCESS_KEY", "emulator")]
    pairs += [("SAGEMAKER_USER_CONFIG_OVERRIDE", str(write_sdk_config(region))),
              ("SAGEMAKER_SUPPRESS_V2_WARNING", "1")]
    return pairs


def render(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in pairs)
