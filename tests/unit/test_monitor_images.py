"""Every region's Model Monitor analyzer URI, as the SDK 2.x retrieves it, runs the emulator's
analyzer image (DefaultModelMonitor and ModelQualityMonitor use these by default)."""

import json
from pathlib import Path

import sagemaker

from emulator.execution.framework_image import MODEL_MONITOR_IMAGE
from emulator.sagemaker.images import resolve_image


def test_every_regions_analyzer_uri_resolves_to_the_analyzer_image():
    config = Path(sagemaker.__file__).parent / "image_uri_config" / "model-monitor.json"
    registries = json.loads(config.read_text())["versions"][""]["registries"]
    assert len(registries) > 20
    for region in registries:
        uri = sagemaker.image_uris.retrieve("model-monitor", region)
        assert uri.split("/")[-1].startswith("sagemaker-model-monitor-analyzer"), uri
        assert resolve_image(uri) == MODEL_MONITOR_IMAGE, uri
        assert resolve_image(f"{uri}:latest") == MODEL_MONITOR_IMAGE
    assert resolve_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-monitor:1") != MODEL_MONITOR_IMAGE
