"""Preprocessing with a SageMaker Processing job, with the SageMaker Python SDK 2.x: scikit-learn's
handwritten digits written to S3 as a raw CSV, then split and standardized by preprocess.py in
AWS's scikit-learn container (SKLearnProcessor), the train and test CSVs and the scaler back in S3.

Nothing here knows about the emulator: run it in the environment `sagemaker-emulator env`
prints, or under `sagemaker-emulator run` (which also shortens the SDK's polls), or on AWS with
a real role (ROLE_ARN). Usage: python examples/processing/run.py [--test-fraction 0.2]
"""

import argparse
import io
import json
import os
import tempfile
from pathlib import Path

import boto3
import pandas as pd
import sagemaker
from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn.processing import SKLearnProcessor
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent


def raw_digits_csv(folder: Path) -> Path:
    """The 1,797 digits as one CSV: a `label` column, then pixel0..pixel63 (0 to 16)."""
    digits = load_digits(as_frame=True)
    path = folder / "digits.csv"
    pd.concat([digits.target.rename("label"), digits.data.astype(int)], axis=1).to_csv(path, index=False)
    return path


def read_csv(session: sagemaker.Session, uri: str) -> pd.DataFrame:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return pd.read_csv(io.StringIO(session.read_s3_file(bucket, key)), header=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-fraction", default="0.2")
    args = parser.parse_args()

    session = sagemaker.Session()
    account = boto3.client("sts", region_name=session.boto_region_name).get_caller_identity()["Account"]
    role = os.environ.get("ROLE_ARN", f"arn:aws:iam::{account}:role/SageMakerRole")
    with tempfile.TemporaryDirectory() as tmp:
        raw = session.upload_data(str(raw_digits_csv(Path(tmp))), key_prefix="processing-example/raw")
    print(f"raw data: {raw}")

    processor = SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.xlarge",
                                 instance_count=1, base_job_name="digits-preprocess", sagemaker_session=session)
    processor.run(code=str(HERE / "preprocess.py"),
                  inputs=[ProcessingInput(source=raw, destination="/opt/ml/processing/input")],
                  outputs=[ProcessingOutput(output_name=name, source=f"/opt/ml/processing/{name}")
                           for name in ("train", "test", "scaler")],
                  arguments=["--test-fraction", args.test_fraction], wait=True, logs=True)

    job = processor.latest_job.describe()
    outputs = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in job["ProcessingOutputConfig"]["Outputs"]}
    print(f"\nprocessing job {job['ProcessingJobName']}: {job['ProcessingJobStatus']}")
    train, test = (read_csv(session, f"{outputs[n]}/{n}.csv") for n in ("train", "test"))
    for name, rows in (("train", train), ("test", test)):
        print(f"  {name:5} {outputs[name]}/{name}.csv: {len(rows)} rows, label then {rows.shape[1] - 1} features")
    bucket, key = f"{outputs['scaler']}/scaler.json"[len("s3://"):].split("/", 1)
    scaler = json.loads(session.read_s3_file(bucket, key))
    print(f"  scaler {outputs['scaler']}/scaler.json: means and scales of {len(scaler['columns'])} columns")
    features = train.iloc[:, 1:]
    print(f"train features after scaling: largest |mean| {features.mean().abs().max():.6f}, "
          f"std from {features.std(ddof=0).min():.3f} to {features.std(ddof=0).max():.3f} "
          f"(0 for the pixels blank in every scan)")
    print("digits per class, train:", train[0].value_counts().sort_index().tolist())
    print("digits per class, test: ", test[0].value_counts().sort_index().tolist())


if __name__ == "__main__":
    main()
