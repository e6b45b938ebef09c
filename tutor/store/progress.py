"""The learner's progress, kept in SQLite in the user's data directory.

Every write is one short transaction, so killing the process at any moment
leaves the store as it was before or after that write; WAL mode and a busy
timeout let two app instances (``tutor serve``) write side by side.

A store that *cannot be written* (a read-only folder, a full disk, a lock held
too long) is never confused with one that is *corrupt*: only a file SQLite
reports as damaged (or not a database) is moved aside and started afresh. A
healthy file that cannot be written stays where it is, untouched; its progress is
copied into memory so the learner sees it, this session's writes go there too and
are queued, and every later write (and :meth:`Store.close`) retries the queue
against the file. A write that fails during a session is queued the same way.
A file written by a newer tutor (``PRAGMA user_version`` above
:data:`SCHEMA_VERSION`) or with tables of another shape is refused, never
written, with a notice. Every such event sets :attr:`Store.notice` and is handed
out once by :meth:`Store.take_notice`, which the app and ``chat --plain`` show.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

from tutor.store.locations import data_dir

SCHEMA_VERSION = 1
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
COLUMNS = {
    "seen": ["lesson", "step", "at"],
    "answers": ["lesson", "step", "correct", "attempts", "hints", "at"],
    "position": ["lesson", "step", "at"],
    "settings": ["key", "value"],
    "misconceptions": ["concept", "lesson", "step", "at"],
}
#: Writes kept for a retry at most (a learner's session writes far fewer).
MAX_PENDING = 10_000
_CORRUPT_CODES = {getattr(sqlite3, "SQLITE_CORRUPT", 11), getattr(sqlite3, "SQLITE_NOTADB", 26)}


class Corrupt(sqlite3.DatabaseError):
    """The file is damaged: SQLite says so, or its integrity check fails."""


class Incompatible(Exception):
    """The file is a progress store of another version or shape: never written."""


def _kind(err: BaseException) -> str:
    """``corrupt``, ``incompatible`` or ``unwritable`` (read-only, full, locked, cannot create)."""
    if isinstance(err, Incompatible):
        return "incompatible"
    if isinstance(err, Corrupt) or getattr(err, "sqlite_errorcode", None) in _CORRUPT_CODES:
        return "corrupt"
    if isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError):
        return "corrupt"
    return "unwritable"


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice = ""
        self._fresh_notice = ""
        self._pending: list[tuple[str, tuple]] = []
        self._in_memory = False  # the file could not be opened for writing: conn is a copy in memory
        self._retry = True  # whether the file may ever be written (never when incompatible)
        self._lock = threading.Lock()  # one connection, shared by the app's worker threads
        self.conn = self._open()

    # ------------------------------------------------------------------ notices

    def _say(self, message: str) -> None:
        self.notice = self._fresh_notice = message

    def take_notice(self) -> str:
        """A notice not yet shown (once), or ""."""
        with self._lock:
            message, self._fresh_notice = self._fresh_notice, ""
        return message

    # ------------------------------------------------------------------ opening

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise Incompatible(
                    f"it was written by a newer version of the tutor (format {version}; this one reads {SCHEMA_VERSION})"
                )
            for table, cols in COLUMNS.items():
                have = [r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
                if have and have != cols:
                    raise Incompatible(f"its table '{table}' has other columns than this version uses")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(SCHEMA)
            # A write, to know now whether the file can be written (kept only when it stamps the version).
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT" if version < SCHEMA_VERSION else "ROLLBACK")
            except sqlite3.Error:
                conn.execute("ROLLBACK")
                raise
            conn.execute("SELECT count(*) FROM position").fetchone()
            (ok,) = conn.execute("PRAGMA quick_check").fetchone()
            if ok != "ok":
                raise Corrupt(ok)
        except BaseException:
            conn.close()
            raise
        return conn

    def _memory_copy(self) -> sqlite3.Connection:
        """The file's progress, read without writing anything (not even a lock), in memory."""
        mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            if self.path.is_file():
                uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?immutable=1"
                src = sqlite3.connect(uri, uri=True)
                try:
                    src.backup(mem)
                finally:
                    src.close()
        except (sqlite3.Error, OSError):
            pass
        try:
            mem.executescript(SCHEMA)
        except sqlite3.Error:
            pass
        return mem

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except (sqlite3.DatabaseError, OSError, Incompatible) as err:
            kind = _kind(err)
            if kind == "incompatible":
                self._retry = False
                self._in_memory = True
                self._say(
                    f"Your progress file {self.path} is left untouched: {err}. "
                    "Progress in this session is kept only until you quit."
                )
                return self._memory_copy()
            if kind == "unwritable":
                self._in_memory = True
                self._say(
                    f"Your progress cannot be saved right now ({_reason(err)}). It is kept as it was, "
                    "this session's progress is kept in memory, and it is saved as soon as the file can be written."
                )
                return self._memory_copy()
            aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    try:
                        src.replace(Path(str(aside) + suffix))
                    except OSError:
                        pass
            self._say(
                f"Your progress file could not be read ({err}); it was moved to {aside.name} "
                f"and a fresh one was started."
            )
            try:
                return self._connect()
            except (sqlite3.DatabaseError, OSError, Incompatible):
                self._in_memory = True
                self._say(self.notice + " Progress will not be saved in this session.")
                return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)

    # ------------------------------------------------------------------ writing, with a queue

    def _write(self, sql: str, args: tuple) -> None:
        with self._lock:
            self._write_locked(sql, args)

    @staticmethod
    def _transaction(conn: sqlite3.Connection, statements: list[tuple[str, tuple]]) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                conn.execute(sql, args)
            conn.execute("COMMIT")
        except sqlite3.Error:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def _write_locked(self, sql: str, args: tuple) -> None:
        if self._in_memory:
            try:
                self._transaction(self.conn, [(sql, args)])  # seen by this session's reads
            except sqlite3.Error:
                pass
        if self._in_memory or self._pending:
            self._queue(sql, args)
            self._flush()
            return
        try:
            self._transaction(self.conn, [(sql, args)])
        except sqlite3.Error as err:
            self._queue(sql, args)
            self._say(
                f"Your progress could not be saved ({_reason(err)}); it is kept and saved again at the next step."
            )

    def _queue(self, sql: str, args: tuple) -> None:
        if self._retry and len(self._pending) < MAX_PENDING:
            self._pending.append((sql, args))

    def _flush(self) -> bool:
        """Write the queued changes to the file in one transaction; whether the queue is now empty."""
        if not self._pending or not self._retry:
            return not self._pending
        try:
            if self._in_memory:
                conn = self._connect()
                try:
                    self._transaction(conn, self._pending)
                except sqlite3.Error:
                    conn.close()
                    raise
                self.conn.close()
                self.conn, self._in_memory = conn, False
            else:
                self._transaction(self.conn, self._pending)
        except (sqlite3.Error, OSError, Incompatible):
            return False
        self._pending.clear()
        self._say("Your progress is being saved again.")
        return True

    def pending(self) -> int:
        """Changes not yet written to the file."""
        with self._lock:
            return len(self._pending)

    # ------------------------------------------------------------------ writes

    def mark_seen(self, lesson: str, step: int) -> None:
        self._write("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", (lesson, step, time.time()))

    def set_position(self, lesson: str, step: int) -> None:
        self._write(
            "INSERT INTO position VALUES (?, ?, ?) ON CONFLICT(lesson) DO UPDATE SET step = excluded.step, "
            "at = excluded.at",
            (lesson, step, time.time()),
        )

    def record_answer(self, lesson: str, step: int, correct: bool, hints: int) -> None:
        self._write(
            "INSERT INTO answers VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(lesson, step) DO UPDATE SET "
            "correct = max(correct, excluded.correct), attempts = attempts + 1, hints = max(hints, excluded.hints), "
            "at = excluded.at",
            (lesson, step, int(correct), hints, time.time()),
        )

    def record_misconception(self, concept: str, lesson: str, step: int) -> None:
        """The learner showed the misconception that ``concept`` corrects, at this lesson step."""
        self._write(
            "INSERT INTO misconceptions VALUES (?, ?, ?, ?) ON CONFLICT(concept) DO UPDATE SET "
            "lesson = excluded.lesson, step = excluded.step, at = excluded.at",
            (concept, lesson, step, time.time()),
        )

    def misconceptions(self) -> dict[str, tuple[str, int]]:
        """Each misconception shown so far (by the concept that corrects it): the lesson and step where."""
        with self._lock:
            try:
                rows = self.conn.execute("SELECT concept, lesson, step FROM misconceptions").fetchall()
            except sqlite3.DatabaseError:
                return {}
        return {r[0]: (r[1], r[2]) for r in rows}

    def set_setting(self, key: str, value: str) -> None:
        self._write(
            "INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
        )

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
                rows = self.conn.execute(
                    "SELECT step FROM answers WHERE lesson = ? AND correct = 1", (lesson,)
                ).fetchall()
            except sqlite3.DatabaseError:
                return set()
        return {r[0] for r in rows}

    def first_try(self, lesson: str) -> set[int]:
        """Steps whose checkpoint was answered right at the first attempt, without a hint."""
        with self._lock:
            try:
                rows = self.conn.execute(
                    "SELECT step FROM answers WHERE lesson = ? AND correct = 1 AND attempts = 1 AND hints = 0",
                    (lesson,),
                ).fetchall()
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
        with self._lock:
            self._flush()
            try:
                self.conn.close()
            except sqlite3.Error:
                pass


def _reason(err: BaseException) -> str:
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return {
        "attempt to write a readonly database": "the file or its folder is read-only",
        "database or disk is full": "the disk is full",
        "database is locked": "another program holds the file",
        "unable to open database file": "the file or its folder cannot be written",
    }.get(text, text)


def pending_notice(tutor) -> str:
    """A store notice not yet shown for ``tutor``'s store, if the store was opened; never opens it."""
    store = getattr(tutor, "_store", None)
    return store.take_notice() if isinstance(store, Store) else ""


def open_store(path: Path | None = None) -> Store:
    return Store(path or data_dir() / "progress.db")
