"""CloudWatch metrics of a monitoring execution, in the namespaces AWS publishes them in.

Data quality: `aws/sagemaker/Endpoints/data-metrics`, per feature `feature_baseline_drift_<f>`
(the drift distance), `feature_completeness_<f>`, `feature_null_<f>`, `feature_non_null_<f>`,
`feature_estimated_unique_values_<f>`, `feature_<type>_counts_<f>` and, for numerical
features, `feature_data_<f>` (statistic values: count, sum, min, max). Model quality:
`aws/sagemaker/Endpoints/model-metrics`, one metric per value (`accuracy`, `f1`, `rmse`,
...). Dimensions: `Endpoint` and `MonitoringSchedule`, as AWS's monitor dashboards and
alarms name them. The job reaches CloudWatch as any code in a job does: boto3 with the
endpoint the platform gives every container (AWS_ENDPOINT_URL).
"""

import datetime
import math

from .statistics import FRACTIONAL, INTEGRAL, STRING, UNKNOWN, Profile

DATA_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
MODEL_NAMESPACE = "aws/sagemaker/Endpoints/model-metrics"
BATCH = 20  # MetricData members per PutMetricData call


def dimensions(endpoint: str | None, schedule: str | None) -> list[dict]:
    return [{"Name": n, "Value": v} for n, v in (("Endpoint", endpoint), ("MonitoringSchedule", schedule)) if v]


def data_quality_data(features: list[Profile], drift: dict[str, float], when: datetime.datetime,
                      dims: list[dict]) -> list[dict]:
    data = []

    def add(name: str, **value):
        data.append({"MetricName": name, "Timestamp": when, "Dimensions": dims, **value})
    for p in features:
        add(f"feature_completeness_{p.name}", Value=p.completeness)
        add(f"feature_null_{p.name}", Value=float(p.missing), Unit="Count")
        add(f"feature_non_null_{p.name}", Value=float(p.present), Unit="Count")
        add(f"feature_estimated_unique_values_{p.name}", Value=float(len(p.values)), Unit="Count")
        for data_type, count in ((INTEGRAL, p.integral), (FRACTIONAL, p.fractional), (STRING, p.strings),
                                 (UNKNOWN, p.missing)):
            add(f"feature_{data_type.lower()}_counts_{p.name}", Value=float(count), Unit="Count")
        if len(p.numbers):
            add(f"feature_data_{p.name}", StatisticValues={
                "SampleCount": float(len(p.numbers)), "Sum": float(p.numbers.sum()),
                "Minimum": float(p.numbers.min()), "Maximum": float(p.numbers.max())})
        if p.name in drift:
            add(f"feature_baseline_drift_{p.name}", Value=drift[p.name])
    return data


def model_quality_data(section: dict, when: datetime.datetime, dims: list[dict]) -> list[dict]:
    return [{"MetricName": name, "Timestamp": when, "Dimensions": dims, "Value": float(metric["value"])}
            for name, metric in section.items()
            if isinstance(metric, dict) and isinstance(metric.get("value"), (int, float))
            and math.isfinite(metric["value"])]


def publish(namespace: str, data: list[dict], aws: dict | None = None) -> None:
    """aws: boto3's client arguments (Job.aws); boto3's own defaults where it is empty."""
    import boto3  # only a job that publishes needs it

    client = boto3.client("cloudwatch", **(aws or {}))
    for start in range(0, len(data), BATCH):
        client.put_metric_data(Namespace=namespace, MetricData=data[start:start + BATCH])
