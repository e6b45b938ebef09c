"""The chat screen: a transcript, an input with history, and a footer."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from tutor.reply import Context
from tutor.ui.messages import Answered, Ask
from tutor.ui.widgets import LearnerTurn, TutorTurn

WELCOME = ("Ask me about binary cross-entropy in your own words, for example *why the minus sign?* "
           "Type **help** to see what else I can do.")


class History(Input):
    """An input that remembers what was typed (up / down)."""

    BINDINGS = [
        Binding("up", "older", "Older", show=False, id="history.older"),
        Binding("down", "newer", "Newer", show=False, id="history.newer"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.past: list[str] = []
        self.cursor = 0

    def remember(self, text: str) -> None:
        if text and (not self.past or self.past[-1] != text):
            self.past.append(text)
        self.cursor = len(self.past)

    def action_older(self) -> None:
        if self.past and self.cursor > 0:
            self.cursor -= 1
            self.value = self.past[self.cursor]
            self.cursor_position = len(self.value)

    def action_newer(self) -> None:
        if self.cursor < len(self.past):
            self.cursor += 1
            self.value = self.past[self.cursor] if self.cursor < len(self.past) else ""
            self.cursor_position = len(self.value)


class ChatScreen(Screen):
    BINDINGS = [
        Binding("ctrl+l", "clear", "Clear", id="chat.clear"),
        Binding("escape", "focus_input", "Input", show=False, id="chat.focus"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.context = Context()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="transcript"):
            yield Static(WELCOME, id="welcome")
        yield History(placeholder="Ask a question… (help, why?, an example, plot -log(ŷ))", id="ask")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ask", Input).focus()

    @on(Input.Submitted, "#ask")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value
        box = self.query_one("#ask", History)
        box.remember(text)
        box.value = ""
        self.ask(text)

    @on(Ask)
    def asked(self, event: Ask) -> None:
        self.ask(event.text)

    def ask(self, text: str) -> None:
        if not text.strip():
            self.notify("Type a question first.", severity="warning")
            return
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(LearnerTurn(text))
        transcript.scroll_end(animate=False)
        self.answer(text, self.context)

    @work(thread=True, exclusive=False, group="answers")
    def answer(self, text: str, context: Context) -> None:
        tutor = self.app.tutor()  # waits for content to load, off the event loop
        reply, ctx = tutor.reply(text, context)
        self.post_message(Answered(text, reply, ctx))

    def on_answered(self, message: Answered) -> None:
        self.context = message.context
        transcript = self.query_one("#transcript", VerticalScroll)
        turn = TutorTurn(message.reply)
        transcript.mount(turn)
        transcript.scroll_end(animate=False)
        self.call_after_refresh(transcript.scroll_end, animate=False)

    def action_clear(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.remove_children()
        self.context = Context()

    def action_focus_input(self) -> None:
        self.query_one("#ask", Input).focus()
