"""A pipeline's evaluation step: the trained model (tiny_train.py's TorchScript model, out[0] =
x0 + x1 + x2) scored on the test rows; accuracy is the share of rows whose sum it gets right,
written to evaluation.json, which the pipeline reads as a PropertyFile."""

import csv
import json
import tarfile
from pathlib import Path

import torch

base = Path("/opt/ml/processing")
with tarfile.open(base / "model" / "model.tar.gz") as tar:
    tar.extractall(base / "unpacked")
model = torch.jit.load(str(base / "unpacked" / "model.pt"))
rows = [[float(v) for v in row] for row in csv.reader((base / "test" / "test.csv").open())]
right = sum(abs(model(torch.tensor(row))[0].item() - sum(row)) < 1e-4 for row in rows)
(base / "evaluation").mkdir(parents=True, exist_ok=True)
(base / "evaluation" / "evaluation.json").write_text(json.dumps({"metrics": {"accuracy": {"value": right / len(rows)}}}))
print(f"accuracy {right}/{len(rows)}", flush=True)
