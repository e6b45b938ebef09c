"""Plain-text rendering of replies for the CLI (no Rich, no Textual)."""

from __future__ import annotations

from tutor.maths.plots import Plot
from tutor.dialogue.reply import Reply

FOLLOW_LABELS = {"why": "why?", "example": "an example", "simpler": "simpler", "deeper": "go deeper",
                 "plot": "plot", "derive": "derive it", "next": "next"}


def text_plot(plot: Plot, width: int = 70, height: int = 18) -> str:
    import plotext as plt  # imported only when a plot is printed

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    markers = ["braille", "dot"]
    for i, s in enumerate(plot.series):
        plt.plot(list(s.x), list(s.y), label=s.label, marker=markers[i % 2])
    plt.title(plot.title)
    plt.xlabel(plot.xlabel)
    plt.ylabel(plot.ylabel)
    return plt.uncolorize(plt.build())


def reply_text(reply: Reply, with_plot: bool = True) -> str:
    parts = []
    if reply.title:
        parts.append(f"# {reply.title}\n")
    parts.append(reply.markdown)
    if reply.plot is not None and with_plot and reply.kind in ("plot", "answer", "compute"):
        parts.append("\n" + text_plot(reply.plot))
    if reply.kind == "answer" and reply.followups:
        parts.append("\nFollow up: " + " · ".join(FOLLOW_LABELS.get(f, f) for f in reply.followups))
    return "\n".join(parts)
