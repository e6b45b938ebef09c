"""Lessons in the app: a list with progress, and a lesson screen that steps through one."""

from __future__ import annotations

from textual.content import Content
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from tutor.ui.chat import ChatScreen
from tutor.dialogue.intents import LessonCommand
from tutor.printing import FOLLOW_LABELS
from tutor.ui.messages import Answered, Send


class LessonListScreen(Screen):
    """Every lesson with the learner's progress; Enter opens one."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="lessons.back")]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Lessons: pick one with the arrows and Enter. Your progress is saved as you go.", id="lessons-intro")
        yield OptionList(id="lesson-list")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True)
    def load(self) -> None:
        tutor = self.app.tutor()
        store = tutor.store()
        rows = [(lid, f"{lesson.title}  ·  {len(lesson.steps)} steps  ·  {store.summary(lid, len(lesson.steps))}\n"
                      f"   {lesson.summary}") for lid, lesson in tutor.kb.lessons.items()]
        self.app.call_from_thread(self.fill, rows)

    def fill(self, rows: list[tuple[str, str]]) -> None:
        options = self.query_one("#lesson-list", OptionList)
        options.clear_options()
        options.add_options([Option(Content(text), id=lid) for lid, text in rows])  # titles are text, never markup
        options.highlighted = 0 if rows else None
        options.focus()

    @on(OptionList.OptionSelected, "#lesson-list")
    def open_lesson(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(LessonScreen(event.option.id))


class LessonScreen(ChatScreen):
    """One lesson: the current step, its checkpoint, hints; questions in between are welcome."""

    BINDINGS = [
        Binding("ctrl+n", "step('next')", "Next", id="lesson.next"),
        Binding("ctrl+b", "step('back')", "Back", id="lesson.back"),
        Binding("ctrl+t", "step('hint')", "Hint", id="lesson.hint"),
        Binding("ctrl+w", "leave", "Leave lesson", id="lesson.leave"),
    ]
    PLACEHOLDER = "Answer the checkpoint, or ask anything… (next, back, hint)"
    WELCOME = ""

    def __init__(self, lesson: str) -> None:
        super().__init__(opening=LessonCommand("start", lesson))
        self.lesson_id = lesson

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="lesson-bar"):
            yield Label("", id="lesson-title")
            yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="lesson-progress")

    def action_step(self, command: str) -> None:
        self.post_message(Send(LessonCommand(command), FOLLOW_LABELS.get(command, command)))  # type: ignore[arg-type]

    def action_leave(self) -> None:
        self.app.pop_screen()

    def answered(self, message: Answered) -> None:
        state = message.context.lesson
        tutor = self.app.loaded_tutor()  # an answer came from it, so it is loaded; never block the event loop
        lesson = tutor.kb.lessons.get(self.lesson_id) if tutor else None
        if lesson is None:
            return
        bar = self.query_one("#lesson-progress", ProgressBar)
        bar.update(total=len(lesson.steps), progress=(state.step + 1) if state else len(lesson.steps))
        self.query_one("#lesson-title", Label).update(Content(
            f"{lesson.title}: step {state.step + 1} of {len(lesson.steps)}" if state else f"{lesson.title}: done"))
