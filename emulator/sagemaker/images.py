"""Which local image runs for the image URI a request names.

AWS's PyTorch Deep Learning Container URIs (any account, region and tag) resolve to the
emulator's PyTorch image, which runs the same toolkits; any other URI is a
bring-your-own image, run as given. When the tag asks for another PyTorch or Python than
the image has, the job still runs, and the user is told so: once in the emulator's log per
URI, and at the top of each training job's log, where `fit(logs=True)` shows it.
"""

import logging
import re
import threading

from ..execution.framework_image import IMAGE_PYTHON, PYTORCH_IMAGE, image_torch_version

log = logging.getLogger(__name__)

_PYTORCH_DLC = re.compile(
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/pytorch-(?:training|inference)(?::(?P<tag>[\w.\-]+))?$")
_told: set[str] = set()
_told_lock = threading.Lock()


def resolve_image(uri: str) -> str:
    return PYTORCH_IMAGE if _PYTORCH_DLC.match(uri) else uri


def version_notice(uri: str) -> str | None:
    """What differs between the DLC tag's PyTorch/Python and the local image's, else None."""
    match = _PYTORCH_DLC.match(uri)
    if not match or not match["tag"]:
        return None
    parts = match["tag"].split("-")
    differences = []
    torch = image_torch_version()
    if re.fullmatch(r"\d+(\.\d+)*", parts[0]) and not _same_release(parts[0], torch):
        differences.append(f"PyTorch {parts[0]} asked, {torch} runs")
    python = next((p[2] + "." + p[3:] for p in parts if re.fullmatch(r"py3\d+", p)), None)
    if python and python != IMAGE_PYTHON:
        differences.append(f"Python {python} asked, {IMAGE_PYTHON} runs")
    if not differences:
        return None
    notice = f"sagemaker-emulator: {uri} runs as the local image {PYTORCH_IMAGE}: {'; '.join(differences)}"
    with _told_lock:
        if uri not in _told:
            _told.add(uri)
            log.warning(notice)
    return notice


def _same_release(asked: str, local: str) -> bool:
    """2.6 matches 2.6.x; 2.6.0 matches only 2.6.0."""
    return local.split(".")[:len(asked.split("."))] == asked.split(".")
