"""The learner's progress, kept in SQLite in the user's data directory.

Every write is one short transaction, so killing the process at any moment
leaves the store as it was before or after that write; WAL mode and a busy
timeout let two app instances (``tutor serve``) write side by side. A store
that cannot be read is moved aside with a notice and a fresh one started: the
app always opens.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from tutor.store.locations import data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (lesson TEXT NOT NULL, step INTEGER NOT NULL, at REAL NOT NULL,
                                 PRIMARY KEY (lesson, step));
CREATE TABLE IF NOT EXISTS answers (lesson TEXT NOT NULL, step INTEGER NOT NULL, correct INTEGER NOT NULL,
                                    attempts INTEGER NOT NULL, hints INTEGER NOT NULL, at REAL NOT NULL,
                                    PRIMARY KEY (lesson, step));
CREATE TABLE IF NOT EXISTS position (lesson TEXT PRIMARY KEY, step INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS misconceptions (concept TEXT PRIMARY KEY, lesson TEXT NOT NULL, step INTEGER NOT NULL,
                                           at REAL NOT NULL);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice = ""
        self._lock = threading.Lock()  # one connection, shared by the app's worker threads
        self.conn = self._open()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(SCHEMA)
        conn.execute("SELECT count(*) FROM position").fetchone()
        (ok,) = conn.execute("PRAGMA quick_check").fetchone()
        if ok != "ok":
            raise sqlite3.DatabaseError(ok)
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except (sqlite3.DatabaseError, OSError) as err:
            aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    try:
                        src.replace(Path(str(aside) + suffix))
                    except OSError:
                        pass
            self.notice = (f"Your progress file could not be read ({err}); it was moved to {aside.name} "
                           f"and a fresh one was started.")
            try:
                return self._connect()
            except (sqlite3.DatabaseError, OSError):
                self.notice += " Progress will not be saved in this session."
                return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)

    def _write(self, sql: str, args: tuple) -> None:
        with self._lock:
            self._write_locked(sql, args)

    def _write_locked(self, sql: str, args: tuple) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(sql, args)
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass

    # ------------------------------------------------------------------ writes

    def mark_seen(self, lesson: str, step: int) -> None:
        self._write("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", (lesson, step, time.time()))

    def set_position(self, lesson: str, step: int) -> None:
        self._write("INSERT INTO position VALUES (?, ?, ?) ON CONFLICT(lesson) DO UPDATE SET step = excluded.step, "
                    "at = excluded.at", (lesson, step, time.time()))

    def record_answer(self, lesson: str, step: int, correct: bool, hints: int) -> None:
        self._write(
            "INSERT INTO answers VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(lesson, step) DO UPDATE SET "
            "correct = max(correct, excluded.correct), attempts = attempts + 1, hints = max(hints, excluded.hints), "
            "at = excluded.at", (lesson, step, int(correct), hints, time.time()))

    def record_misconception(self, concept: str, lesson: str, step: int) -> None:
        """The learner showed the misconception that ``concept`` corrects, at this lesson step."""
        self._write("INSERT INTO misconceptions VALUES (?, ?, ?, ?) ON CONFLICT(concept) DO UPDATE SET "
                    "lesson = excluded.lesson, step = excluded.step, at = excluded.at", (concept, lesson, step, time.time()))

    def misconceptions(self) -> dict[str, tuple[str, int]]:
        """Each misconception shown so far (by the concept that corrects it): the lesson and step where."""
        with self._lock:
            try:
                rows = self.conn.execute("SELECT concept, lesson, step FROM misconceptions").fetchall()
            except sqlite3.DatabaseError:
                return {}
        return {r[0]: (r[1], r[2]) for r in rows}

    def set_setting(self, key: str, value: str) -> None:
        self._write("INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def reset(self, lesson: str | None = None) -> None:
        for table in ("seen", "answers", "position"):
            if lesson is None:
                self._write(f"DELETE FROM {table}", ())
            else:
                self._write(f"DELETE FROM {table} WHERE lesson = ?", (lesson,))

    # ------------------------------------------------------------------ reads

    def _one(self, sql: str, args: tuple):
        with self._lock:
            try:
                return self.conn.execute(sql, args).fetchone()
            except sqlite3.DatabaseError:
                return None

    def position(self, lesson: str) -> int | None:
        row = self._one("SELECT step FROM position WHERE lesson = ?", (lesson,))
        return row[0] if row else None

    def seen_count(self, lesson: str) -> int:
        row = self._one("SELECT count(*) FROM seen WHERE lesson = ?", (lesson,))
        return row[0] if row else 0

    def solved(self, lesson: str) -> set[int]:
        with self._lock:
            try:
                rows = self.conn.execute("SELECT step FROM answers WHERE lesson = ? AND correct = 1", (lesson,)).fetchall()
            except sqlite3.DatabaseError:
                return set()
        return {r[0] for r in rows}

    def first_try(self, lesson: str) -> set[int]:
        """Steps whose checkpoint was answered right at the first attempt, without a hint."""
        with self._lock:
            try:
                rows = self.conn.execute("SELECT step FROM answers WHERE lesson = ? AND correct = 1 AND attempts = 1 "
                                         "AND hints = 0", (lesson,)).fetchall()
            except sqlite3.DatabaseError:
                return set()
        return {r[0] for r in rows}

    def setting(self, key: str, default: str = "") -> str:
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return row[0] if row else default

    def summary(self, lesson: str, steps: int) -> str:
        seen = self.seen_count(lesson)
        if seen == 0:
            return "not started"
        if seen >= steps:
            return f"done ({len(self.solved(lesson))} checkpoint(s) right)"
        return f"{seen}/{steps} steps seen"

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass


def open_store(path: Path | None = None) -> Store:
    return Store(path or data_dir() / "progress.db")
