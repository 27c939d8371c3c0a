"""The pipeline's evaluation step (a processing job on the PyTorch image): the trained model
scored on the held-out test.csv. Writes evaluation/evaluation.json in the layout of SageMaker's
model quality metrics, which the pipeline reads as a PropertyFile (its condition step) and
attaches to the registered model version as its ModelMetrics."""

import json
import math
import tarfile
from pathlib import Path

import numpy as np
import torch

BASE = Path("/opt/ml/processing")

with tarfile.open(BASE / "model" / "model.tar.gz") as tar:
    tar.extractall(BASE / "unpacked")
model = torch.jit.load(str(BASE / "unpacked" / "model.pt"))
rows = np.loadtxt(BASE / "test" / "test.csv", delimiter=",", ndmin=2)
labels = rows[:, 0].astype(int)
with torch.no_grad():
    predicted = model(torch.tensor(rows[:, 1:], dtype=torch.float32)).argmax(1).numpy()
accuracy = float((predicted == labels).mean())
report = {"multiclass_classification_metrics": {"accuracy": {
    "value": accuracy, "standard_deviation": math.sqrt(accuracy * (1 - accuracy) / len(labels))}}}
(BASE / "evaluation").mkdir(parents=True, exist_ok=True)
(BASE / "evaluation" / "evaluation.json").write_text(json.dumps(report))
print(f"test accuracy {accuracy:.4f} ({int((predicted == labels).sum())}/{len(labels)})", flush=True)
