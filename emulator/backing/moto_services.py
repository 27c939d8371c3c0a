"""CloudWatch Logs, CloudWatch, STS and IAM served by moto in the same process.

The gateway hands these requests to moto's own WSGI dispatcher. The emulator writes job
logs straight into moto's Logs backend (no HTTP round trip on the log path) and also
appends them to --data-dir/logs, replayed into moto at start, so logs survive a restart.
"""

import datetime
import json
import math
import re
import threading
import time
import urllib.parse
from pathlib import Path

from moto.cloudwatch.models import Statistics, cloudwatch_backends
from moto.logs.models import logs_backends
from moto.server import DomainDispatcherApplication, create_backend_app


def moto_wsgi_app():
    return DomainDispatcherApplication(create_backend_app)


class LogSink:
    """Writes CloudWatch Logs events for the emulator's jobs and endpoints."""

    def __init__(self, data_dir: Path, account_id: str, region: str):
        self.dir = data_dir / "logs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.account_id = account_id
        self.region = region
        self._lock = threading.Lock()

    def _backend(self):
        return logs_backends[self.account_id][self.region]

    def _file(self, group: str, stream: str) -> Path:
        quoted = urllib.parse.quote(group, safe="") + "__" + urllib.parse.quote(stream, safe="")
        return self.dir / f"{quoted}.jsonl"

    def _ensure(self, backend, group: str, stream: str) -> None:
        if group not in backend.groups:
            backend.create_log_group(group, {})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)

    def open_stream(self, group: str, stream: str) -> None:
        with self._lock:
            self._ensure(self._backend(), group, stream)
            self._file(group, stream).touch()

    def put(self, group: str, stream: str, messages: list[str], timestamp_ms: int | None = None) -> None:
        if not messages:
            return
        ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        events = [{"timestamp": ts, "message": m} for m in messages]
        with self._lock:
            self._backend().put_log_events(group, stream, events)
            with open(self._file(group, stream), "a", encoding="utf-8") as f:
                for event in events:
                    f.write(json.dumps(event) + "\n")

    def replay(self) -> None:
        """Load the persisted events into moto (called once at start-up)."""
        for path in sorted(self.dir.glob("*.jsonl")):
            group_q, _, stream_q = path.stem.partition("__")
            group, stream = urllib.parse.unquote(group_q), urllib.parse.unquote(stream_q)
            events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
            with self._lock:
                backend = self._backend()
                self._ensure(backend, group, stream)
                # moto refuses events older than 14 days; keep what it takes.
                for start in range(0, len(events), 5000):
                    backend.put_log_events(group, stream, events[start:start + 5000])


class MetricSink:
    """Writes CloudWatch metric data for the emulator's jobs and endpoints into moto's
    CloudWatch backend, and appends it to --data-dir/metrics, replayed at start, so it
    survives a restart."""

    def __init__(self, data_dir: Path, account_id: str, region: str):
        self.file = data_dir / "metrics" / "datapoints.jsonl"
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.account_id = account_id
        self.region = region
        self._lock = threading.Lock()

    def _backend(self):
        return cloudwatch_backends[self.account_id][self.region]

    def put(self, namespace: str, name: str, value: float, timestamp: float,
            dimension_sets: list[dict[str, str]]) -> None:
        """One datapoint per dimension set (CloudWatch keeps a series per set)."""
        self.put_data([datum(namespace, name, timestamp, dimensions, Value=value)
                       for dimensions in dimension_sets])

    def put_data(self, records: list[dict]) -> None:
        """Records as PutMetricData's MetricDatum (plus Namespace; Timestamp in epoch seconds)."""
        if not records:
            return
        with self._lock:
            for record in records:
                self._put(record)
            with open(self.file, "a", encoding="utf-8") as f:
                f.writelines(json.dumps(record) + "\n" for record in records)

    def _put(self, record: dict) -> None:
        # moto compares naive UTC datetimes.
        when = datetime.datetime.fromtimestamp(record["Timestamp"], datetime.timezone.utc).replace(tzinfo=None)
        member = {k: v for k, v in record.items() if k != "Namespace"}
        self._backend().put_metric_data(record["Namespace"], [{**member, "Timestamp": when}])

    def replay(self) -> None:
        if not self.file.exists():
            return
        with self._lock:
            for line in self.file.read_text(encoding="utf-8").splitlines():
                if line:
                    self._put(json.loads(line))


def datum(namespace: str, name: str, timestamp: float, dimensions: dict[str, str], **value) -> dict:
    """A metric record; value is Value=, Values=/Counts= or StatisticValues= (and Unit=)."""
    return {"Namespace": namespace, "MetricName": name, "Timestamp": timestamp,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()], **value}


_PERCENTILE = re.compile(r"p(\d{1,2}(?:\.\d+)?)")


def _with_percentiles(statistic_for):
    """moto answers Sum, Average, Minimum, Maximum and SampleCount only; CloudWatch also
    answers percentiles (GetMetricData's Stat "p99"), computed here by nearest rank over the
    single values of the period, as CloudWatch does for data sent as values."""
    def get_statistics_for_type(self, stat: str):
        match = _PERCENTILE.fullmatch(stat)
        if match is None:
            return statistic_for(self, stat)
        values = sorted(self.metric_single_values_list)
        if not values:
            return None
        rank = math.ceil(float(match.group(1)) / 100 * len(values))
        return values[min(max(rank, 1), len(values)) - 1]
    return get_statistics_for_type


Statistics.get_statistics_for_type = _with_percentiles(Statistics.get_statistics_for_type)
