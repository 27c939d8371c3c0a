"""A training script for tuning tests: no framework import, so that each trial takes a second.

The objective peaks at position 3 (--position, a tuned hyperparameter; not a one-letter name,
which the toolkit would pass as -x): it prints `epoch=N objective=V`
--epochs times, V growing to -(position - 3)^2 + bonus at the last epoch (--bonus, a static one), and
saves the position it was given as the model.
"""

import argparse
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--position", type=float, required=True)
    parser.add_argument("--bonus", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=2)
    args, _ = parser.parse_known_args()
    final = -(args.position - 3) ** 2 + args.bonus
    for epoch in range(1, args.epochs + 1):
        print(f"epoch={epoch} objective={final - (args.epochs - epoch):.6f}", flush=True)
    with open(os.path.join(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "model.json"), "w") as out:
        json.dump({"position": args.position}, out)


if __name__ == "__main__":
    main()
