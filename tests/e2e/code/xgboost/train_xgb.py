"""Script mode on the XGBoost image: the user's own xgboost.train on the train channel (label first)."""

import argparse
import os

import numpy as np
import xgboost as xgb

parser = argparse.ArgumentParser()
parser.add_argument("--num_round", type=int, required=True)
args = parser.parse_args()
rows = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",")
booster = xgb.train({"objective": "reg:squarederror"}, xgb.DMatrix(rows[:, 1:], label=rows[:, 0]), args.num_round)
booster.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"))
print(f"script mode: {booster.num_boosted_rounds()} rounds, xgboost {xgb.__version__}")
