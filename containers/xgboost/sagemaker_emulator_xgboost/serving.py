"""`serve` in the XGBoost image: script mode when the model names an inference script
(SAGEMAKER_PROGRAM, set by the SDK's XGBoostModel from entry_point), else the built-in
algorithm's scoring (scoring.py), as AWS's container decides.

Script mode's defaults are the container's: no default model_fn; CSV (features only),
LIBSVM and x-libsvm bodies become a DMatrix; `model.predict(data, validate_features=False)`;
the prediction out as JSON, CSV or NPY.
"""

from sagemaker_emulator_serving import encoders
from sagemaker_emulator_serving.framework import Defaults, FrameworkHandler, module_name

from . import channels, payloads

_DECODERS = {"text/csv": payloads.csv_to_dmatrix, "text/libsvm": payloads.libsvm_to_dmatrix,
             "text/x-libsvm": payloads.libsvm_to_dmatrix}


def input_fn(input_data, content_type):
    media_type = channels.split_header(content_type)[0]
    if media_type not in _DECODERS:
        raise encoders.UnsupportedFormatError(media_type)
    return _DECODERS[media_type](input_data)


def predict_fn(input_data, model):
    return model.predict(input_data, validate_features=False)


def output_fn(prediction, accept):
    return encoders.encode(prediction, accept), accept


def handler():
    if module_name():
        return FrameworkHandler(Defaults(input_fn, predict_fn, output_fn))
    from .scoring import ScoringHandler

    return ScoringHandler()
