"""The scikit-learn image's serving defaults, those of AWS's scikit-learn container: no
default model_fn (the inference script must load the model, e.g. with joblib); JSON, CSV
and NPY in (JSON and CSV as float32), `model.predict`, and the prediction out in the
Accept type."""

import numpy as np

from . import encoders
from .framework import Defaults, FrameworkHandler


def input_fn(input_data, content_type):
    array = encoders.decode(input_data, content_type)
    return array.astype(np.float32) if content_type in encoders.UTF8_TYPES else array


def predict_fn(input_data, model):
    return model.predict(input_data)


def output_fn(prediction, accept):
    return encoders.encode(prediction, accept), accept


def handler() -> FrameworkHandler:
    return FrameworkHandler(Defaults(input_fn, predict_fn, output_fn))
