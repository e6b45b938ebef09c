"""Messages the app's workers and widgets post upwards."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tutor.reply import Context, Reply


@dataclass
class Answered(Message):
    """The core answered a question (posted from a worker thread)."""

    question: str
    reply: Reply
    context: Context


@dataclass
class Ask(Message):
    """Something in the transcript (a chip, a choice) asks a question on the learner's behalf."""

    text: str
