"""The algorithm's channels and content types, and the first-line check of each data file.

Channels: `train` (required), `validation` (optional) and `code`; any other is refused
(`Extraneous channel found: test`, as the container refuses it). ContentType names the
format: text/csv (`csv`, `text/csv; label_size=1`), text/libsvm (`libsvm`, `text/x-libsvm`,
and the default when a channel has none), application/x-parquet and
application/x-recordio-protobuf (refused here: the emulator does not read them).
"""

import csv
import os
from dataclasses import dataclass

from .hyperparameters import UserError

CSV, LIBSVM, PARQUET, RECORDIO_PROTOBUF = "csv", "libsvm", "parquet", "recordio-protobuf"
_NAMES = {"csv": CSV, "text/csv": CSV, "libsvm": LIBSVM, "text/libsvm": LIBSVM, "text/x-libsvm": LIBSVM,
          "parquet": PARQUET, "application/x-parquet": PARQUET,
          "recordio-protobuf": RECORDIO_PROTOBUF, "application/x-recordio-protobuf": RECORDIO_PROTOBUF}
VALID_CONTENT_TYPES = ("csv", "libsvm", "parquet", "recordio-protobuf", "text/csv", "text/libsvm", "text/x-libsvm",
                       "application/x-parquet", "application/x-recordio-protobuf")
PIPED_CONTENT_TYPES = ("csv", "parquet", "recordio-protobuf", "text/csv", "application/x-parquet",
                       "application/x-recordio-protobuf")
DISTRIBUTIONS = ("ShardedByS3Key", "FullyReplicated")


def split_header(value: str) -> tuple[str, dict[str, str]]:
    """`text/csv; label_size=1` -> ("text/csv", {"label_size": "1"}), as cgi.parse_header."""
    main, *params = (part.strip() for part in value.split(";"))
    pairs = (p.split("=", 1) for p in params if "=" in p)
    return main, {k.strip().lower(): v.strip().strip('"') for k, v in pairs}


def content_format(content_type: str | None) -> str:
    """The data format a ContentType names: CSV, LIBSVM, PARQUET or RECORDIO_PROTOBUF."""
    if content_type is None:
        return LIBSVM
    main, params = split_header(content_type.lower())
    if main not in _NAMES:
        raise UserError(f"{content_type} is not an accepted ContentType: {', '.join(VALID_CONTENT_TYPES)}.")
    if _NAMES[main] == CSV and params.get("label_size", "1") != "1":
        raise UserError(f"{main} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1")
    return _NAMES[main]


@dataclass(frozen=True)
class Channel:
    name: str
    required: bool
    content_types: tuple[str, ...]
    piped_content_types: tuple[str, ...] = ()

    def validate(self, config: dict) -> None:
        mode = config["TrainingInputMode"]
        allowed = self.content_types if mode == "File" else self.piped_content_types if mode == "Pipe" else ()
        if config["ContentType"] not in allowed or config["S3DistributionType"] not in DISTRIBUTIONS:
            raise UserError(f"Channel configuration for '{self.name}' channel is not supported: {config}")


CHANNELS = (Channel("train", True, VALID_CONTENT_TYPES, PIPED_CONTENT_TYPES),
            Channel("validation", False, VALID_CONTENT_TYPES, PIPED_CONTENT_TYPES),
            Channel("code", False, ("text/python",)))


def validate_channels(data_config: dict[str, dict]) -> dict[str, dict]:
    """inputdataconfig.json checked as the container checks it; a channel without ContentType gets
    text/libsvm."""
    for channel in CHANNELS:
        if channel.required and channel.name not in data_config:
            raise UserError(f"Missing required channel: {channel.name}")
    by_name = {channel.name: channel for channel in CHANNELS}
    validated = {}
    for name, config in data_config.items():
        if name not in by_name:
            raise UserError(f"Extraneous channel found: {name}")
        config = {"ContentType": "text/libsvm", **config}
        by_name[name].validate(config)
        validated[name] = config
    return validated


# -- the data files of a channel -----------------------------------------------------------

def data_files(path: str, max_depth: int = 3) -> list[str]:
    """The files a channel holds, down to three folders deep, without hidden ones (`.x`, `_x`)."""
    if os.path.isfile(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        depth = root[len(path):].count(os.sep)
        if depth >= max_depth:
            dirs[:] = []
        dirs.sort()
        found += [os.path.join(root, f) for f in sorted(files) if not f.startswith((".", "_"))]
    return found


def check_no_hidden_files(path: str) -> None:
    for _, _, files in os.walk(path):
        if any(f.startswith(".") for f in files):
            raise UserError("Hidden file found in the data path! Remove that before training.")


def csv_delimiter(line: str) -> str:
    try:
        return csv.Sniffer().sniff(line).delimiter
    except Exception as error:
        raise UserError(f"Could not determine delimiter on line {line[:50]}:\n{error}") from error


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _libsvm_features(line: str) -> int:
    """How many `index:value` features a LIBSVM line has, or -1 when it is not LIBSVM."""
    fields = line.split(" ")
    label = fields[0].split(":")
    if len(label) > 2 or not all(_is_number(part) for part in label):
        return -1
    features = fields[1:]
    if any(":" not in f for f in features) or (features and len(features[0].split(":")) != 2):
        return -1
    return len(features)


def check_file_format(path: str, fmt: str) -> None:
    """The container's light check: a CSV file's first line has a delimiter; a LIBSVM file's
    lines are LIBSVM up to the first with two or more features."""
    with open(path, errors="ignore") as f:
        if fmt == CSV:
            csv_delimiter(f.readline())
        elif fmt == LIBSVM:
            for line in f:
                features = _libsvm_features(line)
                if features > 1:
                    return
                if features < 0:
                    raise UserError(f"First line '{line[:50]}...' of file '{os.path.basename(path)}' is not 'LIBSVM' "
                                    "format. Please ensure the file is in 'LIBSVM' format.")
