"""What the conversation is about, carried from one turn to the next (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.maths.numeric import Computation


@dataclass(frozen=True)
class LessonState:
    """Where the learner is in a lesson: the step, hints taken, whether its checkpoint is solved."""

    lesson: str
    step: int = 0
    hints: int = 0
    solved: bool = False
    attempts: int = 0


@dataclass(frozen=True)
class Context:
    """What the conversation is about, carried from one turn to the next."""

    node: str | None = None
    shown: frozenset[str] = frozenset()
    #: The intents (:mod:`tutor.dialogue.intents`) offered as numbered choices; opaque here, so that
    #: the context does not import the intent layer that reads it.
    choices: tuple[object, ...] = ()
    computation: Computation | None = None
    #: The expression the learner last had differentiated, and by which variable: "plot it" draws it.
    typed: tuple[str, str | None] | None = None
    lesson: LessonState | None = None
    history: tuple[str, ...] = ()
