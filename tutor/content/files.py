"""Reading one content file safely: size and encoding checks, TOML with line numbers.

Content comes from strangers, so reading is bounded before any parser runs:
regular files only (a FIFO or a device is never opened for reading in a way that
blocks), at most :data:`MAX_FILE_BYTES` read whatever the size claims, and TOML
checked by one linear scan (:func:`toml_limits`) for nesting depth and dotted-key
length before ``tomllib`` (which recurses, and builds a table per key part) sees it.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.text import safe, safe_data

MAX_FILE_BYTES = 256 * 1024
#: Arrays and tables inside one another, at most.
MAX_TOML_DEPTH = 32
#: Parts of one dotted key (``a.b.c`` has 3), at most.
MAX_KEY_PARTS = 16


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file. A warning (``warning=True``) is advice: the file still loads."""

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


def is_dir(path: Path) -> bool:
    """``path.is_dir()`` that is False instead of raising (a name too long, a folder that cannot be read)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def errors(problems: list[Problem]) -> int:
    """How many of ``problems`` are errors (not warnings)."""
    return sum(1 for p in problems if not p.warning)


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """`` (did you mean 'tolerance'?)`` for a near miss, else `` (known: a, b, c)``."""
    known = sorted(known)
    if len(key) > 64:  # no key is that long: nothing to suggest (and no long comparison)
        return f" (known: {', '.join(known)})"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not close:  # "intro_text" for "intro", "sumary_line" for "summary": a known key as a prefix
        close = [k for k in known if key.lower().startswith(k) and len(k) >= 3][:1]
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"


def unknown_key(key: str, known: Iterable[str]) -> str:
    """The message for a key a file may not hold: ``unknown key 'tolerence' (did you mean 'tolerance'?)``."""
    return f"unknown key '{short(key)}'{did_you_mean(key, known)}"


def key_line_in(text_lines: list[str], key: str, start: int, end: int, first_line: int = 1) -> int | None:
    """The line (counted from ``first_line`` for ``text_lines[0]``) where ``key`` is set between
    ``text_lines[start:end]``: at the start of a line, after ``{`` or ``,`` in an inline table,
    or as the last part of a dotted key; None when it is not found there."""
    name = re.escape(key)
    pat = re.compile(rf"""(?:^|[{{,.]|\s)\s*(?:{name}|"{name}"|'{name}')\s*=""")
    for i in range(max(start, 0), min(end, len(text_lines))):
        line = text_lines[i]
        if pat.search(line.split("#", 1)[0] if '"' not in line and "'" not in line else line):
            return first_line + i
    return None


def short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (a 200 KB key is not echoed whole)."""
    return text if len(text) <= limit else text[:limit] + "…"


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a regular file; ``OSError`` for anything else.

    The type is checked before opening (a FIFO's ``open`` would block), and again on
    the open descriptor (opened non-blocking, so a file swapped for a FIFO in between
    cannot block either).
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, display: str, problems: list[Problem]) -> str | None:
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(display, 1, f"file is {size} bytes; content files are at most {MAX_FILE_BYTES}"))
            return None
        data = read_regular(path, MAX_FILE_BYTES)
        if len(data) > MAX_FILE_BYTES:
            problems.append(
                Problem(display, 1, f"file is over {MAX_FILE_BYTES} bytes; content files are at most {MAX_FILE_BYTES}")
            )
            return None
    except (OSError, RuntimeError) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        problems.append(Problem(display, 1, f"cannot read the file: {reason}"))
        return None
    if b"\x00" in data:
        problems.append(Problem(display, 1, "not a text file (it contains NUL bytes)"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(Problem(display, line, "not a text file: invalid UTF-8"))
        return None
    return safe(text.replace("\r\n", "\n"))  # content is data: no escape reaches a terminal


_NORMAL = re.compile(r"""["'#\[\]{}.=,\n]""")
_BASIC = re.compile(r'\\.|"|\n', re.S)
_BASIC_MULTI = re.compile(r'\\.|"""', re.S)


def toml_limits(text: str) -> tuple[int, str] | None:
    """``(line, message)`` when ``text`` nests deeper than :data:`MAX_TOML_DEPTH` or has a dotted
    key of more than :data:`MAX_KEY_PARTS` parts; None when within both. One pass, linear.

    Strings and comments are skipped (their brackets and dots are text); a ``.`` counts as
    a key separator only where a key is read: at the start of a top-level line, in a
    ``[table]`` header, or after ``{`` or ``,`` in an inline table, until ``=``.
    """
    if text.count("[") + text.count("{") <= MAX_TOML_DEPTH and text.count(".") < MAX_KEY_PARTS:
        return None  # not enough brackets or dots to break either limit: no scan needed
    stack: list[str] = []
    key, parts, line, pos, n = True, 1, 1, 0, len(text)
    while pos < n:
        m = _NORMAL.search(text, pos)
        if m is None:
            return None
        ch, pos = m.group(), m.end()
        if ch == "\n":
            line += 1
            if not stack:
                key, parts = True, 1
        elif ch == "#":
            end = text.find("\n", pos)
            pos = n if end == -1 else end
        elif ch == '"' or ch == "'":
            multi = text.startswith(ch * 2, pos)
            if multi:
                pos += 2
                if ch == '"':
                    while (m := _BASIC_MULTI.search(text, pos)) and m.group() != '"""':
                        pos = m.end()
                    end = m.end() if m else n
                else:
                    end = text.find("'''", pos)
                    end = n if end == -1 else end + 3
                line += text.count("\n", pos, end)
                pos = end
            elif ch == '"':
                while (m := _BASIC.search(text, pos)) and m.group() not in ('"', "\n"):
                    pos = m.end()
                pos = n if m is None else (m.end() if m.group() == '"' else m.start())
            else:
                end = text.find("'", pos)
                nl = text.find("\n", pos)
                pos = n if end == -1 and nl == -1 else (nl if end == -1 or (nl != -1 and nl < end) else end + 1)
        elif ch == "=":
            key = False
        elif ch == ".":
            if key:
                parts += 1
                if parts > MAX_KEY_PARTS:
                    return line, f"a dotted key has more than {MAX_KEY_PARTS} parts"
        elif ch in "[{":
            if ch == "[" and key and not stack:
                continue  # a [table] header: its name is a key
            stack.append(ch)
            if len(stack) > MAX_TOML_DEPTH:
                return line, f"arrays and tables are nested more than {MAX_TOML_DEPTH} deep"
            key, parts = ch == "{", 1
        elif ch in "]}":
            if stack:
                stack.pop()
            key = False
        elif ch == ",":
            if stack and stack[-1] == "{":
                key, parts = True, 1
    return None


def parse_toml(text: str, display: str, first_line: int, problems: list[Problem]) -> dict[str, Any] | None:
    limit = toml_limits(text)
    if limit is not None:
        problems.append(Problem(display, first_line + limit[0] - 1, f"malformed front matter: {limit[1]}"))
        return None
    try:
        return safe_data(tomllib.loads(text))  # TOML's own escapes ("\u001b") decoded, then removed
    except (RecursionError, MemoryError):
        problems.append(Problem(display, first_line, "malformed front matter: too deeply nested to read"))
        return None
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+)", str(err))
        line = first_line + (int(m.group(1)) - 1 if m else 0)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err)) or "malformed TOML"
        problems.append(Problem(display, line, f"malformed front matter: {msg}"))
        return None


def key_line(text_lines: list[str], key: str, first_line: int) -> int:
    pat = re.compile(rf"^\s*(\[\s*)?{re.escape(key)}\s*(=|\])")
    for i, line in enumerate(text_lines):
        if pat.match(line):
            return first_line + i
    return max(first_line - 1, 1)


def strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def builtin_content_dir() -> Path:
    """The shipped content: inside the wheel, or the repository's ``content/``.

    Here, not in :mod:`tutor.content.nodes`, so that the app's command finds it without importing the loader.
    """
    here = Path(__file__).resolve().parent.parent  # the tutor package
    packaged = here / "_content"
    return packaged if packaged.is_dir() else here.parent / "content"
