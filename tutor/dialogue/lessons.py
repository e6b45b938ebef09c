"""Guided lessons: step through nodes, answer checkpoints, get graded hints.

The state of a lesson in a conversation is a :class:`LessonState` carried in
the :class:`~tutor.dialogue.reply.Context`; where the learner is, what they have seen
and how their checkpoints went is saved in the progress store after every
step, so a lesson resumes where it was left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tutor.content import template
from tutor.content.nodes import Checkpoint, Lesson
from tutor.errors import InputError, TutorError
from tutor.maths.literals import NUMBER, to_float
from tutor.dialogue.reply import Alternative, Context, Reply

if TYPE_CHECKING:
    from tutor.dialogue.engine import Tutor


@dataclass(frozen=True)
class LessonState:
    lesson: str
    step: int = 0
    hints: int = 0
    solved: bool = False
    attempts: int = 0


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


# ------------------------------------------------------------------ checking answers


def _number(text: str) -> float | None:
    m = re.search(NUMBER, text.replace(",", "."))
    if not m:
        return None
    try:
        return to_float(m.group(0))
    except InputError:
        return None


def numeric_value(spec: str) -> float:
    """The number a computation such as ``neglog(0.99)`` stands for."""
    call = template.parse_call(spec)
    from tutor.maths import numeric

    comp = numeric.FUNCTIONS[call.name](*call.args)
    value = comp.results.get(call.field) if call.field else comp.value
    return float(value)


def check(cp: Checkpoint, text: str) -> Feedback | None:
    """Feedback on ``text`` as an answer to ``cp``; None when it is not an answer at all."""
    text = text.strip()
    if cp.kind == "numeric":
        got = _number(text)
        if got is None:
            return None
        right = numeric_value(cp.answer)
        if abs(got - right) <= cp.tolerance:
            return Feedback(True, f"Right: {template.evaluate(template.parse_call(cp.answer))}.")
        for when, say in cp.feedback:
            if when == "negative" and abs(got + right) <= cp.tolerance:
                return Feedback(False, say)
            if isinstance(when, str) and when != "negative":
                try:
                    if abs(got - numeric_value(when)) <= cp.tolerance:
                        return Feedback(False, say)
                except TutorError:
                    continue
        return Feedback(False, "Not quite. Type *hint* for a nudge.")
    if cp.kind == "choice":
        m = re.fullmatch(r"\s*(?:option\s*)?\(?([1-9a-hA-H])\)?[.)]?\s*", text)
        if not m:
            lowered = text.lower()
            matches = [i for i, c in enumerate(cp.choices, 1) if c.lower() == lowered]
            if not matches:
                return None
            k = matches[0]
        else:
            g = m.group(1)
            k = int(g) if g.isdigit() else ord(g.lower()) - ord("a") + 1
        if not 1 <= k <= len(cp.choices):
            return Feedback(False, f"Choose a number from 1 to {len(cp.choices)}.")
        if k == cp.answer:
            return Feedback(True, "Right.")
        for when, say in cp.feedback:
            if when == k:
                return Feedback(False, say)
        return Feedback(False, "Not that one. Type *hint* for a nudge.")
    if cp.kind == "expression":
        from tutor.maths.exprparse import equivalent, parse

        try:
            got = parse(text)
        except InputError:
            return None
        if equivalent(got, parse(cp.answer)):
            return Feedback(True, "Right: that is equivalent to the expected answer.")
        for when, say in cp.feedback:
            try:
                if isinstance(when, str) and equivalent(got, parse(when)):
                    return Feedback(False, say)
            except InputError:
                continue
        return Feedback(False, "That is not equivalent to the answer. Type *hint* for a nudge.")
    # free text: misconceptions first, then the words of a right answer
    low = " " + re.sub(r"\s+", " ", text.lower()) + " "
    for when, say in cp.feedback:
        if isinstance(when, str) and when.lower() in low:
            return Feedback(False, say)
    if any(re.search(rf"(?<![\w-]){re.escape(word.lower())}", low) for word in cp.answer):
        return Feedback(True, "Right.")
    return Feedback(False, "Not quite what I was looking for. Type *hint* for a nudge.")


# ------------------------------------------------------------------ showing steps


def _progress_line(lesson: Lesson, state: LessonState) -> str:
    return f"*Lesson: {lesson.title}, step {state.step + 1} of {len(lesson.steps)}.*"


def _cp_text(cp: Checkpoint) -> str:
    lines = [f"**Checkpoint:** {template.render(cp.prompt)}"]
    if cp.kind == "choice":
        lines += [""] + [f"{i}. {template.render(c)}" for i, c in enumerate(cp.choices, 1)]
    lines += ["", "Type your answer, *hint* for help, or *next* to move on."]
    return "\n".join(lines)


def show(tutor: "Tutor", lesson: Lesson, state: LessonState, ctx: Context, lead: str = "") -> tuple[Reply, Context]:
    step = lesson.steps[state.step]
    node = tutor.kb.nodes[step.node]
    store = tutor.store()
    store.mark_seen(lesson.id, state.step)
    store.set_position(lesson.id, state.step)
    parts = [lead] if lead else []
    parts.append(_progress_line(lesson, state))
    if step.intro:
        parts.append(template.render(step.intro))
    parts.append(node.markdown())
    if step.checkpoint:
        parts.append(_cp_text(step.checkpoint))
    else:
        last = state.step == len(lesson.steps) - 1
        parts.append("Type *next* to go on." if not last else "That is the end of the lesson. Type *lessons* for another.")
    from tutor.maths import plots

    reply = Reply("lesson", "\n\n".join(parts), title=node.title, node=node.id, concepts=node.concepts, confidence=1.0,
                  plot=plots.make(node.plot, marks=plots.learner_marks(ctx)) if node.plot else None,
                  followups=("next", "back", "hint") if step.checkpoint else ("next", "back"))
    return reply, Context(node=node.id, lesson=state)


def list_lessons(tutor: "Tutor", ctx: Context) -> tuple[Reply, Context]:
    store = tutor.store()
    lines = ["Lessons (type *start lesson ID* or its number):", ""]
    alts = []
    for i, lesson in enumerate(tutor.kb.lessons.values(), 1):
        lines.append(f"{i}. **{lesson.title}** (`{lesson.id}`, {len(lesson.steps)} steps): "
                     f"{store.summary(lesson.id, len(lesson.steps))}")
        if lesson.summary:
            lines.append(f"   {lesson.summary}")
        alts.append(Alternative(lesson.id, lesson.title, 0.0))
    if not alts:
        lines = ["There are no lessons in the content folders."]
    reply = Reply("lesson", "\n".join(lines), title="Lessons", alternatives=tuple(alts))
    return reply, replace(ctx, choices=(), lesson=None, history=("lesson-list",))


def start(tutor: "Tutor", lesson_id: str, ctx: Context, restart: bool = False) -> tuple[Reply, Context]:
    lesson = tutor.kb.lessons.get(lesson_id)
    if lesson is None:
        names = ", ".join(tutor.kb.lessons) or "none"
        raise InputError(f"There is no lesson '{lesson_id}'. Lessons: {names}.")
    at = 0 if restart else (tutor.store().position(lesson.id) or 0)
    at = min(at, len(lesson.steps) - 1)
    lead = f"Welcome back: resuming at step {at + 1}." if at else ""
    return show(tutor, lesson, LessonState(lesson.id, at), ctx, lead)


def _find_lesson(tutor: "Tutor", name: str) -> str | None:
    name = name.strip().strip("'\"`").lower()
    if name.isdigit():
        ids = list(tutor.kb.lessons)
        k = int(name)
        return ids[k - 1] if 1 <= k <= len(ids) else None
    for lid, lesson in tutor.kb.lessons.items():
        if name in (lid, lesson.title.lower().rstrip("?")):
            return lid
    for lid, lesson in tutor.kb.lessons.items():
        if name and (name in lid or name in lesson.title.lower()):
            return lid
    return None


def lesson_turn(tutor: "Tutor", text: str, ctx: Context) -> tuple[Reply, Context] | None:
    """Handle ``text`` as a lesson command or checkpoint answer; None when it is neither."""
    low = text.strip().lower().rstrip(".!")
    if re.fullmatch(r"(list )?lessons|show lessons|list of lessons", low):
        return list_lessons(tutor, ctx)
    m = re.fullmatch(r"(?:re)?start(?: the)?(?: lesson)? (.+)|lesson (.+)|open lesson (.+)", low)
    if m:
        lid = _find_lesson(tutor, next(g for g in m.groups() if g))
        if lid:
            return start(tutor, lid, ctx, restart=low.startswith("restart"))
        return Reply("error", f"I have no lesson called '{next(g for g in m.groups() if g)}'. Type *lessons* to list them.",
                     title="No such lesson"), ctx
    if ctx.history[-1:] == ("lesson-list",) and ctx.lesson is None:
        lid = _find_lesson(tutor, low) if re.fullmatch(r"\d{1,2}", low) else None
        if lid:
            return start(tutor, lid, ctx)
    state = ctx.lesson
    if state is None:
        return None
    lesson = tutor.kb.lessons.get(state.lesson)
    if lesson is None:
        return None
    step = lesson.steps[state.step]
    cp = step.checkpoint
    if low in ("next", "n", "continue", "go on", "next step", "skip"):
        if state.step + 1 >= len(lesson.steps):
            reply = Reply("lesson", f"You have finished **{lesson.title}**. Type *lessons* to pick another, "
                          "or ask me anything.", title="Lesson complete")
            return reply, Context(node=ctx.node)
        return show(tutor, lesson, LessonState(lesson.id, state.step + 1), ctx)
    if low in ("back", "previous", "prev", "go back", "b"):
        return show(tutor, lesson, LessonState(lesson.id, max(0, state.step - 1)), ctx)
    if low in ("quit lesson", "stop lesson", "exit lesson", "leave lesson", "stop", "quit the lesson"):
        return Reply("lesson", f"You left **{lesson.title}** at step {state.step + 1}; *start lesson {lesson.id}* "
                     "resumes it.", title="Lesson paused"), Context(node=ctx.node)
    if low in ("again", "repeat", "show step", "where was i", "resume"):
        return show(tutor, lesson, state, ctx)
    if low in ("hint", "a hint", "give me a hint", "help me", "another hint", "more hint"):
        if cp is None:
            return Reply("lesson", "There is no checkpoint on this step. Type *next* to go on.", title="No hint here"), ctx
        hints = cp.hints or ("Read the step again, slowly.",)
        level = min(state.hints, len(hints) - 1)
        label = "Worked answer" if level == len(hints) - 1 and len(hints) > 2 else f"Hint {level + 1} of {len(hints)}"
        reply = Reply("lesson", f"**{label}:** {template.render(hints[level])}", title="Hint", node=ctx.node)
        return reply, replace(ctx, lesson=replace(state, hints=state.hints + 1))
    if low == "quiz me":
        target = next((i for i in range(state.step, len(lesson.steps)) if lesson.steps[i].checkpoint), None)
        if target is None:
            return Reply("lesson", "No checkpoints are left in this lesson.", title="Quiz"), ctx
        return show(tutor, lesson, LessonState(lesson.id, target), ctx)
    if cp is not None and not state.solved:
        # A sentence ending in a question mark is the learner asking, not answering:
        # it is answered normally and the lesson waits.
        asks = text.strip().endswith("?") and len(re.findall(r"[^\W\d_]{2,}", text)) >= 2
        feedback = None if asks else check(cp, text)
        if feedback is not None:
            tutor.store().record_answer(lesson.id, state.step, feedback.correct, state.hints)
            new_state = replace(state, solved=feedback.correct, attempts=state.attempts + 1)
            msg = feedback.message
            if feedback.correct:
                if cp.explanation:
                    msg += "\n\n" + template.render(cp.explanation)
                msg += "\n\nType *next* to go on."
            reply = Reply("lesson", msg, title="Correct" if feedback.correct else "Not yet", node=ctx.node,
                          confidence=1.0, followups=("next",) if feedback.correct else ("hint", "next"))
            return reply, replace(ctx, lesson=new_state)
    return None  # a question: answered normally, the lesson waits
