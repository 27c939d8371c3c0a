"""Append-only JSON Lines journals that a kill -9 at any moment leaves readable.

An append is one write(2) of whole lines, so a crash can only leave a torn last line
(a file not ending in a newline); that tail was never acknowledged, and it is cut off
before anything else is appended, so the next record never lands glued onto it. A
rewrite goes to a temporary file that replaces the journal atomically.
"""

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self._tail_checked = False

    def append(self, records: list[dict]) -> int:
        """Bytes written. Callers serialize appends to one journal."""
        if not records:
            return 0
        self._repair_tail()
        data = "".join(json.dumps(record) + "\n" for record in records).encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all in one write; loop for the rare short write
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return len(data)

    def read(self) -> list[dict]:
        """The records of every complete line; a torn tail is cut off, a bad line skipped."""
        self._repair_tail()
        try:
            text = self.path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            record = _parse(line)
            if record is None:
                record = _salvage(line)
                if record is None:
                    log.warning("%s line %d is not a JSON object; skipped: %.200s", self.path, number, line)
                    continue
                log.warning("%s line %d began with a torn record; dropped it, kept the record after it",
                            self.path, number)
            records.append(record)
        return records

    def rewrite(self, records: list[dict]) -> int:
        """Replace the journal's content atomically; bytes written."""
        temporary = self.path.with_name(self.path.name + ".tmp")
        data = "".join(json.dumps(record) + "\n" for record in records).encode()
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, self.path)
        _fsync_dir(self.path.parent)
        self._tail_checked = True
        return len(data)

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def _repair_tail(self) -> None:
        if self._tail_checked:
            return
        self._tail_checked = True
        try:
            with open(self.path, "r+b") as f:
                size = f.seek(0, os.SEEK_END)
                if size == 0:
                    return
                f.seek(size - 1)
                if f.read(1) == b"\n":
                    return
                keep = _end_of_last_line(f, size)
                f.truncate(keep)
                f.flush()
                os.fsync(f.fileno())
        except FileNotFoundError:
            return
        log.warning("%s ended in a torn line (a crash mid-write); dropped its last %d bytes",
                    self.path, size - keep)


def _end_of_last_line(f, size: int, chunk: int = 64 * 1024) -> int:
    """Offset just past the last newline in the file (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - chunk)
        f.seek(start)
        found = f.read(end - start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def _parse(line: str) -> dict | None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _salvage(line: str) -> dict | None:
    """A journal written before tails were repaired may hold a torn line with the next
    (acknowledged) record glued onto it: the longest tail of the line that is a whole object."""
    decoder = json.JSONDecoder()
    start = line.find("{", 1)
    while start >= 0:
        try:
            record, end = decoder.raw_decode(line, start)
            if end == len(line.rstrip()) and isinstance(record, dict):
                return record
        except (ValueError, RecursionError):
            pass
        start = line.find("{", start + 1)
    return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
