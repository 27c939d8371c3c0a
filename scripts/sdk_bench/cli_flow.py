"""The AWS CLI flow as a user types it (s3 mb/cp, create-training-job, wait, create-model,
create-endpoint-config, create-endpoint, wait, invoke-endpoint, delete-endpoint, wait), each
command run through awscli's own entry point in this process so timed.py sees its waits."""

import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from awscli.clidriver import create_clidriver

code = Path(sys.argv[1])
DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-{}:2.6-cpu-py312"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def aws(*args):
    if create_clidriver().main([str(a) for a in args]) != 0:
        raise SystemExit(f"aws {' '.join(map(str, args))} failed")


name = f"cli-bench-{uuid.uuid4().hex[:8]}"
work = Path(tempfile.mkdtemp())
subprocess.run(["tar", "-czf", str(work / "sourcedir.tar.gz"), "-C", str(code), "tiny_train.py"], check=True)
aws("s3", "mb", f"s3://{name}")
aws("s3", "cp", work / "sourcedir.tar.gz", f"s3://{name}/code/sourcedir.tar.gz")
hps = {"sagemaker_program": "tiny_train.py", "sagemaker_submit_directory": f"s3://{name}/code/sourcedir.tar.gz"}
aws("sagemaker", "create-training-job", "--training-job-name", name, "--role-arn", ROLE,
    "--algorithm-specification", json.dumps({"TrainingImage": DLC.format("training"), "TrainingInputMode": "File"}),
    "--hyper-parameters", json.dumps({k: json.dumps(v) for k, v in hps.items()}),
    "--output-data-config", json.dumps({"S3OutputPath": f"s3://{name}/output"}),
    "--resource-config", json.dumps({"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5}),
    "--stopping-condition", json.dumps({"MaxRuntimeInSeconds": 600}))
aws("sagemaker", "wait", "training-job-completed-or-stopped", "--training-job-name", name)
artifact = f"s3://{name}/output/{name}/output/model.tar.gz"
aws("sagemaker", "create-model", "--model-name", name, "--execution-role-arn", ROLE,
    "--primary-container", json.dumps({"Image": DLC.format("inference"), "ModelDataUrl": artifact}))
aws("sagemaker", "create-endpoint-config", "--endpoint-config-name", name, "--production-variants",
    json.dumps([{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large",
                 "InitialInstanceCount": 1}]))
aws("sagemaker", "create-endpoint", "--endpoint-name", name, "--endpoint-config-name", name)
aws("sagemaker", "wait", "endpoint-in-service", "--endpoint-name", name)
(work / "in.json").write_text("[[1, 2, 3]]")
aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", name, "--content-type", "application/json",
    "--body", f"fileb://{work / 'in.json'}", work / "out.json")
print("prediction", (work / "out.json").read_text())
aws("sagemaker", "delete-endpoint", "--endpoint-name", name)
aws("sagemaker", "wait", "endpoint-deleted", "--endpoint-name", name)
