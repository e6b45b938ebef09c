"""Run the command line in-process: ``tutor.cli.main(argv)`` with its own stdin, stdout and stderr.

A subprocess per call costs an interpreter start and every import (about a second a call
here); ``main()`` in-process costs the command's own work. Test files that check the
installed entry point itself (``python -m tutor``) still start a process for that.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from tutor import cli


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, with ``.buffer`` like ``sys.stdin``/``sys.stdout``, that may claim to be a terminal."""

    def __init__(self, data: bytes = b"", tty: bool = False) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="strict", newline="")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()  # type: ignore[attr-defined]


def run_cli(
    *args: str,
    stdin: bytes | str = b"",
    tty_in: bool = False,
    tty_out: bool = False,
) -> subprocess.CompletedProcess:
    """``tutor ARGS`` in-process; the result looks like ``subprocess.run(..., capture_output=True)`` (bytes)."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    out, err, inp = _Stream(tty=tty_out), _Stream(), _Stream(data, tty=tty_in)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdin", inp)
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse's --help, --version and usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["tutor", *args], code, out.value(), err.value())
