"""A training script that records what the container contract gave it.

It writes probe.json (argv, environment, config files, channel listings) to the model
dir and the output data dir, then behaves as --mode says: ok, fail, sleep, or term
(sleep and, on SIGTERM, save a model before exiting).
"""

import argparse
import json
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--mode", default="ok")
parser.add_argument("--seconds", type=float, default=0)
parser.add_argument("--exit-code", type=int, default=3)
args, unknown = parser.parse_known_args()


def listing(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = open(path, "rb").read().decode("utf-8", "replace")[:200]
    return out


config_dir = "/opt/ml/input/config"
probe = {
    "argv": sys.argv[1:],
    "env": dict(os.environ),
    "uid": os.getuid(),
    "config": {n: json.load(open(os.path.join(config_dir, n))) for n in os.listdir(config_dir)
               if n.endswith(".json")},
    "data": {ch: listing(os.path.join("/opt/ml/input/data", ch)) for ch in os.listdir("/opt/ml/input/data")},
    "checkpoints": listing("/opt/ml/checkpoints") if os.path.isdir("/opt/ml/checkpoints") else None,
}
for d in (os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "/opt/ml/output/data"):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "probe.json"), "w") as f:
        json.dump(probe, f)
os.makedirs("/opt/ml/checkpoints", exist_ok=True)
with open(f"/opt/ml/checkpoints/{os.environ.get('SM_CURRENT_HOST', 'host')}.ckpt", "w") as f:
    f.write("step=1")
print(f"probe: mode={args.mode} host={os.environ.get('SM_CURRENT_HOST')}", flush=True)
print("metric: loss=0.25", flush=True)
print("metric: loss=0.125 accuracy=0.9", flush=True)

if args.mode == "fail":
    print("about to fail with a ValueError", file=sys.stderr, flush=True)
    raise SystemExit(args.exit_code)
if args.mode == "term":
    def on_term(signum, frame):
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "saved-on-sigterm.txt"), "w") as f:
            f.write("bye")
        print("got SIGTERM, saved model", flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    print("probe: waiting for SIGTERM", flush=True)  # what a test waits for before it stops the job
if args.mode in ("sleep", "term"):
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        time.sleep(0.1)
print("probe done", flush=True)
