"""Typed errors that carry a message fit to show a learner or an author.

The CLI prints ``error.message`` as one line on stderr; the app shows it as a
notification. Nothing else in the tutor should let an exception reach a person.
"""

from __future__ import annotations


class TutorError(Exception):
    """Base class: ``message`` is what a person reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(TutorError):
    """The learner's input cannot be used (empty, too long, out of range...)."""


class ContentError(TutorError):
    """A content file is broken; ``path`` and ``line`` say where."""

    def __init__(self, message: str, path: str = "", line: int = 1) -> None:
        super().__init__(message)
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class NotAvailable(TutorError):
    """A feature that this build does not have."""
