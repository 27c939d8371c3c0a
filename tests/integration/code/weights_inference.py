"""Serving on the scikit-learn image: answers the model's weights.txt and whether the model
folder can be written (it is mounted read-only)."""

import os


def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.txt")) as f:
        return f"{f.read().strip()} writable={os.access(model_dir, os.W_OK)}"


def input_fn(body, content_type):
    return body


def predict_fn(data, model):
    return model


def output_fn(prediction, accept):
    return prediction, "text/plain"
