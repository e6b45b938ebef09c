"""Messages the app's workers and widgets post upwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # types only: the chat screen imports this module before the first paint, the core after it
    from tutor.dialogue.context import Context
    from tutor.dialogue.intents import Intent
    from tutor.dialogue.reply import Reply


@dataclass
class Answered(Message):
    """The core answered (posted from a worker thread)."""

    question: str
    reply: Reply
    context: Context


@dataclass
class Send(Message):
    """Something (a chip, a choice, the palette, a key) sends an intent on the learner's behalf.

    ``label`` is echoed in the transcript as the learner's turn, unless ``show`` is False
    (commands the learner did not type, such as opening a lesson). Never English to re-parse.
    """

    intent: Intent
    label: str = ""
    show: bool = True
