"""Trains nothing: writes a fixed TorchScript model so predictions are known exactly, then
prints a made-up loss three times, 2 s apart (1, 0.5, 0.3333).

out = [x0 + x1 + x2, x0 - x1] for each input row of three numbers. Guarded by __main__ so
the SDK can use it as the entry point of the inference container too (the default
handlers then serve model.pt).
"""

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
    for epoch in range(3):  # a loss curve for metric definitions, 2 s apart: one point per 1 s period
        if epoch:
            time.sleep(2)
        print(f"epoch={epoch} loss={1 / (epoch + 1):.4f}", flush=True)


if __name__ == "__main__":
    main()
