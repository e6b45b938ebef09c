"""Markdown rendered with Rich for ``tutor ask`` on a terminal: the CLI's one use of Rich, kept in the UI package."""

from __future__ import annotations

from typing import TextIO


def rich_print(text: str, out: TextIO) -> None:
    """Print ``text`` (Markdown) to ``out`` with Rich. Imported only when the output is a terminal."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console(file=out, highlight=False).print(Markdown(text, code_theme="ansi_dark"))
