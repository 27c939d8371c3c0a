"""CloudWatch Logs, CloudWatch, SQS, STS and IAM served by moto in the same process.

The gateway hands these requests to moto's own WSGI dispatcher. The emulator writes job
logs straight into moto's Logs backend (no HTTP round trip on the log path) and also
appends them to --data-dir/logs, replayed into moto at start, so logs survive a restart;
metrics likewise to --data-dir/metrics. Both are journals (see journal.py): a crash cannot
make them unreadable, and they are trimmed to what CloudWatch itself would still hold. SQS
queues (what pipelines' callback steps send to) live in moto's memory only: they and their
messages are gone after a restart.
"""

import datetime
import hashlib
import logging
import math
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from moto.cloudwatch.models import MetricDatum, Statistics, cloudwatch_backends
from moto.logs.models import logs_backends
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import sqs_backends
from moto.server import DomainDispatcherApplication, create_backend_app

from .journal import Journal
from .metric_retention import compact, is_metric_record

log = logging.getLogger(__name__)

# CloudWatch Logs takes no event older than this (moto neither, so a replay drops them).
LOG_EVENT_MAX_AGE_MS = 14 * 24 * 3600 * 1000
# The metrics journal is compacted while running once it passes this size and twice its
# size after the last compaction (so data too young to roll up is not rewritten over and over).
METRICS_COMPACT_BYTES = 32 * 1024 * 1024


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
        self._journals: dict[Path, Journal] = {}

    def _backend(self):
        return logs_backends[self.account_id][self.region]

    def _file(self, group: str, stream: str) -> Path:
        quoted = urllib.parse.quote(group, safe="") + "__" + urllib.parse.quote(stream, safe="")
        return self.dir / f"{quoted}.jsonl"

    def _journal(self, path: Path) -> Journal:
        if path not in self._journals:
            self._journals[path] = Journal(path)
        return self._journals[path]

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
            self._journal(self._file(group, stream)).append(events)

    def replay(self) -> None:
        """Load the persisted events into moto (called once at start-up, before any put).

        A stream's file is rewritten without the events CloudWatch Logs no longer takes
        (older than 14 days): moto refuses them, so they could never be read again."""
        for path in sorted(self.dir.glob("*.jsonl")):
            group_q, _, stream_q = path.stem.partition("__")
            group, stream = urllib.parse.unquote(group_q), urllib.parse.unquote(stream_q)
            with self._lock:
                journal = self._journal(path)
                records = journal.read()
                events = [e for e in records if _is_log_event(e)]
                if len(events) < len(records):
                    log.warning("%s: %d records that are not log events skipped", path, len(records) - len(events))
                # PutLogEvents takes a batch only in time order; a clock stepped back may have left it out of order.
                events.sort(key=lambda e: e["timestamp"])
                oldest = int(time.time() * 1000) - LOG_EVENT_MAX_AGE_MS
                current = [e for e in events if e["timestamp"] >= oldest]
                if len(current) < len(records):
                    journal.rewrite(current)
                backend = self._backend()
                self._ensure(backend, group, stream)
                for start in range(0, len(current), 5000):
                    backend.put_log_events(group, stream, current[start:start + 5000])


class QueueMissing(Exception):
    """No queue of that URL exists in the emulator's SQS."""


class Queues:
    """Sends messages to SQS queues, which a user made with CreateQueue (boto3's sqs client
    pointed at the emulator): the queue is named by the last part of its URL, its account by
    the one before, its region by an AWS-style host (sqs.<region>.amazonaws.com) or else the
    emulator's."""

    def __init__(self, region: str):
        self.region = region

    def send(self, queue_url: str, body: str) -> str:
        """The message id; QueueMissing when there is no such queue."""
        parsed = urllib.parse.urlparse(queue_url)
        parts = [p for p in parsed.path.split("/") if p]
        host = re.fullmatch(r"sqs\.([a-z0-9-]+)\.amazonaws\.com", parsed.hostname or "")
        if len(parts) != 2 or not parts[0].isdigit():
            raise QueueMissing(f"{queue_url} is not a queue URL (<endpoint>/<account>/<queue name>)")
        account, name = parts
        # A FIFO queue takes a message only with a group (and, without content-based
        # deduplication, a deduplication id): one group per queue, the body's digest.
        fifo = {"group_id": "sagemaker-pipelines", "deduplication_id": hashlib.sha256(body.encode()).hexdigest()} \
            if name.endswith(".fifo") else {}
        try:
            return sqs_backends[account][host.group(1) if host else self.region].send_message(name, body, **fifo).id
        except QueueDoesNotExist:
            raise QueueMissing("The specified queue does not exist.") from None


def _is_log_event(event: dict) -> bool:
    timestamp = event.get("timestamp")
    return (isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool) and math.isfinite(timestamp)
            and isinstance(event.get("message"), str))


@dataclass(frozen=True)
class Point:
    """One CloudWatch datapoint as a reader sees it."""
    namespace: str
    name: str
    dimensions: dict[str, str]
    value: float


class MetricSink:
    """Writes CloudWatch metric data for the emulator's jobs and endpoints into moto's
    CloudWatch backend, and appends it to --data-dir/metrics, replayed at start, so it
    survives a restart."""

    def __init__(self, data_dir: Path, account_id: str, region: str):
        self.file = data_dir / "metrics" / "datapoints.jsonl"
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.journal = Journal(self.file)
        self.account_id = account_id
        self.region = region
        self._lock = threading.Lock()
        self._size = self.journal.size()
        self._compact_at = max(METRICS_COMPACT_BYTES, 2 * self._size)

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
            self._size += self.journal.append(records)
            if self._size > self._compact_at:
                self._compact(self.journal.read())

    def points_since(self, position: int) -> tuple[list["Point"], int]:
        """The datapoints put since `position` (0: all the backend holds) and the position to
        ask from next time. moto keeps them in a list in the order they were put, so a reader
        that keeps its place reads each point once (GetMetricStatistics would scan every point
        on each call, and merge the points of one second into one)."""
        data = self._backend().metric_data
        if len(data) < position:  # a fresh backend (moto reset): read it whole
            position = 0
        end = len(data)  # others append meanwhile: what comes after `end` is read next time
        points = [Point(d.namespace, d.name, {x.name: x.value for x in d.dimensions}, d.value)
                  for d in data[position:end] if isinstance(d, MetricDatum)]
        return points, end

    def _put(self, record: dict) -> None:
        # moto compares naive UTC datetimes.
        when = datetime.datetime.fromtimestamp(record["Timestamp"], datetime.timezone.utc).replace(tzinfo=None)
        member = {k: v for k, v in record.items() if k != "Namespace"}
        self._backend().put_metric_data(record["Namespace"], [{**member, "Timestamp": when}])

    def replay(self) -> None:
        """Load the journal into moto (called once at start-up), compacted first."""
        with self._lock:
            for record in self._compact(self.journal.read()):
                try:
                    self._put(record)
                except Exception as error:  # moto's validation: one bad record must not stop start-up
                    log.warning("%s: metric record skipped (%s): %.200s", self.file, error, record)

    def _compact(self, records: list[dict]) -> list[dict]:
        """Rewrite the journal as CloudWatch's retention would leave it (under the lock)."""
        valid = [r for r in records if is_metric_record(r)]
        if len(valid) < len(records):
            log.warning("%s: %d records that are not metric data skipped", self.file, len(records) - len(valid))
        compacted = compact(valid, time.time())
        if compacted != records:
            self._size = self.journal.rewrite(compacted)
        else:
            self._size = self.journal.size()
        self._compact_at = max(METRICS_COMPACT_BYTES, 2 * self._size)
        return compacted


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
