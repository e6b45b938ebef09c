"""Checkpoint kinds: one class a kind, each reading its own fields (``validate``) and grading (``check``).

Grading is meant to be a teacher's: every correct form of an answer is accepted
(``-ln 2``, ``ln(0.5)``, ``-0.693`` and ``ln(0.5) = -0.693`` for ln 0.5; a choice
by number, letter or words; ``sigma(z) - y`` for ``ŷ - y``), a wrong answer gets
the mistake named when it is a known one, and no keyword or prefix decides: words
are matched whole, negated words ("not -1", "never negative") do not count, and a
misconception is looked for before the right words.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from tutor.content import template
from tutor.content.files import strings
from tutor.errors import InputError, TutorError
from tutor.maths.exprparse import bare_calls
from tutor.maths.literals import NUMBER, half_unit, to_float
from tutor.maths.literals import decimals_typed as _decimals
from tutor.maths.literals import rounding as _rounding


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str
    #: The concept id whose misconception this answer shows (from the feedback entry), if any.
    misconception: str | None = None
    #: False when the text was no single answer to grade (two values offered, a value in other units):
    #: it is asked again, and counts neither as an attempt nor as a wrong answer.
    attempt: bool = True


@dataclass(frozen=True)
class Checkpoint:
    """What every kind has: a prompt, hints (the last one may be a worked answer), an explanation shown when solved."""

    kind: ClassVar[str] = ""
    prompt: str
    answer: Any
    hints: tuple[str, ...] = ()
    feedback: tuple[tuple[Any, str], ...] = ()
    explanation: str = ""
    tolerance: float = 1e-3
    choices: tuple[str, ...] = ()
    #: For each feedback entry (by position), the concept id of the misconception it names, or None.
    misconceptions: tuple[str | None, ...] = ()

    def named(self, index: int, say: str) -> Feedback:
        """Wrong-answer feedback from the author's entry ``index``, with its misconception if it names one."""
        concept = self.misconceptions[index] if index < len(self.misconceptions) else None
        return Feedback(False, say, concept)

    def check(self, text: str) -> Feedback | None:
        """Feedback on ``text`` as an answer; None when it cannot be read as one."""
        raise NotImplementedError

    def unreadable(self) -> str:
        """What to tell a learner whose text could not be read as an answer of this kind."""
        return "I could not read that as an answer. Type *hint* for a nudge."

    def advice(self, deep: bool) -> list[str]:
        """Warnings for the author (the checkpoint works, but could be written better)."""
        return []

    @classmethod
    def validate(cls, raw: dict[str, Any], where: str, deep: bool) -> tuple[Any, list[str]]:
        """The answer read from ``raw``, and what is wrong with this kind's fields."""
        raise NotImplementedError


# ------------------------------------------------------------------ reading learners' words

_NEGATION = re.compile(
    r"\b(?:not|never|no|isn'?t|aren'?t|doesn'?t|don'?t|won'?t|can'?t|cannot|without|nor|rather than"
    r"|instead of|nothing to do with|unrelated to|irrelevant to)\b[\s,]*(?:\w+[\s,]+){0,2}$"
)
_NEGATION_ANYWHERE = re.compile(r"\b(?:not|never|no|isn'?t|aren'?t|doesn'?t|don'?t|can'?t|cannot|without)\b")
_NUMBER_WORDS = {
    "zero": 0.0,
    "nothing": 0.0,
    "none": 0.0,
    "one": 1.0,
    "two": 2.0,
    "half": 0.5,
    "one half": 0.5,
    "minus one": -1.0,
    "negative one": -1.0,
    "infinity": math.inf,
    "infinite": math.inf,
    "∞": math.inf,
    "inf": math.inf,
    "minus infinity": -math.inf,
    "negative infinity": -math.inf,
    "-inf": -math.inf,
    "-∞": -math.inf,
    "nan": math.nan,
    "not a number": math.nan,
}
_WORD_NUMBER = re.compile(
    r"(?<![\w-])(?:minus |negative |-)?(?:infinity|infinite|inf|∞)(?!\w)|(?<!\w)(?:minus |negative )?"
    r"(?:zero|nothing|none|one half|half|one|two)(?!\w)|(?<!\w)(?:nan|not a number)(?!\w)"
)
_EXPRESSION = re.compile(r"(?:ln|log|exp|sqrt|sigma|sigmoid|σ|e\b|[-+*/^()]\s*\d|\d\s*[-+*/^]|\d\s*\()", re.I)


#: "minus 0.693", "negative ln 2": a spoken sign before a number or a function is the sign itself.
_SPOKEN_SIGN = re.compile(r"(?i)(?<![\w-])(?:minus|negative)\s+(?=[\d.(]|(?:ln|log|exp|sqrt|sigma|sigmoid|σ)\b)")
#: "≈" (and "~=", "~") before a rounded value reads like "=": the value after it is the answer.
_ABOUT_EQUAL = re.compile(r"\s*(?:≈|~=|≃|(?<=[\w)\s])~)\s*")


def spoken(text: str) -> str:
    """A learner's answer with its spoken signs and "≈" written as the parser reads them:
    ``minus 0.693`` → ``-0.693``, ``ln(2) ≈ 0.693`` → ``ln(2) = 0.693``, ``−`` → ``-``."""
    text = text.replace("−", "-")
    return _ABOUT_EQUAL.sub(" = ", _SPOKEN_SIGN.sub("-", text))


def _negated(text: str, start: int) -> bool:
    """Whether the words just before ``start`` negate what follows ("not -1", "never negative")."""
    return bool(_NEGATION.search(text[max(0, start - 40) : start].lower()))


def _said_undefined(text: str) -> bool:
    """Whether the answer ends by saying its value does not exist ("0 × -inf is undefined", "-ln 0 = undefined"):
    the numbers before it name what is evaluated, not the answer. Not when negated ("0, not undefined") or
    when a value follows ("undefined, it goes to infinity")."""
    low = text.lower()
    found = list(_UNDEFINED.finditer(low))
    if not found:
        return False
    m = found[-1]
    said = re.search(r"(?:\bis|=|:|\bgives|\bequals|\bbe)\s+(?:just\s+|simply\s+)?$", low[: m.start()])
    after = re.search(r"\d|∞|\binf|\bnan\b", low[m.end() :])
    return bool(said) and after is None and not _negated(low, m.start())


def numbers_in(text: str, near: float | None = None) -> list[float]:
    """The values a learner's answer states, in order, leaving out negated ones.

    An expression (``-ln 2``, ``1/2``, ``ln(0.5)``) is evaluated safely; in
    ``ln(0.5) = -0.693`` the value after the last ``=`` is the answer.
    """
    return [value for value, _ in stated(text, near)]


#: "ln 2 is 0.693", "-ln 0.99 is about 0.0101", "-ln 0 is infinite": "is" before a value reads like "=" (the
#: value is the answer, not the 0 of ln 0).
_IS_VALUE = re.compile(
    r"(?i)\s+is\s+(?:about\s+|approximately\s+|roughly\s+|around\s+|nearly\s+)?"
    r"(?=[-+−]?\.?\d|(?:minus\s+|plus\s+|positive\s+|negative\s+)?(?:inf|∞|nan\b|not a number))"
)


def _answer_part(text: str) -> str:
    """The part of a learner's answer that states the value: after the last "=" (or "≈"), else from the
    value after the first "is" ("ln 2 is 0.693", "it is 0.693, which is ln 2")."""
    text = spoken(text).strip()
    if "=" in text:
        return text.rsplit("=", 1)[1]
    m = _IS_VALUE.search(text)
    return text[m.end() :] if m else text


def stated(text: str, near: float | None = None) -> list[tuple[float, str]]:
    """:func:`numbers_in` with the text each value was read from (``"-0.693"``, ``"-ln 2"``), which tells
    its decimals and significant digits. ``near``: the value expected, which decides a comma that may be
    a decimal comma or a thousands separator (``1,806``)."""
    text = written(_answer_part(text).strip().rstrip(".!?"), near)
    remark = _REMARK.match(text)
    if remark:  # "-0.693147 (ln 0.5)": a decimal value and, after a space, where it comes from; not a product
        text = remark.group(1)
    value = _expression_value(text)
    if value is not None:
        return [(value, text)]
    return [(v, t) for _, _, v, t in _values_at(text)]


def _values_at(text: str) -> list[tuple[int, int, float, str]]:
    """Each value ``text`` states, in words ("zero", "infinity", "NaN") or digits, with where it stands
    and its text; negated ones ("not -1") and counts of places ("3 decimals") left out."""
    found: list[tuple[int, int, float, str]] = []
    low = text.lower()
    for m in _WORD_NUMBER.finditer(low):
        if not _negated(low, m.start()):
            word = m.group(0)
            sign = -1.0 if word.startswith(("minus ", "negative ", "-")) else 1.0
            base = word.split()[-1].lstrip("-")
            value = sign * _NUMBER_WORDS.get(base, _NUMBER_WORDS.get(word, 0.0))
            found.append((m.start(), m.end(), value, word))
    for m in re.finditer(NUMBER, text):
        if _negated(low, m.start()) or _COUNTS_PLACES.match(text, m.end()):
            continue
        try:
            found.append((m.start(), m.end(), to_float(m.group(0).rstrip(".")), m.group(0).rstrip(".")))
        except InputError:
            continue
    return sorted(found, key=lambda f: f[0])


#: A decimal value, a space, and a remark in parentheses with words or a function in it: "0.693 (ln 2)".
_REMARK = re.compile(r"^\s*((?:[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?))\s+\([^()]*[^\W\d_][^()]*\)\s*$")

#: After a number, words that make it a count of places ("to 3 decimals", "3 dp"), not a value stated.
_COUNTS_PLACES = re.compile(
    r"(?i)\s*(?:decimals?\b|decimal places\b|places\b|dp\b|d\.p\.|significant\b|sig\.? ?figs?\b|s\.f\.|sf\b)"
)

_GAP = "[ \u00a0\u2009\u202f]"
#: Digits grouped by threes after the point, as ISO 80000 writes them: "0.693 147" is 0.693147.
_GROUPED_DECIMALS = re.compile(rf"(?<![\d.,])(\d*\.\d{{3}}(?:{_GAP}\d{{3}})*{_GAP}\d{{1,3}})(?![\d.,])")
#: Thousands grouped by spaces or commas ("1 805.96", "1,805.96", "1,000,000"); one comma and three digits
#: alone ("1,806") is left to :data:`_COMMA`.
_GROUPED_THOUSANDS = re.compile(
    rf"(?<![\d.,])([1-9]\d{{0,2}}(?:(?:{_GAP}\d{{3}})+(?:\.\d+)?|(?:,\d{{3}}){{2,}}(?:\.\d+)?|,\d{{3}}\.\d+))(?![\d,])"
)
#: An answer that says the value does not exist.
_UNDEFINED = re.compile(
    r"\b(?:undefined|not defined|no value|does ?n[o']?t exist|indeterminate|has no answer|can'?t be computed)\b"
)
#: One comma and three digits after a whole number that is not 0: 1.806 or 1806, which only the writer knows.
_THOUSANDS_OR_DECIMAL = re.compile(r"(?<![\d.,])([1-9]\d{0,2}),(\d{3})(?![\d.,])")
#: One comma between digits, nothing else: a decimal comma ("0,693"), or a thousands separator ("1,806").
_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d.,])")


def written(text: str, near: float | None = None) -> str:
    """Numbers as learners write them, made plain: ``0,693`` → ``0.693`` (a decimal comma), ``0.693 147``
    → ``0.693147``, ``1 805.96`` → ``1805.96``. ``1,806`` may be either: a decimal comma unless ``near``
    (the value expected) is nearer the thousands reading."""
    text = _GROUPED_DECIMALS.sub(lambda m: re.sub(_GAP, "", m.group(1)), text)
    text = _GROUPED_THOUSANDS.sub(lambda m: re.sub(f"{_GAP}|,", "", m.group(1)), text)

    def comma(m: re.Match[str]) -> str:
        whole, part = m.group(1), m.group(2)
        decimal, thousands = f"{whole}.{part}", f"{whole}{part}"
        if len(part) != 3 or whole.strip("0") == "" or near is None or not math.isfinite(near):
            return decimal
        far = lambda s: abs(math.log10(max(float(s), 1e-300)) - math.log10(max(abs(near), 1e-300)))  # noqa: E731
        return thousands if far(thousands) < far(decimal) else decimal

    return _COMMA.sub(comma, text)


#: Between two stated values, words that offer both as the answer ("0.693 or 0.694", "0.693, 0.692",
#: "between 0.692 and 0.694"): a hedge, not one answer.
_HEDGE = re.compile(
    r"\s*(?:,|;|\bor\b|\band\b|\bto\b|\bmaybe\b|\bperhaps\b|\s)+\s*(?:(?:maybe|perhaps|possibly)\s+)?", re.I
)


_HEDGE_WORDS = re.compile(r"\s*(?:\bor\b|\band\b|\bto\b)\s*(?:(?:maybe|perhaps|possibly)\s+)?", re.I)


def hedged(text: str, near: float | None = None) -> list[float]:
    """The distinct values ``text`` offers together as its answer (two or more), else []."""
    whole = spoken(text)
    text = written(_answer_part(text).strip().rstrip(".!?"), near)
    if _expression_value(text) is not None:
        return []
    spans = _values_at(text)
    joined = _HEDGE if "=" not in whole else _HEDGE_WORDS  # "y = 1, 0.0101": after "=", a comma lists no choices
    offered: list[float] = []
    for (_, end, v, _), (start, _, w, _) in itertools.pairwise(spans):
        if joined.fullmatch(text[end:start]):
            for x in (v, w):
                if repr(x) not in map(repr, offered):
                    offered.append(x)
    return offered if len(offered) >= 2 else []


def _expression_value(text: str) -> float | None:
    """The value of a closed expression such as ``-ln 2`` (no unknowns), or None when it is not one."""
    if not _EXPRESSION.search(text) or re.search(r"[a-df-z]{4,}", re.sub(r"(?i)sigmoid|sigma|sqrt", "", text).lower()):
        return None
    from sympy import exp

    from tutor.maths.exprparse import parse  # SymPy, bounded: only for answers that look like formulas

    src = bare_calls(text)
    try:
        expr = parse(src, infinite=True)
    except (InputError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if expr.free_symbols:
        return None
    from tutor.maths.derive import sigma

    expr = expr.replace(sigma, lambda a: 1 / (1 + exp(-a)))  # "sigma(-5) - 1" has a value: σ written out
    try:
        value = complex(expr.evalf(15))
    except (TypeError, ValueError, OverflowError):
        return None
    return value.real if abs(value.imag) < 1e-12 else None


def _agrees(got: float, right: float, tolerance: float, typed: str) -> bool:
    """Within the tolerance, or the right value rounded to the decimals the learner gave (two significant digits at least)."""
    if math.isnan(right) or math.isnan(got):  # NaN is an answer (0 · ln 0 in floating point), equal only to itself
        return math.isnan(right) and math.isnan(got)
    if math.isinf(right) or math.isinf(got):
        return got == right
    if abs(got - right) <= tolerance:
        return True
    significant, rounded = _rounding(got, right, typed)
    return significant >= 2 and rounded


_DECIMALS_SAID = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_ASKED = re.compile(r"\b(one|two|three|four|five|six|[1-6])\s+decimals?\b", re.I)


def asked_decimals(prompt: str) -> int | None:
    """The decimals a prompt asks for ("(four decimals)", "Three decimals are enough"), None if it names none."""
    m = _ASKED.search(prompt)
    if not m:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else _WORD_NUMBERS[word]


def _same_when_rounded(got: float, right: float, decimals: int) -> bool:
    """Whether ``got`` rounded to ``decimals`` decimals is ``right`` rounded alike (-0.6934 and -0.693147
    at three: both -0.693; -0.6935 is -0.694). A right value that lies on a rounding boundary allows both sides."""
    from decimal import ROUND_HALF_UP, Decimal

    unit = Decimal(1).scaleb(-decimals)
    g, r = Decimal(repr(got)), Decimal(repr(right))
    rg, rr = g.quantize(unit, ROUND_HALF_UP), r.quantize(unit, ROUND_HALF_UP)
    if rg == rr:
        return True
    return abs(r - rr) == unit / 2 and abs(rg - rr) == unit  # a tie in the right value: either neighbour


_PLAIN_NUMBER = re.compile(rf"^\s*{NUMBER}\s*$")


def as_spec(value: Any) -> Any:
    """An author's numeric answer or feedback value as the checkpoint keeps it: a typed number
    (``0.325``, ``"0.325"``) as a float, ``"{{ neglog(0.99) }}"`` as ``"neglog(0.99)"``."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{{") and text.endswith("}}"):
        text = text[2:-2].strip()
    if _PLAIN_NUMBER.match(text):
        return to_float(text.strip())
    return text


def value_of(spec: str) -> float:
    """The number a computation such as ``neglog(0.99)`` stands for."""
    from tutor.maths import computations

    call = template.parse_call(spec)
    comp = computations.FUNCTIONS[call.name](*call.args, **dict(call.kwargs))
    value = comp.results.get(call.field) if call.field else comp.value
    if value is None:
        raise InputError(f"{call.name} has no result {call.field!r}")
    return float(value)


def _short(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _spec_value(when: Any) -> float | None:
    when = as_spec(when)
    if isinstance(when, bool):
        return None
    if isinstance(when, (int, float)):
        return float(when)
    if isinstance(when, str) and when != "negative":
        try:
            return value_of(when)
        except TutorError:
            return None
    return None


# ------------------------------------------------------------------ the kinds

#: A prompt that asks for a percentage: then "32.5%" is an answer in the units asked.
_PERCENT_ASKED = re.compile(r"(?i)\bper\s?cent(?:age)?\b|\b(?:as a|in) %")


@dataclass(frozen=True)
class NumericCheckpoint(Checkpoint):
    kind: ClassVar[str] = "numeric"

    def right_value(self) -> float:
        return float(self.answer) if isinstance(self.answer, (int, float)) else value_of(self.answer)

    def shown_answer(self) -> str:
        if isinstance(self.answer, (int, float)):
            from tutor.maths.numeric import fmt

            return fmt(float(self.answer))
        return template.evaluate(template.parse_call(self.answer))

    def allowed(self) -> float:
        """The tolerance the grader uses: the author's, but never looser than half a unit in the last
        decimal the prompt asks for. With three decimals asked, -0.694 is not ln 0.5 (-0.693147…),
        though it lies within a tolerance of 0.001."""
        asked = asked_decimals(self.prompt)
        return self.tolerance if asked is None else min(self.tolerance, half_unit(asked))

    def right_at(self, got: float, right: float, typed: str) -> bool:
        """Whether ``got``, read from ``typed``, is the right value. With decimals asked and at least as many
        given, the value must round to the right one at the decimals asked and lie within half a unit of the
        last: -0.6934 is ln 0.5 to three decimals, -0.6935 is not (it rounds to -0.694, which is wrong)."""
        asked = asked_decimals(self.prompt)
        exact = math.isfinite(got) and math.isfinite(right) and abs(got - right) <= 1e-9 * max(1.0, abs(right))
        if not _PLAIN_NUMBER.match(typed) and math.isfinite(right):  # "7*2.303": judged by its value, not its digits
            return exact or abs(got - right) <= self.allowed()
        if asked is not None and math.isfinite(right) and math.isfinite(got) and not exact:
            if _decimals(typed) >= asked:
                return _same_when_rounded(got, right, asked) and abs(got - right) <= half_unit(asked) + 1e-12
        return exact or _agrees(got, right, self.allowed(), typed)

    def check(self, text: str) -> Feedback | None:
        text = spoken(text)
        right = self.right_value()
        near = right if math.isfinite(right) else None
        read = stated(text, near)
        if not read or _said_undefined(text):  # "0 × -inf is undefined": the values named, then the answer
            return self._undefined(text, right)
        comma = _THOUSANDS_OR_DECIMAL.search(_answer_part(text))
        if comma and len(read) == 1:  # "1,806": 1.806 with a decimal comma, or 1806 with a thousands separator
            whole, part = comma.group(1), comma.group(2)
            return Feedback(
                False,
                f"Is that {whole}.{part} or {whole}{part}? Write a decimal with a point ({whole}.{part}) "
                f"and a whole number without the comma ({whole}{part}).",
                attempt=False,
            )
        if hedged(text, near):  # "0.693 or 0.694": two answers are no answer, whichever of them is right
            return Feedback(
                False, "That offers more than one value. Which one is your answer? Give just one.", attempt=False
            )
        got, typed = read[-1] if "=" in text else read[0]
        tol = self.allowed()
        percent = bool(re.search(r"\d%", typed)) and right != 0 and not _PERCENT_ASKED.search(self.prompt)
        if self.right_at(got, right, typed):
            if percent:  # "-69.3%" for ln 0.5: the digits, but a log or a loss is no share of anything
                return Feedback(
                    False,
                    "That is written as a percentage, but this value is a plain number: give it without %.",
                    attempt=False,
                )
            places, asked = _decimals(typed), asked_decimals(self.prompt)
            rougher = places < asked if asked is not None else abs(got - right) > tol
            short = self._fewer_decimals(got, right, typed)
            if short is not None:
                return short
            if math.isfinite(right) and abs(got - right) > tol and rougher:  # right only when rounded
                said = f"{places} decimal{'' if places == 1 else 's'}" if places else "the nearest whole number"
                more = f" ({_DECIMALS_SAID.get(asked, str(asked))} were asked)" if asked else ""
                return Feedback(True, f"Right to {said}{more}: {self.shown_answer()}.")
            if (
                asked is not None
                and _PLAIN_NUMBER.match(typed)
                and places > asked
                and math.isfinite(right)
                and not _same_when_rounded(got, right, places)
            ):  # -0.6932 for -0.693147… to three decimals: right to three, and the fourth is off
                return Feedback(
                    True,
                    f"Right to the {_DECIMALS_SAID.get(asked, str(asked))} decimals asked: {self.shown_answer()}. "
                    "The decimals you gave after those are off.",
                )
            return Feedback(True, f"Right: {self.shown_answer()}.")
        for i, (when, say) in enumerate(self.feedback):  # the author's named mistakes first
            if when == "negative" and right != 0 and _agrees(got, -right, tol, typed):
                return self.named(i, say)
            value = _spec_value(when)
            if value is not None and _agrees(got, value, tol, typed):
                return self.named(i, say)
        short = self._fewer_decimals(got, right, typed)  # after the named mistakes: "0" may be one
        if short is not None:
            return short
        asked = asked_decimals(self.prompt)
        if (
            asked is not None
            and math.isfinite(right)
            and _decimals(typed) > asked
            and abs(got - right) <= half_unit(asked)
        ):
            return Feedback(  # -0.6935 for -0.693147…: close, but rounded to the decimals asked it is wrong
                False,
                f"Close, but that does not round to the right value at the {_DECIMALS_SAID.get(asked, str(asked))} "
                "decimals asked. Check the decimals after those.",
            )
        return Feedback(False, _common_slip(got, right, tol, typed) or "Not quite. Type *hint* for a nudge.")

    def _fewer_decimals(self, got: float, right: float, typed: str) -> Feedback | None:
        """An answer rounded right but to fewer decimals than the prompt asks ("0.55" for 0.5503 to four, "-0.7"
        for ln 0.5 to three): not wrong, not yet the answer; it is asked again and not counted. One significant
        digit ("-1" or "-0.7" for ln 0.5) is an estimate, not a value worked out: that is graded as it stands."""
        asked = asked_decimals(self.prompt)
        if asked is None or not (math.isfinite(right) and math.isfinite(got)) or not _PLAIN_NUMBER.match(typed):
            return None
        places = _decimals(typed)
        significant, rounded = _rounding(got, right, typed)
        if places >= asked or abs(got - right) <= 1e-9 * max(1.0, abs(right)) or not rounded or significant < 2:
            return None
        said = f"{places} decimal{'' if places == 1 else 's'}" if places else "the nearest whole number"
        want = _DECIMALS_SAID.get(asked, str(asked))
        give = "give both" if asked == 2 else f"give all {want}"
        return Feedback(False, f"That is right to {said}, but {want} decimals were asked: {give}.", attempt=False)

    def _undefined(self, text: str, right: float) -> Feedback | None:
        """An answer that says there is no value ("undefined", "it does not exist"): right where floating
        point gives NaN (an operation with no value); where it gives ±∞ or a number, it has one."""
        low = text.lower()
        m = _UNDEFINED.search(low)
        if m is None or _negated(low, m.start()):
            return None
        if math.isnan(right):
            return Feedback(
                True, "Right: the operation has no value, and floating point says so with NaN (not a number)."
            )
        if math.isinf(right):
            return Feedback(
                False,
                "In exact arithmetic it has no value, true. But the question asks what a computer evaluates it to, "
                "and floating point gives a definite value here: which one? (a number, or a word such as inf or NaN)",
                attempt=False,
            )
        return Feedback(False, "It does have a value here. Type *hint* for a nudge.")

    def unreadable(self) -> str:
        if not math.isfinite(self.right_value()):  # say the words that are read, without saying which is right
            return "I was looking for a value: a number, an expression such as -ln 2, or inf or NaN. Type *hint* for a nudge."
        return "I was looking for a number (or an expression such as -ln 2). Type *hint* for a nudge."

    def advice(self, deep: bool) -> list[str]:
        if isinstance(self.answer, str) or not math.isfinite(float(self.answer)):
            return []  # a computation, or a value no computation shows (NaN, ±inf: the answer is the idea)
        from tutor.maths.numeric import fmt

        typed = fmt(float(self.answer))
        found = self.producing_call() if deep else None
        if found:
            return [f'the answer {typed} is a typed number; {found} computes it: write answer = "{found}"']
        return [
            f"the answer {typed} is a typed number, shown to learners as typed; if a computation gives it, "
            'write that instead (answer = "neglog(0.99)")'
        ]

    def producing_call(self) -> str | None:
        """A computation that gives the typed answer: a placeholder in the prompt, hints or explanation,
        or a computation of one or two numbers the prompt states; None when none is found."""
        from tutor.maths import computations

        right = float(self.answer)
        close = lambda v: (
            isinstance(v, (int, float))
            and math.isfinite(v)
            and (  # noqa: E731
                abs(v - right) <= max(self.tolerance, 1e-9 * abs(right))
            )
        )
        texts = [self.prompt, *self.hints, self.explanation]
        for text in texts:
            for _, inner in template.placeholders(text):
                try:
                    if close(value_of(inner)):
                        return inner.split("|")[0].strip()
                except (TutorError, TypeError, ValueError, KeyError):
                    continue
        numbers: list[float] = []
        for m in re.finditer(NUMBER, template.blank(self.prompt)):
            try:
                v = to_float(m.group(0))
            except InputError:
                continue
            if v not in numbers:
                numbers.append(v)
        numbers = numbers[:6]
        arg_lists = [(a,) for a in numbers] + [(a, b) for a in numbers for b in numbers if a != b]
        for name, fn in computations.FUNCTIONS.items():
            for args in arg_lists:
                try:
                    value = fn(*args).value
                except (TutorError, TypeError, ValueError, ArithmeticError):  # refused these arguments: try the next
                    continue
                if close(value):
                    return f"{name}({', '.join(_short(a) for a in args)})"
        return None

    @classmethod
    def validate(cls, raw, where, deep):
        answer = as_spec(raw.get("answer"))
        if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
            return None, [f'{where}: a numeric answer is a number or a computation such as "neglog(0.99)"']
        if isinstance(answer, str):
            try:
                template.evaluate(template.parse_call(answer))
            except TutorError as err:
                return None, [
                    f"{where}: {err.message} (a numeric answer is a number such as 0.325 or a "
                    'computation such as "neglog(0.99)")'
                ]
        else:
            answer = float(answer)  # NaN and ±inf are answers too (what floating point gives for 0 · ln 0)
        problems = []
        for when, _ in _feedback_items(raw):
            when = as_spec(when)
            if isinstance(when, str) and when != "negative":
                try:
                    template.evaluate(template.parse_call(when))
                except TutorError as err:
                    problems.append(f"{where}: feedback 'when' {when!r}: {err.message}")
            elif not isinstance(when, (str, int, float)) or isinstance(when, bool):
                problems.append(f"{where}: feedback 'when' is a number, a computation or \"negative\"")
        return answer, problems


#: A one-digit answer within this share of the right value is "close" (-0.7 for -0.693; not -1).
CLOSE_SHARE = 0.1


def _cut_off(got: float, right: float, decimals: int) -> bool:
    """Whether ``got`` is ``right`` with its decimals after the ``decimals``-th dropped (not rounded)."""
    scale = 10**decimals
    return abs(got - math.trunc(right * scale) / scale) <= 1e-9 * max(1.0, abs(right))


def _rounded_away(got: float, right: float, decimals: int) -> bool:
    """Whether ``got`` is ``right`` rounded away from zero at ``decimals`` decimals where it rounds toward it
    (0.694 for 0.693147…: the fourth decimal, 1, keeps the third as it is)."""
    scale = 10**decimals
    kept = math.trunc(right * scale)
    rest = abs(right * scale) - abs(kept)
    if rest < 1e-6 or round(rest, 9) >= 0.5:  # exact at these decimals (-2.41 for -2.4 is no rounding), or it rounds up
        return False
    raised = (kept + math.copysign(1, right)) / scale
    return abs(got - raised) <= 1e-9 * max(1.0, abs(right))


def _common_slip(got: float, right: float, tol: float, typed: str) -> str | None:
    """Name the slips any numeric answer can show: the sign, log base 10 or 2 instead of ln."""
    if right == 0 or not math.isfinite(right) or not math.isfinite(got):
        return None
    if _agrees(got, -right, tol, typed):
        return "Right size, wrong sign. Check the sign."
    expression = not _PLAIN_NUMBER.match(typed)  # "1/99": its digits say nothing of decimals or rounding
    if expression:
        typed = repr(got)
    significant, rounded = (17, False) if expression else _rounding(got, right, typed)
    places = _decimals(typed)
    if not expression and significant >= 2 and places >= 1 and _cut_off(got, right, places):  # 0.287 for 0.287682…
        return (
            f"Nearly: that cuts the value off after {_DECIMALS_SAID.get(places, str(places))} "
            f"decimal{'' if places == 1 else 's'} instead of rounding it. Look at the next decimal."
        )
    if not expression and significant >= 2 and places >= 1 and _rounded_away(got, right, places):  # 0.694 for 0.693147…
        return (
            "Nearly: the digit after your last decimal is below 5, so rounding keeps the last decimal as it is "
            "instead of raising it. Look at the next decimal."
        )
    # One digit that rounds the answer and lies within a tenth of it: close, but too rough to judge.
    near = abs(abs(got) - abs(right)) <= CLOSE_SHARE * abs(right)
    if rounded and near and significant < 2 and got != 0:
        return "Close, but one digit is too rough to tell: give more decimals."
    if _rounding(got, -right, typed)[1] and near and significant < 2 and got != 0:
        return "Check the sign, and give more decimals: one digit is too rough to tell."
    for base, name in ((10, "log base 10"), (2, "log base 2 (bits)")):
        for sign, extra in ((1, ""), (-1, ", and the sign is flipped too")):
            if _agrees(got, sign * right / math.log(base), tol, typed):
                return (
                    f"That is the value with {name}{extra}. In machine learning, log means the natural log ln "
                    "unless a base is written."
                )
    if not expression and significant >= 2:  # 1806 for 1.80596…, 0.1005 for 0.01005…: the digits, the point moved
        for k in (1, 2, 3, -1, -2, -3):
            places = _decimals(typed) + k
            if places >= 0 and abs(got / 10**k - right) <= half_unit(places) + 1e-12:
                times = f"{10**k} times" if k > 0 else f"1/{10**-k} of"
                return f"The digits are right, but the decimal point is not: that is {times} the value."
    if rounded and significant < 2 and got != 0:  # 0.03 for 0.0269…: rounded right, but one digit says too little
        return "One digit is too rough to tell: give more decimals."
    return None


@dataclass(frozen=True)
class Interval:
    """A range of values as a learner or a choice states it; an end's ``None`` means it was not said."""

    lo: float
    hi: float
    lo_in: bool | None
    hi_in: bool | None

    def matches(self, other: Interval) -> bool:
        """Same ends, and each end included or not alike wherever both say."""
        return (
            (self.lo, self.hi) == (other.lo, other.hi)
            and (self.lo_in is None or other.lo_in is None or self.lo_in == other.lo_in)
            and (self.hi_in is None or other.hi_in is None or self.hi_in == other.hi_in)
        )


_END = r"(-?(?:\d+(?:\.\d*)?|\.\d+|∞|inf(?:inity)?))"
_ENDS_SAID = (
    r"(?:\s*,?\s*(inclusive|including (?:the )?ends|ends included|exclusive|excluding (?:the )?ends"
    r"|not including (?:the )?ends|ends excluded))?"
)
_INTERVALS = (
    re.compile(rf"^([(\[])\s*{_END}\s*,\s*{_END}\s*([)\]])$"),
    re.compile(rf"^{_END}\s*(<=|<)\s*[a-zŷσ_()]{{1,8}}\s*(<=|<)\s*{_END}$"),
    re.compile(rf"^(?:(strictly) )?between {_END} and {_END}{_ENDS_SAID}$"),
    re.compile(rf"^(?:from )?{_END} to {_END}{_ENDS_SAID}$"),
)


#: Two numbers and nothing else ("0 and 1"): between them, or just those two? ("0 or 1" is the choice "exactly 0 or 1")
_PAIR = re.compile(rf"{_END}\s*(?:and|,|&)\s*{_END}")


def _end(text: str) -> float:
    return (
        math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0) if "∞" in text or "inf" in text else float(text)
    )


def interval_of(text: str) -> Interval | None:
    """``(0, 1)``, ``0 < ŷ < 1``, ``strictly between 0 and 1``, ``[0, 1]``, ``from 0 to 1 inclusive``,
    ``any real number`` as an :class:`Interval`; None when the text states no single range."""
    s = _plain(text).replace("−", "-").replace("≤", "<=").replace("‹", "<").replace("＜", "<")
    if re.fullmatch(r"(?:any|every|all)(?: the)? real numbers?|anything|any value", s):
        return Interval(-math.inf, math.inf, False, False)
    for k, pattern in enumerate(_INTERVALS):
        m = pattern.match(s)
        if not m:
            continue
        g = m.groups()
        if k == 0:
            return Interval(_end(g[1]), _end(g[2]), g[0] == "[", g[3] == "]")
        if k == 1:
            return Interval(_end(g[0]), _end(g[3]), g[1] == "<=", g[2] == "<=")
        strict = g[0] == "strictly" if k == 2 else False
        lo, hi, said = (g[1], g[2], g[3]) if k == 2 else (g[0], g[1], g[2])
        ends = None if not said else not said.startswith(("exclu", "not", "ends excluded"))
        if strict:
            ends = False
        return Interval(_end(lo), _end(hi), ends, ends)
    return None


@dataclass(frozen=True)
class ChoiceCheckpoint(Checkpoint):
    kind: ClassVar[str] = "choice"

    def pick(self, text: str) -> int | None:
        """The 1-based choice ``text`` names: by number, letter, or the choice's own words."""
        s = text.strip().lower().rstrip(".!")
        m = re.fullmatch(r"(?:(?:option|choice|answer|number)\s*)?\(?([1-9]|[a-h])\)?[.)]?", s)
        if m:
            g = m.group(1)
            return int(g) if g.isdigit() else ord(g) - ord("a") + 1
        m = re.fullmatch(r"(?:the )?(first|second|third|fourth|fifth|last)(?: one)?", s)
        if m:
            order = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": len(self.choices)}
            return order[m.group(1)]
        said = interval_of(text)
        if said is not None:  # a range is judged as a range, never by its words ("between 0 and 1 inclusive")
            ranges = [interval_of(template.render(c)) for c in self.choices]
            same = [i for i, r in enumerate(ranges, 1) if r is not None and r.matches(said)]
            return same[0] if len(same) == 1 else None
        if _NEGATION_ANYWHERE.search(s):  # "not exactly 0 or 1": the words of a choice, negated, are not that choice
            return None
        if _PAIR.fullmatch(_plain(text)):  # "0 and 1": the range between them, or the two values? Not a pick
            return None
        return self._by_formula(text) or self._by_words(s)

    def _ends_unsaid(self, text: str) -> str:
        """For a right range whose ends the learner left unsaid ("between 0 and 1" for "strictly between
        0 and 1"): a sentence naming whether each end belongs, else ""."""
        said, right = interval_of(text), interval_of(template.render(self.choices[self.answer - 1]))
        if said is None or right is None:
            return ""
        from tutor.maths.numeric import fmt

        unsaid = [
            (fmt(end), inside)
            for end, inside, given in ((right.lo, right.lo_in, said.lo_in), (right.hi, right.hi_in, said.hi_in))
            if given is None and inside is not None and math.isfinite(end)
        ]
        if len(unsaid) == 2 and unsaid[0][1] == unsaid[1][1]:
            ends = (
                f"both {unsaid[0][0]} and {unsaid[1][0]} are included"
                if unsaid[0][1]
                else (f"neither {unsaid[0][0]} nor {unsaid[1][0]} is included")
            )
            return f" Mind the ends: {ends}."
        if unsaid:
            return (
                " Mind the ends: "
                + " and ".join(f"{end} is {'included' if inside else 'not included'}" for end, inside in unsaid)
                + "."
            )
        return ""

    def _about_range(self, text: str) -> str | None:
        """For a range that is no choice: what is wrong with it, next to the right choice's range."""
        said, right = interval_of(text), interval_of(template.render(self.choices[self.answer - 1]))
        if said is None or right is None:
            return None
        if (said.lo, said.hi) == (right.lo, right.hi):
            from tutor.maths.numeric import fmt

            wrong = [
                (fmt(end), inside)
                for end, inside, given in ((right.lo, right.lo_in, said.lo_in), (right.hi, right.hi_in, said.hi_in))
                if given is not None and given != inside
            ]
            if len(wrong) == 2 and wrong[0][1] == wrong[1][1]:
                both = "both are included" if wrong[0][1] else "neither is included"
                return f"The right ends, {fmt(right.lo)} and {fmt(right.hi)}, but {both}."
            said_ends = " and ".join(f"{end} is {'included' if inside else 'not included'}" for end, inside in wrong)
            return f"The right ends, {fmt(right.lo)} and {fmt(right.hi)}, but {said_ends}."
        return "Not that range. Type *hint* for a nudge."

    def _by_formula(self, text: str) -> int | None:
        """The one choice that is the same formula as ``text`` ("-ln(1-ŷ)", "-log(1 - yhat)" for "-ln(1 - ŷ)"),
        judged by SymPy, not by spelling; None when the text is no formula or no single choice equals it."""
        if not _FORMULA_HINT.search(text):
            return None
        said = _formula(text)
        if said is None:
            return None
        same = []
        for i, choice in enumerate(self.choices, 1):
            expr = _formula(re.sub(r"[*_`]", "", template.render(choice)))
            if expr is not None and _same_values(said, expr):
                same.append(i)
        return same[0] if len(same) == 1 else None

    def _by_words(self, s: str) -> int | None:
        from rapidfuzz import fuzz

        rendered = [_plain(template.render(c)).lower() for c in self.choices]
        said = _plain(s)
        exact = [i for i, c in enumerate(rendered, 1) if said == c]
        if exact:
            return exact[0]
        words = set(said.split())
        holding = [i for i, c in enumerate(rendered, 1) if words <= set(c.split())]
        if len(holding) == 1:  # "between 0 and 1" is within one choice's words only
            return holding[0]
        scores = [(fuzz.token_set_ratio(said, c), i) for i, c in enumerate(rendered, 1)]
        scores.sort(reverse=True)
        best, i = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0
        if best >= 85 and best - runner_up >= 10:
            return i
        return None

    def check(self, text: str) -> Feedback | None:
        k = self.pick(text)
        if k is None:
            about = self._about_range(text)
            return Feedback(False, about) if about else None
        if not 1 <= k <= len(self.choices):
            return Feedback(False, f"Choose a number from 1 to {len(self.choices)}.")
        if k == self.answer:
            return Feedback(True, "Right." + self._ends_unsaid(text))
        for i, (when, say) in enumerate(self.feedback):
            if when == k:
                return self.named(i, say)
        return Feedback(False, "Not that one. Type *hint* for a nudge.")

    def unreadable(self) -> str:
        return (
            f"Pick one of the choices by its number (1 to {len(self.choices)}), its letter, or its words. "
            "Type *hint* for a nudge."
        )

    @classmethod
    def validate(cls, raw, where, deep):
        choices = strings(raw.get("choices", [])) or ()
        answer = raw.get("answer")
        if (
            len(choices) < 2
            or isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 1 <= answer <= len(choices)
        ):
            return None, [f"{where}: give 'choices' and 'answer' as the number of the right one"]
        problems = [
            f"{where}: feedback 'when' must be a choice number from 1 to {len(choices)}"
            for when, _ in _feedback_items(raw)
            if isinstance(when, bool) or not isinstance(when, int) or not 1 <= when <= len(choices)
        ]
        return answer, problems


#: Text that may be a formula: a log, exp, σ or an operator between terms.
_FORMULA_HINT = re.compile(r"(?i)\b(?:ln|log|exp|sigma|sqrt)\b|[σ()^*/]|\w\s*[-+]\s*\w")


def _formula(text: str):
    """``text`` as a SymPy expression by the safe parser (cost-bounded, never eval), or None."""
    from tutor.maths.exprparse import parse

    try:
        return parse(bare_calls(text.replace("−", "-")), infinite=False)
    except (InputError, TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None


#: Where two formulas are compared: every variable at each of these values (inside (0, 1), where ŷ lives).
_PROBE_POINTS = (0.23, 0.58, 0.81)


def _same_values(a, b) -> bool:
    """Whether two parsed formulas agree at :data:`_PROBE_POINTS` (bounded work, unlike simplification)."""
    names = sorted(a.free_symbols | b.free_symbols, key=str)
    if len(names) > 3:
        return False
    for k in range(len(_PROBE_POINTS)):
        point = {x: _PROBE_POINTS[(k + j) % len(_PROBE_POINTS)] for j, x in enumerate(names)}
        try:
            da, db = complex(a.subs(point).evalf(15)), complex(b.subs(point).evalf(15))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            return False
        if not abs(da - db) <= 1e-9 * max(1.0, abs(da)):
            return False
    return True


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip(" .").lower()


@dataclass(frozen=True)
class ExpressionCheckpoint(Checkpoint):
    kind: ClassVar[str] = "expression"

    def check(self, text: str) -> Feedback | None:
        from tutor.maths.exprparse import equivalent, parse

        text = spoken(text).strip()
        if "=" in text:  # "dL/dz = ŷ - y": the right-hand side is the answer
            text = text.rsplit("=", 1)[1]
        try:
            got = _as_prediction(parse(text))
        except InputError:
            return None
        if equivalent(got, _as_prediction(parse(self.answer))):
            return Feedback(True, "Right: that is equivalent to the expected answer.")
        for i, (when, say) in enumerate(self.feedback):
            try:
                if isinstance(when, str) and equivalent(got, _as_prediction(parse(when))):
                    return self.named(i, say)
            except InputError:
                continue
        try:
            if equivalent(got, -_as_prediction(parse(self.answer))):
                return Feedback(False, "Right size, wrong sign: check the sign of each term.")
        except InputError:
            pass
        return Feedback(False, "That is not equivalent to the answer. Type *hint* for a nudge.")

    def unreadable(self) -> str:
        return (
            "I could not read that as a formula. Use + - * / ^, parentheses, y, y_hat (or ŷ), z, σ(z), ln(...). "
            "Type *hint* for a nudge."
        )

    @classmethod
    def validate(cls, raw, where, deep):
        answer = raw.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            return None, [f"{where}: 'answer' is an expression such as \"y_hat - y\""]
        problems = []
        if deep:
            from tutor.maths.exprparse import parse  # SymPy: only when `tutor validate` checks formulas

            for expr in [answer, *(w for w, _ in _feedback_items(raw))]:
                try:
                    parse(str(expr))
                except TutorError as err:
                    problems.append(f"{where}: cannot read the formula {expr!r}: {err.message}")
        return answer, problems


def _as_prediction(expr):
    """σ(z) and ŷ are the same thing: write every σ(z) as ŷ so either spelling compares equal."""
    import sympy as sp

    from tutor.maths.derive import sigma

    z, y_hat = sp.Symbol("z"), sp.Symbol("y_hat")
    return expr.subs(sigma(z), y_hat) if expr.has(sigma(z)) and not expr.has(y_hat) else expr


_WORD = re.compile(r"[^\W_]+(?:[-'/][^\W_]+)*")


def _stem(word: str) -> str:
    from snowballstemmer import stemmer

    return stemmer("english").stemWord(word.lower())


def _has_phrase(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` as whole words (stemmed), and is not negated just before it."""
    words = [(m.start(), _stem(m.group(0))) for m in _WORD.finditer(text.lower())]
    want = [_stem(w) for w in _WORD.findall(phrase.lower())]
    if not want:
        return False
    stems = [w for _, w in words]
    for i in range(len(stems) - len(want) + 1):
        if stems[i : i + len(want)] == want and not _negated(text.lower(), words[i][0]):
            return True
    return False


@dataclass(frozen=True)
class TextCheckpoint(Checkpoint):
    """A short answer in words: ``answer`` lists phrases any one of which makes it right.

    ``feedback`` entries name misconceptions (``when`` a phrase); they are looked for
    first. ``exact = true`` on an entry means the whole answer is that phrase.
    """

    kind: ClassVar[str] = "text"

    def check(self, text: str) -> Feedback | None:
        if not _WORD.search(text):
            return None
        said = _plain(text)
        for i, (when, say) in enumerate(self.feedback):
            phrase, exact = (when[0], True) if isinstance(when, tuple) else (when, False)
            if not isinstance(phrase, str):
                continue
            if (exact and said == _plain(phrase)) or (not exact and _has_phrase(text, phrase)):
                return self.named(i, say)
        if any(_has_phrase(text, phrase) for phrase in self.answer):
            return Feedback(True, "Right.")
        return Feedback(False, "Not quite what I was looking for. Type *hint* for a nudge.")

    @classmethod
    def validate(cls, raw, where, deep):
        answer = strings(raw.get("answer"))
        if not answer:
            return None, [f"{where}: 'answer' lists phrases a right answer contains"]
        return answer, []


KINDS: dict[str, type[Checkpoint]] = {
    k.kind: k for k in (NumericCheckpoint, ChoiceCheckpoint, ExpressionCheckpoint, TextCheckpoint)
}


def _feedback_items(raw: dict[str, Any]) -> list[tuple[Any, Any]]:
    items = raw.get("feedback", [])
    return [(i.get("when"), i.get("say")) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
