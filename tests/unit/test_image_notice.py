"""What a user is told when a framework image URI asks for another PyTorch or Python."""

from emulator.execution.framework_image import IMAGE_PYTHON, image_torch_version
from emulator.sagemaker.images import resolve_image, version_notice

DLC = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:"


def test_other_versions_are_named():
    notice = version_notice(DLC + "1.13-cpu-py39")
    assert f"PyTorch 1.13 asked, {image_torch_version()} runs" in notice
    assert f"Python 3.9 asked, {IMAGE_PYTHON} runs" in notice
    assert "2.6.0-gpu-py312-cu124-ubuntu22.04-sagemaker" in version_notice(DLC + "2.6.0-gpu-py312-cu124-ubuntu22.04-sagemaker")


def test_matching_versions_and_other_images_say_nothing():
    major_minor = ".".join(image_torch_version().split(".")[:2])
    py = "py" + IMAGE_PYTHON.replace(".", "")
    assert version_notice(f"{DLC}{major_minor}-cpu-{py}") is None
    assert version_notice(f"{DLC}{image_torch_version()}-cpu-{py}") is None
    assert version_notice("my-registry/my-image:2.6") is None
    assert resolve_image("my-registry/my-image:2.6") == "my-registry/my-image:2.6"
