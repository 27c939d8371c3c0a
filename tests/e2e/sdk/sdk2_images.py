"""The SageMaker Python SDK 2.x, unchanged, on the scikit-learn and XGBoost images: argv[1] is
`sklearn` (SKLearn(...).fit() in script mode) or `xgboost` (a generic Estimator on the image
image_uris.retrieve gives, the built-in algorithm with CSV channels). Prints one JSON line."""

import json
import sys
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.sklearn import SKLearn
from sklearn.datasets import load_diabetes, load_iris

which, code, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
session = sagemaker.Session()


def upload_rows(features, labels, name: str) -> str:
    path = work / name / f"{name}.csv"
    path.parent.mkdir(parents=True)
    np.savetxt(path, np.column_stack([labels, features]), delimiter=",")
    return session.upload_data(str(path.parent), key_prefix=f"sdk2-images/{name}")


if which == "sklearn":
    features, labels = load_iris(return_X_y=True)
    (work / "iris").mkdir()
    np.savetxt(work / "iris" / "iris.csv", np.column_stack([labels, features]), delimiter=",")
    train = session.upload_data(str(work / "iris"), key_prefix="sdk2-images/iris")
    estimator = SKLearn(entry_point="train_iris.py", source_dir=str(code / "sklearn"), framework_version="1.2-1",
                        py_version="py3", instance_type="ml.m5.large", instance_count=1, role=ROLE,
                        hyperparameters={"max-depth": 2})
else:
    features, labels = load_diabetes(return_X_y=True)
    image = sagemaker.image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1")
    estimator = Estimator(image_uri=image, role=ROLE, instance_count=1, instance_type="ml.m5.large")
    estimator.set_hyperparameters(num_round=10, objective="reg:squarederror")
    train = TrainingInput(upload_rows(features[:300], labels[:300], "train"), content_type="text/csv")
    validation = TrainingInput(upload_rows(features[300:], labels[300:], "validation"), content_type="text/csv")
estimator.fit({"train": train} if which == "sklearn" else {"train": train, "validation": validation}, logs=False)
job = estimator.latest_training_job.describe()
print(json.dumps({"image": job["AlgorithmSpecification"]["TrainingImage"], "status": job["TrainingJobStatus"],
                  "metrics": sorted(m["MetricName"] for m in job.get("FinalMetricDataList", [])),
                  "model": estimator.model_data}))
