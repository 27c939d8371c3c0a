"""The SDK 2.x flow both ways, for scripts/benchmark_sdk.py: fit(logs=True), deploy, predict,
delete. Argument 1: the source dir holding tiny_train.py; argument 2: "emulator" (the SDK's AWS
code path, pointed here by the environment) or "local" (the SDK's own local mode, offline:
local code and file:// data, as it is used); argument 3, optional: tiny_train.py's
--loss-interval (its default is 2 s between its three loss lines)."""

import sys
import time
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.local import LocalSession
from sagemaker.pytorch import PyTorch

code, mode = Path(sys.argv[1]), sys.argv[2]
hyperparameters = {"epochs": 1, **({"loss-interval": float(sys.argv[3])} if len(sys.argv) > 3 else {})}
if mode == "local":
    session = LocalSession()
    session.config = {"local": {"local_code": True}}
    data, train_type, serve_type = f"file://{code}", "local", "local"
else:
    session = sagemaker.Session()
    data = session.upload_data(str(code / "tiny_train.py"), key_prefix="bench/data")
    train_type, serve_type = "ml.c5.xlarge", "ml.m5.large"
estimator = PyTorch(entry_point="tiny_train.py", source_dir=str(code), role="arn:aws:iam::123456789012:role/SageMakerRole",
                    framework_version="2.6", py_version="py312", instance_count=1, instance_type=train_type,
                    hyperparameters=hyperparameters, sagemaker_session=session)
started = time.perf_counter()
estimator.fit({"training": data}, logs=True)
fitted = time.perf_counter()
predictor = estimator.deploy(initial_instance_count=1, instance_type=serve_type)
deployed = time.perf_counter()
print("prediction", predictor.predict(np.array([[1, 2, 3]], dtype=np.float32)).tolist())
predictor.delete_model()
predictor.delete_endpoint()
if mode != "local":  # where the time went, the job's and the endpoint's own part as the emulator reports them
    job = estimator.latest_training_job.describe()
    print(f"PHASES fit {fitted - started:.1f} (the job {(job['TrainingEndTime'] - job['CreationTime']).total_seconds():.1f}),"
          f" deploy {deployed - fitted:.1f}, predict and delete {time.perf_counter() - deployed:.1f}",
          file=sys.stderr, flush=True)
