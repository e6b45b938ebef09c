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
