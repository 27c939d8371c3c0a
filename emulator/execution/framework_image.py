"""The framework images the emulator ships: their names and what they run.

A leaf module: the runners and the image resolution read these facts without importing
the builder (emulator/images.py, with its Docker and debootstrap code).
"""

import platform

PYTORCH_IMAGE = "sagemaker-emulator/pytorch:2.14.1"
IMAGE_PYTHON = "3.11"  # Debian bookworm's python3, which every image's venv uses
# (torch, torchvision) per architecture: the pair whose wheels exist for that machine.
TORCH_PAIRS = {"x86_64": ("2.14.1", "0.29.1"), "aarch64": ("2.9.1", "0.24.1")}
SKLEARN_VERSION = "1.9.1"
SKLEARN_IMAGE = f"sagemaker-emulator/sklearn:{SKLEARN_VERSION}"
XGBOOST_VERSION = "3.2.0"  # the xgboost-cpu wheel: the full one brings CUDA's NCCL (~300 MB)
XGBOOST_IMAGE = f"sagemaker-emulator/xgboost:{XGBOOST_VERSION}"
# The layers they share (python, the scientific stack, the toolkits, `serve`); not run itself.
BASE_IMAGE = "sagemaker-emulator/base:bookworm"
# The Model Monitor analyzer (containers/model-monitor): what AWS's sagemaker-model-monitor-analyzer is.
MODEL_MONITOR_IMAGE = "sagemaker-emulator/model-monitor:latest"


def torch_pair() -> tuple[str, str]:
    """(torch, torchvision) the image gets on this machine."""
    return TORCH_PAIRS.get(platform.machine(), TORCH_PAIRS["x86_64"])


def image_torch_version() -> str:
    return torch_pair()[0]
