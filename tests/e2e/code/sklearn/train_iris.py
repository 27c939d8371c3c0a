"""Script-mode training on the scikit-learn image: a decision tree on iris rows (label first)."""

import argparse
import json
import os

import joblib
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

parser = argparse.ArgumentParser()
parser.add_argument("--max-depth", type=int, required=True)
args = parser.parse_args()
rows = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "iris.csv"), header=None)
model = DecisionTreeClassifier(max_depth=args.max_depth, random_state=0).fit(rows.iloc[:, 1:], rows.iloc[:, 0])
joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
seen = {k: v for k, v in os.environ.items()
        if k in ("SM_MODEL_DIR", "SM_CHANNEL_TRAIN", "SM_CHANNELS", "SM_HPS", "SM_USER_ARGS", "SM_CURRENT_HOST",
                 "SM_HOSTS", "SM_MODULE_NAME", "SM_OUTPUT_DATA_DIR")}
with open(os.path.join(os.environ["SM_MODEL_DIR"], "env.json"), "w") as f:
    json.dump(seen, f)
print(f"trained a depth-{args.max_depth} tree on {len(rows)} rows")
