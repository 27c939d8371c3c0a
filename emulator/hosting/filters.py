"""Batch transform's DataProcessing: the JSONPath subset SageMaker documents for
InputFilter and OutputFilter, and JoinSource's joining of input and output records.

Supported: `$`, `.name`, `.*`, `['a','b']`, `[i]`, `[i,j]` (negative allowed), `[s:e]`,
`[*]`. On CSV, a row is a JSON array of its fields.
"""

import csv
import io
import json
import re

_SEGMENT = re.compile(r"\.(\*|[A-Za-z_][\w-]*)|\[([^\]]*)\]")


class FilterError(ValueError):
    pass


def _parse(path: str) -> list[tuple[str, object]]:
    if not path.startswith("$"):
        raise FilterError(f"JSONPath {path!r} must start with $")
    segments, position = [], 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if not match:
            raise FilterError(f"JSONPath {path!r}: cannot read {path[position:]!r}")
        name, inner = match.group(1), match.group(2)
        if name is not None:
            segments.append(("all", None) if name == "*" else ("key", name))
        elif inner.strip() == "*":
            segments.append(("all", None))
        elif ":" in inner:
            start, _, end = inner.partition(":")
            segments.append(("slice", (int(start) if start.strip() else None, int(end) if end.strip() else None)))
        else:
            parts = [p.strip() for p in inner.split(",")]
            if all(p[:1] in "'\"" for p in parts):
                names = [p[1:-1] for p in parts]
                segments.append(("key", names[0]) if len(names) == 1 else ("keys", names))
            else:
                indexes = [int(p) for p in parts]
                segments.append(("index", indexes[0]) if len(indexes) == 1 else ("indexes", indexes))
        position = match.end()
    return segments


def select(value, path: str):
    for kind, arg in _parse(path):
        try:
            if kind == "key":
                value = value[arg]
            elif kind == "keys":
                value = {k: value[k] for k in arg}
            elif kind == "index":
                value = value[arg]
            elif kind == "indexes":
                value = [value[i] for i in arg]
            elif kind == "slice":
                value = value[arg[0]:arg[1]]
            else:
                value = list(value.values()) if isinstance(value, dict) else list(value)
        except (KeyError, IndexError, TypeError):
            raise FilterError(f"JSONPath {path} does not match the record")
    return value


def is_csv(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "text/csv"


def parse_record(record: bytes, csv_format: bool):
    text = record.decode("utf-8")
    if csv_format:
        return next(csv.reader([text]), [])
    return json.loads(text)


def render_record(value, csv_format: bool) -> bytes:
    if csv_format:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(value if isinstance(value, list) else [value])
        return out.getvalue().encode()
    return json.dumps(value).encode()


def join(input_value, output: bytes, csv_format: bool):
    """JoinSource=Input: the output joined to its input record, as SageMaker joins them."""
    if csv_format:
        return list(input_value) + parse_record(output, True)
    try:
        output_value = json.loads(output)
    except ValueError:
        output_value = output.decode("utf-8", "replace")
    if isinstance(input_value, dict):
        return {**input_value, "SageMakerOutput": output_value}
    return {"SageMakerInput": input_value, "SageMakerOutput": output_value}
