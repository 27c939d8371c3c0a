"""The SageMaker Python SDK 2.x's HyperparameterTuner, unchanged, on its AWS code path: run
with nothing but the environment `sagemaker-emulator env` prints. Two tunings: a PyTorch
script (tune_train.py, custom metric definitions) and the XGBoost built-in algorithm on its
own `validation:rmse`. Prints one JSON line of what it saw."""

import json
import random
import sys
from pathlib import Path

import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.pytorch import PyTorch
from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
code, work = Path(sys.argv[1]), Path(sys.argv[2])
session = sagemaker.Session()

# A PyTorch script, tuned on its position.
estimator = PyTorch(entry_point="tune_train.py", source_dir=str(code), role=ROLE, framework_version="2.6",
                    py_version="py312", instance_count=1, instance_type="ml.m5.large",
                    hyperparameters={"bonus": 1, "epochs": 2})
tuner = HyperparameterTuner(estimator, "objective", {"position": ContinuousParameter(0, 6)},
                            metric_definitions=[{"Name": "objective", "Regex": r"objective=([-0-9.]+)"}],
                            strategy="Random", random_seed=7, max_jobs=2, max_parallel_jobs=2)
tuner.fit(wait=True)
frame = tuner.analytics().dataframe()
best = tuner.best_estimator()
pytorch = {"best": tuner.best_training_job(), "status": tuner.describe()["HyperParameterTuningJobStatus"],
           "rows": frame[["TrainingJobName", "position", "FinalObjectiveValue", "TrainingJobStatus"]].to_dict("records"),
           "best_estimator_job": best.latest_training_job.name, "best_model": best.model_data,
           "best_hyperparameters": best.hyperparameters()}

# The XGBoost built-in algorithm, tuned on its own validation:rmse (no metric definitions given).
rng = random.Random(3)
for channel, rows in (("train", 80), ("validation", 30)):
    lines = []
    for _ in range(rows):
        a, b = rng.uniform(0, 1), rng.uniform(0, 1)
        lines.append(f"{3 * a + b + rng.gauss(0, 0.05):.5f},{a:.5f},{b:.5f}")
    (work / f"{channel}.csv").write_text("\n".join(lines) + "\n")
channels = {c: TrainingInput(session.upload_data(str(work / f"{c}.csv"), key_prefix=f"sdk2-tuning/{c}"),
                             content_type="text/csv") for c in ("train", "validation")}
xgboost = Estimator(image_uri=sagemaker.image_uris.retrieve("xgboost", session.boto_region_name, "1.7-1"),
                    role=ROLE, instance_count=1, instance_type="ml.m5.large",
                    hyperparameters={"objective": "reg:squarederror", "num_round": 20})
xgboost_tuner = HyperparameterTuner(xgboost, "validation:rmse", {"max_depth": IntegerParameter(1, 4),
                                                                 "eta": ContinuousParameter(0.05, 0.5)},
                                    objective_type="Minimize", strategy="Bayesian", random_seed=7,
                                    max_jobs=2, max_parallel_jobs=2)
xgboost_tuner.fit(channels, wait=True)
xgboost_frame = xgboost_tuner.analytics().dataframe()
xgboost_job = xgboost_tuner.describe()

print(json.dumps({"pytorch": pytorch, "xgboost": {
    "status": xgboost_job["HyperParameterTuningJobStatus"], "best": xgboost_tuner.best_training_job(),
    "best_value": xgboost_job["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
    "values": sorted(xgboost_frame["FinalObjectiveValue"].tolist()),
    "best_estimator_job": xgboost_tuner.best_estimator().latest_training_job.name}}, default=str))
