"""A processing script that reports what its container sees: its config files, its inputs,
its arguments and environment, and whether the other hosts resolve; then behaves as asked."""

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

ROOT = Path("/opt/ml/processing")
OUT = ROOT / "output" / "report"


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def main() -> int:
    args = sys.argv[1:]
    config = json.loads(Path("/opt/ml/config/processingjobconfig.json").read_text())
    resources = json.loads(Path("/opt/ml/config/resourceconfig.json").read_text())
    me = resources["current_host"]
    inputs = {p.name: files_under(p) for p in sorted((ROOT / "input").iterdir()) if p.is_dir()}
    others = {h: socket.gethostbyname(h) for h in resources["hosts"] if h != me}
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"args": args, "host": me, "resourceconfig": resources, "inputs": inputs, "resolved": sorted(others),
              "job_name": config["ProcessingJobName"], "config_keys": sorted(config),
              "app": config["AppSpecification"], "env": {k: v for k, v in os.environ.items() if k.startswith("PROBE_")},
              "aws_credentials_in_env": sorted(k for k in os.environ if k.startswith("AWS_SECRET"))}
    (OUT / f"{me}.json").write_text(json.dumps(report))
    for name in inputs.get("data", []):
        text = (ROOT / "input" / "data" / name).read_text()
        (OUT / f"{me}-{Path(name).name}.upper").write_text(text.upper())
    print(f"probe on {me}: {len(inputs.get('data', []))} data files", flush=True)
    if "--wait-for-stop" in args:
        def on_term(signum, frame):
            (OUT / f"{me}-stopped.txt").write_text("saved on SIGTERM")
            sys.exit(0)
        signal.signal(signal.SIGTERM, on_term)
        print("handler installed", flush=True)
        while True:
            time.sleep(0.1)
    if "--fail" in args:
        Path("/opt/ml/output/message").write_text("the input had no rows")
        print("failing on purpose", file=sys.stderr, flush=True)
        return 3
    Path("/opt/ml/output/message").write_text(f"processed on {me}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
