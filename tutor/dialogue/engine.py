"""The one entry point: a learner's turn (text or intent) and the conversation so far in, a :class:`Reply` out.

The path of one turn: the text is checked and cleaned once (:func:`_junk`,
:func:`~tutor.matching.language.clean`), read into an intent with the context
(:func:`tutor.dialogue.intents.read`), and dispatched through :data:`HANDLERS`
to the handler that owns that kind of intent and its thresholds. The app's chips
and the command palette skip the reading: they send intents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tutor.content.nodes import load
from tutor.dialogue import doing, lessons, talk, topics
from tutor.dialogue import intents as it
from tutor.dialogue.context import Context
from tutor.dialogue.core import Core
from tutor.dialogue.reply import Reply
from tutor.errors import TutorError
from tutor.matching.language import MAX_CHARS, clean, is_format
from tutor.maths import formulas

if TYPE_CHECKING:
    from tutor.store.progress import Store

Handler = Callable[[Core, Any, Context], "tuple[Reply, Context]"]

#: Which handler answers which intent.
HANDLERS: dict[type, Handler] = {
    it.Ask: topics.answer,
    it.Show: topics.show,
    it.FollowUp: topics.follow_up,
    it.WhatAbout: topics.what_about,
    it.Compute: doing.compute,
    it.Derive: doing.derive,
    it.Plot: doing.plot,
    it.Failed: doing.failed,
    it.LessonCommand: lessons.command,
    it.CheckpointAnswer: lessons.answer,
    it.SmallTalk: talk.small_talk,
    it.Unreadable: talk.unreadable,
}

INTERNAL_ERROR = "Something went wrong on my side"
#: The internal-error log is started afresh beyond this size.
ERROR_LOG_BYTES = 1_000_000
#: A message is mostly unreadable when more than this share of it is control or replacement characters.
UNREADABLE_SHARE = 10


def _junk(text: str) -> str | None:
    """Why ``text`` cannot be a question, or None."""
    if not text.strip():
        return "Type a question, for example: why the minus sign?"
    if len(text) > MAX_CHARS:
        return (
            f"That is {len(text):,} characters; I read questions of up to {MAX_CHARS:,} characters. "
            "Paste the part you are stuck on."
        )
    bad = sum(1 for ch in text if ch == "\ufffd" or (not ch.isprintable() and ch not in "\n\t\r" and not is_format(ch)))
    if bad > max(2, len(text) // UNREADABLE_SHARE):
        return (
            "That does not look like text (it is mostly unreadable or control characters). Type your question in words."
        )
    return None


def _log_internal_error() -> str:
    """Append the current exception's traceback to ``errors.log`` in the data folder; its path, or "" if unwritable."""
    import traceback

    from tutor.store.locations import data_dir

    try:
        path = data_dir() / "errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > ERROR_LOG_BYTES else "a"
        with path.open(mode, encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return str(path)
    except OSError:
        return ""


class Tutor(Core):
    """The tutor's core: a knowledge base, a matcher, a progress store, and the rules of a conversation."""

    @classmethod
    def from_folders(cls, extra: Iterable[Path] = (), store: Store | None = None, builtin: bool = True) -> Tutor:
        return cls(load(extra, builtin=builtin), store=store)

    def read(self, text: str, ctx: Context) -> it.Intent:
        """What the learner's ``text`` asks for in this context (cleaned once, here)."""
        why = _junk(text if isinstance(text, str) else "")
        if why:
            return it.Unreadable(why)
        cp = lessons.open_checkpoint(self, ctx)
        # Control characters and terminal escapes never travel further than here. Superscripts become
        # powers first: Unicode normalisation would make x² the name x2 and 10⁻⁷ the difference 10-7.
        return it.read(
            clean(formulas.powers_written_out(text)).strip(),
            ctx,
            at_checkpoint=cp.kind if cp is not None else None,
            lesson_named=lambda name: lessons.find(self, name) is not None,
        )

    def reply(self, turn: str | it.Intent, context: Context | None = None) -> tuple[Reply, Context]:
        ctx = context or Context()
        try:
            intent: it.Intent = turn if isinstance(turn, it.INTENTS) else self.read(turn, ctx)
            if isinstance(intent, it.Choose):  # a numbered choice stands for the intent it was offered as
                intent = cast(it.Intent, ctx.choices[intent.index - 1])
            reply, new_ctx = HANDLERS[type(intent)](self, intent, ctx)
        except TutorError as err:
            return Reply("error", err.message, title="I could not do that", lesson=self._position(ctx)), ctx
        except Exception:  # a bug of ours: a plain message and the conversation kept, never a traceback
            where = _log_internal_error()
            return Reply(
                "error",
                "Something went wrong on my side while answering that. The conversation and your "
                "progress are kept; try asking another way."
                + (f" (Details for the developers: {where}.)" if where else ""),
                title=INTERNAL_ERROR,
            ), ctx
        # What was offered can be picked by number on the next turn; nothing else can. "Plot it" means the
        # expression just differentiated only until the learner asks for something else.
        new_ctx = replace(new_ctx, choices=tuple(c.intent for c in reply.choices))
        if new_ctx.typed is not None and not _about_typed(intent):
            new_ctx = replace(new_ctx, typed=None)
        if reply.lesson is None and new_ctx.lesson is not None:
            reply = replace(reply, lesson=self._position(new_ctx))
        return reply, new_ctx

    def _position(self, ctx: Context):
        state = ctx.lesson
        lesson = self.kb.lessons.get(state.lesson) if state else None
        return lessons.position(lesson, state) if lesson and state else None

    # Direct entry points for callers that already know what they want.

    def explain(
        self, node_id: str, ctx: Context, *, confidence: float = 1.0, section: str | None = None
    ) -> tuple[Reply, Context]:
        return topics.explain(self, node_id, ctx, confidence=confidence, section=section)


def _about_typed(intent: it.Intent) -> bool:
    """Whether ``intent`` is about the expression the learner had differentiated: that derivative asked
    for, a follow-up naming no topic ("why?", "an example" after it: then "plot it" still draws it), or a
    plot that names nothing else ("plot it")."""
    if isinstance(intent, it.Derive):
        return intent.expression is not None
    if isinstance(intent, it.FollowUp):  # its chip, or "why?", "an example", "simpler" after it
        return intent.about is None and intent.kind in ("plot", "why", "example", "simpler", "deeper")
    return (
        isinstance(intent, it.Plot) and not intent.name and (intent.request is None or not intent.request.expressions)
    )
