"""What the core answers: a :class:`Reply` and the conversation :class:`Context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tutor.maths.numeric import Computation
from tutor.maths.plots import Plot

KINDS = ("answer", "compute", "derive", "plot", "clarify", "fallback", "lesson", "error")


@dataclass(frozen=True)
class Alternative:
    node: str
    title: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "title": self.title, "confidence": self.confidence}


def choices_markdown(alternatives: tuple[Alternative, ...]) -> str:
    """The numbered list a clarify or fallback reply ends with (the learner may type a number)."""
    return "\n".join(f"{i}. {a.title}" for i, a in enumerate(alternatives, 1))


@dataclass(frozen=True)
class Reply:
    kind: str
    markdown: str
    title: str = ""
    node: str | None = None
    concepts: tuple[str, ...] = ()
    confidence: float = 0.0
    alternatives: tuple[Alternative, ...] = ()
    computation: Computation | None = None
    derivation: Any = None  # tutor.maths.derive.Derivation, imported lazily
    plot: Plot | None = None
    followups: tuple[str, ...] = ()
    section: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            "concepts": list(self.concepts),
            "confidence": round(self.confidence, 4),
            "title": self.title,
            "markdown": self.markdown,
            "alternatives": [a.to_json() for a in self.alternatives],
            "computation": self.computation.to_json() if self.computation else None,
            "derivation": self.derivation.to_json() if self.derivation is not None else None,
            "plot": self.plot.to_json() if self.plot else None,
            "followups": list(self.followups),
            "section": self.section,
        }


@dataclass(frozen=True)
class Context:
    """What the conversation is about, carried from one turn to the next."""

    node: str | None = None
    shown: frozenset[str] = frozenset()
    choices: tuple[str, ...] = ()
    computation: Computation | None = None
    lesson: Any = None  # tutor.dialogue.lessons.LessonState
    history: tuple[str, ...] = field(default=())
