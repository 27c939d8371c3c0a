"""The scikit-learn image's serving contract (containers/base/sagemaker_emulator_serving), run on
the host: a user's inference module, the image's defaults, and the answers AWS's
scikit-learn container gives (status, content type, body)."""

import io
import json
import uuid

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from sagemaker_emulator_serving import encoders
from sagemaker_emulator_serving.scikit_learn import handler

FIT = "LinearRegression().fit([[0, 0], [1, 0], [0, 1]], [0, 1, 2])"  # predicts x0 + 2 * x1


@pytest.fixture
def serve(tmp_path, monkeypatch):
    """serve(source) -> a loaded handler for an inference module with that source."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", raising=False)

    def load(source: str):
        name = f"inference_{uuid.uuid4().hex[:8]}"
        (tmp_path / f"{name}.py").write_text("from sklearn.linear_model import LinearRegression\n" + source)
        monkeypatch.setenv("SAGEMAKER_PROGRAM", f"{name}.py")
        h = handler()
        h.load(str(tmp_path))
        return h
    return load


def test_defaults_answer_json_csv_and_npy(serve, monkeypatch):
    h = serve(f"def model_fn(model_dir):\n    return {FIT}\n")
    reply = h.invoke(b"1,1\n2,0\n", {"Content-Type": "text/csv", "Accept": "text/csv"})
    assert reply.status == 200 and reply.content_type == "text/csv; charset=utf-8"
    assert [float(p) for p in reply.body.splitlines()] == pytest.approx([3, 2])  # one prediction a line
    reply = h.invoke(b"[[0, 1]]", {})  # no Content-Type, no Accept: JSON both ways
    assert reply.content_type == "application/json" and json.loads(reply.body) == pytest.approx([2])
    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
    assert h.invoke(b"[[0, 1], [1, 1]]", {"Accept": "*/*"}).content_type == "text/csv; charset=utf-8"
    buffer = io.BytesIO()
    np.save(buffer, np.array([[2.0, 0.0]]))
    reply = h.invoke(buffer.getvalue(), {"Content-Type": "application/x-npy", "Accept": "application/x-npy"})
    assert np.load(io.BytesIO(reply.body)).tolist() == pytest.approx([2])


def test_what_the_defaults_cannot_read_or_write(serve):
    h = serve(f"def model_fn(model_dir):\n    return {FIT}\n")
    reply = h.invoke(b"1 1", {"Content-Type": "text/plain"})
    assert reply.status == 415 and reply.content_type == "application/json"
    error = json.loads(reply.body)
    assert error["error"] == "UnsupportedFormatError"
    assert error["error-message"].startswith("Content type text/plain is not supported by this framework.")
    assert h.invoke(b"[[1, 1]]", {"Content-Type": "application/json", "Accept": "text/plain"}).status == 406
    one_row = h.invoke(b"1,1", {"Content-Type": "text/csv"})  # a 1-D array: LinearRegression refuses it
    assert one_row.status == 500 and one_row.content_type == "text/html; charset=utf-8"
    assert "<title>500 Internal Server Error</title>" in one_row.body


def test_user_functions_and_their_answers(serve):
    h = serve(f"def model_fn(model_dir):\n    return {FIT}\n"
              "def input_fn(body, content_type):\n    return [[float(v) for v in body.split()]]\n"
              "def output_fn(prediction, accept):\n    return f'p={prediction[0]:.1f}'\n")
    reply = h.invoke(b"1 1", {"Content-Type": "text/plain"})
    assert (reply.status, reply.body, reply.content_type) == (200, "p=3.0", "text/html; charset=utf-8")
    h = serve(f"def model_fn(model_dir):\n    return {FIT}\n"
              "def transform_fn(model, body, content_type, accept):\n"
              "    return str(model.predict([[1, 2]])[0]), 'text/plain'\n")
    reply = h.invoke(b"", {"Content-Type": "text/csv"})
    assert (reply.status, reply.content_type) == (200, "text/plain; charset=utf-8")
    assert float(reply.body) == pytest.approx(5)


def test_loading_fails_without_model_fn_or_with_transform_fn_beside_the_others(serve):
    with pytest.raises(NotImplementedError, match="Please provide a model_fn implementation."):
        serve("def predict_fn(data, model):\n    return data\n")
    with pytest.raises(ValueError, match="^Cannot use transform_fn implementation with input_fn, predict_fn, "
                                         "and/or output_fn$"):
        serve(f"def model_fn(d):\n    return {FIT}\ndef transform_fn(*a):\n    return ''\n"
              "def input_fn(b, c):\n    return b\n")


def test_encoders_shapes():
    assert encoders.decode("1,2,3", "text/csv").shape == (3,)  # one row is squeezed, as AWS's decoder does
    assert encoders.decode("1,2\n3,4", "text/csv").tolist() == [[1, 2], [3, 4]]
    assert encoders.encode(np.array([[1, 2], [3, 4]]), "text/csv") == "1,2\n3,4\n"
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):  # pickled objects are refused (CWE-502)
        encoders.decode(buffer.getvalue(), "application/x-npy")
