"""The pipeline's training script: a small PyTorch classifier (64 -> 32 -> 10) on the
preprocessed digits, the `train` channel's train.csv (label first, 64 standardized pixels, no
header). Saves a TorchScript model.pt, which the PyTorch inference toolkit serves with its
default handlers (rows of 64 values in, 10 scores out), so the model needs no inference code.
"""

import argparse
import os

import numpy as np
import torch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--lr", type=float, default=0.01)
    args, _ = parser.parse_known_args()

    torch.manual_seed(0)
    data = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",", ndmin=2)
    labels, features = torch.tensor(data[:, 0], dtype=torch.long), torch.tensor(data[:, 1:], dtype=torch.float32)
    model = torch.nn.Sequential(torch.nn.Linear(features.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):  # full batch: 1,437 rows
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(features), labels)
        loss.backward()
        optimizer.step()
        if epoch % 25 == 0 or epoch == args.epochs:
            accuracy = (model(features).argmax(1) == labels).float().mean().item()
            print(f"epoch={epoch} train_loss={loss.item():.4f} train_accuracy={accuracy:.4f}", flush=True)
    torch.jit.script(model.eval()).save(os.path.join(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "model.pt"))


if __name__ == "__main__":
    main()
