"""Reading a job's dataset into a table of raw values (text from CSV, JSON's own types).

- `{"csv": {"header": true|false}}`: every file under dataset_source; without a header the
  columns are `_c0`, `_c1`, ... (Spark's names, which AWS's analyzer uses).
- `{"json": {"lines": true|false}}`: one JSON value per line (or per file); objects are
  flattened ("a.b", lists as "a.0"), arrays of numbers are positional rows.
- `{"sagemakerCaptureJson": {"captureIndexNames": [...]}}`: an endpoint's capture files
  (SageMaker's capture JSON lines, under <endpoint>/<variant>/yyyy/mm/dd/hh/), the records
  whose inferenceTime is in [start_time, end_time] (both to the second, as the capture and
  the platform write them: a record of the window's last second is in). Each record's
  captured data is decoded by its encoding (CSV, JSON, or BASE64 of the observed content
  type) and becomes one row per line: the endpointOutput columns first, then the endpointInput columns, as AWS lays
  them out (the SDK's `output_columns_position` "START"), so that a baseline made from the
  training data (label first) lines up with the captured traffic. A record preprocessor
  script's `preprocess_handler(inference_record[, logger])` replaces that decoding: it
  returns a dict (one row), a list of dicts, or nothing to skip the record.

A table of positional rows (headerless CSV, captured CSV) is matched to a baseline by
position: `align` gives its columns the baseline's feature names.
"""

import base64
import csv
import datetime
import inspect
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from .environment import Job, JobError, parse_time
from .scripts import load_script

log = logging.getLogger("model_monitor_analyzer")

INPUT = "endpointInput"
OUTPUT = "endpointOutput"
_JSON_TYPES = ("application/json", "application/jsonlines", "application/x-jsonlines", "application/json-lines")


@dataclass
class Dataset:
    frame: pd.DataFrame  # object columns: the raw values
    positional: bool     # columns are _c0, _c1, ... (no names in the data)

    @property
    def item_count(self) -> int:
        return len(self.frame)

    def columns_of(self, names_or_indices: tuple[str, ...]) -> list[str]:
        """The columns named, or at the positions (0, 1, ...) given."""
        return [str(c) for i, c in enumerate(self.frame.columns) if str(c) in names_or_indices
                or str(i) in names_or_indices]

    def without(self, columns: list[str]) -> "Dataset":
        return Dataset(self.frame[[c for c in self.frame.columns if str(c) not in columns]], self.positional)

    def align(self, baseline_names: list[str]) -> "Dataset":
        """Positional columns renamed, by position, to the baseline's feature names."""
        if not self.positional:
            return self
        names = {f"_c{i}": name for i, name in enumerate(baseline_names)}
        return Dataset(self.frame.rename(columns=names), False)


def files(source: str) -> list[Path]:
    root = Path(source)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def read(job: Job) -> Dataset:
    """The job's dataset (JobError when it cannot be read or holds no record)."""
    kind, options = _format(job.dataset_format)
    if kind == "sagemakercapturejson":
        names = options.get("captureIndexNames") or [INPUT, OUTPUT]
        rows = [row for record in capture_records(job) for row in record_rows(record, names, job)]
    elif kind == "csv":
        rows = [row for path in files(job.dataset_source) for row in csv_file_rows(path, options.get("header", True))]
    elif kind == "json":
        rows = [row for path in files(job.dataset_source) for row in json_file_rows(path, options.get("lines", True))]
    else:
        raise JobError(f"dataset_format {kind} is not supported by the emulator's analyzer (csv, json and "
                       "sagemakerCaptureJson are)")
    if not rows:
        raise JobError("Job inputs had no data")
    return table(rows)


def _format(dataset_format: dict) -> tuple[str, dict]:
    (kind, options), *_ = dataset_format.items()
    return kind.lower(), options if isinstance(options, dict) else {}


def table(rows: list) -> Dataset:
    """Rows (lists: positional; dicts: named) as a Dataset."""
    if all(isinstance(r, list) for r in rows):
        width = max(len(r) for r in rows)
        frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], columns=[f"_c{i}" for i in range(width)],
                             dtype=object)
        return Dataset(frame, True)
    named = [r if isinstance(r, dict) else {f"_c{i}": v for i, v in enumerate(r)} for r in rows]
    return Dataset(pd.DataFrame(named, dtype=object), False)


# -- CSV and JSON files ---------------------------------------------------------------------

def csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if row]


def csv_file_rows(path: Path, header: bool) -> list:
    rows = csv_rows(path.read_text(encoding="utf-8-sig"))
    if not header or not rows:
        return rows
    names = [n.strip() for n in rows[0]]
    return [{(names[i] if i < len(names) else f"_c{i}"): v for i, v in enumerate(row)} for row in rows[1:]]


def json_file_rows(path: Path, lines: bool) -> list:
    text = path.read_text(encoding="utf-8-sig")
    try:
        values = [json.loads(line) for line in text.splitlines() if line.strip()] if lines else [json.loads(text)]
    except ValueError as exc:
        raise JobError(f"{path.name} is not JSON{' lines' if lines else ''}: {exc}")
    return [row for value in values for row in json_rows(value)]


def json_rows(value) -> list:
    """A JSON value as rows: an object is one named row, an array of numbers one positional
    row, an array of arrays or objects one row each."""
    if isinstance(value, dict):
        return [flatten(value)]
    if isinstance(value, list):
        if value and all(isinstance(v, (list, dict)) for v in value):
            return [row for v in value for row in json_rows(v)]
        return [list(value)]
    return [[value]]


def flatten(value: dict, prefix: str = "") -> dict:
    flat = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(flatten(item, name + "."))
        elif isinstance(item, list):
            flat.update(flatten({str(i): v for i, v in enumerate(item)}, name + "."))
        else:
            flat[name] = item
    return flat


# -- capture files --------------------------------------------------------------------------

def capture_records(job: Job) -> list[dict]:
    """The capture records in the job's window, oldest first."""
    records = []
    for path in files(job.dataset_source):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                log.warning("%s:%d is not a capture record (not JSON); skipped", path, number)
                continue
            when = _inference_time(record)
            if job.start_time and (when is None or when < job.start_time):
                continue
            if job.end_time and (when is None or when > job.end_time):
                continue
            records.append(record)
    records.sort(key=lambda r: (_inference_time(r) or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)))
    return records


def _inference_time(record: dict) -> datetime.datetime | None:
    try:
        return parse_time(record["eventMetadata"]["inferenceTime"], "inferenceTime")
    except (KeyError, TypeError, JobError):
        return None


def record_id(record: dict) -> str | None:
    """What joins a record with its ground truth: its inferenceId, else its eventId."""
    metadata = record.get("eventMetadata") or {}
    return metadata.get("inferenceId") or metadata.get("eventId")


def part_rows(part: dict | None) -> list:
    """One captured payload (endpointInput or endpointOutput) as rows."""
    if not part or part.get("data") is None:
        return []
    encoding, data = str(part.get("encoding", "CSV")).upper(), part["data"]
    content_type = str(part.get("observedContentType", "")).split(";")[0].strip().lower()
    if encoding == "BASE64":
        try:
            data = base64.b64decode(data).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return []  # a binary payload (an image, NPY): nothing tabular to analyze
        encoding = "JSON" if content_type in _JSON_TYPES else "CSV" if content_type == "text/csv" else ""
    if encoding == "CSV":
        return csv_rows(data)
    if encoding == "JSON":
        try:
            return [row for line in (data.splitlines() if "jsonlines" in content_type else [data])
                    if line.strip() for row in json_rows(json.loads(line))]
        except ValueError:
            return []
    return []


def record_rows(record: dict, names: list[str], job: Job) -> list:
    if job.record_preprocessor_script:
        return _preprocessed(record, job.record_preprocessor_script)
    data = record.get("captureData") or {}
    parts = [part_rows(data.get(index)) for index in (OUTPUT, INPUT) if index in names]
    rows = []
    for i in range(max((len(p) for p in parts), default=0)):
        pieces = [p[i] if i < len(p) else [] for p in parts]
        if all(isinstance(piece, list) for piece in pieces):
            rows.append([v for piece in pieces for v in piece])
        else:
            row: dict = {}
            for piece in pieces:
                row.update(piece if isinstance(piece, dict) else {f"_c{len(row) + j}": v for j, v in enumerate(piece)})
            rows.append(row)
    return rows


def _preprocessed(record: dict, script: str) -> list:
    handler = load_script(script, "preprocess_handler")
    answer = handler(*([inference_record(record), log][:_arity(handler)]))
    if not answer:
        return []
    rows = answer if isinstance(answer, list) else [answer]
    if not all(isinstance(r, dict) for r in rows):
        raise JobError("preprocess_handler must return a dict (one record), a list of dicts, or nothing")
    return [{str(k): v for k, v in r.items()} for r in rows]


def _arity(handler) -> int:
    try:
        return len(inspect.signature(handler).parameters)
    except (TypeError, ValueError):
        return 1


def inference_record(record: dict) -> SimpleNamespace:
    """What a preprocess_handler gets: AWS's CapturedData (attribute names as its docs use them)."""
    data = record.get("captureData") or {}

    def part(index: str):
        given = data.get(index)
        if given is None:
            return None
        return SimpleNamespace(data=given.get("data"), encoding=given.get("encoding"), mode=given.get("mode"),
                               observedContentType=given.get("observedContentType"),
                               observed_content_type=given.get("observedContentType"))
    metadata = record.get("eventMetadata") or {}
    return SimpleNamespace(
        endpoint_input=part(INPUT), endpoint_output=part(OUTPUT), event_version=record.get("eventVersion"),
        event_metadata=SimpleNamespace(event_id=metadata.get("eventId"), inference_id=metadata.get("inferenceId"),
                                       inference_time=metadata.get("inferenceTime")))
