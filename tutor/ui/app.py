"""The Textual app and its one composition root, :func:`make_app`."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable

from textual.app import App
from textual.binding import Binding

from tutor.engine import Tutor
from tutor.ui.chat import ChatScreen


class TutorApp(App):
    TITLE = "tutor"
    SUB_TITLE = "the mathematics of binary cross-entropy"
    CSS_PATH = "tutor.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True)]

    def __init__(self, content: Iterable[Path] = (), lesson: str | None = None) -> None:
        super().__init__()
        self.content = list(content)
        self.lesson = lesson
        self._tutor: Tutor | None = None
        self._lock = threading.Lock()

    def on_mount(self) -> None:
        self.push_screen(ChatScreen())
        self.run_worker(self._load, thread=True, group="load")

    def _load(self) -> None:
        self.tutor()

    def tutor(self) -> Tutor:
        """The core, built once, off the event loop (callers are workers)."""
        with self._lock:
            if self._tutor is None:
                self._tutor = Tutor.from_folders(self.content)
                problems = self._tutor.kb.problems
                if problems:
                    self.call_from_thread(self.notify, f"{len(problems)} content problem(s); run 'tutor validate'.",
                                          severity="warning")
            return self._tutor


def make_app(content: Iterable[Path] = (), lesson: str | None = None) -> TutorApp:
    """The one place the app is built: used by the CLI, the tests and snapshot apps."""
    return TutorApp(content=content, lesson=lesson)
