"""Build step of the PyTorch image: the PyTorch training toolkit's `_set_torch_version_environment`
imports torch in the toolkit's own process only to put torch.__version__ into SM_DLC_TORCH_VERSION.
That import costs every training job about 1.6 s, and tearing torch down when the toolkit exits
another 0.8 s, before the user's script imports torch again in its own process. The version
cannot change after this build, so it is read here, once, and written into the function: the
job's SM_DLC_TORCH_VERSION is the same string, and nothing else in the toolkit changes.
"""

import importlib.util
import py_compile
from pathlib import Path

import torch

IMPORT = '        import torch\n\n        os.environ["SM_DLC_TORCH_VERSION"] = torch.__version__\n'
BAKED = f'        os.environ["SM_DLC_TORCH_VERSION"] = {torch.__version__!r}  # sagemaker-emulator: read at build\n'

path = Path(importlib.util.find_spec("sagemaker_pytorch_container.training").origin)
source = path.read_text(encoding="utf-8")
if source.count(IMPORT) != 1:  # a toolkit release that reads the version another way: look again
    raise SystemExit(f"{path}: the torch import this step replaces is not there once")
path.write_text(source.replace(IMPORT, BAKED), encoding="utf-8")
py_compile.compile(str(path), cfile=importlib.util.cache_from_source(str(path)), doraise=True)
