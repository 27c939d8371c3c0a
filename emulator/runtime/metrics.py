"""Endpoint invocation metrics, published as SageMaker publishes them: CloudWatch namespace
AWS/SageMaker, dimensions EndpointName and VariantName; Invocations, Invocation4XXErrors and
Invocation5XXErrors (counts), ModelLatency and OverheadLatency (microseconds).

An invocation only appends a tuple; a thread sends one record per series per second, so a
busy endpoint costs CloudWatch one record a second per metric, not one per call. ModelLatency
goes as its values (Values/Counts), so its percentiles are exact; the rest as statistic sets.
"""

import collections
import threading
import time

from ..backing.moto_services import MetricSink, datum

NAMESPACE = "AWS/SageMaker"
_MAX_VALUES = 150  # PutMetricData's limit of distinct values per datum


class InvocationMetrics:
    def __init__(self, sink: MetricSink, interval_seconds: float = 1.0):
        self.sink = sink
        self.interval = interval_seconds
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="invocation-metrics", daemon=True)
        self._thread.start()

    def record(self, endpoint: str, variant: str, model_seconds: float, overhead_seconds: float,
               status: int) -> None:
        """status: the container's HTTP status; 500 when it never answered."""
        with self._lock:
            self._pending.append((int(time.time()), endpoint, variant, model_seconds, overhead_seconds, status))

    def _run(self) -> None:
        while not self._closed.wait(self.interval):
            self.flush()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        groups = collections.defaultdict(list)
        for second, endpoint, variant, *measures in pending:
            groups[(second, endpoint, variant)].append(measures)
        records = []
        for (second, endpoint, variant), calls in groups.items():
            dims = {"EndpointName": endpoint, "VariantName": variant}
            n = len(calls)
            records.append(datum(NAMESPACE, "Invocations", second, dims, Unit="None",
                                 StatisticValues=_stats([1] * n)))
            for name, low, high in (("Invocation4XXErrors", 400, 500), ("Invocation5XXErrors", 500, 600)):
                records.append(datum(NAMESPACE, name, second, dims, Unit="None",
                                     StatisticValues=_stats([int(low <= c[2] < high) for c in calls])))
            latencies = collections.Counter(round(c[0] * 1e6) for c in calls)
            values = sorted(latencies)
            for start in range(0, len(values), _MAX_VALUES):
                chunk = values[start:start + _MAX_VALUES]
                records.append(datum(NAMESPACE, "ModelLatency", second, dims, Unit="Microseconds",
                                     Values=chunk, Counts=[latencies[v] for v in chunk]))
            records.append(datum(NAMESPACE, "OverheadLatency", second, dims, Unit="Microseconds",
                                 StatisticValues=_stats([round(c[1] * 1e6) for c in calls])))
        self.sink.put_data(records)


def _stats(values: list[float]) -> dict:
    return {"SampleCount": len(values), "Sum": sum(values), "Minimum": min(values), "Maximum": max(values)}
