"""Resource state in SQLite under --data-dir: survives restarts, safe across threads.

Each resource is one JSON document keyed by (kind, name): the shape Describe* returns,
with timestamps as epoch seconds. Columns beside it exist only to filter and sort lists.
Names match without regard to case, as SageMaker's do (its ARNs carry them lower-cased, and
a job described by the name cut from its ARN is found): "MyJob" and "myjob" are one resource,
kept under the case it was created with.
"""

import json
import sqlite3
import threading
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  created REAL NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE INDEX IF NOT EXISTS resources_by_name ON resources (kind, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS tags (
  arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (arn, key)
);
"""


class Conflict(Exception):
    """A resource of that kind and name exists already."""


class Store:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        # all()'s memory: decoded documents, and each kind's last answer with the write count it saw.
        self._decoded: dict[tuple[str, str], tuple[str, dict]] = {}
        self._lists: dict[str, tuple[int, list[dict]]] = {}
        self._writes = 0

    def insert(self, kind: str, name: str, doc: dict) -> None:
        with self._lock:
            if self._stored_name(kind, name) is not None:
                raise Conflict(name)
            try:
                self._db.execute("INSERT INTO resources VALUES (?, ?, ?, ?)",
                                 (kind, name, doc["CreationTime"], json.dumps(doc)))
                self._writes += 1
            except sqlite3.IntegrityError as exc:
                raise Conflict(name) from exc

    def insert_or_replace(self, kind: str, name: str, doc: dict) -> None:
        with self._lock:
            name = self._stored_name(kind, name) or name
            self._db.execute("INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?)",
                             (kind, name, doc["CreationTime"], json.dumps(doc)))
            self._writes += 1

    def _stored_name(self, kind: str, name: str) -> str | None:
        """The name a resource was created with, matched without regard to case."""
        row = self._db.execute("SELECT name FROM resources WHERE kind=? AND name=? COLLATE NOCASE",
                               (kind, name)).fetchone()
        return row[0] if row else None

    def get(self, kind: str, name: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM resources WHERE kind=? AND name=? COLLATE NOCASE",
                                   (kind, name)).fetchone()
        return json.loads(row[0]) if row else None

    def update(self, kind: str, name: str, change) -> dict:
        """Apply change(doc) -> None under the lock and save; returns the new document."""
        with self._lock:
            doc = self.get(kind, name)
            if doc is None:
                raise KeyError(name)
            change(doc)
            self._db.execute("UPDATE resources SET doc=? WHERE kind=? AND name=? COLLATE NOCASE",
                             (json.dumps(doc), kind, name))
            self._writes += 1
            return doc

    def delete(self, kind: str, name: str) -> None:
        with self._lock:
            stored = self._stored_name(kind, name)
            self._db.execute("DELETE FROM resources WHERE kind=? AND name=? COLLATE NOCASE", (kind, name))
            self._decoded.pop((kind, stored), None)
            self._writes += 1

    def all(self, kind: str) -> list[dict]:
        """Every document of a kind, oldest first. Lists ask for these on every call, and
        decoding a thousand documents costs tens of ms: the answer is kept until the next
        write, and a document is decoded again only when its stored text changed. So the
        dicts are shared between calls: read them, never change them (update() is how a
        document changes)."""
        with self._lock:
            kept = self._lists.get(kind)
            if kept is not None and kept[0] == self._writes:
                return list(kept[1])
            rows = self._db.execute("SELECT name, doc FROM resources WHERE kind=? ORDER BY created",
                                    (kind,)).fetchall()
            docs = []
            for name, text in rows:
                cached = self._decoded.get((kind, name))
                if cached is None or cached[0] != text:
                    cached = self._decoded[(kind, name)] = (text, json.loads(text))
                docs.append(cached[1])
            self._lists[kind] = (self._writes, docs)
            return list(docs)

    def add_tags(self, arn: str, tags: list[dict]) -> None:
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)",
                                 [(arn, t["Key"], t.get("Value", "")) for t in tags])

    def remove_tags(self, arn: str, keys: list[str]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM tags WHERE arn=? AND key=?", [(arn, k) for k in keys])

    def all_tags(self) -> dict[str, list[dict]]:
        """Every resource's tags by ARN, in one query."""
        with self._lock:
            rows = self._db.execute("SELECT arn, key, value FROM tags ORDER BY arn, key").fetchall()
        tags: dict[str, list[dict]] = {}
        for arn, k, v in rows:
            tags.setdefault(arn, []).append({"Key": k, "Value": v})
        return tags

    def tags(self, arn: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM tags WHERE arn=? ORDER BY key",
                                    (arn,)).fetchall()
        return [{"Key": k, "Value": v} for k, v in rows]
