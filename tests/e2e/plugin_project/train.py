"""The project's training script: script mode in the PyTorch image (SM_* from the toolkit).
It takes at least 2 s, so that the test can tell the SDK's logs loop polling every 0.1 s (the
fast path: some 20 describes) from the SDK's own (a 5 s sleep, then a describe every 30 s: at
most 3 in a job this short); the job itself, in the PyTorch image, starts and ends in about 1 s."""

import os
import time
from pathlib import Path

data = Path(os.environ["SM_CHANNEL_TRAINING"])
print("training on", sorted(p.name for p in data.iterdir()), flush=True)
time.sleep(2)
(Path(os.environ["SM_MODEL_DIR"]) / "model.txt").write_text("weights")
