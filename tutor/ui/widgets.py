"""The transcript's pieces: a learner's turn, a tutor's turn, a plot, follow-up chips."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Markdown, Static
from textual_plotext import PlotextPlot

from tutor.plots import Plot
from tutor.printing import FOLLOW_LABELS
from tutor.reply import Reply
from tutor.ui.messages import Ask


class PlotView(PlotextPlot):
    """A plot computed by the core, drawn with plotext."""

    def __init__(self, plot: Plot, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = plot

    def on_mount(self) -> None:
        plt = self.plt
        markers = ["braille", "dot"]
        for i, s in enumerate(self.data.series):
            plt.plot(list(s.x), list(s.y), label=s.label, marker=markers[i % 2])
        plt.title(self.data.title)
        plt.xlabel(self.data.xlabel)
        plt.ylabel(self.data.ylabel)


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


class TutorTurn(Vertical):
    """One reply: title, Markdown, an optional plot, and chips to go on."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(classes=f"tutor kind-{reply.kind}")
        self.reply = reply

    def compose(self) -> ComposeResult:
        r = self.reply
        if r.title:
            yield Static(r.title, classes="title", markup=False)
        yield Markdown(r.markdown if r.derivation is None else self._derivation_md())
        if r.plot is not None:
            yield PlotView(r.plot, classes="plot")
        chips = []
        if r.kind in ("clarify", "fallback"):
            chips = [Chip(f"{i}. {a.title}", str(i)) for i, a in enumerate(r.alternatives, 1)]
        elif r.followups:
            chips = [Chip(FOLLOW_LABELS.get(f, f), FOLLOW_LABELS.get(f, f)) for f in r.followups]
        if chips:
            yield Horizontal(*chips, classes="chips")

    def _derivation_md(self) -> str:
        return self.reply.markdown
