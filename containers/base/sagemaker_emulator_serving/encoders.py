"""The default (de)serialisers of AWS's scikit-learn and XGBoost serving (sagemaker-containers'):
application/json, text/csv and application/x-npy, with their shapes.

- CSV in: rows of the standard csv reader, squeezed (one row "1,2,3" becomes a 1-D array,
  so a model that wants 2-D fails on it, as on AWS); CSV out: one row per line, a 1-D
  array one value per line.
- JSON in: `numpy.array(json.loads(body))`; out: `json.dumps`, arrays as lists.
- NPY: `numpy.load` / `numpy.save`; pickled objects are refused (AWS's scikit-learn image
  patches its decoder so; CWE-502).
"""

import csv
import io
import json
import textwrap

import numpy as np

JSON, CSV, NPY, ANY = "application/json", "text/csv", "application/x-npy", "*/*"
UTF8_TYPES = (JSON, CSV)


class UnsupportedFormatError(Exception):
    def __init__(self, content_type: str):
        super().__init__(textwrap.dedent(
            """Content type %s is not supported by this framework.

            Please implement input_fn to to deserialize the request data or an output_fn to
            serialize the response. For more information, see the SageMaker Python SDK README."""
            % content_type))


def _csv_to_numpy(text, dtype=None):
    rows = list(csv.reader(io.StringIO(text), delimiter=",", quotechar='"', doublequote=True, strict=True))
    return np.array(rows).squeeze().astype(dtype)


def _csv_from_array(array_like) -> str:
    array = np.array(array_like)
    if array.ndim == 1:
        array = array.reshape(array.shape[0], 1)
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"', doublequote=True,
               strict=True).writerows(array)
    return stream.getvalue()


def _json_from_array(array_like) -> str:
    return json.dumps(array_like, default=lambda value: value.tolist() if hasattr(value, "tolist")
                      else json.JSONEncoder().default(value))


def _npy_from_array(array_like) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array_like)
    return buffer.getvalue()


def _as_text(data) -> str:
    return data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data


_DECODERS = {
    JSON: lambda data: np.array(json.loads(_as_text(data))),
    CSV: lambda data: _csv_to_numpy(_as_text(data)),
    NPY: lambda data: np.load(io.BytesIO(data), allow_pickle=False),
}
_ENCODERS = {JSON: _json_from_array, CSV: _csv_from_array, NPY: _npy_from_array}


def decode(data, content_type: str):
    if content_type not in _DECODERS:
        raise UnsupportedFormatError(content_type)
    return _DECODERS[content_type](data)


def encode(array_like, content_type: str):
    if content_type not in _ENCODERS:
        raise UnsupportedFormatError(content_type)
    return _ENCODERS[content_type](array_like)
