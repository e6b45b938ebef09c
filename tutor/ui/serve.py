"""``tutor serve``: the same app in a browser, through textual-serve (an optional extra)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Iterable


def serve(content: Iterable[Path], host: str, port: int) -> None:
    from textual_serve.server import Server  # ImportError when the 'serve' extra is not installed

    extra = " ".join(f"--content {shlex.quote(str(d))}" for d in content)
    Server(f"{shlex.quote(sys.executable)} -m tutor {extra}".strip(), host=host, port=port).serve()
