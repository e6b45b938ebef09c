"""Lessons in the app: a list with progress, and a lesson screen that steps through one."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from tutor.dialogue.intents import LessonCommand
from tutor.printing import FOLLOW_LABELS
from tutor.ui.chat import ChatScreen
from tutor.ui.messages import Answered, Send

if TYPE_CHECKING:
    from tutor.ui.host import TutorHost


def fit_title(prefix: str, title: str, suffix: str, width: int) -> str:
    """``prefix title suffix`` in ``width`` cells: the suffix dropped first, then the title cut at a word with
    "…". The prefix (the step number) always stays."""
    whole = f"{prefix}{title}{suffix}"
    if width <= 0 or cell_len(whole) <= width:
        return whole
    if cell_len(prefix + title) <= width:
        return prefix + title
    room = width - cell_len(prefix) - 1
    words, cut = title.split(), ""
    for word in words:
        if cell_len(f"{cut} {word}".strip()) > room:
            break
        cut = f"{cut} {word}".strip()
    return prefix + (cut or title[: max(room, 0)]).rstrip(" ,:;·") + "…"


class StepTitle(Widget):
    """The lesson header's words, shortened to fit its width (the step number is never cut)."""

    parts: reactive[tuple[str, str, str]] = reactive(("Opening the lesson…", "", ""))

    def set(self, prefix: str, title: str = "", suffix: str = "") -> None:
        self.parts = (prefix, title, suffix)

    def render(self) -> Content:
        return Content(fit_title(*self.parts, self.size.width))  # a title is text, never markup


class LessonListScreen(Screen):
    """Every lesson with the learner's progress; Enter opens one."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="lessons.back")]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(
            "Lessons: pick one with the arrows and Enter. Your progress is saved as you go.", id="lessons-intro"
        )
        yield OptionList(id="lesson-list")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()  # back from help or a dialog: progress may have moved

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        tutor = cast("TutorHost", self.app).tutor()
        store = tutor.store()
        rows = []
        for lid, lesson in tutor.kb.lessons.items():
            # Title, then its status on the same line, set apart; the description on a line of its own.
            prompt = Text()
            prompt.append(lesson.title, style="bold")
            prompt.append(f"  ·  {len(lesson.steps)} steps  ·  {store.summary(lid, len(lesson.steps))}", style="italic")
            prompt.append("\n")
            prompt.append(lesson.summary, style="dim")
            rows.append((lid, prompt))
        self.app.call_from_thread(self.fill, rows)

    def fill(self, rows: list[tuple[str, Text]]) -> None:
        options = self.query_one("#lesson-list", OptionList)
        options.clear_options()
        options.add_options([Option(text, id=lid) for lid, text in rows])
        options.highlighted = 0 if rows else None
        options.focus()

    @on(OptionList.OptionSelected, "#lesson-list")
    def open_lesson(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            cast("TutorHost", self.app).open_lesson(event.option.id)


class LessonScreen(ChatScreen):
    """One lesson: the current step, its checkpoint, hints; questions in between are welcome."""

    BINDINGS = [
        Binding("ctrl+n", "step('next')", "Next", id="lesson.next"),
        Binding("ctrl+b", "step('back')", "Back", id="lesson.back"),
        Binding("ctrl+t", "step('hint')", "Hint", id="lesson.hint"),
        Binding("escape", "leave", "Leave", id="lesson.leave"),
        Binding("ctrl+l", "clear", "Clear", show=False, id="chat.clear"),
        Binding("ctrl+q", "app.quit", "Quit", show=False, id="chat.quit"),
    ]
    PLACEHOLDER = "Answer the checkpoint, or ask anything… (next, back, hint)"
    SHORT_PLACEHOLDER = "Answer, or ask anything… (next, back, hint)"
    WELCOME = ""
    SHOW_PALETTE = False  # room for the lesson's keys and F1/F2 at 60 columns

    def __init__(self, lesson: str) -> None:
        super().__init__(opening=LessonCommand("start", lesson))
        self.lesson_id = lesson
        self.step: int | None = None

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="lesson-bar"):
            yield StepTitle(id="lesson-title")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="lesson-progress")

    def action_step(self, command: str) -> None:
        self.post_message(Send(LessonCommand(command), FOLLOW_LABELS.get(command, command)))  # type: ignore[arg-type]

    def action_leave(self) -> None:
        self.app.pop_screen()

    def export_text(self) -> tuple[str, str]:
        from tutor.export import lesson_markdown

        text, _ = super().export_text()
        tutor = self.tutor_app.loaded_tutor()
        if tutor is not None and self.lesson_id in tutor.kb.lessons:
            text = lesson_markdown(tutor.kb, tutor.store(), self.lesson_id) + "\n" + text
        return text, f"lesson-{self.lesson_id}"

    def answered(self, message: Answered) -> None:
        state = message.context.lesson
        tutor = self.tutor_app.loaded_tutor()  # an answer came from it, so it is loaded; never block the event loop
        lesson = tutor.kb.lessons.get(self.lesson_id) if tutor else None
        if lesson is None:
            return
        n = len(lesson.steps)
        bar = self.query_one("#lesson-progress", ProgressBar)
        title = self.query_one("#lesson-title", StepTitle)
        if state is not None and state.lesson != self.lesson_id:
            # Another lesson started from this one ("start lesson 4"): it opens on its own screen, with its own
            # header and progress, rather than under this lesson's header marked paused.
            self.context = replace(self.context, lesson=None)
            self.tutor_app.open_lesson(state.lesson)
            return
        if state is not None and state.lesson == self.lesson_id:
            self.step = state.step
            bar.update(total=n, progress=state.step + 1)
            title.set(f"Step {state.step + 1}/{n} · ", lesson.title)
            self.query_one("#ask", Input).placeholder = self.placeholder_for(self.size.width)
        elif message.reply.title == "Lesson complete":
            bar.update(total=n, progress=n)
            title.set(f"Done {n}/{n} · ", lesson.title)
        elif self.step is not None:
            # Left with 'quit lesson' (or another lesson started): paused where it was, said plainly.
            number = list(tutor.kb.lessons).index(lesson.id) + 1 if tutor else lesson.id  # as the lesson list counts
            bar.update(total=n, progress=self.step + 1)
            title.set(f"Paused at step {self.step + 1}/{n} · ", lesson.title, " (Esc to leave)")
            self.query_one(
                "#ask", Input
            ).placeholder = f"Paused: Esc leaves, 'start lesson {number}' resumes; or ask…"  # fits 60 columns
