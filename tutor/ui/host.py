"""What the screens and palette providers ask of the app, as a type.

Textual types ``self.app`` as any ``App``; the screens use the tutor app's own
methods. They see the app through this protocol rather than importing
:mod:`tutor.ui.app`, which imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tutor.dialogue.engine import Tutor


class TutorHost(Protocol):
    def tutor(self) -> Tutor:
        """The tutor, waiting for its content to load (call it from a worker thread)."""
        ...

    def loaded_tutor(self) -> Tutor | None:
        """The tutor if its content has loaded, else None (never blocks)."""
        ...

    def show_node(self, node: str) -> None: ...

    def open_lesson(self, lesson: str) -> None: ...
