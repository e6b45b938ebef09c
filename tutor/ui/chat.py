"""The chat screen: a transcript, an input with history, and a footer."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Static

from tutor.dialogue.context import Context
from tutor.ui.messages import Answered, Send

if TYPE_CHECKING:
    from textual.widgets import Button, Collapsible

    from tutor.dialogue.intents import Intent
    from tutor.dialogue.reply import Reply
    from tutor.ui.host import TutorHost

# The answer widgets (tutor.ui.widgets: Rich's Markdown, plotext, the core's reply types) are imported when
# first used, after the first paint: the app's loading worker imports them in the background.

#: The latest answers whose follow-ups stay buttons (Tab reaches them); older ones become links.
LIVE_TURNS = 5

#: An answer slower than this shows a "working…" line.
WORKING_AFTER = 0.15

WELCOME = (
    'Ask me about binary cross-entropy in your own words, for example "why the minus sign?" '
    "Press F1 for help, F2 for lessons, ctrl+p to jump to a topic, ctrl+q to quit."
)


class History(Input):
    """An input that remembers what was typed (up / down)."""

    BINDINGS = [
        Binding("up", "older", "Older", show=False, id="history.older"),
        Binding("down", "newer", "Newer", show=False, id="history.newer"),
        # Tab goes to the chips of the latest answer (the ones just read), not to the top of the conversation.
        Binding("tab", "screen.focus_latest", "Chips", show=False, id="history.chips"),
    ]

    def __init__(self, **kwargs) -> None:
        # Focus comes back here after every chip or scroll: never select (and so overwrite) what was typed.
        super().__init__(select_on_focus=False, **kwargs)
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
        Binding("ctrl+q", "app.quit", "Quit", id="chat.quit"),
        Binding("ctrl+s", "export", "Save", show=False, id="chat.export"),
        Binding("pageup", "page('up')", "Scroll up", show=False, id="chat.page_up"),
        Binding("pagedown", "page('down')", "Scroll down", show=False, id="chat.page_down"),
        Binding("escape", "focus_input", "Input", show=False, id="chat.focus"),
    ]
    AUTO_FOCUS = "#ask"
    PLACEHOLDER = "Ask a question… (why the minus sign?, an example, plot -log(ŷ), lessons)"
    #: The placeholder where the long one would be cut (the input's border and padding take 6 columns).
    SHORT_PLACEHOLDER = "Ask a question… (why the minus sign?, lessons)"
    WELCOME = WELCOME

    def __init__(self, opening: Intent | None = None) -> None:
        super().__init__()
        self.context = Context()
        self.opening = opening
        self._asked_at = 0.0
        self._working: Timer | None = None
        #: What the learner typed (None for turns they did not type) and the replies, for ctrl+s.
        self.turns: list[tuple[str | None, Reply | None]] = []
        self._revealing: Widget | None = None
        #: Seconds from Enter to the answer painted, and the core's share of it (the reply, in the worker thread),
        #: per question (read by benchmarks/bench_app.py).
        self.latencies: list[float] = []
        self.decisions: list[float] = []
        #: CPU seconds per answer, Enter to painted: the event loop's and the worker's (less sensitive to other load).
        self.cpu: list[float] = []
        self._asked_cpu = 0.0
        self._reply_cpu = 0.0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield from self.compose_top()
        with VerticalScroll(id="transcript"):
            if self.WELCOME:
                yield Static(self.WELCOME, id="welcome")
        yield History(placeholder=self.PLACEHOLDER, id="ask")
        yield Footer(compact=True, show_command_palette=self.SHOW_PALETTE)

    SHOW_PALETTE = True

    def compose_top(self) -> ComposeResult:
        return iter(())

    def placeholder_for(self, width: int) -> str:
        return self.PLACEHOLDER if len(self.PLACEHOLDER) + 6 <= width else self.SHORT_PLACEHOLDER

    def on_resize(self, event: events.Resize) -> None:
        box = self.query_one("#ask", Input)
        if box.placeholder in (self.PLACEHOLDER, self.SHORT_PLACEHOLDER):  # not a paused lesson's own line
            box.placeholder = self.placeholder_for(event.size.width)

    def on_mount(self) -> None:
        self.focus_input()
        if self.opening is not None:
            self.send(self.opening, "", show=False)

    def focus_input(self) -> None:
        self.query_one("#ask", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing goes to the input, wherever focus was left (a chip, the transcript after shift+Tab)."""
        # The input stops every printable key it takes, so one that reaches the screen went elsewhere:
        # to a chip, the transcript, or to no one at all (typed before the first paint, before focus was set).
        box = self.query_one("#ask", Input)
        if not event.is_printable or not event.character:
            return
        from textual.widgets import Button

        if event.character == " " and isinstance(self.focused, Button):
            return  # space presses a focused chip
        event.stop()
        event.prevent_default()
        box.focus()
        box.insert_text_at_cursor(event.character)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.focus_input()

    def on_screen_resume(self) -> None:
        # Back from help, the palette or a lesson: typing goes to the input again.
        self.call_after_refresh(self.focus_input)

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

    def send(self, turn: str | Intent, label: str, show: bool = True) -> None:
        """Send a turn to the core: typed text, or an intent from a chip, a key or the palette (echoed as ``label``)."""
        self._asked_at = time.perf_counter()
        self._asked_cpu = time.thread_time()
        self.turns.append((label if show and label else None, None))
        if show and label:
            from tutor.ui.widgets import LearnerTurn

            transcript = self.query_one("#transcript", VerticalScroll)
            transcript.mount(LearnerTurn(label))
            transcript.scroll_end(animate=False)
        self.focus_input()
        self._start_working()
        self.answer(turn, self.context)

    def _start_working(self) -> None:
        if self._working is not None:
            self._working.stop()
        self._working = self.set_timer(WORKING_AFTER, self._show_working)

    def _show_working(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        if not transcript.query("#working"):
            transcript.mount(Static("working…", id="working"))
            transcript.scroll_end(animate=False)

    def _stop_working(self) -> None:
        if self._working is not None:
            self._working.stop()
            self._working = None
        working = self.query("#working")
        if working:
            working.remove()

    @work(thread=True, group="answers")
    def answer(self, turn: str | Intent, context: Context) -> None:
        tutor = self.tutor_app.tutor()  # waits for content to load, off the event loop
        started, cpu = time.perf_counter(), time.thread_time()
        reply, ctx = tutor.reply(turn, context)
        self.decisions.append(time.perf_counter() - started)
        self._reply_cpu = time.thread_time() - cpu
        self.post_message(Answered(turn if isinstance(turn, str) else "", reply, ctx))
        from tutor.store.progress import pending_notice

        notice = pending_notice(tutor)  # progress that could not be saved is said, not dropped
        if notice:
            self.app.call_from_thread(self.app.notify, notice, severity="warning", timeout=10)

    def on_answered(self, message: Answered) -> None:
        from tutor.ui.widgets import TutorTurn

        self.context = message.context
        self._stop_working()
        if self.turns and self.turns[-1][1] is None:
            self.turns[-1] = (self.turns[-1][0], message.reply)
        else:
            self.turns.append((None, message.reply))
        transcript = self.query_one("#transcript", VerticalScroll)
        turn = TutorTurn(message.reply)
        for older in list(transcript.query_children(TutorTurn))[:-LIVE_TURNS]:
            older.settle()  # buttons become links on all but the latest answers: each layout stays small
        transcript.mount(turn)
        # Show the start of the answer, not its end: long answers are read from the top.
        self._revealing = turn
        self.call_after_refresh(self.reveal, turn)
        asked, asked_cpu, reply_cpu = self._asked_at, self._asked_cpu, self._reply_cpu

        def painted() -> None:
            self.latencies.append(time.perf_counter() - asked)
            self.cpu.append(time.thread_time() - asked_cpu + reply_cpu)

        self.call_after_refresh(painted)
        self.answered(message)

    def answered(self, message: Answered) -> None:
        """A lesson started from the chat ("start lesson 2", a lesson chip) opens on the lesson screen,
        with its step header, keys and progress bar; the chat itself stays out of the lesson.
        (The lesson screen overrides this hook to update its header.)"""
        state = message.context.lesson
        if state is not None:
            self.context = replace(self.context, lesson=None)
            self.tutor_app.open_lesson(state.lesson)

    def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        if not event.collapsible.has_class("plot-box"):
            return
        # An opened plot is shown whole from its title, not just its top border at the bottom of the view.
        self._revealing = event.collapsible
        self.call_after_refresh(self.reveal, event.collapsible)
        self.focus_input()

    def action_follow(self, kind: str, about: str) -> None:
        """A link under an older answer: its follow-up, about that answer's topic."""
        from tutor.dialogue.intents import FollowUp
        from tutor.printing import FOLLOW_LABELS

        self.send(FollowUp(kind, about=about or None), FOLLOW_LABELS.get(kind, kind))  # type: ignore[arg-type]

    def action_show(self, node: str) -> None:
        """A link to a topic under an older answer (one of its "did you mean" choices)."""
        from tutor.dialogue.intents import Show

        tutor = self.tutor_app.loaded_tutor()
        known = tutor is not None and node in tutor.kb.nodes
        self.send(Show(node), tutor.kb.nodes[node].title if tutor is not None and known else node)

    def action_focus_latest(self) -> None:
        """Focus the first chip of the latest answer (scrolled into view); with none, Tab's usual next widget."""
        from tutor.ui.widgets import Chip, TutorTurn

        turns = self.query(TutorTurn)
        chips = turns.last().query(Chip) if turns else None
        if chips:
            chips.first().focus()
        else:
            self.focus_next()

    @property
    def tutor_app(self) -> TutorHost:
        """The app, typed as the tutor's own (Textual types ``self.app`` as any ``App``)."""
        return cast("TutorHost", self.app)

    #: How often, and for how long at most, a reveal is retried while heights settle.
    REVEAL_EVERY = 0.03
    REVEAL_TRIES = 8

    @property
    def revealing(self) -> bool:
        """True while a reply is still being scrolled into view (tests wait on this, not on a fixed time)."""
        return self._revealing is not None and self._revealing.is_attached

    def reveal(self, turn: Widget, tries: int = REVEAL_TRIES, seen: tuple | None = None, still: int = 0) -> None:
        """Scroll so that the turn's first line is at the top of the transcript, once it has been laid out.

        Tried again after the next refreshes: plots, derivations and chips settle their
        heights a frame or two later, and the learner's echo asked to scroll to the end.
        Done once the layout has stayed the same for two tries in a row, or after ``REVEAL_TRIES``.
        """
        if not turn.is_attached or self._revealing is not turn:
            return
        transcript = self.query_one("#transcript", VerticalScroll)
        if turn.virtual_region.height:
            transcript.scroll_to_widget(turn, top=True, animate=False, immediate=True)
        now = (turn.virtual_region, transcript.virtual_size, transcript.scroll_y)
        still = still + 1 if now == seen and turn.virtual_region.height else 0
        if tries and still < 2:
            self.set_timer(self.REVEAL_EVERY, lambda: self.reveal(turn, tries - 1, now, still))
        else:
            self._revealing = None

    def action_clear(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.remove_children()
        self.context = Context()
        self.turns = []
        self.focus_input()

    def action_page(self, direction: str) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        (transcript.scroll_page_up if direction == "up" else transcript.scroll_page_down)(animate=False)
        self.focus_input()

    def export_text(self) -> tuple[str, str]:
        """The Markdown ctrl+s writes, and the file name's stem."""
        from tutor.export import conversation_markdown

        return conversation_markdown([(q, r) for q, r in self.turns if r is not None]), "conversation"

    def action_export(self) -> None:
        text, stem = self.export_text()
        self._write_export(text, stem)

    @work(thread=True, group="export")
    def _write_export(self, text: str, stem: str) -> None:
        from tutor.export import write

        try:
            path = write(text, stem=stem)
        except OSError as err:
            self.app.call_from_thread(self.notify, f"Could not save: {err.strerror or err}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Saved as Markdown: {path}", timeout=8)

    def action_focus_input(self) -> None:
        self.focus_input()
