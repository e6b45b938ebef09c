"""Rendering of replies for the CLI: plain text / Markdown here (no Rich, no Textual); Rich rendering lives in :mod:`tutor.ui.terminal`.

:func:`draw` puts a core :class:`Plot` on a plotext figure; the CLI (plotext) and the app
(textual-plotext) both call it, so the two pictures agree: round ticks, the y label
and the legend outside the curves (in :func:`legend`), no second title.
"""

from __future__ import annotations

import re

from tutor.dialogue.reply import Reply
from tutor.maths.plots import Plot, nice_range, tick_label

FOLLOW_LABELS = {
    "why": "why?",
    "example": "an example",
    "simpler": "simpler",
    "deeper": "go deeper",
    "plot": "plot",
    "derive": "derive it",
    "next": "next",
    "back": "back",
    "hint": "hint",
}

#: Curves told apart by marker (for a monochrome terminal) and by colour.
MARKERS = ("braille", "•", "x", "+")
COLORS = ("cyan", "orange", "green", "magenta")
MARK_MARKER = "●"
#: What a marker looks like in a legend.
MARKER_KEYS = {"braille": "⣿"}


def draw(plt, plot: Plot, colors: bool = True) -> None:
    """Draw ``plot`` on a plotext figure ``plt`` (plotext itself, or textual-plotext's ``self.plt``)."""
    xs = [v for s in plot.series for v in s.x]
    ys = [v for s in plot.series for v in s.y] + [m.y for m in plot.marks]
    if not xs:
        return
    for i, s in enumerate(plot.series):
        plt.plot(
            list(s.x), list(s.y), marker=MARKERS[i % len(MARKERS)], color=COLORS[i % len(COLORS)] if colors else None
        )
    x0, x1, xt = nice_range(min(xs), max(xs))
    y0, y1, yt = nice_range(min(ys), max(ys))
    if xt and x0 < min(xs) and min(xs) - x0 < (x1 - x0) / 20:
        x0 = x0  # ticks start at a round number just left of the data (0 for ln on (0, 3])
    plt.xlim(x0, x1)
    plt.ylim(y0, y1)
    plt.xticks(xt, [tick_label(v) for v in xt])
    plt.yticks(yt, [tick_label(v) for v in yt])
    if y0 < 0 < y1:
        plt.hline(0, "gray" if colors else None)
    for m in plot.marks:
        plt.scatter([m.x], [m.y], marker=MARK_MARKER, color="red" if colors else None)
    plt.xlabel(plot.xlabel)


def legend(plot: Plot) -> list[tuple[str, str | None]]:
    """The legend, drawn outside the curves: (text, colour) pieces, the y axis's label first."""
    out: list[tuple[str, str | None]] = [(f"↑ {plot.ylabel}", None)]
    for i, s in enumerate(plot.series):
        if len(plot.series) == 1 and s.label == plot.ylabel:
            break  # one curve, already named by the axis label
        m = MARKERS[i % len(MARKERS)]
        out.append((f"{MARKER_KEYS.get(m, m)} {s.label}", COLORS[i % len(COLORS)]))
    values = sorted({m.x for m in plot.marks})
    if values:
        out.append((f"{MARK_MARKER} {plot.xlabel} = " + ", ".join(f"{v:g}" for v in values), "red"))
    return out


def text_plot(plot: Plot, width: int = 70, height: int = 18) -> str:
    import plotext as plt  # imported only when a plot is printed

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    draw(plt, plot, colors=False)
    key = "   ".join(text for text, _ in legend(plot))
    return key + "\n" + plt.uncolorize(plt.build())


def plot_in_words(plot: Plot, said: str = "") -> str:
    """A plot for a screen reader: what each curve does (unless ``said`` already says it), then a small table of values."""
    words = plot.describe()
    lines = [] if words in said else [words]
    table = plot.table(5)
    if table:
        lines += ["", "| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
        lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
    return "\n".join(lines)


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
    then = ", again to see the step, or answer its checkpoint" if pos.waiting else " or again to see the step"
    return f"*You are in the lesson {pos.title}, step {pos.step}: type next to go on{then}.*"


def reply_text(reply: Reply, with_plot: bool = True, *, one_shot: bool = False, words: bool = False) -> str:
    """The reply as Markdown text. ``one_shot``: no numbered choices to type, for a reply that cannot come
    (``tutor ask``); ``words``: plots described in words and a table instead of drawn (screen readers)."""
    parts = []
    if reply.title:
        parts.append(f"# {reply.title}\n")
    if reply.lesson is not None and reply.kind == "lesson":
        parts.append(lesson_line(reply) + "\n")
    body = reply.markdown
    if words and reply.derivation is not None:  # 2-D formulas read as noise: one line a formula instead
        from tutor.maths.derive import to_words

        body = (reply.lead + "\n\n" if reply.lead else "") + to_words(reply.derivation)
    parts.append(body)
    if reply.choices and one_shot:
        parts.append("\n" + "\n".join(f"- {c.label}" for c in reply.choices))
        if reply.alternatives and reply.kind in ("clarify", "fallback"):
            parts.append(
                "\nAsk again with the topic's title, for example: tutor ask \""
                + reply.alternatives[0].title.rstrip("?")
                + '"'
            )
    elif reply.choices:
        parts.append("\n" + choices_text(reply) + "\n\n(Type a number to choose.)")
    if reply.lesson is not None and reply.kind != "lesson":
        parts.append("\n" + lesson_line(reply))
    if reply.plot is not None and with_plot and reply.kind in ("plot", "answer", "compute", "lesson"):
        # A fenced block: Markdown keeps the picture's columns (a forum, Rich, a pager).
        parts.append(
            "\n"
            + (
                plot_in_words(reply.plot, said=body)
                if words
                else "```text\n" + text_plot(reply.plot).rstrip() + "\n```"
            )
        )
    if reply.kind == "answer" and reply.followups:
        parts.append("\nFollow up: " + " · ".join(FOLLOW_LABELS.get(f, f) for f in reply.followups))
    text = "\n".join(parts)
    return as_prose(text) if words else text


_HEADING = re.compile(r"^#{1,6}\s+", re.M)
_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*")  # may span a line break
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_FENCE = re.compile(r"^```\w*\s*$\n?", re.M)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def as_prose(text: str) -> str:
    """Markdown as a screen reader should read it: no marks spoken aloud ("star star", "vertical line"),
    headings as plain lines, and each table row as "heading value, heading value"."""
    text = _FENCE.sub("", text)
    text = _CODE.sub(r"\1", _EMPHASIS.sub(r"\1", _STRONG.sub(r"\1", _HEADING.sub("", text))))
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        is_table = (
            line.lstrip().startswith("|") and i + 1 < len(lines) and re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[i + 1])
        )
        if is_table and set(lines[i + 1].strip()) <= set("|:- "):
            head = _cells(line)
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                row = _cells(lines[i])
                out.append(", ".join(f"{h} {v}" if h else v for h, v in zip(head, row)) + ".")
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)
