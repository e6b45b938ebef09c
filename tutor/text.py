"""One sanitiser for text that reaches a terminal: no escape sequences, no control characters.

Content packs, file names and cache entries come from outside; a title holding
``ESC ] 52 ; c ; …`` would write the learner's clipboard, ``ESC ] 0 ; …`` would
set the terminal's title. :func:`safe` removes every escape sequence whole (CSI,
OSC, DCS/SOS/PM/APC strings, two-character escapes, their 8-bit C1 forms), then
every remaining control character except newline and tab, and the invisible
direction overrides that make text read differently from what it is. Linear in
the text: each pattern is one character class with no nested repetition.

Used when content is read (:mod:`tutor.content.files`) and at the CLI's output
(:class:`SafeStream`), so neither content nor a file name can reach the terminal raw.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import TextIO

_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*+[ -/]*+[@-~]?"  # CSI ... final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*+(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*+[0-~]?"  # any other escape
)
#: C0 and C1 controls but newline and tab; DEL; bidi embeddings, overrides and isolates.
_CONTROLS = {
    c: None
    for c in [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
}


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INTRODUCERS = re.compile("[\x1b\x90\x98\x9b\x9d-\x9f]")


def safe(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (newline and tab are kept)."""
    if not _UNSAFE.search(text):
        return text  # the common case: one scan in C
    if _INTRODUCERS.search(text):
        text = _ESCAPES.sub("", text)
    return text.replace("\r\n", "\n").translate(_CONTROLS)


def safe_data(value):
    """Every string in parsed data (keys too) made :func:`safe`; lists and tables walked."""
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, list):
        return [safe_data(v) for v in value]
    if isinstance(value, dict):
        return {safe(k) if isinstance(k, str) else k: safe_data(v) for k, v in value.items()}
    return value


class SafeStream:
    """A text stream that writes everything through :func:`safe`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(safe(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_output() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` sanitised for the duration (the CLI's plain commands)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
