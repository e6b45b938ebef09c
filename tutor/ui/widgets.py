"""The transcript's pieces: a learner's turn, a tutor's turn, a plot, a derivation, chips."""

from __future__ import annotations

import re

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Collapsible, Static
from textual_plotext import PlotextPlot

from tutor.maths.plots import Plot
from tutor.printing import FOLLOW_LABELS, draw, legend
from tutor.dialogue.reply import Reply, choices_markdown
from tutor.ui.messages import Ask


RICH_COLORS = {"orange": "dark_orange", "gray": "grey50"}


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
        for i, (piece, color) in enumerate(legend(self.data)):
            # plotext's colour names, as Rich spells them ("orange" is not one of Rich's).
            key.append(("   " if i else "") + piece, style=RICH_COLORS.get(color, color) if color else "bold")
        yield Static(key, classes="legend")
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
    """A follow-up or a choice: pressing it asks ``text``."""

    def __init__(self, label: str, text: str) -> None:
        super().__init__(label, compact=True, classes="chip")
        self.text = text

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(Ask(self.text))


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
        for i, step in enumerate(d.steps, 1):
            label = f"{step.lhs} = " if step.lhs else ""
            body = derive.pretty(step.expression).split("\n")
            mid = len(body) // 2
            lines = [(label if j == mid else " " * len(label)) + line for j, line in enumerate(body)]
            with Collapsible(title=f"{i}. {step.rule}", collapsed=False, classes="step"):
                yield Static(step.why, classes="why", markup=False)
                yield Static("\n".join(lines), classes="math", markup=False)
        if d.summary:
            yield Static(d.summary, classes="summary", markup=False)
        with Collapsible(title="LaTeX", collapsed=True, classes="latex"):
            yield Static(derive.to_latex(d), markup=False)
        yield Static("Every step is verified by SymPy, symbolically and at random points.", classes="verified")


def _without_listed_choices(r: Reply) -> str:
    """The reply's text without its numbered list of choices or lessons: the app shows them as buttons.

    The list may be followed by more text (the lesson reminder the engine appends), so it is
    cut where it stands, not only at the end.
    """
    if r.kind in ("clarify", "fallback") and r.alternatives:
        listed = choices_markdown(r.alternatives)
        return r.markdown.replace(listed, "", 1).rstrip() if listed in r.markdown else r.markdown
    if r.kind == "lesson" and r.alternatives and r.node is None:
        # The lesson list: keep its opening line and anything after the numbered entries.
        kept, in_list = [], False
        for line in r.markdown.splitlines():
            if re.match(r"\d+\. ", line):
                in_list = True
                continue
            if in_list and (line.startswith("   ") or not line.strip()):
                continue
            in_list = False
            kept.append(line)
        return "\n".join(kept).rstrip()
    return r.markdown


class TutorTurn(Vertical):
    """One reply: title, Markdown (or a derivation), an optional plot, and chips to go on."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(classes=f"tutor kind-{reply.kind}")
        self.reply = reply

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
            yield Static(RichMarkdown(_without_listed_choices(r)), classes="body")
        if r.plot is not None:
            if r.kind == "plot":
                pass
            else:  # a topic's plot is one keypress away, drawn only when opened
                with Collapsible(title=f"Plot: {r.plot.title}", collapsed=True, classes="plot-box"):
                    yield LazyPlot(r.plot)
        if r.kind in ("clarify", "fallback"):
            choices = [Chip(f"{i}. {a.title}", str(i)) for i, a in enumerate(r.alternatives, 1)]
        elif r.kind == "lesson" and r.alternatives and r.node is None:
            choices = [Chip(a.title, f"start lesson {a.node}") for a in r.alternatives]
        else:
            choices = []
        if choices:
            yield Vertical(*choices, classes="chips choices")  # whole titles, one a line: never cut off
        elif r.followups:
            yield Horizontal(*(Chip(FOLLOW_LABELS.get(f, f), FOLLOW_LABELS.get(f, f)) for f in r.followups), classes="chips")
