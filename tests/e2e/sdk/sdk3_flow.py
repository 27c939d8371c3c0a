"""The SageMaker Python SDK 3.x on its AWS code path, unchanged: ModelTrainer trains,
ModelBuilder builds and deploys, the Endpoint resource invokes. Run with nothing but the
environment `sagemaker-emulator env` prints. Prints what it saw as one line: RESULT <json>."""

import json
import sys
from pathlib import Path

from sagemaker.core.helper.session_helper import Session
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData, SourceCode

code = Path(sys.argv[1])
session = Session()
bucket = session.default_bucket()
data = session.upload_data(str(code / "tiny_train.py"), key_prefix="sdk3/data")

# No role: 3.x asks STS who the caller is and checks that role with IAM.
trainer = ModelTrainer(training_image="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.6-cpu-py312",
                       source_code=SourceCode(source_dir=str(code), entry_script="tiny_train.py"),
                       compute=Compute(instance_type="ml.c5.xlarge", instance_count=1),
                       hyperparameters={"epochs": 1}, base_job_name="sdk3")
trainer.train(input_data_config=[InputData(channel_name="training", data_source=data)], wait=True, logs=True)
job = trainer._latest_training_job

builder = ModelBuilder(s3_model_data_url=job.model_artifacts.s3_model_artifacts,
                       image_uri="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312",
                       source_code=SourceCode(source_dir=str(code), entry_script="inference.py"),
                       role_arn="arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-1",
                       instance_type="ml.m5.large")
model = builder.build()
endpoint = builder.deploy(initial_instance_count=1, instance_type="ml.m5.large")
answer = endpoint.invoke(body=json.dumps({"inputs": [[1, 2, 3]]}), content_type="application/json",
                         accept="application/json")
prediction = json.loads(answer.body.read())
endpoint.delete()
model.delete()

print("\nRESULT", json.dumps({"bucket": bucket, "status": job.training_job_status, "role": job.role_arn,
                  "outputs": prediction["outputs"], "endpoint": endpoint.endpoint_name}))
