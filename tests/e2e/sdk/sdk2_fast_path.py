"""Run by tests/e2e/test_testing_plugin.py under `sagemaker-emulator run`: the SDK 2.x seed flow
(PyTorch fit with logs, deploy, one predict, delete) on real containers, timing fit and deploy
and counting the SDK's describes of the job and the endpoint. Prints RESULT <json>.
Argument: the directory of tiny_train.py."""

import collections
import json
import sys
import time
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.pytorch import PyTorch

code = Path(sys.argv[1])
session = sagemaker.Session()
calls = collections.Counter()
session.sagemaker_client.meta.events.register("before-call.sagemaker", lambda model, **_: calls.update([model.name]))
data = session.upload_data(str(code / "tiny_train.py"), key_prefix="fast-path/data")
estimator = PyTorch(entry_point="tiny_train.py", source_dir=str(code), role=sagemaker.get_execution_role(),
                    framework_version="2.6", py_version="py312", instance_count=1, instance_type="ml.m5.large",
                    hyperparameters={"loss-lines": 1}, sagemaker_session=session)
started = time.monotonic()
estimator.fit({"training": data}, logs=True)
fit_seconds, fit_describes = time.monotonic() - started, calls["DescribeTrainingJob"]
started = time.monotonic()
predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large")
deploy_seconds = time.monotonic() - started
prediction = predictor.predict(np.array([[1, 2, 3]], dtype=np.float32)).tolist()
predictor.delete_model()
predictor.delete_endpoint()
print("RESULT", json.dumps({"fit_seconds": fit_seconds, "fit_describes": fit_describes, "deploy_seconds": deploy_seconds,
                            "deploy_describes": calls["DescribeEndpoint"], "prediction": prediction,
                            "role": estimator.role}))
