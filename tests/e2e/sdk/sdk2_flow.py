"""The SageMaker Python SDK 2.x on its AWS code path, unchanged: run with nothing but the
environment `sagemaker-emulator env` prints. Prints one JSON line of what it saw."""

import json
import sys
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.analytics import TrainingJobAnalytics
from sagemaker.deserializers import JSONDeserializer
from sagemaker.estimator import Estimator
from sagemaker.pytorch import PyTorch
from sagemaker.serializers import JSONSerializer

code, work, byoc_image = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
session = sagemaker.Session()
bucket = session.default_bucket()
data = session.upload_data(str(code / "tiny_train.py"), key_prefix="sdk2/data")
estimator = PyTorch(entry_point="tiny_train.py", source_dir=str(code), role="arn:aws:iam::123456789012:role/SageMakerRole",
                    framework_version="2.6", py_version="py312", instance_count=1, instance_type="ml.c5.xlarge",
                    hyperparameters={"epochs": 1},
                    metric_definitions=[{"Name": "train:loss", "Regex": r"loss=([0-9.]+)"}])
estimator.fit({"training": data}, logs=True)
job = estimator.latest_training_job.describe()
curve = TrainingJobAnalytics(job["TrainingJobName"], period=1).dataframe()

predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large")
npy = predictor.predict(np.array([[1, 2, 3]], dtype=np.float32)).tolist()
predictor.serializer, predictor.deserializer = JSONSerializer(), JSONDeserializer()
as_json = predictor.predict([[4, 5, 6]])
predictor.delete_model()
predictor.delete_endpoint()

(work / "rows.csv").write_text("1,2,3\n0,0,1\n")
rows = session.upload_data(str(work / "rows.csv"), key_prefix="sdk2/transform-in")
transformer = estimator.transformer(instance_count=1, instance_type="ml.m5.large", strategy="MultiRecord",
                                    assemble_with="Line", accept="text/csv",
                                    output_path=f"s3://{bucket}/sdk2/transform-out")
transformer.transform(rows, content_type="text/csv", split_type="Line", wait=True, logs=True)
out = session.read_s3_file(bucket, "sdk2/transform-out/rows.csv.out")

# A generic Estimator with a bring-your-own image: hyperparameters go as plain strings.
byoc = Estimator(image_uri=byoc_image, role="arn:aws:iam::123456789012:role/SageMakerRole", instance_count=1,
                 instance_type="ml.m5.large", hyperparameters={"greeting": "hi", "rounds": 3},
                 output_path=f"s3://{bucket}/sdk2/byoc")
byoc.fit({"training": data}, logs=False)
byoc_job = byoc.latest_training_job.describe()

print(json.dumps({"bucket": bucket, "status": job["TrainingJobStatus"], "npy": npy, "json": as_json,
                  "transform": out, "debug_hook": job.get("DebugHookConfig"), "profiler": job.get("ProfilerConfig"),
                  "byoc_status": byoc_job["TrainingJobStatus"],
                  "curve": curve[["metric_name", "value"]].values.tolist(),
                  "byoc_model": byoc_job["ModelArtifacts"]["S3ModelArtifacts"]}))
