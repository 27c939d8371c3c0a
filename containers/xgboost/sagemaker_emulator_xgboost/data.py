"""A channel's files read into one xgboost DMatrix, as the algorithm reads them.

CSV: no header, the label in the first column (with csv_weights=1 the instance weight in
the second), the delimiter sniffed from the first line, empty fields missing. LIBSVM:
`<label> <index>:<value> ...`, indices taken as they are (0-based: a file that starts at 1
leaves column 0 empty, as xgboost's own reader does). xgboost 3 deprecates reading text
files itself, so pandas and scikit-learn's svmlight reader parse them here.
"""

import logging

import numpy as np

from . import channels
from .hyperparameters import UserError

log = logging.getLogger(__name__)


def read_csv_files(files: list[str], csv_weights: int):
    import pandas as pd

    with open(files[0], errors="ignore") as f:
        delimiter = channels.csv_delimiter(f.readline())
    log.info("Determined delimiter of CSV input is '%s'", delimiter)
    try:
        frames = [pd.read_csv(path, header=None, sep=delimiter, dtype=np.float64) for path in files]
    except Exception as error:
        raise UserError(f"Failed to load csv data with exception:\n{error}") from error
    table = np.vstack([frame.to_numpy() for frame in frames])
    first_feature = 2 if csv_weights == 1 else 1
    weights = table[:, 1] if csv_weights == 1 else None
    return table[:, first_feature:], table[:, 0], weights


def read_libsvm_files(files: list[str]):
    from scipy.sparse import vstack
    from sklearn.datasets import load_svmlight_files

    try:
        parts = load_svmlight_files(files, zero_based=True)
    except Exception as error:
        raise UserError(f"Failed to load libsvm data with exception:\n{error}") from error
    features, labels = parts[0::2], parts[1::2]
    return vstack(features).tocsr(), np.concatenate(labels), None


def read(path: str, fmt: str, csv_weights: int = 0):
    """The channel at path as a DMatrix (None when it holds no data)."""
    import xgboost as xgb

    files = channels.data_files(path)
    if not files:
        return None
    if fmt == channels.CSV:
        features, labels, weights = read_csv_files(files, csv_weights)
    elif fmt == channels.LIBSVM:
        features, labels, weights = read_libsvm_files(files)
    else:
        raise UserError(f"Content type {fmt} is not supported by sagemaker-emulator's XGBoost: use text/csv or "
                        "text/libsvm")
    if labels.size == 0:
        raise UserError("Got input data without labels. Please check the input data set. If training job is running "
                        "on multiple instances, please switch to using single instance if number of records in the "
                        "data set is less than number of workers (16 * number of instance) in the cluster.")
    return xgb.DMatrix(features, label=labels, weight=weights)
