"""Lesson files (TOML): an ordered list of steps pointing at nodes, with optional checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.content import template
from tutor.content.checkpoints import KINDS, Checkpoint
from tutor.content.files import Problem, key_line, parse_toml, strings


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


def parse_lesson(text: str, display: str, problems: list[Problem], deep: bool = False) -> Lesson | None:
    data = parse_toml(text, display, 1, problems)
    if data is None:
        return None
    lines = text.split("\n")
    before = len(problems)
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(display, key_line(lines, key, 1), f"missing field '{key}'"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(Problem(display, key_line(lines, "[[steps]]", 1), "a lesson needs [[steps]], each naming a node"))
        return None
    step_lines = [i + 1 for i, line in enumerate(lines) if line.strip() == "[[steps]]"]
    steps: list[LessonStep] = []
    for n, raw in enumerate(raw_steps):
        line = step_lines[n] if n < len(step_lines) else 1
        if not isinstance(raw, dict) or not isinstance(raw.get("node"), str):
            problems.append(Problem(display, line, f"step {n + 1} must name a node: node = \"node-id\""))
            continue
        cp = None
        if "checkpoint" in raw:
            cp = _checkpoint(raw["checkpoint"], display, line, n + 1, problems, deep)
        steps.append(LessonStep(raw["node"], str(raw.get("intro", "")), cp))
    if len(problems) > before:
        return None
    recap = strings(data.get("recap", [])) or ()
    return Lesson(data["id"].strip(), data["title"].strip(), str(data.get("summary", "")), tuple(steps), display, recap)


CHECKPOINT_KINDS = tuple(KINDS)


def _checkpoint(raw: Any, display: str, line: int, n: int, problems: list[Problem], deep: bool) -> Checkpoint | None:
    where = f"step {n}'s checkpoint"
    if not isinstance(raw, dict):
        problems.append(Problem(display, line, f"{where} must be a table"))
        return None
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(display, line, f"{where}: 'kind' is one of {', '.join(CHECKPOINT_KINDS)}"))
        return None
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem(display, line, f"{where}: missing 'prompt'"))
        return None
    cls = KINDS[kind]
    answer, found = cls.validate(raw, where, deep)
    problems.extend(Problem(display, line, message) for message in found)
    if answer is None or found:
        return None
    choices = strings(raw.get("choices", [])) or ()
    hints = strings(raw.get("hints", [])) or ()
    feedback: list[tuple[Any, str]] = []
    misconceptions: list[str | None] = []
    for item in raw.get("feedback", []) if isinstance(raw.get("feedback", []), list) else [None]:
        if not isinstance(item, dict) or "when" not in item or not isinstance(item.get("say"), str):
            problems.append(Problem(display, line, f"{where}: each feedback is {{ when = ..., say = \"...\" }}"))
            return None
        when = (item["when"],) if item.get("exact") is True else item["when"]
        feedback.append((when, item["say"]))
        concept = item.get("misconception")
        if concept is not None and not (isinstance(concept, str) and concept.strip()):
            problems.append(Problem(display, line, f"{where}: 'misconception' names the concept id that corrects it"))
            return None
        misconceptions.append(concept)
    for text in [prompt, str(raw.get("explanation", "")), *hints, *choices]:
        for err in template.check(text):
            problems.append(Problem(display, line, f"{where}: {err.message}"))
    tol = raw.get("tolerance", 1e-3)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
        problems.append(Problem(display, line, f"{where}: 'tolerance' must be a non-negative number"))
        return None
    return cls(prompt=prompt.strip(), answer=answer, hints=hints, feedback=tuple(feedback),
               explanation=str(raw.get("explanation", "")), tolerance=float(tol), choices=choices,
               misconceptions=tuple(misconceptions))
