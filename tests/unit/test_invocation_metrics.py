"""Endpoint invocation metrics as CloudWatch answers for them: counts, error counts and exact
latency percentiles (moto computes no percentiles; the emulator adds them)."""

import datetime

from emulator.backing.moto_services import MetricSink
from emulator.runtime.metrics import InvocationMetrics


def test_counts_errors_and_percentiles(tmp_path):
    sink = MetricSink(tmp_path, "000000000042", "us-east-1")
    metrics = InvocationMetrics(sink, interval_seconds=3600)
    for i in range(1, 101):  # model latencies 1..100 ms; three 500s and two 404s
        status = 500 if i <= 3 else 404 if i <= 5 else 200
        metrics.record("ep", "AllTraffic", i / 1000, 0.0005, status)
    metrics.close()

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    dims = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}]

    def query(qid, name, stat):
        return {"Id": qid, "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": name,
                                                     "Dimensions": dims}, "Period": 3600, "Stat": stat}}
    results = sink._backend().get_metric_data(
        [query("calls", "Invocations", "Sum"), query("e4", "Invocation4XXErrors", "Sum"),
         query("e5", "Invocation5XXErrors", "Sum"), query("p50", "ModelLatency", "p50"),
         query("p99", "ModelLatency", "p99"), query("avg", "ModelLatency", "Average"),
         query("overhead", "OverheadLatency", "Average")],
        now - datetime.timedelta(minutes=5), now + datetime.timedelta(minutes=5))
    values = {r["id"]: r["values"] for r in results}
    assert values == {"calls": [100], "e4": [2], "e5": [3], "p50": [50000], "p99": [99000],
                      "avg": [50500], "overhead": [500]}
    # Kept for a restart: one journal line per series per second, not per call.
    assert len((tmp_path / "metrics" / "datapoints.jsonl").read_text().splitlines()) <= 10
