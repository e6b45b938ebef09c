"""Reading one content file safely: size and encoding checks, TOML with line numbers."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"



def read_text(path: Path, display: str, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(display, 1, f"file is {size} bytes; content files are at most {MAX_FILE_BYTES}"))
            return None
        data = path.read_bytes()
    except OSError as err:
        problems.append(Problem(display, 1, f"cannot read the file: {err.strerror or err}"))
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
    return text.replace("\r\n", "\n")


def parse_toml(text: str, display: str, first_line: int, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
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
