"""The transcript's pieces: a learner's turn, a tutor's turn, a plot, a derivation, chips."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.console import Console, ConsoleOptions
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Static
from textual_plotext import PlotextPlot

from tutor.dialogue.intents import FollowUp, Intent, LessonCommand, Show
from tutor.dialogue.reply import Reply
from tutor.maths.plots import Plot
from tutor.printing import FOLLOW_LABELS, MARK_MARKER, draw, legend, lesson_line
from tutor.ui.glue import glue, unglue
from tutor.ui.messages import Send

RICH_COLORS = {"orange": "dark_orange", "gray": "grey50"}


class Rendered:
    """Rich's Markdown, rendered once per width.

    Textual renders a Rich renderable twice for each new width: once to measure its height, once to
    draw it. Markdown is parsed once (in ``RichMarkdown``) but laid out on each render, the larger part
    of an answer's cost on the event loop; the lines it gives for a width are kept here.
    """

    def __init__(self, markdown: str) -> None:
        self.markup = markdown  # the source, as RichMarkdown names it
        self.markdown = RichMarkdown(glue(markdown))  # inline formulas are not broken across lines
        self._lines: dict[tuple, list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        key = (options.max_width, options.min_width, options.justify, options.overflow, options.no_wrap)
        lines = self._lines.get(key)
        if lines is None:
            if len(self._lines) >= 4:  # a few widths at most (the terminal resized)
                self._lines.clear()
            lines = self._lines[key] = unglue(list(console.render(self.markdown, options)))
        yield from lines


class Glued:
    """Plain text (a derivation step's reason) wrapped as prose, its inline formulas never split across lines:
    "d/dŷ -(1 - y)·ln(1 - ŷ) = (1 - y)/(1 - ŷ)" breaks between terms, not inside "(1 - y)"."""

    def __init__(self, text: str) -> None:
        self.text = Text(glue(text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        yield from unglue(list(console.render(self.text, options)))


class PlotCanvas(PlotextPlot):
    """The curves, drawn by the same :func:`printing.draw` as the CLI: round ticks, no second title."""

    def __init__(self, plot: Plot, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = plot

    def on_mount(self) -> None:
        draw(self.plt, self.data)


class PlotView(Vertical):
    """A plot: its legend and y label on a line above the curves (never over them), then the curves."""

    def __init__(self, plot: Plot, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = plot

    def compose(self) -> ComposeResult:
        key = Text()
        marks = self.data.marks
        pieces = [(p, c) for p, c in legend(self.data) if not (marks and p.startswith(MARK_MARKER))]
        for i, (piece, color) in enumerate(pieces):
            # plotext's colour names, as Rich spells them ("orange" is not one of Rich's).
            key.append(("   " if i else "") + piece, style=RICH_COLORS.get(color, color) if color else "bold")
        yield Static(key, classes="legend")
        if marks:
            # The marked value in words beside the picture (the tutor computed it): "● -ln ŷ at ŷ = 0.99 is 0.01".
            yield Static(
                Text(f"{MARK_MARKER} Marked: " + "; ".join(m.label for m in marks), style="red"), classes="marks"
            )
        yield PlotCanvas(self.data, classes="canvas")


class LazyPlot(Static):
    """Mounts the real plot the first time its collapsible is opened."""

    def __init__(self, plot: Plot) -> None:
        super().__init__("")
        self.plot = plot
        self.drawn = False

    def on_show(self) -> None:
        if not self.drawn:
            self.drawn = True
            self.mount(PlotView(self.plot, classes="plot"))


class Chip(Button):
    """A follow-up or a choice: pressing it sends its intent (never text to be parsed again)."""

    def __init__(self, label: str, intent: Intent) -> None:
        # Button(label, compact=True) sets three reactives whose classes each restyle the (unmounted) button
        # against the whole stylesheet: ~1 ms each, six chips an answer. The same state, set quietly: the
        # classes Button's watchers would give a compact, default-variant, non-flat button.
        Widget.__init__(self, classes="chip -style-default -textual-compact")
        self.set_reactive(Button.variant, "default")
        self.set_reactive(Button.flat, False)
        self.set_reactive(Button.compact, True)
        self.set_reactive(Button.label, Content(label))  # a title is text, never markup
        self.action = None
        self.active_effect_duration = 0.2
        self.intent = intent
        self.label_text = label

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(Send(self.intent, self.label_text))


class LearnerTurn(Static):
    def __init__(self, text: str) -> None:
        super().__init__(text, classes="learner", markup=False)


class DerivationView(Vertical):
    """Numbered steps, each with its rule, collapsible; the LaTeX on demand."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(classes="derivation")
        self.reply = reply

    def compose(self) -> ComposeResult:
        from tutor.maths import derive  # already imported: the core built this derivation

        d = self.reply.derivation
        if self.reply.lead:  # the verdict on the learner's own derivative comes before the steps that show it
            yield Static(Rendered(self.reply.lead), classes="lead")
        # A derivative asked at a point ends in a number: the note that says it (and what its sign means) is the
        # answer, so it comes first, in view, rather than under a screenful of steps.
        answer_first = bool(d.summary) and bool(d.steps) and bool(getattr(d.steps[-1].expression, "is_number", False))
        if answer_first:
            yield Static(Glued(d.summary), classes="lead")
        for i, step in enumerate(d.steps, 1):
            with Collapsible(title=f"{i}. {step.rule}", collapsed=False, classes="step"):
                yield Static(Glued(step.why), classes="why")
                yield Static("\n".join(derive.step_lines(step)), classes="math", markup=False)
        if d.summary and not answer_first:
            yield Static(Glued(d.summary), classes="summary")
        with Collapsible(title="LaTeX", collapsed=True, classes="latex"):
            yield Static(derive.to_latex(d), markup=False)
        yield Static(derive.VERIFIED, classes="verified")


#: Follow-ups that are lesson commands when the reply is a lesson step.
_LESSON_FOLLOWUPS = ("next", "back", "hint")


def follow_intent(reply: Reply, name: str) -> Intent:
    """The intent a follow-up chip sends: in a lesson next/back/hint step the lesson, elsewhere they follow the topic."""
    if reply.lesson is not None and reply.kind == "lesson" and name in _LESSON_FOLLOWUPS:
        return LessonCommand(name)  # type: ignore[arg-type]
    return FollowUp(name, about=reply.node)  # type: ignore[arg-type]


#: A node id or follow-up kind, safe to write into a link's action (content ids are checked the same way).
_SAFE_ARG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def link_action(intent: Intent) -> str | None:
    """The screen action a link under an older answer runs for ``intent`` (None: no link for it)."""
    if isinstance(intent, FollowUp) and _SAFE_ARG.fullmatch(intent.kind):
        about = intent.about or ""
        if about == "" or _SAFE_ARG.fullmatch(about):
            return f"screen.follow('{intent.kind}', '{about}')"
    if isinstance(intent, Show) and intent.section is None and _SAFE_ARG.fullmatch(intent.node):
        return f"screen.show('{intent.node}')"
    return None  # a lesson's next/back/hint belongs to the step it was shown at


class TutorTurn(Vertical):
    """One reply: title, Markdown (or a derivation), an optional plot, and chips to go on."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(classes=f"tutor kind-{reply.kind}")
        self.reply = reply
        self.settled = False

    def settle(self) -> None:
        """An older answer: its row of buttons becomes one line of links that do the same (one widget, not
        seven: each answer's layout walks the whole transcript, so live buttons on every old answer made
        each new one slower). Links are clicked, not tabbed to: Tab goes to the latest answer's buttons."""
        if self.settled:
            return
        self.settled = True
        rows = self.query(".chips")
        if not rows:
            return
        links = [
            Content.from_markup(f"[@click={action}]$label[/]", label=chip.label_text)
            for chip in self.query(Chip)
            if (action := link_action(chip.intent)) is not None
        ]
        rows.remove()
        if links:
            self.mount(Static(Content("   ").join(links), classes="links"))

    def compose(self) -> ComposeResult:
        r = self.reply
        if r.title:
            yield Static(r.title, classes="title", markup=False)
        if r.plot is not None and r.kind == "plot":
            yield PlotView(r.plot, classes="plot")  # the picture asked for first, its words below
        if r.derivation is not None:
            yield DerivationView(r)
        else:
            # One Static with Rich's Markdown renders in a third of the time of Textual's
            # Markdown widget (a widget per block), which keeps Enter-to-answer quick.
            yield Static(Rendered(r.markdown), classes="body")
        if r.plot is not None:
            if r.kind == "plot":
                pass
            else:  # a topic's plot is one keypress away, drawn only when opened
                with Collapsible(title=f"Plot: {r.plot.title}", collapsed=True, classes="plot-box"):
                    yield LazyPlot(r.plot)
        if r.lesson is not None and r.kind != "lesson":
            yield Static(Rendered(lesson_line(r)), classes="lesson-note")
        if r.choices:
            chips = [Chip(f"{i}. {c.label}", c.intent) for i, c in enumerate(r.choices, 1)]
            yield Vertical(*chips, classes="chips choices")  # whole titles, one a line: never cut off
        elif r.followups:
            yield Horizontal(
                *(Chip(FOLLOW_LABELS.get(f, f), follow_intent(r, f)) for f in r.followups), classes="chips follow"
            )
