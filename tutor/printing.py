"""Plain-text rendering of replies for the CLI (no Rich, no Textual)."""

from __future__ import annotations

from tutor.maths.plots import Plot
from tutor.dialogue.reply import Reply

FOLLOW_LABELS = {"why": "why?", "example": "an example", "simpler": "simpler", "deeper": "go deeper",
                 "plot": "plot", "derive": "derive it", "next": "next", "back": "back", "hint": "hint"}


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


def choices_text(reply: Reply) -> str:
    """The numbered choices a reply offers (the learner may type a number)."""
    return "\n".join(f"{i}. {c.label}" for i, c in enumerate(reply.choices, 1))


def lesson_line(reply: Reply) -> str:
    """Where the learner is in a lesson, in words."""
    pos = reply.lesson
    if pos is None:
        return ""
    if reply.kind == "lesson":
        return f"*Lesson: {pos.title}, step {pos.step} of {pos.of}.*"
    return (f"*You are in the lesson {pos.title}, step {pos.step}: type next to go on, again to see the step, "
            "or answer its checkpoint.*")


def reply_text(reply: Reply, with_plot: bool = True) -> str:
    parts = []
    if reply.title:
        parts.append(f"# {reply.title}\n")
    if reply.lesson is not None and reply.kind == "lesson":
        parts.append(lesson_line(reply) + "\n")
    parts.append(reply.markdown)
    if reply.choices:
        parts.append("\n" + choices_text(reply))
    if reply.lesson is not None and reply.kind != "lesson":
        parts.append("\n" + lesson_line(reply))
    if reply.plot is not None and with_plot and reply.kind in ("plot", "answer", "compute"):
        parts.append("\n" + text_plot(reply.plot))
    if reply.kind == "answer" and reply.followups:
        parts.append("\nFollow up: " + " · ".join(FOLLOW_LABELS.get(f, f) for f in reply.followups))
    return "\n".join(parts)
