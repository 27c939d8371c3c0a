"""The logs and metrics journals under --data-dir: a crash mid-append cannot stop the next
start or swallow the next record, and the metrics journal keeps what CloudWatch keeps."""

import datetime
import itertools
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from emulator.backing import moto_services
from emulator.backing.moto_services import LogSink, MetricSink, datum

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
_accounts = itertools.count(710000000000)
DIMS = {"EndpointName": "ep", "VariantName": "AllTraffic"}
MINUTE_4H_AGO = (int(time.time()) - 4 * 3600) // 60 * 60


def account() -> str:
    """A fresh account per emulator 'process': moto's backends are global to this one."""
    return str(next(_accounts))


def log_messages(sink: LogSink, group: str, stream: str) -> list[str]:
    events, _, _ = sink._backend().get_log_events(group, None, stream, None, None, 10000, None, True)
    return [e["message"] for e in events]


def restarted_logs(data_dir) -> LogSink:
    sink = LogSink(data_dir, account(), REGION)
    sink.replay()
    return sink


def restarted_metrics(data_dir) -> MetricSink:
    sink = MetricSink(data_dir, account(), REGION)
    sink.replay()
    return sink


def journal_lines(path) -> list[dict]:
    text = path.read_text()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_a_torn_log_line_is_cut_and_the_next_event_survives_a_restart(tmp_path, caplog):
    sink = LogSink(tmp_path, account(), REGION)
    sink.open_stream("/aws/sagemaker/TrainingJobs", "job/algo-1")
    sink.put("/aws/sagemaker/TrainingJobs", "job/algo-1", ["one", "two"])
    [path] = (tmp_path / "logs").glob("*.jsonl")
    with open(path, "ab") as f:  # what a kill -9 in the middle of an append leaves
        f.write(b'{"timestamp": 17000, "mess')

    sink = restarted_logs(tmp_path)
    assert log_messages(sink, "/aws/sagemaker/TrainingJobs", "job/algo-1") == ["one", "two"]
    assert any("torn" in r.message and "dropped its last 26 bytes" in r.message for r in caplog.records)
    sink.put("/aws/sagemaker/TrainingJobs", "job/algo-1", ["three"])

    sink = restarted_logs(tmp_path)
    assert log_messages(sink, "/aws/sagemaker/TrainingJobs", "job/algo-1") == ["one", "two", "three"]
    assert [e["message"] for e in journal_lines(path)] == ["one", "two", "three"]


# Starts as the emulator does (replay), then appends big events, printing each one's number
# once put() has returned, forever.
WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from emulator.backing.moto_services import LogSink
sink = LogSink(Path(sys.argv[1]), "000000000001", "us-east-1")
sink.replay()
sink.open_stream("g", "s")
n = int(sys.argv[3])
while True:
    n += 1
    sink.put("g", "s", [f"{n}:" + "x" * 300_000])
    print(n, flush=True)
"""


def test_a_log_journal_killed_mid_append_loses_no_acknowledged_event(tmp_path):
    acknowledged = 0
    for _ in range(4):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(REPO), str(acknowledged)],
                                  stdout=subprocess.PIPE, text=True)
        for line in writer.stdout:
            acknowledged = int(line)
            if acknowledged % 40 == 0:
                break
        writer.send_signal(signal.SIGKILL)  # most likely in the middle of a 300 kB write
        writer.wait()
        for line in writer.stdout:  # what it acknowledged before the kill landed, unread till now
            acknowledged = int(line)
        # The next writer goes on from what this one acknowledged, or one past it.
        sink = restarted_logs(tmp_path)
        numbers = [int(m.partition(":")[0]) for m in log_messages(sink, "g", "s")]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) in (acknowledged, acknowledged + 1)
        acknowledged = len(numbers)


def test_a_line_that_does_not_parse_is_skipped_and_start_up_goes_on(tmp_path):
    sink = LogSink(tmp_path, account(), REGION)
    sink.open_stream("g", "s")
    sink.put("g", "s", ["before"])
    [path] = (tmp_path / "logs").glob("*.jsonl")
    now = int(time.time() * 1000)
    with open(path, "a") as f:
        f.write("not json at all\n[1, 2]\n")
        # A journal from before this fix: a torn record with the next one glued onto it.
        f.write('{"timestamp": 1, "mess' + json.dumps({"timestamp": now, "message": "glued"}) + "\n")
    sink = restarted_logs(tmp_path)
    sink.put("g", "s", ["after"])
    assert log_messages(restarted_logs(tmp_path), "g", "s") == ["before", "glued", "after"]


def test_log_events_older_than_cloudwatch_takes_are_dropped_from_the_journal(tmp_path):
    now = int(time.time() * 1000)
    day = 24 * 3600 * 1000
    sink = LogSink(tmp_path, account(), REGION)
    sink.open_stream("g", "old")
    sink.open_stream("g", "s")
    sink.put("g", "old", ["15 days ago"], now - 15 * day)  # moto keeps it while running...
    sink.put("g", "s", ["15 days ago"], now - 15 * day)
    sink.put("g", "s", ["13 days ago"], now - 13 * day)
    sink = restarted_logs(tmp_path)  # ...but could never take it back at a start
    assert log_messages(sink, "g", "s") == ["13 days ago"]
    assert log_messages(sink, "g", "old") == []  # the stream itself stays, as in CloudWatch Logs
    files = {p.name: p for p in (tmp_path / "logs").glob("*.jsonl")}
    assert [e["message"] for e in journal_lines(files["g__s.jsonl"])] == ["13 days ago"]
    assert files["g__old.jsonl"].read_text() == ""


def statistics(sink: MetricSink, name: str, start: float, end: float) -> dict:
    """GetMetricStatistics over [start, end) as one period."""
    utc = datetime.timezone.utc
    [period] = sink._backend().get_metric_statistics(
        "AWS/SageMaker", name, datetime.datetime.fromtimestamp(start, utc).replace(tzinfo=None),
        datetime.datetime.fromtimestamp(end, utc).replace(tzinfo=None), int(end - start),
        ["Sum", "SampleCount", "Minimum", "Maximum"], [{"Name": k, "Value": v} for k, v in DIMS.items()])
    return {"Sum": period.sum, "SampleCount": period.sample_count, "Minimum": period.minimum,
            "Maximum": period.maximum}


def percentiles(sink: MetricSink, name: str, start: float, end: float) -> dict:
    utc = datetime.timezone.utc
    queries = [{"Id": f"p{p}", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": name,
                                                         "Dimensions": [{"Name": k, "Value": v}
                                                                        for k, v in DIMS.items()]},
                                              "Period": int(end - start), "Stat": f"p{p}"}}
               for p in (10, 50, 90, 99)]
    results = sink._backend().get_metric_data(
        queries, datetime.datetime.fromtimestamp(start, utc).replace(tzinfo=None),
        datetime.datetime.fromtimestamp(end, utc).replace(tzinfo=None))
    return {r["id"]: r["values"] for r in results}


def test_a_torn_metric_line_is_cut_and_the_next_record_survives_a_restart(tmp_path):
    now = int(time.time())
    sink = MetricSink(tmp_path, account(), REGION)
    sink.put_data([datum("AWS/SageMaker", "Invocations", now - 10, DIMS, Value=2.0)])
    with open(sink.file, "ab") as f:
        f.write(b'{"Namespace": "AWS/SageMaker", "MetricName": "Invoc')
    sink = restarted_metrics(tmp_path)
    sink.put_data([datum("AWS/SageMaker", "Invocations", now - 5, DIMS, Value=3.0)])
    sink = restarted_metrics(tmp_path)
    assert statistics(sink, "Invocations", now - 60, now) == {"Sum": 5.0, "SampleCount": 2.0,
                                                              "Minimum": 2.0, "Maximum": 3.0}
    assert [r["Value"] for r in journal_lines(sink.file)] == [2.0, 3.0]


def test_a_rolled_up_minute_keeps_sums_counts_extremes_and_exact_percentiles(tmp_path):
    minute = MINUTE_4H_AGO
    records = []
    for second in range(60):  # as InvocationMetrics sends them: one record per series per second
        latencies = [1000 + second * 10 + k for k in range(2)]  # 120 distinct values in the minute
        records.append(datum("AWS/SageMaker", "ModelLatency", minute + second, DIMS, Unit="Microseconds",
                             Values=latencies, Counts=[1, second % 3 + 1]))
        records.append(datum("AWS/SageMaker", "Invocations", minute + second, DIMS, Unit="None",
                             StatisticValues={"SampleCount": 3, "Sum": 3, "Minimum": 1, "Maximum": 1}))
        records.append(datum("AWS/SageMaker", "OverheadLatency", minute + second, DIMS, Unit="Microseconds",
                             Value=float(second)))
    original = MetricSink(tmp_path, account(), REGION)
    original.put_data(records)
    window = (minute - 60, minute + 120)
    before = {name: statistics(original, name, *window)
              for name in ("ModelLatency", "Invocations", "OverheadLatency")}
    before_percentiles = percentiles(original, "ModelLatency", *window)

    compacted = restarted_metrics(tmp_path)
    lines = journal_lines(compacted.file)
    assert len(lines) == 3  # one record per series for the minute
    latency = next(r for r in lines if r["MetricName"] == "ModelLatency")
    assert latency["Timestamp"] == minute and latency["Unit"] == "Microseconds"
    assert len(latency["Values"]) == 120 and sum(latency["Counts"]) == sum(1 + s % 3 + 1 for s in range(60))
    assert next(r for r in lines if r["MetricName"] == "Invocations")["StatisticValues"] == {
        "SampleCount": 180, "Sum": 180, "Minimum": 1, "Maximum": 1}
    assert {name: statistics(compacted, name, *window) for name in before} == before
    assert percentiles(compacted, "ModelLatency", *window) == before_percentiles
    assert before_percentiles["p50"] != before_percentiles["p99"]


def test_past_150_distinct_values_a_minute_is_kept_as_a_statistic_set(tmp_path):
    minute = MINUTE_4H_AGO
    original = MetricSink(tmp_path, account(), REGION)
    original.put_data([datum("AWS/SageMaker", "ModelLatency", minute + second, DIMS, Unit="Microseconds",
                             Values=[second * 100 + k for k in range(5)], Counts=[2] * 5)
                       for second in range(60)])  # 300 distinct values
    window = (minute - 60, minute + 120)
    before = statistics(original, "ModelLatency", *window)
    compacted = restarted_metrics(tmp_path)
    [line] = journal_lines(compacted.file)
    assert line["StatisticValues"] == {"SampleCount": 600, "Sum": before["Sum"], "Minimum": 0, "Maximum": 5904}
    assert statistics(compacted, "ModelLatency", *window) == before


def test_each_age_is_kept_at_cloudwatch_resolution_and_the_oldest_is_gone(tmp_path):
    now = int(time.time())
    day = 24 * 3600
    tiers = {"recent": (now - 3600, 1, 360), "minutes": (now - 5 * day, 60, 120),
             "five-minutes": (now - 30 * day, 300, 20), "hours": (now - 100 * day, 3600, 5)}
    original = MetricSink(tmp_path, account(), REGION)
    for name, (end, _, _) in tiers.items():  # one point every 10 s for an hour before `end`
        original.put_data([datum("AWS/SageMaker", name, end - 3600 + t, DIMS, Value=float(t % 7))
                           for t in range(0, 3600, 10)])
    original.put_data([datum("AWS/SageMaker", "expired", now - 456 * day, DIMS, Value=1.0)])
    windows = {name: (end - 3600 - period, end + period) for name, (end, period, _) in tiers.items()}
    before = {name: statistics(original, name, *window) for name, window in windows.items()}

    compacted = restarted_metrics(tmp_path)
    assert {name: statistics(compacted, name, *window) for name, window in windows.items()} == before
    lines = journal_lines(compacted.file)
    for name, (_, period, most) in tiers.items():
        series = [r for r in lines if r["MetricName"] == name]
        assert len(series) <= most
        if period > 1:
            assert all(r["Timestamp"] % period == 0 for r in series)
    assert not [r for r in lines if r["MetricName"] == "expired"]
    assert len(journal_lines(restarted_metrics(tmp_path).file)) == len(lines)  # compacting again changes nothing


def test_a_hundred_thousand_one_second_records_shrink_to_one_per_minute(tmp_path):
    end = MINUTE_4H_AGO
    records = [datum("AWS/SageMaker", "Invocations", end - 100_000 + s, DIMS, Unit="None",
                     StatisticValues={"SampleCount": 1 + s % 4, "Sum": 1 + s % 4, "Minimum": 1, "Maximum": 1})
               for s in range(100_000)]
    original = MetricSink(tmp_path, account(), REGION)
    original.put_data(records)
    size_before = original.file.stat().st_size
    window = (end - 100_060, end + 60)
    before = statistics(original, "Invocations", *window)

    compacted = restarted_metrics(tmp_path)
    assert len(journal_lines(compacted.file)) <= 100_000 // 60 + 2
    assert compacted.file.stat().st_size < size_before / 30
    assert statistics(compacted, "Invocations", *window) == before


def test_a_journal_that_grows_past_the_threshold_is_compacted_while_running(tmp_path, monkeypatch):
    monkeypatch.setattr(moto_services, "METRICS_COMPACT_BYTES", 200_000)
    sink = MetricSink(tmp_path, account(), REGION)
    start = MINUTE_4H_AGO - 3600
    for batch in range(0, 3600, 100):  # an hour of old one-second records, 100 at a time
        sink.put_data([datum("AWS/SageMaker", "Invocations", start + s, DIMS, Value=1.0)
                       for s in range(batch, batch + 100)])
    sink.put_data([datum("AWS/SageMaker", "Invocations", int(time.time()), DIMS, Value=1.0)])
    lines = journal_lines(sink.file)
    assert len(lines) < 1000
    assert sum(sum(r.get("Counts", [1])) for r in lines) == 3601
    assert statistics(restarted_metrics(tmp_path), "Invocations", start - 60, time.time() + 60)["Sum"] == 3601
