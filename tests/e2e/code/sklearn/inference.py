"""Serving a joblib model on the scikit-learn image: model_fn only, the rest the image's defaults."""

import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
