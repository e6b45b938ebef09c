"""Fill ``{{ … }}`` computations in a content body with numbers from the numeric core.

Grammar of one placeholder (nothing else is accepted, and nothing is evaluated)::

    {{ name(arg, ...) }}            the headline value, 6 significant digits
    {{ name(arg, ...) | 4 }}        the same with 4 significant digits
    {{ name(var=arg, ...) }}        values by name (declared formulas; built-ins by their parameters' names)
    {{ name(arg, ...).field }}      a named result (``loss``, ``w_new``...), or
                                    ``steps`` / ``table`` / ``work`` for Markdown

Arguments are numbers or ``[lists]`` of numbers (see :mod:`tutor.maths.literals`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.errors import InputError, TutorError
from tutor.maths import computations, numeric
from tutor.maths.literals import parse_call_args

#: A placeholder's inner text longer than this is refused before any pattern reads it.
MAX_INNER = 2_200
_CALL = re.compile(
    r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]{0,40})\s*\((?P<args>[^()]*)\)"
    r"(?:\.(?P<field>[A-Za-z_][A-Za-z0-9_]{0,40}))?\s*(?:\|\s*(?P<sig>\d{1,2})\s*)?$",
    re.DOTALL,
)
MAX_PLACEHOLDERS = 200


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    field: str | None
    sig: int
    #: Values given by name (``focal(p=0.9, gamma=2)``), in the order written.
    kwargs: tuple[tuple[str, object], ...] = ()


class TemplateError(TutorError):
    """A placeholder that cannot be filled; ``offset`` is where it starts in the body."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_call(text: str) -> Call:
    if len(text) > MAX_INNER:
        raise InputError(f"'{{{{{text.strip()[:40]}…' is too long for a computation (at most {MAX_INNER} characters)")
    m = _CALL.match(text)
    if not m:
        raise InputError(f"'{{{{{text.strip()[:60]}}}}}' is not of the form name(arguments)")
    name = m.group("name")
    if name not in computations.FUNCTIONS:
        known = ", ".join(sorted(computations.FUNCTIONS))
        raise InputError(f"unknown computation '{name}' (known: {known})")
    sig = int(m.group("sig") or numeric.SIG)
    if not 1 <= sig <= 17:
        raise InputError("significant digits must be between 1 and 17")
    args, named = parse_call_args(m.group("args"))
    return Call(name, tuple(args), m.group("field"), sig, tuple(named.items()))


def evaluate(call: Call) -> str:
    try:
        comp = computations.FUNCTIONS[call.name](*call.args, **dict(call.kwargs))
    except TypeError:
        raise InputError(f"{call.name}() was given {len(call.args)} argument(s), which it does not take") from None
    field = call.field
    if field == "steps":
        return "\n".join(f"{i}. {s}" for i, s in enumerate(comp.steps, 1))
    if field == "table":
        if not comp.table:
            raise InputError(f"{call.name}() has no table")
        return "\n".join(numeric.markdown_table(comp.table))
    if field == "work":
        return comp.markdown()
    if field is None:
        value = comp.value
    elif field in comp.results:
        value = comp.results[field]
    elif field in comp.inputs:
        value = comp.inputs[field]
    else:
        names = ", ".join(sorted([*comp.results, *comp.inputs, "steps", "table", "work"]))
        raise InputError(f"{call.name}() has no result '{field}' (it has: {names})")
    if isinstance(value, list):
        if comp.table and field is None:
            return "\n".join(numeric.markdown_table(comp.table))
        return ", ".join(numeric.fmt(v, call.sig) for v in value)
    return numeric.fmt(value, call.sig)


def _spans(body: str):
    """``(start, end)`` of each ``{{ … }}``: ``body[start + 2:end]`` is its inner text.

    A scan with ``str.find`` that never looks at a character twice (a lazy ``{{(.*?)}}``
    pattern retried at every ``{{`` of an unclosed run is quadratic). It finds what that
    pattern finds: each ``{{`` with the first ``}}`` after it.
    """
    pos = 0
    while True:
        start = body.find("{{", pos)
        if start == -1:
            return
        end = body.find("}}", start + 2)
        if end == -1:
            return
        yield start, end
        pos = end + 2


def placeholders(body: str) -> list[tuple[int, str]]:
    """Every placeholder's offset in ``body`` and its inner text."""
    return [(start, body[start + 2 : end]) for start, end in _spans(body)]


def blank(body: str, repl: str = " ") -> str:
    """The body with every placeholder replaced by ``repl`` (the text an author typed by hand)."""
    out, pos = [], 0
    for start, end in _spans(body):
        out += [body[pos:start], repl]
        pos = end + 2
    out.append(body[pos:])
    return "".join(out)


def check(body: str) -> list[TemplateError]:
    """Every placeholder that cannot be filled, without stopping at the first."""
    problems: list[TemplateError] = []
    found = []
    for start, end in _spans(body):
        found.append((start, body[start + 2 : end]))
        if len(found) > MAX_PLACEHOLDERS:
            break
    if len(found) > MAX_PLACEHOLDERS:
        return [TemplateError(f"too many computations ({len(found)}; at most {MAX_PLACEHOLDERS})", found[0][0])]
    for offset, inner in found:
        try:
            evaluate(parse_call(inner))
        except TutorError as err:
            problems.append(TemplateError(err.message, offset))
    unclosed = body.rfind("{{")
    if unclosed != -1 and "}}" not in body[unclosed:]:
        problems.append(TemplateError("'{{' is never closed with '}}'", unclosed))
    return problems


def render(body: str) -> str:
    """The body with every placeholder filled; a broken one shows as a visible marker."""

    def fill(inner: str) -> str:
        try:
            return evaluate(parse_call(inner))
        except TutorError as err:
            return f"[computation unavailable: {err.message}]"

    out, pos = [], 0
    for start, end in _spans(body):
        out += [body[pos:start], fill(body[start + 2 : end])]
        pos = end + 2
    out.append(body[pos:])
    return "".join(out)
