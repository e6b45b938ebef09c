"""Handlers for guided lessons: list, start, step, hint, leave, and answers to checkpoints.

Predict, then reveal: a step with a checkpoint shows its question first and the
explanation that answers it only once the learner has answered right (or asked
for the worked answer, or moved on). This module is the one writer of lesson
progress; where a learner is travels in :class:`~tutor.dialogue.context.LessonState`.
"""

from __future__ import annotations

from dataclasses import replace

from tutor.content import template
from tutor.content.checkpoints import Checkpoint
from tutor.content.nodes import Lesson
from tutor.dialogue.context import Context, LessonState
from tutor.dialogue.core import Core
from tutor.dialogue.intents import CheckpointAnswer, LessonCommand
from tutor.dialogue.reply import Alternative, Choice, LessonPosition, Reply
from tutor.errors import InputError

#: After this many wrong tries the next hint is offered unasked.
OFFER_HINT_AFTER = 2

#: The title of a reply that asks for the answer again (two values, too few decimals, a decimal comma):
#: what the learner typed is neither right nor wrong, and the title says it does not count.
ASKED_AGAIN = "Once more, please (not counted)"


def position(lesson: Lesson, state: LessonState) -> LessonPosition:
    step = lesson.steps[state.step] if 0 <= state.step < len(lesson.steps) else None
    waiting = step is not None and step.checkpoint is not None and not state.solved
    return LessonPosition(lesson.id, lesson.title, state.step + 1, len(lesson.steps), waiting)


def open_checkpoint(core: Core, ctx: Context) -> Checkpoint | None:
    """The checkpoint the learner is at, while it is unsolved."""
    state = ctx.lesson
    lesson = core.kb.lessons.get(state.lesson) if state else None
    if state is None or lesson is None or state.solved or state.step >= len(lesson.steps):
        return None
    return lesson.steps[state.step].checkpoint


def _cp_text(cp: Checkpoint) -> str:
    lines = [f"**Checkpoint:** {template.render(cp.prompt)}"]
    if cp.choices:
        lines += [""] + [f"{i}. {template.render(c)}" for i, c in enumerate(cp.choices, 1)]
    lines += [
        "",
        "Type your answer (a guess is fine: the explanation comes after), *hint* for help, or *next* to skip.",
    ]
    return "\n".join(lines)


def _reveal(core: Core, lesson: Lesson, step: int) -> str:
    return core.kb.nodes[lesson.steps[step].node].markdown()


def show(core: Core, lesson: Lesson, state: LessonState, ctx: Context, lead: str = "") -> tuple[Reply, Context]:
    step = lesson.steps[state.step]
    node = core.kb.nodes[step.node]
    store = core.store()
    store.mark_seen(lesson.id, state.step)
    store.set_position(lesson.id, state.step)
    parts = [lead] if lead else []
    if step.intro:
        parts.append(template.render(step.intro))
    if step.checkpoint and not state.solved:
        parts.append(_cp_text(step.checkpoint))  # the explanation is revealed after the answer
        plot = None
    else:
        parts.append(node.markdown())
        last = state.step == len(lesson.steps) - 1
        parts.append("Type *next* to go on." if not last else "That is the last step: type *next* to finish.")
        plot = node.plot
    from tutor.maths import plots

    # While the checkpoint is open the heading is neutral: a node's title can give its answer away.
    title = f"{lesson.title}: step {state.step + 1}" if step.checkpoint and not state.solved else node.title
    reply = Reply(
        "lesson",
        "\n\n".join(parts),
        title=title,
        node=node.id,
        concepts=node.concepts,
        confidence=1.0,
        plot=plots.make(plot, marks=plots.learner_marks(ctx)) if plot else None,
        lesson=position(lesson, state),
        followups=("next", "back", "hint") if step.checkpoint and not state.solved else ("next", "back"),
    )
    return reply, Context(node=node.id, lesson=state)


def list_lessons(core: Core, ctx: Context) -> tuple[Reply, Context]:
    store = core.store()
    lines = ["Pick a lesson (its number, or *start lesson ID*):"]
    alts, choices = [], []
    for lesson in core.kb.lessons.values():
        status = store.summary(lesson.id, len(lesson.steps))
        alts.append(Alternative(lesson.id, lesson.title, 0.0))
        choices.append(
            Choice(f"{lesson.title} ({len(lesson.steps)} steps, {status})", LessonCommand("start", lesson.id))
        )
    if not alts:
        lines = ["There are no lessons in the content folders."]
    reply = Reply("lesson", "\n".join(lines), title="Lessons", alternatives=tuple(alts), choices=tuple(choices))
    return reply, replace(ctx, lesson=None)


def find(core: Core, name: str) -> str | None:
    """The id of the lesson ``name`` names (an id, a number in the list, a title or part of one), or None."""
    name = name.strip().strip("'\"`").lower()
    ids = list(core.kb.lessons)
    if name.isdigit():
        k = int(name)
        return ids[k - 1] if 1 <= k <= len(ids) else None
    for lid, lesson in core.kb.lessons.items():
        if name in (lid, lesson.title.lower().rstrip("?")):
            return lid
    for lid, lesson in core.kb.lessons.items():
        if name and (name in lid or name in lesson.title.lower()):
            return lid
    return None


def start(core: Core, name: str, ctx: Context, restart: bool = False) -> tuple[Reply, Context]:
    lesson_id = find(core, name)
    if lesson_id is None:
        names = ", ".join(core.kb.lessons) or "none"
        raise InputError(f"I have no lesson called '{name[:60]}'. Lessons: {names}. Type *lessons* to list them.")
    lesson = core.kb.lessons[lesson_id]
    at = 0 if restart else (core.store().position(lesson.id) or 0)
    at = min(at, len(lesson.steps) - 1)
    lead = f"Welcome back: resuming at step {at + 1}." if at else ""
    return show(core, lesson, LessonState(lesson.id, at), ctx, lead)


def _finish(core: Core, lesson: Lesson, ctx: Context) -> tuple[Reply, Context]:
    store = core.store()
    checkpoints = [i for i, s in enumerate(lesson.steps) if s.checkpoint]
    first = store.first_try(lesson.id)
    solved = store.solved(lesson.id)
    lines = [f"You have finished **{lesson.title}**."]
    if lesson.recap:
        lines += ["", "**What to keep:**", ""] + [f"- {template.render(r)}" for r in lesson.recap]
    if checkpoints:
        lines += [
            "",
            f"Checkpoints right on the first try: {len([i for i in checkpoints if i in first])} of {len(checkpoints)}.",
        ]
        missed = [i for i in checkpoints if i not in solved]
        if missed:
            lines.append(
                "Not yet solved: "
                + ", ".join(f"step {i + 1} ({core.kb.nodes[lesson.steps[i].node].title})" for i in missed)
                + f". Type *restart lesson {lesson.id}* to retry them."
            )
    ids = list(core.kb.lessons)
    after = ids[ids.index(lesson.id) + 1] if lesson.id in ids and ids.index(lesson.id) + 1 < len(ids) else None
    choices: tuple[Choice, ...] = ()
    if after:
        nxt = core.kb.lessons[after]
        lines += ["", f"Next lesson: **{nxt.title}**."]
        choices = (Choice(f"Start: {nxt.title}", LessonCommand("start", after)),)
    return Reply("lesson", "\n".join(lines), title="Lesson complete", choices=choices), Context(node=ctx.node)


def command(core: Core, intent: LessonCommand, ctx: Context) -> tuple[Reply, Context]:
    action = intent.action
    if action == "list":
        return list_lessons(core, ctx)
    if action == "start":
        return start(core, intent.lesson or "", ctx, restart=intent.restart)
    state = ctx.lesson
    lesson = core.kb.lessons.get(state.lesson) if state else None
    if state is None or lesson is None:
        return Reply("lesson", "You are not in a lesson. Type *lessons* to pick one.", title="No lesson open"), ctx
    cp = lesson.steps[state.step].checkpoint
    if action == "next":
        lead = ""
        if cp is not None and not state.solved and not _worked_shown(cp, state):
            lead = f"(Skipped step {state.step + 1}'s checkpoint: the answer was {_shown_answer(cp)}.)"
        if state.step + 1 >= len(lesson.steps):
            return _finish(core, lesson, ctx)
        return show(core, lesson, _at(core, lesson, state.step + 1), ctx, lead)
    if action == "back":
        return show(core, lesson, _at(core, lesson, max(0, state.step - 1)), ctx)
    if action == "leave":
        return Reply(
            "lesson",
            f"You left **{lesson.title}** at step {state.step + 1}; *start lesson {lesson.id}* resumes it.",
            title="Lesson paused",
        ), Context(node=ctx.node)
    if action == "again":
        return show(core, lesson, state, ctx)
    if action == "quiz":
        target = next((i for i in range(state.step, len(lesson.steps)) if lesson.steps[i].checkpoint), None)
        if target is None:
            return Reply(
                "lesson", "No checkpoints are left in this lesson.", title="Quiz", lesson=position(lesson, state)
            ), ctx
        return show(core, lesson, LessonState(lesson.id, target), ctx)
    # hint
    if cp is None or state.solved:
        return Reply(
            "lesson",
            "There is no open checkpoint on this step. Type *next* to go on.",
            title="No hint here",
            lesson=position(lesson, state),
        ), ctx
    return hint(core, lesson, state, ctx)


def _at(core: Core, lesson: Lesson, step: int) -> LessonState:
    """The state on arriving at ``step``: a checkpoint answered right before stays answered (back, then next,
    shows its explanation and never reports it skipped)."""
    return LessonState(lesson.id, step, solved=step in core.store().solved(lesson.id))


_LAST_HINT = "That was the last hint: the worked answer is above. Type *next* to go on."


def _worked_shown(cp: Checkpoint, state: LessonState) -> bool:
    """Whether the last hint, a worked answer (a checkpoint with three hints or more), has been shown."""
    return len(cp.hints) > 2 and state.hints >= len(cp.hints)


def hint(core: Core, lesson: Lesson, state: LessonState, ctx: Context, lead: str = "") -> tuple[Reply, Context]:
    cp = lesson.steps[state.step].checkpoint
    assert cp is not None
    followups: tuple[str, ...]
    if _worked_shown(cp, state):  # once is enough: say where it is rather than print it again
        title, body, followups, new_state = "No more hints", _LAST_HINT, ("next",), state
    else:
        hints = cp.hints or ("Read the step again, slowly.",)
        level = min(state.hints, len(hints) - 1)
        worked = level == len(hints) - 1 and len(hints) > 2
        label = "Worked answer" if worked else f"Hint {level + 1} of {len(hints)}"
        body = f"**{label}:** {template.render(hints[level])}"
        if worked:  # the answer is out: reveal the explanation too
            body += "\n\n" + _reveal(core, lesson, state.step) + "\n\nType *next* to go on."
        title, followups = "Hint", ("next",) if worked else ("hint", "next")
        new_state = replace(state, hints=state.hints + 1)
    reply = Reply(
        "lesson",
        (lead + "\n\n" if lead else "") + body,
        title=title,
        node=ctx.node,
        verdict="hint",
        lesson=position(lesson, state),
        followups=followups,
    )
    return reply, replace(ctx, lesson=new_state)


def _shown_answer(cp: Checkpoint) -> str:
    from tutor.content.checkpoints import ChoiceCheckpoint, NumericCheckpoint, TextCheckpoint

    if isinstance(cp, NumericCheckpoint):
        return cp.shown_answer()
    if isinstance(cp, ChoiceCheckpoint):
        return f"{cp.answer} ({template.render(cp.choices[cp.answer - 1])})"
    if isinstance(cp, TextCheckpoint):
        return cp.answer[0]
    return str(cp.answer).replace("y_hat", "ŷ").replace("sigma", "σ")


def answer(core: Core, intent: CheckpointAnswer, ctx: Context) -> tuple[Reply, Context]:
    state = ctx.lesson
    lesson = core.kb.lessons.get(state.lesson) if state else None
    cp = open_checkpoint(core, ctx)
    if state is None or lesson is None or cp is None:
        return Reply("lesson", "There is no open checkpoint to answer.", title="Nothing to answer"), ctx
    feedback = cp.check(intent.text)
    pos = position(lesson, state)
    if feedback is None or not feedback.attempt:  # asked again: neither an attempt nor a wrong answer
        return Reply(
            "lesson",
            cp.unreadable() if feedback is None else feedback.message,
            title="I could not read that answer" if feedback is None else ASKED_AGAIN,
            node=ctx.node,
            lesson=pos,
            followups=("hint", "next"),
        ), ctx
    core.store().record_answer(lesson.id, state.step, feedback.correct, state.hints)
    if feedback.misconception:
        core.store().record_misconception(feedback.misconception, lesson.id, state.step)
    new_state = replace(state, solved=feedback.correct, attempts=state.attempts + 1)
    if feedback.correct:
        parts = [feedback.message]
        if cp.explanation:
            parts.append(template.render(cp.explanation))
        parts.append(_reveal(core, lesson, state.step))
        parts.append("Type *next* to go on.")
        node = core.kb.nodes[lesson.steps[state.step].node]
        from tutor.maths import plots

        reply = Reply(
            "lesson",
            "\n\n".join(parts),
            title="Correct",
            node=ctx.node,
            confidence=1.0,
            verdict="right",
            lesson=pos,
            followups=("next",),
            plot=plots.make(node.plot) if node.plot else None,
        )
        return reply, replace(ctx, lesson=new_state)
    if new_state.attempts >= OFFER_HINT_AFTER and state.hints < len(cp.hints):
        reply, after = hint(core, lesson, new_state, ctx, lead=feedback.message)
        return replace(reply, title="Not yet", verdict="wrong"), after
    reply = Reply(
        "lesson",
        feedback.message,
        title="Not yet",
        node=ctx.node,
        confidence=1.0,
        verdict="wrong",
        lesson=pos,
        followups=("hint", "next"),
    )
    return reply, replace(ctx, lesson=new_state)
