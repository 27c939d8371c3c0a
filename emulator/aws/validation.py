"""Server-side request validation from the botocore shapes.

botocore's ParamValidator (reused here) reports missing, unknown and mistyped members but
checks only ``min``; the service also enforces ``max``, ``enum`` and ``pattern``. Messages
follow AWS's wording: "1 validation error detected: Value 'x' at 'trainingJobName' failed
to satisfy constraint: Member must satisfy regular expression pattern: ...".
"""

import datetime
import re
from functools import lru_cache

from botocore.model import Shape
from botocore.utils import parse_timestamp
from botocore.validate import ParamValidator

from .errors import SerializationException, ValidationException


# Java-style Unicode classes the models use, as Python `re` classes (inside [...]).
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{M}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r"\s",
                    r"\p{P}": r"!-/:-@\[-`{-~\u00a1-\u00bf\u2000-\u206f",
                    r"\p{S}": r"!-/:-@\[-`{-~\u00a1-\u00bf\u2000-\u2bff"}

# The emulator's one extension of AWS's input: file:// data, as the SDK's local mode takes.
LOCAL_URI_SHAPES = {"S3Uri"}

# The services' integer and long members are Java's int and long: a number beyond them cannot
# be read into the request at all (a SerializationException, not a constraint violation).
_INTEGER_RANGES = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}

# Timestamps a service can hold: years 1 to 9999 (JSON carries them as epoch seconds).
_EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)
_LATEST = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)
_TIMESTAMP_CONSTRAINT = ("Member must be a timestamp (epoch seconds or ISO 8601) between "
                         "0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z")


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern | None:
    """The pattern for Python; None where it cannot be expressed (then it is not checked)."""
    for java, python in _UNICODE_CLASSES.items():
        pattern = pattern.replace(java, python)
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None


def _field_path(parts: list[str]) -> str:
    # AWS names fields in lowerCamelCase and joins nesting with dots; list indexes are
    # written as ".member.N" (1-based) in Coral's messages.
    return ".".join(p[:1].lower() + p[1:] if not p.isdigit() else p for p in parts)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 256 else text[:256] + "..."


def _violation(value, where: str, constraint: str) -> str:
    return f"Value '{_short(value)}' at '{where}' failed to satisfy constraint: {constraint}"


def epoch_seconds(value) -> float | None:
    """A timestamp member's value (epoch seconds or a date string) as epoch seconds; None
    where it names no time in the range a service holds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and len(value) <= 64:  # longer is no date; dateutil would crawl through it
        try:
            seconds = parse_timestamp(value).timestamp()
        except (ValueError, TypeError, OverflowError, RuntimeError, AttributeError):
            # dateutil's several ways of saying "no date": RuntimeError is its word for a
            # number of seconds no clock reaches (1e308).
            return None
    else:
        return None
    return seconds if _EARLIEST.timestamp() <= seconds <= _LATEST.timestamp() else None


def _constraint_errors(value, shape: Shape, path: list[str], out: list[str]) -> None:
    """Collects constraint violations (ValidationException); raises SerializationException at
    once for a value no member of its type can hold, as the service's deserializer would."""
    if value is None:
        return
    t = shape.type_name
    meta = shape.metadata
    where = _field_path(path)
    if t == "structure":
        if not isinstance(value, dict):
            return
        for name, member in shape.members.items():
            if name in value:
                _constraint_errors(value[name], member, path + [name], out)
    elif t == "list":
        if not isinstance(value, list):
            return
        if "max" in meta and len(value) > meta["max"]:
            out.append(_violation(value, where, f"Member must have length less than or equal to {meta['max']}"))
        for i, item in enumerate(value, 1):
            _constraint_errors(item, shape.member, path + ["member", str(i)], out)
    elif t == "map":
        if not isinstance(value, dict):
            return
        if "max" in meta and len(value) > meta["max"]:
            out.append(_violation(value, where, f"Map must have length less than or equal to {meta['max']}"))
        for k, v in value.items():
            _constraint_errors(k, shape.key, path + ["key"], out)
            _constraint_errors(v, shape.value, path + [k], out)
    elif t == "string":
        if not isinstance(value, str):
            return
        if "max" in meta and len(value) > meta["max"]:
            out.append(_violation(value, where, f"Member must have length less than or equal to {meta['max']}"))
        if "min" in meta and len(value) < meta["min"]:
            out.append(_violation(value, where, f"Member must have length greater than or equal to {meta['min']}"))
        if shape.enum and value not in shape.enum:
            out.append(_violation(value, where, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"))
        pattern = meta.get("pattern")
        compiled = _compiled(pattern) if pattern else None
        local_uri = shape.name in LOCAL_URI_SHAPES and value.startswith("file://")
        if compiled and not local_uri and not compiled.fullmatch(value):
            out.append(_violation(value, where, f"Member must satisfy regular expression pattern: {pattern}"))
    elif t == "timestamp":
        if isinstance(value, bool):  # botocore's validator takes True as 1970-01-01T00:00:01
            raise SerializationException(f"Invalid request: invalid type at {where}: a timestamp, not a boolean")
        if isinstance(value, (int, float, str)) and epoch_seconds(value) is None:
            out.append(_violation(value, where, _TIMESTAMP_CONSTRAINT))
    elif t in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        low, high = _INTEGER_RANGES.get(t, (None, None))
        if isinstance(value, int) and low is not None and not low <= value <= high:
            raise SerializationException(f"Invalid request: the number at {where} is out of range for {t}")
        if "max" in meta and value > meta["max"]:
            out.append(_violation(value, where, f"Member must have value less than or equal to {meta['max']}"))
        if "min" in meta and value < meta["min"]:
            out.append(_violation(value, where, f"Member must have value greater than or equal to {meta['min']}"))


def _missing_errors(value, shape: Shape, path: list[str], out: list[str]) -> None:
    if shape.type_name != "structure" or not isinstance(value, dict):
        return
    for name in shape.required_members:
        if value.get(name) is None:
            out.append(f"Value null at '{_field_path(path + [name])}' failed to satisfy "
                       "constraint: Member must not be null")
    for name, member in shape.members.items():
        child = value.get(name)
        if isinstance(child, dict):
            _missing_errors(child, member, path + [name], out)
        elif isinstance(child, list) and member.type_name == "list":
            for i, item in enumerate(child, 1):
                _missing_errors(item, member.member, path + [name, "member", str(i)], out)


def _timestamps_as_epoch(value, shape: Shape):
    """The request with every (valid) timestamp as epoch seconds, whichever form it came in,
    so that the provider compares numbers with numbers."""
    if value is None:
        return value
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        return {k: _timestamps_as_epoch(v, shape.members[k]) if k in shape.members else v
                for k, v in value.items()}
    if t == "list" and isinstance(value, list):
        return [_timestamps_as_epoch(v, shape.member) for v in value]
    if t == "map" and isinstance(value, dict):
        return {k: _timestamps_as_epoch(v, shape.value) for k, v in value.items()}
    if t == "timestamp" and not isinstance(value, bool):
        seconds = epoch_seconds(value)
        return value if seconds is None else seconds
    return value


def validate(params, shape: Shape | None) -> dict:
    """The request, its timestamps as epoch seconds; or ValidationException (AWS wording) or
    SerializationException (wrong JSON types, numbers out of their type's range)."""
    if shape is None:
        return params
    if not isinstance(params, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    messages: list[str] = []
    _missing_errors(params, shape, [], messages)
    _constraint_errors(params, shape, [], messages)
    if messages:
        count = len(messages)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(messages))
    params = _timestamps_as_epoch(params, shape)
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        # Type mismatches; unknown members are ignored, as AWS's JSON services do.
        errors = [e for e in report._errors if e[0] != "unknown field"]
        if errors:
            raise SerializationException(
                "Invalid request: " + "; ".join(f"{e[0]} at {e[1]}" for e in errors))
    return params


def answer_errors(answer: dict, shape: Shape | None) -> list[str]:
    """What in an answer its output shape does not allow: a wrong type, a value outside its enum,
    pattern, length or range. Tests hold every answer to it. Output members marked required are
    not checked: for outputs the mark is documentation, not what AWS sends (DescribeTrainingJob
    has no ModelArtifacts while the job runs)."""
    if shape is None:
        return [] if not answer else [f"answer {sorted(answer)} to an operation without output"]
    out: list[str] = []
    _constraint_errors(answer, shape, [], out)
    report = ParamValidator().validate(answer, shape)
    out += [f"{e[0]} at {e[1] or 'the answer'}: {e[2]}" for e in report._errors if e[0] != "missing required field"]
    return out
