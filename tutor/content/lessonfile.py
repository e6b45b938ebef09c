"""Lesson files (TOML): an ordered list of steps pointing at nodes, with optional checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.content import template
from tutor.content.files import Problem, key_line, parse_toml, strings


@dataclass(frozen=True)
class Checkpoint:
    kind: str  # numeric | choice | expression | text
    prompt: str
    answer: Any
    tolerance: float = 1e-3
    choices: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    feedback: tuple[tuple[Any, str], ...] = ()
    explanation: str = ""


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
    return Lesson(data["id"].strip(), data["title"].strip(), str(data.get("summary", "")), tuple(steps), display)


CHECKPOINT_KINDS = ("numeric", "choice", "expression", "text")


def _checkpoint(raw: Any, display: str, line: int, n: int, problems: list[Problem], deep: bool) -> Checkpoint | None:
    where = f"step {n}'s checkpoint"
    if not isinstance(raw, dict):
        problems.append(Problem(display, line, f"{where} must be a table"))
        return None
    kind = raw.get("kind")
    if kind not in CHECKPOINT_KINDS:
        problems.append(Problem(display, line, f"{where}: 'kind' is one of {', '.join(CHECKPOINT_KINDS)}"))
        return None
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem(display, line, f"{where}: missing 'prompt'"))
        return None
    answer = raw.get("answer")
    choices = strings(raw.get("choices", [])) or ()
    if kind == "numeric":
        if not isinstance(answer, str):
            problems.append(Problem(display, line, f"{where}: a numeric answer is a computation such as \"neglog(0.99)\""))
            return None
        try:
            template.evaluate(template.parse_call(answer))
        except Exception as err:  # a TutorError with a message
            problems.append(Problem(display, line, f"{where}: {getattr(err, 'message', err)}"))
            return None
    elif kind == "choice":
        if len(choices) < 2 or not isinstance(answer, int) or not 1 <= answer <= len(choices):
            problems.append(Problem(display, line, f"{where}: give 'choices' and 'answer' as the number of the right one"))
            return None
    elif kind == "expression":
        if not isinstance(answer, str) or not answer.strip():
            problems.append(Problem(display, line, f"{where}: 'answer' is an expression such as \"y_hat - y\""))
            return None
    elif kind == "text":
        if strings(answer) is None:
            problems.append(Problem(display, line, f"{where}: 'answer' lists words a right answer contains"))
            return None
        answer = strings(answer)
    hints = strings(raw.get("hints", [])) or ()
    feedback: list[tuple[Any, str]] = []
    for item in raw.get("feedback", []):
        if not isinstance(item, dict) or "when" not in item or not isinstance(item.get("say"), str):
            problems.append(Problem(display, line, f"{where}: each feedback is {{ when = ..., say = \"...\" }}"))
            return None
        feedback.append((item["when"], item["say"]))
    texts = [prompt, str(raw.get("explanation", "")), *hints, *choices]
    for text in texts:
        for err in template.check(text):
            problems.append(Problem(display, line, f"{where}: {err.message}"))
    for when, _ in feedback:
        if kind == "numeric" and isinstance(when, str) and when != "negative":
            try:
                template.evaluate(template.parse_call(when))
            except Exception as err:
                problems.append(Problem(display, line, f"{where}: feedback 'when' {when!r}: {getattr(err, 'message', err)}"))
        if kind == "choice" and not (isinstance(when, int) and 1 <= when <= len(choices)):
            problems.append(Problem(display, line, f"{where}: feedback 'when' must be a choice number from 1 to {len(choices)}"))
    if kind == "expression" and deep:
        from tutor.maths.exprparse import parse  # SymPy: only when `tutor validate` checks formulas

        for expr in [answer, *(w for w, _ in feedback)]:
            try:
                parse(str(expr))
            except Exception as err:
                problems.append(Problem(display, line, f"{where}: cannot read the formula {expr!r}: {getattr(err, 'message', err)}"))
    tol = raw.get("tolerance", 1e-3)
    if not isinstance(tol, (int, float)) or tol < 0:
        problems.append(Problem(display, line, f"{where}: 'tolerance' must be a non-negative number"))
        return None
    return Checkpoint(kind, prompt.strip(), answer, float(tol), choices, hints, tuple(feedback),
                      str(raw.get("explanation", "")))
