"""The framework image the emulator ships: its name and what it runs.

A leaf module: the runners and the image resolution read these facts without importing
the builder (emulator/images.py, with its Docker and debootstrap code).
"""

import platform

PYTORCH_IMAGE = "sagemaker-emulator/pytorch:2.14.1"
IMAGE_PYTHON = "3.11"  # Debian bookworm's python3, which the image's venv uses
# (torch, torchvision) per architecture: the pair whose wheels exist for that machine.
TORCH_PAIRS = {"x86_64": ("2.14.1", "0.29.1"), "aarch64": ("2.9.1", "0.24.1")}


def torch_pair() -> tuple[str, str]:
    """(torch, torchvision) the image gets on this machine."""
    return TORCH_PAIRS.get(platform.machine(), TORCH_PAIRS["x86_64"])


def image_torch_version() -> str:
    return torch_pair()[0]
