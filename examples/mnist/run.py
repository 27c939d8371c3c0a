"""Train the MNIST example, deploy it and ask it about held-out digits, with plain boto3.

Nothing here knows about the emulator: point AWS_ENDPOINT_URL at it (or drop the variable
to run on AWS, with a real role ARN, bucket and region).
"""

import io
import json
import os
import tarfile
import time
from pathlib import Path

import boto3

HERE = Path(__file__).resolve().parent
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ACCOUNT = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
BUCKET = os.environ.get("BUCKET", f"sagemaker-{REGION}-{ACCOUNT}")
ROLE = os.environ.get("ROLE_ARN", f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole")
IMAGE = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-training:2.6-cpu-py312"
INFERENCE_IMAGE = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.6-cpu-py312"

s3 = boto3.client("s3", region_name=REGION)
sm = boto3.client("sagemaker", region_name=REGION)
runtime = boto3.client("sagemaker-runtime", region_name=REGION)
logs = boto3.client("logs", region_name=REGION)


def upload_inputs(job: str) -> tuple[str, str]:
    try:
        s3.head_bucket(Bucket=BUCKET)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=BUCKET)
    raw = HERE / "data" / "MNIST" / "raw"
    for path in raw.iterdir():
        s3.upload_file(str(path), BUCKET, f"mnist/data/MNIST/raw/{path.name}")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(HERE / "train.py", arcname="train.py")
    s3.put_object(Bucket=BUCKET, Key=f"{job}/source/sourcedir.tar.gz", Body=buf.getvalue())
    return f"s3://{BUCKET}/mnist/data", f"s3://{BUCKET}/{job}/source/sourcedir.tar.gz"


def print_new_logs(job: str, seen: dict) -> None:
    try:
        streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                            logStreamNamePrefix=f"{job}/")["logStreams"]
    except logs.exceptions.ResourceNotFoundException:
        return  # no job has logged yet: the group does not exist (as on AWS)
    for stream in streams:
        name = stream["logStreamName"]
        kwargs = {"nextToken": seen[name]} if name in seen else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=name, **kwargs)
        for event in page["events"]:
            print(f"  [{name.split('/')[1]}] {event['message']}")
        seen[name] = page["nextForwardToken"]


def held_out_digits(count: int) -> tuple[list, list[int]]:
    """The first test-set images, normalised as in training, and their labels (IDX files)."""
    raw = HERE / "data" / "MNIST" / "raw"
    images = (raw / "t10k-images-idx3-ubyte").read_bytes()[16:]
    labels = (raw / "t10k-labels-idx1-ubyte").read_bytes()[8:]
    batch = []
    for i in range(count):
        pixels = images[i * 784:(i + 1) * 784]
        batch.append([[[(p / 255 - 0.1307) / 0.3081 for p in pixels[r * 28:(r + 1) * 28]] for r in range(28)]])
    return batch, list(labels[:count])


def deploy_and_predict(job: str, artifact: str) -> None:
    """The trained model.pt served by the PyTorch inference image's default handlers."""
    sm.create_model(ModelName=job, ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": INFERENCE_IMAGE, "ModelDataUrl": artifact})
    sm.create_endpoint_config(EndpointConfigName=job, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": job, "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])
    started = time.time()
    sm.create_endpoint(EndpointName=job, EndpointConfigName=job)
    sm.get_waiter("endpoint_in_service").wait(EndpointName=job, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    print(f"endpoint {job} InService {time.time() - started:.1f} s after CreateEndpoint")
    try:
        batch, labels = held_out_digits(8)
        response = runtime.invoke_endpoint(EndpointName=job, ContentType="application/json",
                                           Accept="application/json", Body=json.dumps(batch))
        scores = json.loads(response["Body"].read())
        predicted = [max(range(10), key=row.__getitem__) for row in scores]
        print(f"predicted: {predicted}\ntrue:      {labels}")
        print(f"{sum(p == t for p, t in zip(predicted, labels))}/{len(labels)} held-out digits right "
              f"(variant {response['InvokedProductionVariant']})")
    finally:
        sm.delete_endpoint(EndpointName=job)
        sm.get_waiter("endpoint_deleted").wait(EndpointName=job, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        sm.delete_endpoint_config(EndpointConfigName=job)
        sm.delete_model(ModelName=job)
        print(f"endpoint {job} deleted")


def main() -> None:
    job = f"mnist-{time.strftime('%Y%m%d-%H%M%S')}"
    data_uri, code_uri = upload_inputs(job)
    started = time.time()
    sm.create_training_job(
        TrainingJobName=job,
        AlgorithmSpecification={
            "TrainingImage": IMAGE, "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "test:accuracy", "Regex": r"test_accuracy=([0-9.]+)"},
                                  {"Name": "train:loss", "Regex": r"Train Epoch.*loss=([0-9.]+)"}],
        },
        RoleArn=ROLE,
        HyperParameters={"epochs": "2", "batch-size": "64", "sagemaker_program": '"train.py"',
                         "sagemaker_submit_directory": f'"{code_uri}"'},
        InputDataConfig=[{"ChannelName": "training", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": data_uri, "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/mnist/output"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 1800},
    )
    print(f"created training job {job}")
    seen: dict = {}
    status = None
    while True:
        desc = sm.describe_training_job(TrainingJobName=job)
        if (desc["TrainingJobStatus"], desc["SecondaryStatus"]) != status:
            status = (desc["TrainingJobStatus"], desc["SecondaryStatus"])
            print(f"{time.time() - started:6.1f}s  {status[0]} / {status[1]}")
        print_new_logs(job, seen)
        if desc["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(1)
    if desc["TrainingJobStatus"] != "Completed":
        raise SystemExit(f"training failed: {desc.get('FailureReason')}")
    for metric in desc.get("FinalMetricDataList", []):
        print(f"metric {metric['MetricName']} = {metric['Value']}")
    artifact = desc["ModelArtifacts"]["S3ModelArtifacts"]
    bucket, key = artifact[5:].split("/", 1)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        members = ", ".join(f"{m.name} ({m.size:,} B)" for m in tar.getmembers())
    print(f"trained model: {artifact}\n  contains {members}")
    print(f"training took {desc['TrainingTimeInSeconds']} s; job created to Completed in {time.time() - started:.1f} s")
    deploy_and_predict(job, artifact)


if __name__ == "__main__":
    main()
