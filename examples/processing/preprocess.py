"""A SageMaker Processing script: the raw digits CSV (a `label` column, then the 64 pixels of
each 8x8 scan) split into train and test (stratified, seeded) and standardized with a
StandardScaler fitted on the train rows only. Writes, as SageMaker's built-in algorithms read
CSV, the label first and no header: train/train.csv and test/test.csv, plus the scaler's
means and scales in scaler/scaler.json (to scale rows the same way when predicting).

Unchanged from what runs on AWS: inputs and outputs are the local paths under
/opt/ml/processing that the job's ProcessingInputs and ProcessingOutputs name.
"""

import argparse
import json
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

BASE = Path("/opt/ml/processing")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    raw = pd.concat([pd.read_csv(path) for path in sorted((BASE / "input").glob("*.csv"))])
    labels, features = raw.pop("label"), raw
    train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=args.test_fraction,
                                                        stratify=labels, random_state=args.seed)
    scaler = StandardScaler().fit(train_x)
    for name, x, y in (("train", train_x, train_y), ("test", test_x, test_y)):
        (BASE / name).mkdir(parents=True, exist_ok=True)
        rows = pd.concat([y.reset_index(drop=True), pd.DataFrame(scaler.transform(x))], axis=1)
        rows.to_csv(BASE / name / f"{name}.csv", header=False, index=False, float_format="%.6f")
        print(f"{name}: {len(rows)} rows of {x.shape[1]} features", flush=True)
    (BASE / "scaler").mkdir(parents=True, exist_ok=True)
    (BASE / "scaler" / "scaler.json").write_text(json.dumps({
        "columns": list(features.columns), "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}))


if __name__ == "__main__":
    main()
