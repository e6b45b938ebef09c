"""Markdown rendered with Rich for ``tutor ask`` on a terminal: the CLI's one use of Rich, kept in the UI package."""

from __future__ import annotations

from typing import TextIO


def rich_print(text: str, out: TextIO) -> None:
    """Print ``text`` (Markdown) to ``out`` with Rich. Imported only when the output is a terminal."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.segment import Segments

    from tutor.ui.glue import glue, unglue

    console = Console(file=out, highlight=False)
    # Inline formulas kept whole on a line, as in the app.
    console.print(Segments(unglue(list(console.render(Markdown(glue(text), code_theme="ansi_dark"))))), end="")
