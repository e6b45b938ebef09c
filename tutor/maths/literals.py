"""A small tokenizer for numbers and lists of numbers.

Content templates (``bce(1, 0.99)``) and learner requests (``y=[1,0,1]``) are
data: they are tokenized with a regular expression and read with ``float()``,
never evaluated. Sizes are bounded so that a hostile string costs nothing.
"""

from __future__ import annotations

import re

from tutor.errors import InputError

Value = float | list[float] | str

MAX_NUMBER_CHARS = 40
MAX_ARGS_CHARS = 2000
MAX_LIST = 1000

NUMBER = r"[-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<num>{NUMBER})
    | (?P<key>[A-Za-z_][A-Za-z0-9_]{{0,40}})\s*=(?!=)
    | (?P<str>"[^"\\]{{0,80}}"|'[^'\\]{{0,80}}')
    | (?P<open>\[)
    | (?P<close>\])
    | (?P<comma>,)
    )""",
    re.VERBOSE,
)


def to_float(text: str) -> float:
    """A number token as a float; long tokens are refused before conversion."""
    text = text.replace("−", "-")
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(f"The number {text[:12]}… has too many digits (at most {MAX_NUMBER_CHARS}).")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    value = float(text) * scale
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"The number {text} is too large.")
    return value


def parse_args(text: str) -> list[Value]:
    """Read ``1, 0.99`` or ``[1, 0, 1], [0.9, 0.2, 0.6]`` or ``"name"`` into values."""
    values, named = parse_call_args(text)
    if named:
        raise InputError("Give the values in order, without names.")
    return values


def parse_call_args(text: str) -> tuple[list[Value], dict[str, Value]]:
    """:func:`parse_args`, and values given by name after them: ``0.9, gamma=2`` or ``p=0.9, gamma=2``."""
    if len(text) > MAX_ARGS_CHARS:
        raise InputError(f"The arguments are too long (at most {MAX_ARGS_CHARS} characters).")
    values: list[Value] = []
    named: dict[str, Value] = {}
    key: str | None = None  # the name the next value is given for
    pos = 0
    current: list[float] | None = None
    expect_value = True

    def put(value: Value) -> None:
        nonlocal key
        if key is not None:
            named[key] = value
            key = None
        elif named:
            raise InputError("A value without a name cannot follow one given by name.")
        else:
            values.append(value)

    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise InputError(f'Cannot read {text[pos : pos + 20]!r}: only numbers, [lists] and "names" are allowed.')
        pos = m.end()
        kind = m.lastgroup
        if kind == "num":
            if not expect_value:
                raise InputError("Separate values with commas.")
            v = to_float(m.group("num"))
            if current is not None:
                if len(current) >= MAX_LIST:
                    raise InputError(f"A list holds at most {MAX_LIST} numbers.")
                current.append(v)
            else:
                put(v)
            expect_value = False
        elif kind == "key":
            if current is not None or not expect_value or key is not None:
                raise InputError("A name (name=value) stands first in its argument.")
            key = m.group("key")
            if key in named:
                raise InputError(f"{key} is given twice.")
        elif kind == "str":
            if current is not None or not expect_value:
                raise InputError("A name cannot stand inside a list.")
            put(m.group("str")[1:-1])
            expect_value = False
        elif kind == "open":
            if current is not None or not expect_value:
                raise InputError("Lists cannot be nested.")
            current = []
        elif kind == "close":
            if current is None:
                raise InputError("A ']' closes no list.")
            put(current)
            current = None
            expect_value = False
        else:  # comma
            if expect_value and current is None and not values:
                raise InputError("A comma stands before any value.")
            if key is not None and current is None:
                raise InputError(f"{key}= is given no value.")
            expect_value = True
    if current is not None:
        raise InputError("A list is not closed with ']'.")
    if key is not None:
        raise InputError(f"{key}= is given no value.")
    return values, named


def decimals_typed(typed: str) -> int:
    """How many decimals the learner's number has ("0.55" 2, "-1" 0, "-6.9e-1" 2, "69.3%" 3)."""
    typed = typed.rsplit("=", 1)[-1]
    m = re.search(r"\.(\d+)(?:\s*[eE]([-+]?\d+))?(%?)", typed)
    if not m:
        return 2 if re.search(r"\d%", typed) else 0
    return max(0, len(m.group(1)) - int(m.group(2) or 0) + (2 if m.group(3) else 0))


def half_unit(decimals: int) -> float:
    """Half a unit in the last of ``decimals`` decimals (0.0005 for three): how far a value rounded
    correctly to that many decimals can lie from the exact one."""
    return 0.5 * 10**-decimals


def rounding(got: float, right: float, typed: str) -> tuple[int, bool]:
    """The significant digits the learner typed, and whether ``right`` rounds to ``got`` at their decimals."""
    decimals = decimals_typed(typed)
    mantissa = re.search(r"\d+(?:\.\d*)?|\.\d+", typed.rsplit("=", 1)[-1])  # "-6.9e-1": 6.9, two digits
    significant = len(mantissa.group(0).replace(".", "").lstrip("0")) if mantissa else 0
    return significant, abs(got - right) <= half_unit(decimals) + 1e-12
