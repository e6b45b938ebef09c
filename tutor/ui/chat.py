"""The chat screen: a transcript, an input with history, and a footer."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from tutor.dialogue.reply import Context
from tutor.dialogue.intents import Intent
from tutor.ui.messages import Answered, Send
from tutor.ui.widgets import LearnerTurn, TutorTurn

WELCOME = ("Ask me about binary cross-entropy in your own words, for example \"why the minus sign?\" "
           "Press F1 for help, ctrl+p to jump to a topic or lesson.")


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
    """Ask, read, follow up. The conversation's context lives here; the answers come from the core."""

    BINDINGS = [
        Binding("ctrl+l", "clear", "Clear", id="chat.clear"),
        Binding("escape", "focus_input", "Input", show=False, id="chat.focus"),
    ]
    PLACEHOLDER = "Ask a question… (why the minus sign?, an example, plot -log(ŷ), lessons)"
    WELCOME = WELCOME

    def __init__(self, opening: Intent | None = None) -> None:
        super().__init__()
        self.context = Context()
        self.opening = opening
        self._asked_at = 0.0
        #: Seconds from Enter to the answer painted, per question (read by benchmarks/bench_app.py).
        self.latencies: list[float] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield from self.compose_top()
        with VerticalScroll(id="transcript"):
            if self.WELCOME:
                yield Static(self.WELCOME, id="welcome")
        yield History(placeholder=self.PLACEHOLDER, id="ask")
        yield Footer()

    def compose_top(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.query_one("#ask", Input).focus()
        if self.opening is not None:
            self.send(self.opening, "", show=False)

    @on(Input.Submitted, "#ask")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value
        box = self.query_one("#ask", History)
        box.remember(text)
        box.value = ""
        self.ask(text)

    @on(Send)
    def sent(self, event: Send) -> None:
        event.stop()
        self.send(event.intent, event.label, show=event.show)

    def ask(self, text: str) -> None:
        """The learner typed ``text``: the core reads it."""
        if not text.strip():
            self.notify("Type a question first.", severity="warning")
            return
        self.send(text, text)

    def send(self, turn: "str | Intent", label: str, show: bool = True) -> None:
        self._asked_at = time.perf_counter()
        if show and label:
            transcript = self.query_one("#transcript", VerticalScroll)
            transcript.mount(LearnerTurn(label))
            transcript.scroll_end(animate=False)
        self.answer(turn, self.context)

    @work(thread=True, group="answers")
    def answer(self, turn: "str | Intent", context: Context) -> None:
        tutor = self.app.tutor()  # waits for content to load, off the event loop
        reply, ctx = tutor.reply(turn, context)
        self.post_message(Answered(turn if isinstance(turn, str) else "", reply, ctx))
        from tutor.store.progress import pending_notice

        notice = pending_notice(tutor)  # progress that could not be saved is said, not dropped
        if notice:
            self.app.call_from_thread(self.app.notify, notice, severity="warning", timeout=10)

    def on_answered(self, message: Answered) -> None:
        self.context = message.context
        transcript = self.query_one("#transcript", VerticalScroll)
        turn = TutorTurn(message.reply)
        transcript.mount(turn)
        # Show the start of the answer, not its end: long answers are read from the top.
        self.call_after_refresh(transcript.scroll_to_widget, turn, top=True, animate=False)
        asked = self._asked_at
        self.call_after_refresh(lambda: self.latencies.append(time.perf_counter() - asked))
        self.answered(message)

    def answered(self, message: Answered) -> None:
        """A hook for screens that show more of the conversation (the lesson screen)."""

    def action_clear(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.remove_children()
        self.context = Context()

    def action_focus_input(self) -> None:
        self.query_one("#ask", Input).focus()
