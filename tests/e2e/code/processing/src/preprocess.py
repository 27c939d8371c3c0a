"""A preprocessing script as users write them for the SDK's processors: read CSV rows from
its input, write a train/test split and a summary to its outputs."""

import argparse
import csv
import json
from pathlib import Path

from helper_module import scale  # from the same source_dir: FrameworkProcessor ships it

parser = argparse.ArgumentParser()
parser.add_argument("--factor", type=float, default=1.0)
args = parser.parse_args()

base = Path("/opt/ml/processing")
rows = [row for path in sorted((base / "input").glob("*.csv")) for row in csv.reader(path.open())]
scaled = [[scale(float(v), args.factor) for v in row] for row in rows]
for name, part in (("train", scaled[: len(scaled) // 2]), ("test", scaled[len(scaled) // 2:])):
    folder = base / name
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name}.csv").open("w", newline="") as out:
        csv.writer(out).writerows(part)
summary = base / "summary"
summary.mkdir(parents=True, exist_ok=True)
(summary / "summary.json").write_text(json.dumps({"rows": len(rows), "factor": args.factor}))
print(f"preprocessed {len(rows)} rows", flush=True)
