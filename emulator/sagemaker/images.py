"""Which local image runs for the image URI a request names.

AWS's PyTorch Deep Learning Container URIs (any account, region and tag) resolve to the
emulator's PyTorch image, which runs the same toolkits; any other URI is a
bring-your-own image, run as given.
"""

import re

from ..images import PYTORCH_IMAGE

_PYTORCH_DLC = re.compile(
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/pytorch-(?:training|inference)(?::[\w.\-]+)?$")


def resolve_image(uri: str) -> str:
    return PYTORCH_IMAGE if _PYTORCH_DLC.match(uri) else uri
