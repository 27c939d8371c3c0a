"""Data capture: sampled requests and responses to S3 as SageMaker writes them.

Lines in SageMaker's capture format, buffered per variant and written as one JSON Lines
object per flush under
<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl.
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


class CaptureWriter:
    def __init__(self, objects: ObjectStore, flush_seconds: float):
        self.objects = objects
        self.flush_seconds = flush_seconds
        self._buffers: dict[tuple[str, str, str], list[str]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True, name="data-capture").start()

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
            self._buffers.setdefault((config["DestinationS3Uri"], endpoint, variant), []).append(line)

    def flush(self) -> None:
        with self._lock:
            buffers, self._buffers = self._buffers, {}
        now = datetime.datetime.now(datetime.UTC)
        for (destination, endpoint, variant), lines in buffers.items():
            bucket, prefix = split_s3_uri(destination)
            key = "/".join(p for p in (prefix.strip("/"), endpoint, variant, now.strftime("%Y/%m/%d/%H"),
                                       f"{now.strftime('%M-%S-')}{now.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl") if p)
            try:
                self.objects.client.put_object(Bucket=bucket, Key=key, Body=("\n".join(lines) + "\n").encode())
            except Exception:
                log.exception("data capture for %s could not be written to %s", endpoint, destination)

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush()
