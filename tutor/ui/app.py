"""The Textual app and its one composition root, :func:`make_app`."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from tutor.ui.chat import ChatScreen
from tutor.ui.providers import TopicsProvider

# Imported before the first paint: Textual, the chat screen and nothing else of ours. The engine (content,
# matcher, NumPy), the answer widgets (Rich's Markdown, plotext), lessons and help come after it.
if TYPE_CHECKING:
    from tutor.dialogue.engine import Tutor
    from tutor.store.progress import Store

#: Narrower than this (columns), the screen is "-narrow": chips wrap, the subtitle is short.
NARROW = 72
SHORT_SUB_TITLE = "binary cross-entropy"

# gc.freeze() after each start-up stage: what was loaded (modules, the content, the matcher's index, SymPy)
# lives as long as the app, and moved out of the collector's reach it is no longer scanned by every full
# collection. Those collections, about one in seven answers, took 40–240 ms each on the event loop: the
# slow tail of Enter-to-answer.

#: Seconds after start-up before SymPy is imported in the background.
WARM_AFTER = 1.5


class TutorApp(App):
    TITLE = "tutor"
    SUB_TITLE = "the mathematics of binary cross-entropy"
    CSS_PATH = "tutor.tcss"
    COMMANDS = App.COMMANDS | {TopicsProvider}
    #: Below 72 columns the screen has the class -narrow: follow-up chips wrap onto a grid instead of running off.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("f2", "lessons", "Lessons", id="app.lessons"),
    ]

    def __init__(
        self,
        content: Iterable[Path] = (),
        lesson: str | None = None,
        store: Store | None = None,
        engine: Tutor | None = None,
        builtin: bool = True,
    ) -> None:
        super().__init__()
        self.content = list(content)
        self.builtin = builtin
        self.lesson = lesson
        self._store = store
        self._tutor: Tutor | None = engine
        self._lock = threading.Lock()

    def on_resize(self, event: events.Resize) -> None:
        # The header is one line: on a narrow terminal the subtitle is shortened rather than cut with "…".
        self.sub_title = self.SUB_TITLE if event.size.width >= NARROW else SHORT_SUB_TITLE

    def get_default_screen(self) -> ChatScreen:
        # The chat is the first screen, composed before the first paint: keys typed early reach its input.
        return ChatScreen()

    def on_mount(self) -> None:
        from rich.theme import Theme

        # Inline code: Rich's default (cyan on black) is unreadable on the light themes; bold reads on every theme.
        self.console.push_theme(Theme({"markdown.code": "bold", "markdown.code_block": "none"}))
        if self.lesson is not None:
            from tutor.ui.lessons import LessonListScreen, LessonScreen

            self.push_screen(LessonScreen(self.lesson) if self.lesson else LessonListScreen())
        # Load content only after the first screen is painted, so the two do not compete.
        self.call_after_refresh(self.run_worker, self._start, thread=True, group="load")
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _start(self) -> None:
        from tutor.ui import widgets  # noqa: F401  (the answer widgets, ready before the first answer)

        keymap = read_keymap()
        if keymap:
            self.call_from_thread(self.set_keymap, keymap)
        tutor = self.tutor()
        warm(tutor)
        theme = tutor.store().setting("theme")
        if theme and theme in self.available_themes:
            self.call_from_thread(setattr, self, "theme", theme)
        gc.freeze()
        self.call_from_thread(self.set_timer, WARM_AFTER, self._warm)

    def _warm(self) -> None:
        self.run_worker(self._warm_sympy, thread=True, group="warm")
        self.run_worker(self._warm_matcher, thread=True, group="warm")

    def _warm_matcher(self) -> None:
        self.tutor().topics.warm()  # the matcher's model and index
        gc.freeze()

    @staticmethod
    def _warm_sympy() -> None:
        from tutor.maths import derive  # SymPy costs ~0.3 s to import: pay it while the learner reads

        derive.derive("bce")
        gc.freeze()

    def _theme_changed(self, theme) -> None:
        if self._tutor is not None:
            self.run_worker(lambda: self._tutor.store().set_setting("theme", theme.name), thread=True, group="save")

    def tutor(self) -> Tutor:
        """The core, built once, off the event loop (callers are workers)."""
        with self._lock:
            if self._tutor is None:
                from tutor.dialogue.engine import Tutor

                self._tutor = Tutor.from_folders(self.content, store=self._store, builtin=self.builtin)
                problems = self._tutor.kb.problems
                if problems:
                    self.call_from_thread(
                        self.notify,
                        f"{len(problems)} content problem(s) were skipped; run 'tutor validate' to see them.",
                        severity="warning",
                    )
                notice = self._tutor.store().take_notice()
                if notice:
                    self.call_from_thread(self.notify, notice, severity="warning", timeout=10)
            return self._tutor

    def loaded_tutor(self) -> Tutor | None:
        return self._tutor

    def show_node(self, node: str) -> None:
        if not isinstance(self.screen, ChatScreen):
            self.pop_screen()
        tutor = self.loaded_tutor()
        title = tutor.kb.nodes[node].title if tutor and node in tutor.kb.nodes else node
        from tutor.dialogue.intents import Show
        from tutor.ui.messages import Send

        self.screen.post_message(Send(Show(node), title))

    def open_lesson(self, lesson: str) -> None:
        """One lesson at a time, straight over the chat: a lesson list or an earlier lesson is closed
        first, so Esc leads back to the chat and never into a lesson already left."""
        self.run_worker(self._open_lesson(lesson), group="open-lesson", exclusive=True)

    async def _open_lesson(self, lesson: str) -> None:
        while len(self.screen_stack) > 1:
            await self.pop_screen()  # one at a time: two pops in one go left the new lesson deaf to Esc
        from tutor.ui.lessons import LessonScreen

        await self.push_screen(LessonScreen(lesson))

    def action_help(self) -> None:
        from tutor.ui.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_lessons(self) -> None:
        from tutor.ui.lessons import LessonListScreen

        if not isinstance(self.screen, LessonListScreen):
            self.push_screen(LessonListScreen())


#: Asked once, unseen, right after the first paint: whatever the matcher builds or loads lazily is ready for the learner's question.
WARM_QUESTION = "why the minus sign?"


def warm(tutor: Tutor) -> None:
    """One throwaway answer: warms the core's matcher (an index, a model) whatever its implementation."""
    from tutor.dialogue.reply import Context

    tutor.reply(WARM_QUESTION, Context())


def read_keymap() -> dict[str, str]:
    """Remapped keys from ``<data dir>/keymap.toml``: ``[keys]`` then ``binding-id = "key"``."""
    import tomllib

    from tutor.content.files import read_regular, toml_limits
    from tutor.store.locations import keymap_path

    try:  # a regular file of at most 64 KB, nested and dotted within limits, or no remapping
        text = read_regular(keymap_path(), 65536).decode("utf-8")
        data = tomllib.loads(text) if len(text) <= 65536 and toml_limits(text) is None else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}
    keys = data.get("keys", {})
    return (
        {k: v for k, v in keys.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(keys, dict) else {}
    )


def make_app(
    content: Iterable[Path] = (),
    lesson: str | None = None,
    store: Store | None = None,
    engine: Tutor | None = None,
    builtin: bool = True,
) -> TutorApp:
    """The one place the app is built: used by the CLI, the tests and snapshot apps.

    ``engine`` is a core already built (tests pass a small one, or share one between apps).
    """
    return TutorApp(content=content, lesson=lesson, store=store, engine=engine, builtin=builtin)
