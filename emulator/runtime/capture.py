"""Data capture: sampled requests and responses to S3 as SageMaker writes them.

Lines in SageMaker's capture format, buffered per variant and written as one JSON Lines
object per flush under
<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl.

Buffers are written every flush_seconds, and sooner by the writer's own thread once one
holds FLUSH_RECORDS records or FLUSH_BYTES of lines, so an invocation never waits on S3 and
a busy endpoint's buffer stays small. If S3 falls so far behind that BUFFER_LIMIT_BYTES are
waiting, further records are dropped (with a warning) rather than growing without bound.
"""

import base64
import datetime
import json
import logging
import random
import threading
import uuid

from ..backing.objects import ObjectStore, split_s3_uri

log = logging.getLogger(__name__)

FLUSH_RECORDS = 1000
FLUSH_BYTES = 1024 * 1024
BUFFER_LIMIT_BYTES = 64 * 1024 * 1024

DEFAULT_CSV = ("text/csv",)
DEFAULT_JSON = ("application/json",)


def _encoding(content_type: str, header: dict) -> str:
    base = (content_type or "").split(";")[0].strip().lower()
    if base in [t.lower() for t in header.get("CsvContentTypes", DEFAULT_CSV)]:
        return "CSV"
    if base in [t.lower() for t in header.get("JsonContentTypes", DEFAULT_JSON)]:
        return "JSON"
    return "BASE64"


def _data(body: bytes, encoding: str) -> str:
    if encoding == "BASE64":
        return base64.b64encode(body).decode()
    return body.decode("utf-8", "replace")


def capture_record(config: dict, request_type: str, request_body: bytes, response_type: str,
                   response_body: bytes, inference_id: str | None, when: datetime.datetime) -> dict:
    modes = {o["CaptureMode"] for o in config.get("CaptureOptions", [])}
    header = config.get("CaptureContentTypeHeader", {})
    data = {}
    if "Input" in modes:
        encoding = _encoding(request_type, header)
        data["endpointInput"] = {"observedContentType": request_type, "mode": "INPUT",
                                 "data": _data(request_body, encoding), "encoding": encoding}
    if "Output" in modes:
        encoding = _encoding(response_type, header)
        data["endpointOutput"] = {"observedContentType": response_type, "mode": "OUTPUT",
                                  "data": _data(response_body, encoding), "encoding": encoding}
    metadata = {"eventId": str(uuid.uuid4()), "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if inference_id:
        metadata["inferenceId"] = inference_id
    return {"captureData": data, "eventMetadata": metadata, "eventVersion": "0"}


class _Buffer:
    def __init__(self):
        self.lines: list[str] = []
        self.bytes = 0

    def full(self) -> bool:
        return len(self.lines) >= FLUSH_RECORDS or self.bytes >= FLUSH_BYTES


class CaptureWriter:
    def __init__(self, objects: ObjectStore, flush_seconds: float):
        self.objects = objects
        self.flush_seconds = flush_seconds
        self._buffers: dict[tuple[str, str, str], _Buffer] = {}
        self._buffered_bytes = 0  # in _buffers and in flushes under way (json.dumps writes ASCII)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._warned_full = False
        self._thread = threading.Thread(target=self._loop, daemon=True, name="data-capture")
        self._thread.start()

    def record(self, config: dict | None, endpoint: str, variant: str, request_type: str,
               request_body: bytes, response_type: str, response_body: bytes,
               inference_id: str | None) -> None:
        if not config or not config.get("EnableCapture", True):
            return
        if random.uniform(0, 100) >= config["InitialSamplingPercentage"]:
            return
        line = json.dumps(capture_record(config, request_type, request_body, response_type,
                                         response_body, inference_id, datetime.datetime.now(datetime.UTC)))
        with self._lock:
            if self._closed or self._buffered_bytes + len(line) > BUFFER_LIMIT_BYTES:
                if not self._warned_full:
                    self._warned_full = True
                    log.warning("data capture for %s dropped: %s", endpoint,
                                "the emulator is stopping" if self._closed else "S3 is not keeping up")
                return
            buffer = self._buffers.setdefault((config["DestinationS3Uri"], endpoint, variant), _Buffer())
            buffer.lines.append(line)
            buffer.bytes += len(line) + 1
            self._buffered_bytes += len(line) + 1
            if buffer.full():
                self._wake.set()

    def flush(self) -> None:
        with self._lock:
            buffers, self._buffers = self._buffers, {}
            self._warned_full = False  # at most one warning per flush
        for (destination, endpoint, variant), buffer in buffers.items():
            self._write(destination, endpoint, variant, buffer.lines)
            with self._lock:
                self._buffered_bytes -= buffer.bytes

    def _write(self, destination: str, endpoint: str, variant: str, lines: list[str]) -> None:
        now = datetime.datetime.now(datetime.UTC)
        try:
            bucket, prefix = split_s3_uri(destination)
            key = "/".join(p for p in (prefix.strip("/"), endpoint, variant, now.strftime("%Y/%m/%d/%H"),
                                       f"{now.strftime('%M-%S-')}{now.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl")
                           if p)
            self.objects.write(f"s3://{bucket}/{key}", ("\n".join(lines) + "\n").encode())
        except Exception:
            log.exception("data capture for %s could not be written to %s", endpoint, destination)

    def _loop(self) -> None:
        while not self._closed:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()

    def close(self) -> None:
        """Write what is buffered; later records are dropped. Closing again does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake.set()
        self._thread.join(timeout=30)
        self.flush()
