"""Durable state in SQLite: instances, histories, pending messages (incl. timers), activity work, blob
receipts and timer-trigger schedule status.

Every change an episode makes is one transaction, so a ``kill -9`` at any moment leaves either
the state before the episode or after it. The database runs in WAL mode with
``synchronous=NORMAL``: a killed process loses nothing committed (only an OS crash or power
loss can drop the last transactions), which is the right trade for a development host.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL, status TEXT NOT NULL,
  input TEXT, output TEXT, custom_status TEXT, created REAL NOT NULL, updated REAL NOT NULL,
  parent_id TEXT, parent_execution TEXT, parent_seq INTEGER, history_len INTEGER NOT NULL DEFAULT 0,
  version TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS instances_created ON instances(created);
CREATE TABLE IF NOT EXISTS history (
  instance_id TEXT NOT NULL, pos INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, pos));
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT,
  kind TEXT NOT NULL, payload TEXT NOT NULL, visible_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS messages_due ON messages(visible_at);
CREATE INDEX IF NOT EXISTS messages_instance ON messages(instance_id);
CREATE TABLE IF NOT EXISTS activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
  seq INTEGER NOT NULL, name TEXT NOT NULL, input TEXT);
CREATE TABLE IF NOT EXISTS blob_receipts (
  function TEXT NOT NULL, container TEXT NOT NULL, blob TEXT NOT NULL, etag TEXT NOT NULL,
  status TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (function, container, blob, etag));
CREATE TABLE IF NOT EXISTS timer_status (
  function TEXT PRIMARY KEY, last TEXT, next TEXT NOT NULL, last_updated TEXT);
"""
# Columns added after the first release, for state folders created by an older host.
MIGRATIONS = {("instances", "version"): "ALTER TABLE instances ADD COLUMN version TEXT NOT NULL DEFAULT ''"}
TERMINAL = ("Completed", "Failed", "Terminated", "Canceled")


@dataclass
class Instance:
    id: str
    name: str
    execution_id: str
    status: str
    input: str | None
    output: str | None
    custom_status: str | None
    created: float
    updated: float
    parent_id: str | None
    parent_execution: str | None
    parent_seq: int | None
    history_len: int
    version: str = ""


@dataclass
class Message:
    id: int
    instance_id: str
    execution_id: str | None
    kind: str  # "event" | "terminate" | "suspend" | "resume"
    payload: Any
    visible_at: float


@dataclass
class ActivityItem:
    id: int
    instance_id: str
    execution_id: str
    seq: int
    name: str
    input: str | None


class Store:
    """A thread-safe SQLite store; ``transaction()`` groups writes atomically."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        for (table, column), statement in MIGRATIONS.items():
            if column not in {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}:
                self._db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ---- Instances and histories ----
    def instance(self, instance_id: str) -> Instance | None:
        rows = self.query("SELECT * FROM instances WHERE id = ?", (instance_id,))
        return Instance(*rows[0]) if rows else None

    def instances(self, where: str = "1", args: tuple = (), limit: int = 100,
                  offset: int = 0) -> list[Instance]:
        sql = f"SELECT * FROM instances WHERE {where} ORDER BY created, id LIMIT ? OFFSET ?"
        return [Instance(*row) for row in self.query(sql, (*args, limit, offset))]

    def history(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self.query("SELECT event FROM history WHERE instance_id = ? ORDER BY pos", (instance_id,))
        return [json.loads(row[0]) for row in rows]

    def history_since(self, instance_id: str, pos: int) -> list[dict[str, Any]]:
        rows = self.query("SELECT event FROM history WHERE instance_id = ? AND pos >= ? ORDER BY pos",
                          (instance_id, pos))
        return [json.loads(row[0]) for row in rows]

    @staticmethod
    def put_instance(db: sqlite3.Connection, inst: Instance) -> None:
        db.execute("INSERT OR REPLACE INTO instances VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (inst.id, inst.name, inst.execution_id, inst.status, inst.input, inst.output,
                    inst.custom_status, inst.created, inst.updated, inst.parent_id, inst.parent_execution,
                    inst.parent_seq, inst.history_len, inst.version))

    @staticmethod
    def replace_history(db: sqlite3.Connection, inst: Instance, events: list[dict[str, Any]]) -> None:
        """Rewrite an instance's whole history (rewind)."""
        db.execute("DELETE FROM history WHERE instance_id = ?", (inst.id,))
        inst.history_len = 0
        Store.append_history(db, inst, events)

    @staticmethod
    def append_history(db: sqlite3.Connection, inst: Instance, events: list[dict[str, Any]]) -> None:
        rows = [(inst.id, inst.history_len + i, json.dumps(e)) for i, e in enumerate(events)]
        db.executemany("INSERT INTO history VALUES (?,?,?)", rows)
        inst.history_len += len(events)

    @staticmethod
    def clear_instance(db: sqlite3.Connection, instance_id: str, history: bool = True) -> None:
        """Drop pending messages and activity work (and the history) of an instance."""
        db.execute("DELETE FROM messages WHERE instance_id = ?", (instance_id,))
        db.execute("DELETE FROM activities WHERE instance_id = ?", (instance_id,))
        if history:
            db.execute("DELETE FROM history WHERE instance_id = ?", (instance_id,))

    def purge(self, instance_ids: list[str]) -> int:
        with self.transaction() as db:
            for instance_id in instance_ids:
                self.clear_instance(db, instance_id)
                db.execute("DELETE FROM instances WHERE id = ?", (instance_id,))
        return len(instance_ids)

    # ---- Messages (new events, timers, control) ----
    @staticmethod
    def send(db: sqlite3.Connection, instance_id: str, execution_id: str | None, kind: str,
             payload: Any, visible_at: float) -> None:
        db.execute("INSERT INTO messages (instance_id, execution_id, kind, payload, visible_at) "
                   "VALUES (?,?,?,?,?)", (instance_id, execution_id, kind, json.dumps(payload), visible_at))

    def due_instances(self, now: float) -> list[str]:
        rows = self.query("SELECT DISTINCT instance_id FROM messages WHERE visible_at <= ?", (now,))
        return [row[0] for row in rows]

    def next_due(self) -> float | None:
        rows = self.query("SELECT MIN(visible_at) FROM messages")
        return rows[0][0] if rows else None

    def messages(self, instance_id: str, now: float) -> list[Message]:
        rows = self.query("SELECT id, instance_id, execution_id, kind, payload, visible_at FROM messages "
                          "WHERE instance_id = ? AND visible_at <= ? ORDER BY visible_at, id",
                          (instance_id, now))
        return [Message(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    @staticmethod
    def delete_messages(db: sqlite3.Connection, ids: list[int]) -> None:
        db.executemany("DELETE FROM messages WHERE id = ?", [(i,) for i in ids])

    # ---- Activity work ----
    @staticmethod
    def add_activity(db: sqlite3.Connection, instance_id: str, execution_id: str, seq: int, name: str,
                     input_text: str | None) -> int:
        cur = db.execute("INSERT INTO activities (instance_id, execution_id, seq, name, input) "
                         "VALUES (?,?,?,?,?)", (instance_id, execution_id, seq, name, input_text))
        return int(cur.lastrowid or 0)

    def activities(self) -> list[ActivityItem]:
        return [ActivityItem(*row) for row in self.query("SELECT * FROM activities ORDER BY id")]

    def activity_exists(self, item_id: int) -> bool:
        return bool(self.query("SELECT 1 FROM activities WHERE id = ?", (item_id,)))

    # ---- Blob receipts ----
    def receipt(self, function: str, container: str, blob: str, etag: str) -> tuple[str, int] | None:
        rows = self.query("SELECT status, tries FROM blob_receipts WHERE function=? AND container=? "
                          "AND blob=? AND etag=?", (function, container, blob, etag))
        return (rows[0][0], rows[0][1]) if rows else None

    def set_receipt(self, function: str, container: str, blob: str, etag: str, status: str,
                    tries: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO blob_receipts VALUES (?,?,?,?,?,?)",
                       (function, container, blob, etag, status, tries))

    # ---- Timer-trigger schedule status (the real host's ScheduleMonitor) ----
    def timer_status(self, function: str) -> tuple[str | None, str, str | None] | None:
        """(last, next, last_updated) as ISO texts, or None when never recorded."""
        rows = self.query("SELECT last, next, last_updated FROM timer_status WHERE function = ?", (function,))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def set_timer_status(self, function: str, last: str | None, next_: str, last_updated: str | None) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO timer_status VALUES (?,?,?,?)",
                       (function, last, next_, last_updated))
