"""Hyperparameter tuning with the SageMaker Python SDK 2.x: the MNIST estimator
(examples/mnist/train.py, unchanged) tuned on its learning rate and batch size by a
HyperparameterTuner maximizing the test accuracy its log prints; then the tuning job's trials
as a table (analytics().dataframe()), the best one (best_training_job()) deployed, and every
held-out digit sent to it: its predictions score what its trial measured.

Nothing here knows about the emulator: run it in the environment `sagemaker-emulator env`
prints, or under `sagemaker-emulator run` (which also shortens the SDK's polls), or on AWS with
a real role (ROLE_ARN). The digits are scikit-learn's, as MNIST files (scripts/make_mnist_data.py,
run here when examples/mnist/data is not there yet).
Usage: python examples/tuning/run.py [--max-jobs 6] [--max-parallel-jobs 2] [--epochs 2]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import boto3
import numpy as np
import sagemaker
from sagemaker.pytorch import PyTorch
from sagemaker.tuner import CategoricalParameter, ContinuousParameter, HyperparameterTuner

REPO = Path(__file__).resolve().parent.parent.parent
DATA = REPO / "examples" / "mnist" / "data"


def held_out_digits() -> tuple[np.ndarray, np.ndarray]:
    """The test set's images (IDX files), normalized as train.py's transform does, and labels."""
    raw = DATA / "MNIST" / "raw"
    pixels = np.frombuffer((raw / "t10k-images-idx3-ubyte").read_bytes()[16:], dtype=np.uint8)
    images = ((pixels.reshape(-1, 1, 28, 28) / 255.0 - 0.1307) / 0.3081).astype(np.float32)
    return images, np.frombuffer((raw / "t10k-labels-idx1-ubyte").read_bytes()[8:], dtype=np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-jobs", type=int, default=6)
    parser.add_argument("--max-parallel-jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    if not (DATA / "MNIST" / "raw").is_dir():
        subprocess.run([sys.executable, str(REPO / "scripts" / "make_mnist_data.py"), str(DATA)], check=True)
    session = sagemaker.Session()
    account = boto3.client("sts", region_name=session.boto_region_name).get_caller_identity()["Account"]
    role = os.environ.get("ROLE_ARN", f"arn:aws:iam::{account}:role/SageMakerRole")
    data = session.upload_data(str(DATA), key_prefix="tuning-example/data")

    estimator = PyTorch(entry_point=str(REPO / "examples" / "mnist" / "train.py"), role=role,
                        framework_version="2.6", py_version="py312", instance_count=1, instance_type="ml.m5.xlarge",
                        hyperparameters={"epochs": args.epochs}, sagemaker_session=session)
    tuner = HyperparameterTuner(
        estimator, objective_metric_name="test:accuracy", objective_type="Maximize",
        metric_definitions=[{"Name": "test:accuracy", "Regex": r"test_accuracy=([0-9.]+)"}],
        hyperparameter_ranges={"lr": ContinuousParameter(0.05, 2.0, scaling_type="Logarithmic"),
                               "batch-size": CategoricalParameter([32, 64, 128])},
        strategy="Bayesian", random_seed=1, max_jobs=args.max_jobs, max_parallel_jobs=args.max_parallel_jobs,
        base_tuning_job_name="mnist-tuning")
    tuner.fit({"training": data}, wait=True)

    trials = tuner.analytics().dataframe().sort_values("FinalObjectiveValue", ascending=False)
    status = tuner.describe()["HyperParameterTuningJobStatus"]
    print(f"\ntuning job {tuner.latest_tuning_job.name}: {status}, {len(trials)} trials")
    print(trials[["TrainingJobName", "lr", "batch-size", "FinalObjectiveValue", "TrainingJobStatus",
                  "TrainingElapsedTimeSeconds"]].to_string(index=False))
    best = tuner.best_training_job()
    best_accuracy = float(trials.set_index("TrainingJobName").loc[best, "FinalObjectiveValue"])
    print(f"best training job: {best} (test:accuracy {best_accuracy:.4f})")

    predictor = tuner.deploy(initial_instance_count=1, instance_type="ml.m5.large")
    try:
        images, labels = held_out_digits()
        predicted = predictor.predict(images).argmax(axis=1)  # NPY in and out, the PyTorch predictor's default
        right = int((predicted == labels).sum())
        print(f"predicted: {predicted[:20].tolist()}\ntrue:      {labels[:20].tolist()}")
        print(f"the best model on {predictor.endpoint_name}: {right}/{len(labels)} held-out digits right "
              f"(accuracy {right / len(labels):.4f}; its trial measured {best_accuracy:.4f})")
    finally:
        predictor.delete_model()
        predictor.delete_endpoint()


if __name__ == "__main__":
    main()
