"""Data capture buffers: written to S3 as soon as one is full, not only on the timer; all
written at close; a second close, or a record after close, does nothing harmful.

S3 here is moto's server on a local port (the emulator serves Logs and CloudWatch with it)."""

import json
import time

import pytest
from moto.server import ThreadedMotoServer

from emulator.backing.objects import ObjectStore
from emulator.runtime.capture import FLUSH_BYTES, FLUSH_RECORDS, CaptureWriter

BUCKET = "capture-bucket"
CONFIG = {"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": f"s3://{BUCKET}/dc",
          "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
NEVER = 3600.0  # a timer that never fires within a test


@pytest.fixture(scope="module")
def objects():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    store = ObjectStore(f"http://{host}:{port}", "us-east-1")
    store.client.create_bucket(Bucket=BUCKET)
    yield store
    server.stop()


def captured(objects, endpoint: str) -> list[dict]:
    keys = objects.list_keys(BUCKET, f"dc/{endpoint}/")
    return [json.loads(line) for key in keys
            for line in objects.read(f"s3://{BUCKET}/{key}").decode().splitlines()]


def wait_for_records(objects, endpoint: str, at_least: int, seconds: float = 20) -> list[dict]:
    deadline = time.monotonic() + seconds
    records = captured(objects, endpoint)
    while len(records) < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
        records = captured(objects, endpoint)
    return records


def record(writer: CaptureWriter, endpoint: str, inference_id: str, body: bytes = b"[1, 2]") -> None:
    writer.record(CONFIG, endpoint, "AllTraffic", "application/json", body, "application/json", b"[3]",
                  inference_id)


def test_a_full_buffer_is_written_before_the_timer_and_the_rest_at_close(objects):
    writer = CaptureWriter(objects, NEVER)
    total = FLUSH_RECORDS * 2 + 500
    for i in range(total):
        record(writer, "by-count", f"id-{i}")
    assert len(wait_for_records(objects, "by-count", FLUSH_RECORDS)) >= FLUSH_RECORDS
    writer.close()
    ids = [r["eventMetadata"]["inferenceId"] for r in captured(objects, "by-count")]
    assert sorted(ids) == sorted(f"id-{i}" for i in range(total))  # each once

    writer.close()  # again: nothing to do, nothing raised
    record(writer, "by-count", "after-close")
    assert len(captured(objects, "by-count")) == total


def test_a_buffer_past_a_megabyte_is_written_without_waiting(objects):
    writer = CaptureWriter(objects, NEVER)
    big = json.dumps(["x" * (FLUSH_BYTES // 2)]).encode()
    for i in range(3):  # past FLUSH_BYTES at the second record
        record(writer, "by-size", f"big-{i}", big)
    records = wait_for_records(objects, "by-size", 2)
    assert len(records) >= 2
    assert records[0]["captureData"]["endpointInput"]["data"] == big.decode()
    writer.close()
    assert len(captured(objects, "by-size")) == 3
