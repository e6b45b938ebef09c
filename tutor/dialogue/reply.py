"""What the core answers: a :class:`Reply`, pure data that printers render.

Nothing about presentation is baked into ``markdown``: the choices a learner can
pick, the follow-ups, the lesson position and a checkpoint's verdict travel as
fields, and each printer (plain text, JSON, the app) shows them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from tutor.dialogue.context import Context, LessonState
from tutor.dialogue.intents import Intent

if TYPE_CHECKING:  # types only: the app's first paint does not wait for NumPy
    from tutor.maths.numeric import Computation
    from tutor.maths.plots import Plot

Kind = Literal["answer", "compute", "derive", "plot", "clarify", "fallback", "lesson", "error"]
KINDS: tuple[str, ...] = get_args(Kind)
Verdict = Literal["right", "wrong", "hint"]

__all__ = ["KINDS", "Alternative", "Choice", "Context", "Kind", "LessonPosition", "LessonState", "Reply", "Verdict"]


@dataclass(frozen=True)
class Alternative:
    node: str
    title: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "title": self.title, "confidence": self.confidence}


@dataclass(frozen=True)
class Choice:
    """Something the learner can pick next: its label, and the intent that picking it sends."""

    label: str
    intent: Intent


@dataclass(frozen=True)
class LessonPosition:
    id: str
    title: str
    step: int  # 1-based
    of: int
    waiting: bool = False  # its step's checkpoint is not answered yet

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "step": self.step, "of": self.of}


@dataclass(frozen=True)
class Reply:
    kind: Kind
    markdown: str
    title: str = ""
    node: str | None = None
    concepts: tuple[str, ...] = ()
    confidence: float = 0.0
    alternatives: tuple[Alternative, ...] = ()
    computation: Computation | None = None
    derivation: Any = None  # tutor.maths.derive.Derivation, imported lazily (SymPy)
    plot: Plot | None = None
    followups: tuple[str, ...] = ()
    section: str | None = None
    #: Numbered choices the learner may pick by number or by pressing (a clarify, a fallback, the lesson list).
    choices: tuple[Choice, ...] = ()
    #: Where the learner is in a lesson, on every turn taken inside one.
    lesson: LessonPosition | None = None
    #: On a reply to a checkpoint answer (or a hint): how it went.
    verdict: Verdict | None = None
    #: A second question found in the same message, offered next.
    also: Alternative | None = None
    #: What a derivation's reply says before its steps (a checked derivative's verdict). ``markdown`` starts
    #: with it too; a printer that draws the steps from ``derivation`` instead shows it first.
    lead: str = ""

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
            "choices": [c.label for c in self.choices],
            "lesson": self.lesson.to_json() if self.lesson else None,
            "verdict": self.verdict,
            "also": self.also.to_json() if self.also else None,
        }
