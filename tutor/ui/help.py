"""The help screen (F1): what to ask and which keys do what."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS = """
| key | does |
|---|---|
| Enter | ask |
| ↑ / ↓ | earlier questions |
| Tab | to the latest answer's buttons (Enter presses one; shift+Tab goes back) |
| PageUp / PageDown | scroll the conversation (typing stays in the input) |
| ctrl+p | jump to any topic or lesson (command palette) |
| ctrl+l | clear the conversation |
| ctrl+s | save the conversation (in a lesson: with its summary) as Markdown |
| F2 | lessons |
| ctrl+n / ctrl+b / ctrl+t | in a lesson: next, back, hint |
| Esc | leave the lesson; close this help or a list |
| F1 | this help |
| ctrl+q | quit |

Buttons under an answer (why?, an example, …) ask the follow-up for you.

Keys can be remapped in `keymap.toml` in the tutor's data folder, for example
`[keys]` then `lesson.next = "ctrl+right"`. Binding ids: `app.quit`, `app.help`,
`app.lessons`, `chat.clear`, `chat.export`, `lesson.next`, `lesson.back`, `lesson.hint`, `lesson.leave`.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            # Keys first: at 60×20 they are what a learner pressing F1 needs to see without scrolling.
            from tutor.dialogue.talk import HELP  # the core, imported when help is first opened

            yield Markdown("*Esc closes this help.*\n\n## Keys\n" + KEYS + "\n## What I can do\n\n" + HELP)
