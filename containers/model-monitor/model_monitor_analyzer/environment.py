"""The container contract of a Model Monitor job: what its environment variables say.

AWS documents these for monitoring executions (dataset_format, dataset_source, output_path,
publish_cloudwatch_metrics, sagemaker_endpoint_name, sagemaker_monitoring_schedule_name,
start_time, end_time, baseline_constraints, baseline_statistics); the SDK sets the same
names for baselining jobs, plus analysis_type, problem_type, the inference, probability
and ground truth attributes, categorical_drift_method and the record preprocessor and
post-analytics scripts. `ground_truth_source` is the emulator's own: the local folder of
a model quality execution's ground truth records (AWS merges them in a separate job); so is
`exclude_features_attribute`, the schedule's EndpointInput.ExcludeFeaturesAttribute (feature
names or column indices, comma-separated) that the analysis leaves out.
"""

import datetime
import json
import os
from dataclasses import dataclass

MODEL_QUALITY = "MODEL_QUALITY"
DATA_QUALITY = "DATA_QUALITY"
PROBLEM_TYPES = ("Regression", "BinaryClassification", "MulticlassClassification")


class JobError(Exception):
    """What makes the job fail, said to the user (it becomes the job's ExitMessage)."""


@dataclass
class Job:
    dataset_format: dict
    dataset_source: str
    output_path: str
    analysis_type: str = DATA_QUALITY
    baseline_constraints: str | None = None
    baseline_statistics: str | None = None
    publish_cloudwatch_metrics: bool = False
    start_time: datetime.datetime | None = None
    end_time: datetime.datetime | None = None
    endpoint_name: str | None = None
    schedule_name: str | None = None
    problem_type: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    ground_truth_attribute: str | None = None
    probability_threshold: float = 0.5
    categorical_drift_method: str | None = None
    record_preprocessor_script: str | None = None
    post_analytics_processor_script: str | None = None
    ground_truth_source: str | None = None
    exclude_features: tuple[str, ...] = ()  # EndpointInput.ExcludeFeaturesAttribute: names or indices
    # How the job reaches AWS (CloudWatch): boto3's client arguments from the variables the
    # platform gives every job container (AWS_ENDPOINT_URL, AWS_REGION, the credentials).
    aws: dict | None = None

    @property
    def monitoring(self) -> bool:
        """A monitoring execution (compares with a baseline) rather than a baselining job."""
        return self.baseline_constraints is not None

    @property
    def captured(self) -> bool:
        """The dataset is an endpoint's capture files."""
        return "sagemakerCaptureJson" in self.dataset_format

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> "Job":
        env = dict(os.environ if env is None else env)
        for required in ("dataset_format", "dataset_source", "output_path"):
            if not env.get(required):
                raise JobError(f"the environment variable {required} must be set (the Model Monitor container "
                               "contract)")
        try:
            dataset_format = json.loads(env["dataset_format"])
        except ValueError as exc:
            raise JobError(f"dataset_format is not JSON: {exc}")
        if not isinstance(dataset_format, dict) or not dataset_format:
            raise JobError('dataset_format must be a JSON object such as {"csv": {"header": true}}')
        analysis_type = env.get("analysis_type", DATA_QUALITY).upper()
        problem_type = env.get("problem_type")
        if analysis_type == MODEL_QUALITY and problem_type not in PROBLEM_TYPES:
            raise JobError(f"problem_type must be one of {', '.join(PROBLEM_TYPES)} for a model quality job "
                           f"(it is {problem_type!r})")
        return cls(
            dataset_format=dataset_format, dataset_source=env["dataset_source"], output_path=env["output_path"],
            analysis_type=analysis_type,
            baseline_constraints=env.get("baseline_constraints") or None,
            baseline_statistics=env.get("baseline_statistics") or None,
            publish_cloudwatch_metrics=env.get("publish_cloudwatch_metrics", "Disabled").lower() == "enabled",
            start_time=parse_time(env.get("start_time"), "start_time"),
            end_time=parse_time(env.get("end_time"), "end_time"),
            endpoint_name=env.get("sagemaker_endpoint_name") or None,
            schedule_name=env.get("sagemaker_monitoring_schedule_name") or None,
            problem_type=problem_type,
            inference_attribute=env.get("inference_attribute") or None,
            probability_attribute=env.get("probability_attribute") or None,
            ground_truth_attribute=env.get("ground_truth_attribute") or None,
            probability_threshold=_float(env.get("probability_threshold_attribute"), 0.5),
            categorical_drift_method=env.get("categorical_drift_method") or None,
            record_preprocessor_script=env.get("record_preprocessor_script") or None,
            post_analytics_processor_script=env.get("post_analytics_processor_script") or None,
            ground_truth_source=env.get("ground_truth_source") or None,
            exclude_features=tuple(n.strip() for n in env.get("exclude_features_attribute", "").split(",") if n.strip()),
            aws={argument: env[variable] for argument, variable in _AWS.items() if env.get(variable)})


_AWS = {"endpoint_url": "AWS_ENDPOINT_URL", "region_name": "AWS_REGION", "aws_access_key_id": "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY", "aws_session_token": "AWS_SESSION_TOKEN"}


def parse_time(text: str | None, name: str) -> datetime.datetime | None:
    """ISO 8601 in UTC, as the platform writes start_time and end_time ("2019-12-01T15:20:00Z")."""
    if not text:
        return None
    try:
        when = datetime.datetime.fromisoformat(text.replace(" ", "").replace("Z", "+00:00"))
    except ValueError:
        raise JobError(f"{name} {text!r} is not an ISO 8601 time such as 2019-12-01T15:20:00Z")
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def _float(text: str | None, default: float) -> float:
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        raise JobError(f"probability_threshold_attribute {text!r} is not a number")
