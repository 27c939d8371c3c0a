"""examples/processing end to end on real Docker, run as its README says: the SDK 2.x's
SKLearnProcessor runs preprocess.py in the scikit-learn image over the raw digits CSV, and the
train and test splits and the scaler it writes are in S3: every digit once, stratified,
standardized with the train rows' statistics."""

import io
import json
import re
from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import load_digits

from example_runs import run_example, succeeded

pytestmark = pytest.mark.docker


def read(s3, uri: str) -> bytes:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_the_processing_example_splits_and_scales_the_digits_into_s3(emulator, sm, s3, tmp_path):
    printed = succeeded(run_example(emulator, tmp_path, "processing"))

    job = re.search(r"processing job (\S+): (\w+)", printed)
    assert job and job[2] == "Completed", printed
    described = sm.describe_processing_job(ProcessingJobName=job[1])
    assert described["AppSpecification"]["ImageUri"].endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    uris = dict(re.findall(r"^  (train|test|scaler) +(s3://\S+):", printed, re.M))
    train, test = (np.loadtxt(io.BytesIO(read(s3, uris[n])), delimiter=",") for n in ("train", "test"))
    scaler = json.loads(read(s3, uris["scaler"]))

    assert (train.shape, test.shape) == ((1437, 65), (360, 65))
    digits = load_digits()
    classes = Counter(digits.target.tolist())
    tested = Counter(test[:, 0].astype(int).tolist())
    assert all(abs(tested[c] - n * 0.2) < 1 for c, n in classes.items()), tested  # stratified
    # Standardized with the train rows' own mean and scale: undone, they are the raw digits again,
    # each scan once in train or test.
    features = train[:, 1:]
    assert np.abs(features.mean(axis=0)).max() < 1e-5
    assert sorted(set(np.round(features.std(axis=0), 3))) == [0.0, 1.0]  # 0: pixels blank in every scan
    unscaled = np.vstack([train, test])
    unscaled[:, 1:] = unscaled[:, 1:] * scaler["scale"] + scaler["mean"]
    assert np.abs(unscaled - np.round(unscaled)).max() < 1e-3
    raw = np.column_stack([digits.target, digits.data])
    assert sorted(map(tuple, np.round(unscaled).astype(int).tolist())) == sorted(map(tuple, raw.astype(int).tolist()))
    assert scaler["columns"] == [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
