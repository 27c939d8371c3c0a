"""An Iris classifier for the Model Monitor example: trained by a SageMaker training job, then
served by the same file (the inference toolkit imports it and finds the handlers below).

Training reads the `train` channel's train.csv (header; the label, `species`, first, then the
four measurements) and saves a TorchScript model that normalizes its inputs. Serving takes
text/csv rows of the four measurements and answers each row's class (0, 1 or 2), one per
line: so a captured record reads `class` then `measurements`, the training data's own order,
which is what lets Model Monitor's baseline line up with the captured traffic.
"""

import argparse
import io
import os

import numpy as np
import torch


class Classifier(torch.nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear((x - self.mean) / self.std)


def train(epochs: int) -> None:
    data = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",", skiprows=1)
    labels, features = torch.tensor(data[:, 0], dtype=torch.long), torch.tensor(data[:, 1:], dtype=torch.float32)
    model = Classifier(features.mean(0), features.std(0))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(features), labels)
        loss.backward()
        optimizer.step()
    accuracy = (model(features).argmax(1) == labels).float().mean().item()
    print(f"loss={loss.item():.4f} accuracy={accuracy:.4f}", flush=True)
    torch.jit.script(model).save(os.path.join(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "model.pt"))


# -- serving (sagemaker-pytorch-inference's handler functions) --------------------------------

def model_fn(model_dir):
    return torch.jit.load(os.path.join(model_dir, "model.pt"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"send text/csv rows of the four measurements, not {content_type}")
    text = body.decode() if isinstance(body, (bytes, bytearray)) else body
    return torch.tensor(np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2), dtype=torch.float32)


def predict_fn(rows, model):
    with torch.no_grad():
        return model(rows).argmax(1)


def output_fn(classes, accept):
    return "\n".join(str(int(c)) for c in classes), "text/csv"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=200)
    train(parser.parse_known_args()[0].epochs)
