"""Handlers for small talk (greetings, thanks, help) and for text that cannot be read."""

from __future__ import annotations

from tutor.dialogue.context import Context
from tutor.dialogue.core import Core, topic_choices
from tutor.dialogue.intents import SmallTalk, Unreadable
from tutor.dialogue.reply import Reply
from tutor.dialogue.topics import SCOPE

HELP = "\n".join(
    [
        SCOPE,
        "",
        "- **Ask in your own words**: *why the minus sign?*, *why is the loss 0 and not -1 when ŷ is near 1?*",
        "- **Follow up**: *why?*, *an example*, *simpler*, *go deeper*, *next*, *what about y = 0?*, or a number "
        "to pick one of the choices I offer",
        "- **Compute**: *loss if y = 1 and ŷ = 0.3*, *cost for y=[1,0,1] and ŷ=[0.9,0.2,0.6]*, *-log(0.99)*, "
        "*one gradient step with w=0.5, x=2, y=1, lr=0.1*",
        "- **Derive**: *derive the derivative of the loss*, *how do you get ŷ - y?*",
        "- **Plot**: *plot -log(ŷ)*, *show me the graph of log*, *plot the loss for y = 0*",
        "- **Lessons**: *lessons*, *start lesson why-minus*, then *next*, *back*, *hint*, *quit lesson*",
    ]
)

_SAY = {
    "greeting": (
        "Hello",
        "Hello! Ask me anything about binary cross-entropy, for example *why the minus sign?*, "
        "or type *lessons* for a guided lesson.",
    ),
    "thanks": ("You're welcome", "Glad it helped. Ask a follow-up (*why?*, *an example*), or a new question."),
    "bye": ("Goodbye", "Goodbye! Your lesson progress is saved; come back any time."),
}


def small_talk(core: Core, intent: SmallTalk, ctx: Context) -> tuple[Reply, Context]:
    if intent.kind == "help":
        return Reply("answer", HELP, title="What I can do"), ctx
    title, text = _SAY[intent.kind]
    starters = core.starters() if intent.kind == "greeting" else ()
    return Reply("answer", text, title=title, alternatives=starters, choices=topic_choices(starters)), ctx


def unreadable(core: Core, intent: Unreadable, ctx: Context) -> tuple[Reply, Context]:
    return Reply("error", intent.why, title="I could not read that"), ctx
