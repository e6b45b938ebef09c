"""Lesson files (TOML): an ordered list of steps pointing at nodes, with optional checkpoints.

Read as strictly as nodes: a key the lesson, a step, a checkpoint or a feedback
entry does not know (``tolerence``, ``hint``, ``sumary``) is a problem reported at
its line, with the key it most resembles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.content import checkpoints, template
from tutor.content.checkpoints import KINDS, Checkpoint
from tutor.content.files import (
    Problem,
    errors,
    key_line,
    key_line_in,
    parse_toml,
    strings,
    unknown_key,
)


@dataclass(frozen=True)
class LessonStep:
    node: str
    intro: str = ""
    checkpoint: Checkpoint | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[LessonStep, ...]
    path: str = ""
    #: The takeaways shown when the lesson ends.
    recap: tuple[str, ...] = ()


#: The keys each level of a lesson file may hold.
LESSON_KEYS = ("id", "title", "summary", "recap", "steps")
STEP_KEYS = ("node", "intro", "checkpoint")
CHECKPOINT_KEYS = ("kind", "prompt", "answer", "hints", "feedback", "explanation")
#: Keys only some kinds use.
KIND_KEYS = {"numeric": ("tolerance",), "choice": ("choices",), "expression": (), "text": ()}
FEEDBACK_KEYS = ("when", "say", "misconception")
KIND_FEEDBACK_KEYS = {"text": ("exact",)}

_STEP_HEADER = re.compile(r"^\s*\[\[\s*steps\s*\]\]")
_CHECKPOINT_HEADER = re.compile(r"^\s*\[\s*steps\s*\.\s*checkpoint\s*\]")
_TABLE_HEADER = re.compile(r"^\s*\[")

Locate = Callable[[str], int]


def parse_lesson(text: str, display: str, problems: list[Problem], deep: bool = False) -> Lesson | None:
    data = parse_toml(text, display, 1, problems)
    if data is None:
        return None
    lines = text.split("\n")
    before = errors(problems)
    step_lines = [i for i, line in enumerate(lines) if _STEP_HEADER.match(line)]
    top_end = step_lines[0] if step_lines else len(lines)

    def at_top(key: str) -> int:
        return key_line_in(lines, key, 0, top_end) or key_line(lines, key, 1)

    for key in data:
        if key not in LESSON_KEYS:
            problems.append(Problem(display, at_top(key), unknown_key(key, LESSON_KEYS)))
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(
                Problem(
                    display,
                    at_top(key),
                    f"missing field '{key}'" if key not in data else f"'{key}' must be a non-empty string",
                )
            )
    if "summary" in data and not isinstance(data["summary"], str):
        problems.append(Problem(display, at_top("summary"), "'summary' must be a string"))
    recap = strings(data.get("recap", []))
    if recap is None:
        problems.append(Problem(display, at_top("recap"), "'recap' must be a list of strings"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(
            Problem(display, key_line(lines, "[[steps]]", 1), "a lesson needs [[steps]], each naming a node")
        )
        return None
    steps: list[LessonStep] = []
    for n, raw in enumerate(raw_steps):
        start = step_lines[n] if n < len(step_lines) else 0
        end = step_lines[n + 1] if n + 1 < len(step_lines) else len(lines)
        line = start + 1 if n < len(step_lines) else 1
        if not isinstance(raw, dict) or not isinstance(raw.get("node"), str):
            problems.append(Problem(display, line, f'step {n + 1} must name a node: node = "node-id"'))
            continue
        cp_start = next((i for i in range(start, end) if _CHECKPOINT_HEADER.match(lines[i])), None)

        def at_step(key: str, start: int = start, end: int = end, cp: int | None = cp_start, line: int = line) -> int:
            return key_line_in(lines, key, start, cp if cp is not None else end) or line

        for key in raw:
            if key not in STEP_KEYS:
                problems.append(Problem(display, at_step(key), f"step {n + 1}: {unknown_key(key, STEP_KEYS)}"))
        if "intro" in raw and not isinstance(raw["intro"], str):
            problems.append(Problem(display, at_step("intro"), f"step {n + 1}: 'intro' must be a string"))
        cp = None
        if "checkpoint" in raw:
            cp_line = cp_start + 1 if cp_start is not None else at_step("checkpoint")
            first = cp_start if cp_start is not None else start

            def at_cp(key: str, first: int = first, end: int = end, cp_line: int = cp_line) -> int:
                return key_line_in(lines, key, first, end) or cp_line

            cp = _checkpoint(raw["checkpoint"], display, cp_line, n + 1, problems, deep, at_cp)
        steps.append(LessonStep(raw["node"], str(raw.get("intro", "")), cp))
    if errors(problems) > before:
        return None
    return Lesson(
        data["id"].strip(), data["title"].strip(), str(data.get("summary", "")), tuple(steps), display, recap or ()
    )


CHECKPOINT_KINDS = tuple(KINDS)


def _checkpoint(
    raw: Any, display: str, line: int, n: int, problems: list[Problem], deep: bool, at: Locate
) -> Checkpoint | None:
    where = f"step {n}'s checkpoint"
    if not isinstance(raw, dict):
        problems.append(Problem(display, line, f"{where} must be a table"))
        return None
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(display, at("kind"), f"{where}: 'kind' is one of {', '.join(CHECKPOINT_KINDS)}"))
        return None
    before = errors(problems)
    known = CHECKPOINT_KEYS + KIND_KEYS.get(kind, ())
    for key in raw:
        if key in known:
            continue
        owner = [k for k, extra in KIND_KEYS.items() if key in extra]
        if owner:
            message = f"'{key}' belongs to {' and '.join(owner)} checkpoints; a {kind} checkpoint does not use it"
        else:
            message = unknown_key(key, known)
        problems.append(Problem(display, at(key), f"{where}: {message}"))
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem(display, at("prompt"), f"{where}: missing 'prompt'"))
        return None
    hints = strings(raw.get("hints", []))
    if hints is None:
        problems.append(Problem(display, at("hints"), f"{where}: 'hints' must be a list of strings"))
        hints = ()
    if "explanation" in raw and not isinstance(raw["explanation"], str):
        problems.append(Problem(display, at("explanation"), f"{where}: 'explanation' must be a string"))
    cls = KINDS[kind]
    answer, found = cls.validate(raw, where, deep)
    problems.extend(Problem(display, at("answer"), message) for message in found)
    if answer is None or found:
        return None
    choices = strings(raw.get("choices", [])) or ()
    feedback: list[tuple[Any, str]] = []
    misconceptions: list[str | None] = []
    raw_feedback = raw.get("feedback", [])
    feedback_known = FEEDBACK_KEYS + KIND_FEEDBACK_KEYS.get(kind, ())
    for item in raw_feedback if isinstance(raw_feedback, list) else [None]:
        for key in item if isinstance(item, dict) else ():
            if key not in feedback_known:
                problems.append(
                    Problem(display, at(key), f"{where}: feedback entry: {unknown_key(key, feedback_known)}")
                )
        if not isinstance(item, dict) or "when" not in item or not isinstance(item.get("say"), str):
            problems.append(
                Problem(display, at("feedback"), f'{where}: each feedback is {{ when = ..., say = "..." }}')
            )
            return None
        when = (item["when"],) if item.get("exact") is True else item["when"]
        feedback.append((when, item["say"]))
        concept = item.get("misconception")
        if concept is not None and not (isinstance(concept, str) and concept.strip()):
            problems.append(
                Problem(display, at("misconception"), f"{where}: 'misconception' names the concept id that corrects it")
            )
            return None
        misconceptions.append(concept)
    for key, text in [
        ("prompt", prompt),
        ("explanation", str(raw.get("explanation", ""))),
        *(("hints", h) for h in hints),
        *(("choices", c) for c in choices),
    ]:
        for err in template.check(text):
            problems.append(Problem(display, at(key), f"{where}: {err.message}"))
    tol = raw.get("tolerance", 1e-3)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
        problems.append(Problem(display, at("tolerance"), f"{where}: 'tolerance' must be a non-negative number"))
        return None
    if errors(problems) > before:
        return None
    checkpoint = cls(
        prompt=prompt.strip(),
        answer=answer,
        hints=hints,
        feedback=tuple(feedback),
        explanation=str(raw.get("explanation", "")),
        tolerance=float(tol),
        choices=choices,
        misconceptions=tuple(misconceptions),
    )
    for message in checkpoint.advice(deep):
        problems.append(Problem(display, at("answer"), f"{where}: {message}", warning=True))
    asked = checkpoints.asked_decimals(checkpoint.prompt) if kind == "numeric" else None
    if asked is not None and float(tol) > checkpoints.half_unit(asked) * (1 + 1e-9):
        half = f"{checkpoints.half_unit(asked):.{asked + 1}f}"
        problems.append(
            Problem(
                display,
                at("tolerance"),
                f"{where}: 'tolerance' {float(tol):g} is looser than the {asked} decimal{'' if asked == 1 else 's'} "
                f"the prompt asks for, so it would accept answers wrong in the last of them; the grader uses "
                f"{half}, half a unit in that decimal (write tolerance = {half})",
                warning=True,
            )
        )
    return checkpoint
