"""A conversation or a lesson summary as Markdown, the way a learner would paste it into a forum.

Used by ``ctrl+s`` in the app and ``tutor export``. Plots are given in words and a small
table (a picture made of braille dots does not survive a forum); no Rich, no Textual.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.dialogue.reply import Reply

if TYPE_CHECKING:
    from tutor.content.nodes import KnowledgeBase
    from tutor.store.progress import Store


def reply_markdown(reply: Reply) -> str:
    from tutor.printing import plot_in_words

    parts = [f"**Tutor: {reply.title}**" if reply.title else "**Tutor:**", "", reply.markdown]
    if reply.plot is not None:
        parts += ["", f"*Plot: {reply.plot.title}*", "", plot_in_words(reply.plot, said=reply.markdown)]
    return "\n".join(parts)


def conversation_markdown(turns: Iterable[tuple[str | None, Reply]], title: str = "A conversation with tutor") -> str:
    """``turns``: (what the learner typed, or None for a turn they did not type; the reply)."""
    out = [f"# {title}", ""]
    for asked, reply in turns:
        if asked:
            out += ["> " + asked.replace("\n", "\n> "), ""]
        out += [reply_markdown(reply), "", "---", ""]
    return "\n".join(out).rstrip("-\n ") + "\n"


def lesson_markdown(kb: KnowledgeBase, store: Store, lesson_id: str) -> str:
    lesson = kb.lessons[lesson_id]
    solved = store.solved(lesson_id)
    at = store.position(lesson_id)
    out = [
        f"# Lesson: {lesson.title}",
        "",
        lesson.summary,
        "",
        f"Progress: {store.summary(lesson_id, len(lesson.steps))}"
        + (f"; paused at step {at + 1}" if at is not None else ""),
        "",
    ]
    for i, step in enumerate(lesson.steps):
        node = kb.nodes.get(step.node)
        name = node.title if node else step.node
        mark = "✓" if i in solved else ("→" if i == at else " ")
        line = f"{i + 1}. [{mark}] {name}"
        prompt = getattr(getattr(step, "checkpoint", None), "prompt", None)
        if prompt:
            line += f": *{prompt}*"
        out.append(line)
    out += ["", "✓ checkpoint answered right · → where I am"]
    return "\n".join(out) + "\n"


def progress_markdown(kb: KnowledgeBase, store: Store) -> str:
    out = ["# My lessons in tutor", ""]
    for lid, lesson in kb.lessons.items():
        out.append(f"- **{lesson.title}** ({len(lesson.steps)} steps): {store.summary(lid, len(lesson.steps))}")
    return "\n".join(out) + "\n"


def write(text: str, path: Path | None = None, stem: str = "conversation") -> Path:
    """Write ``text``; to ``path``, or a new file in ``<data folder>/exports``. Returns where it went."""
    if path is None:
        from tutor.store.progress import data_dir

        folder = data_dir() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.md"
        n = 2
        while path.exists():
            path = folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{n}.md"
            n += 1
    path.write_text(text, encoding="utf-8")
    return path
