"""Messages the app's workers and widgets post upwards."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tutor.dialogue.reply import Context, Reply


@dataclass
class Answered(Message):
    """The core answered (posted from a worker thread)."""

    question: str
    reply: Reply
    context: Context


@dataclass
class Ask(Message):
    """Something (a chip, a choice, the palette) asks on the learner's behalf.

    ``show`` is False for commands the learner did not type (opening a lesson).
    """

    text: str
    show: bool = True


@dataclass
class ShowNode(Message):
    """Open one node directly (from the command palette)."""

    node: str
