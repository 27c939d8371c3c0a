"""The SDK 2.x flow both ways, for scripts/benchmark_sdk.py: fit(logs=True), deploy, predict,
delete. Argument 2: "emulator" (the SDK's AWS code path, pointed here by the environment) or
"local" (the SDK's own local mode, offline: local code and file:// data, as it is used)."""

import sys
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.local import LocalSession
from sagemaker.pytorch import PyTorch

code, mode = Path(sys.argv[1]), sys.argv[2]
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
                    hyperparameters={"epochs": 1}, sagemaker_session=session)
estimator.fit({"training": data}, logs=True)
predictor = estimator.deploy(initial_instance_count=1, instance_type=serve_type)
print("prediction", predictor.predict(np.array([[1, 2, 3]], dtype=np.float32)).tolist())
predictor.delete_model()
predictor.delete_endpoint()
