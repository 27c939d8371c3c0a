"""Trains nothing: writes a fixed TorchScript model so predictions are known exactly, then
prints a made-up loss --loss-lines times (default 3), --loss-interval seconds apart (default 2):
1, 0.5, 0.3333, ...

out = [x0 + x1 + x2, x0 - x1] for each input row of three numbers. Guarded by __main__ so
the SDK can use it as the entry point of the inference container too (the default
handlers then serve model.pt).
"""

import argparse
import os
import time

import torch


def main() -> None:
    model = torch.nn.Linear(3, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 1.0, 1.0], [1.0, -1.0, 0.0]]))
    model_dir = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
    torch.jit.script(model).save(os.path.join(model_dir, "model.pt"))
    print("saved model.pt", flush=True)
    parser = argparse.ArgumentParser()
    # Not --epochs: the SDK tests pass epochs=1 as an ordinary hyperparameter and expect 3 lines.
    parser.add_argument("--loss-lines", type=int, default=3)
    parser.add_argument("--loss-interval", type=float, default=2.0)
    args, _ = parser.parse_known_args()
    for epoch in range(args.loss_lines):  # a loss curve for metric definitions; 2 s apart: one point per 1 s period
        if epoch:
            time.sleep(args.loss_interval)
        print(f"epoch={epoch} loss={1 / (epoch + 1):.4f}", flush=True)


if __name__ == "__main__":
    main()
