r"""Recognise what a learner asks the tutor to *do*, before looking for a topic.

Every recogniser reads text with regular expressions and :func:`literals.to_float`;
nothing is evaluated. Each reads the text cleaned, cut to ``language.MAX_CHARS`` and with
runs of white space squeezed to one space, and no pattern has two unbounded quantifiers
that can trade characters (possessive ``\s*+`` where a gap sits between parts), so their
time is linear in the text (``benchmarks/bench_adversarial.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tutor.errors import InputError
from tutor.matching.language import clean, squeeze
from tutor.maths.literals import NUMBER, to_float
from tutor.maths.notation import ALIASES, spelling_pattern

# ------------------------------------------------------------------ follow-ups and choices

FOLLOW_UP_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "example",
        re.compile(
            r"^(?:(?:can|could) you )?(?:give |show )?(?:me )?(?:an? |another )?(?:worked |numeric(?:al)? |concrete )?"
            r"examples?(?: please| pls)?|(?:with|show me(?: the)?|some) numbers|example please$"
        ),
    ),
    (
        "simpler",
        re.compile(
            r"^(?:simpler|simplify|eli5|explain (?:it )?(?:more )?simply|in simpler terms|(?:say|explain) (?:it|that) simpler"
            r"|(?:i )?(?:still )?(?:don'?t|do not) (?:get|understand)(?: it| that)?|i'?m (?:still )?(?:confused|lost)"
            r"|huh|what\?*|too hard|too complicated|simpler please|make it simpler|can you simplify)(?: please)?$"
        ),
    ),
    (
        "deeper",
        re.compile(
            r"^(?:go )?(?:deeper|more details?|in more depth|(?:tell me )?more|details?|elaborate|go on|keep going"
            r"|and then|dig deeper|more please|the math|the maths)(?: please)?$"
        ),
    ),
    (
        "why",
        re.compile(
            r"^(?:but |and |ok |okay )?(?:why|how come|why is that|why so|but why|why though|why\?+ ?|for what reason"
            r"|what'?s the reason|why is that so)(?: please)?$"
        ),
    ),
    ("next", re.compile(r"^(?:next|what'?s next|continue|go on to the next|next topic|move on|and next)(?: please)?$")),
    (
        "plot",
        re.compile(
            r"^(?:(?:show|draw|plot)(?: me)?(?: it| that| the)? ?(?:plot|graph|picture|curve|chart)?|(?:a |the )?(?:plot|graph|picture)"
            r"(?: please)?|can i see (?:it|the graph|a plot)|visuali[sz]e (?:it|that))$"
        ),
    ),
    (
        "derive",
        re.compile(
            r"^(?:derive it|(?:show )?the derivation|(?:show )?(?:me )?the steps|how is (?:it|that) derived|prove it)(?: please)?$"
        ),
    ),
]

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}


def _text(text: str) -> str:
    """What every recogniser reads: cleaned, cut to ``language.MAX_CHARS``, white space squeezed, the minus
    sign (U+2212) as the hyphen a keyboard types: "ln(1−x)" had been read as ln(1) to compute."""
    return squeeze(clean(text)).replace("\u2212", "-")


def _short(text: str) -> str:
    return _text(text).strip().lower().strip(" .!?,;")


#: The words follow-ups are asked with; a misspelling of one ("exmaple", "simpeler") is read as it.
FOLLOW_UP_WORDS = (
    "example",
    "examples",
    "simpler",
    "simplify",
    "deeper",
    "detail",
    "details",
    "elaborate",
    "derivation",
    "picture",
    "continue",
    "understand",
    "confused",
    "complicated",
)
#: How close (rapidfuzz ratio, 0-100) a word of five letters or more must be to a follow-up word, with the same first letter.
FOLLOW_UP_SPELLING = 85
_POLITE = re.compile(r"^(?:(?:please|pls|plz|ok|okay)\s+)+|(?:\s+(?:please|pls|plz|thanks|thx|then))+$")


def _follow_up_spelling(short: str) -> str:
    from rapidfuzz import fuzz, process

    words = short.split()
    for i, w in enumerate(words):
        if len(w) >= 5 and w not in FOLLOW_UP_WORDS:
            hit = process.extractOne(w, FOLLOW_UP_WORDS, scorer=fuzz.ratio, score_cutoff=FOLLOW_UP_SPELLING)
            if hit and hit[0][0] == w[0]:
                words[i] = hit[0]
    return " ".join(words)


def follow_up(text: str) -> str | None:
    """Which follow-up a short message asks for (``why``, ``example``...), if any: politeness
    ("simpler pls") and misspelt follow-up words ("an exmaple") do not hide it."""
    short = _short(text)
    if len(short) > 60:
        return None
    for candidate in dict.fromkeys((short, _POLITE.sub("", short), _follow_up_spelling(_POLITE.sub("", short)))):
        for name, pattern in FOLLOW_UP_PATTERNS:
            if candidate and pattern.match(candidate):
                return name
    return None


def choice(text: str, n: int) -> int | None:
    """``2``, ``#2``, ``the second``, ``option 2``: a 1-based choice among ``n``."""
    short = _short(text)
    m = re.fullmatch(
        r"(?:option |choice |number |no\.? |#)?(\d{1,2})|(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th)(?: one)?"
        r"|(one|two|three|four)",
        short,
    )
    if not m:
        return None
    k = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2) or m.group(3)]
    return k if 1 <= k <= n else None


# ------------------------------------------------------------------ compute requests

_ALIASES = ALIASES
#: Every spelling of every quantity (tutor.maths.notation, the one vocabulary).
_NAME = spelling_pattern()
#: A value: a bracketed list, a tuple, a list in words ("1, 0 and 1"), or one number.
_VALUE = (
    rf"\[[^\[\]]{{0,4000}}\]|\(\s*{NUMBER}(?:\s*,\s*{NUMBER})+\s*\)"
    rf"|{NUMBER}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){NUMBER}(?![\w.]|\s*[=:]))+|{NUMBER}"
)
_ASSIGN = re.compile(
    rf"(?<![\w\\])(?P<name>{_NAME})(?![\w])\s*+(?:=|:|≈|is|of|equals?|equal to|as)?\s*+(?P<value>{_VALUE})", re.I
)
_CALL = re.compile(
    rf"(?:(?P<neg>[-−]|minus |negative )\s*+)?(?<![\w.])(?P<fn>log_?2|log_?10|ln|log(?![\d_])|sigmoid|σ|exp)\s*(?:of\s*|\(\s*)?"
    rf"(?P<value>{NUMBER}(?:\s*,\s*{NUMBER})*)(?![\w.]|\s*[-+*/^])\s*\)?",
    re.I,
)
#: Words of doubt or trouble: "why is -log(1) ...", "log(0) error": a question about a topic, not a sum.
_DOUBT = re.compile(
    r"\b(why|shouldn'?t|should|isn'?t|doesn'?t|how come|confus\w*|explain|error|errors|nan|bug|problem|wrong|"
    r"expect\w*|supposed|about|approximately|roughly|right\s*\?|isn'?t it|means|mean(?=\s*(?:[?.,;!]|$)))\b",
    re.I,
)
_COMPUTE_VERB = re.compile(r"\b(compute|calculate|calc|evaluate|work out)\b", re.I)
#: A compute request is short: a sentence that mentions a formula in passing is a question.
MAX_REQUEST_WORDS = 14
_NUMBERS = re.compile(NUMBER)


@dataclass(frozen=True)
class ComputeRequest:
    function: str
    args: tuple
    assumed: tuple[str, ...] = ()


def _read_value(raw: str) -> float | list[float]:
    raw = raw.strip()
    if raw[0] in "[(" or re.search(r",|\sand\s", raw):
        inner = raw[1:-1] if raw[0] in "[(" else raw
        items = [s for s in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s+", inner.strip()) if s]
        if len(items) > 1000:
            raise InputError("A list holds at most 1000 numbers.")
        return [to_float(s) for s in items if _NUMBERS.fullmatch(s)]
    return to_float(raw)


#: A word of this many letters or more, right before a value, one edit (or swap) away from exactly one
#: spelling of a quantity, is that spelling: "lable is 0", "predction = 0.3".
SPELT_NAME_LETTERS = 5
_NAMED_VALUE = re.compile(rf"(?<![\w\\])([a-z]{{{SPELT_NAME_LETTERS},}})(?=\s*(?:=|:|is\b|of\b)?\s*[-\d.\[(])", re.I)
_LONG_SPELLINGS = tuple(s for s in ALIASES if len(s) >= SPELT_NAME_LETTERS and s.isalpha())


def _respelt(text: str) -> str:
    from rapidfuzz.distance import OSA

    def fix(m: re.Match[str]) -> str:
        word = m.group(1)
        if word.lower() in ALIASES:
            return word
        near = [s for s in _LONG_SPELLINGS if OSA.distance(word.lower(), s, score_cutoff=1) <= 1]
        return near[0] if len(near) == 1 else word

    return _NAMED_VALUE.sub(fix, text)


def assignments(text: str) -> dict[str, float | list[float]]:
    """The values the text gives, by canonical name. A name given again for another example
    ("y=1, ŷ=0.9; y=0, ŷ=0.9") collects its values into a list, one per example, in order.
    A name misspelt by one letter right before its value is read as the name ("lable is 0")."""
    text = _respelt(_text(text))
    found: dict[str, float | list[float]] = {}
    again: dict[str, list[float]] = {}
    for m in _ASSIGN.finditer(text):
        name = _ALIASES.get(re.sub(r"\s+", " ", m.group("name").lower()))
        if name is None:
            continue
        if name in found:
            value = _read_value(m.group("value"))
            if name in ("y", "y_hat") and not isinstance(value, list) and not isinstance(found[name], list):
                again.setdefault(name, [found[name]]).append(value)  # type: ignore[list-item]
            continue
        if (
            name == "y_hat"
            and m.group("name").lower() in ("a", "p", "q")
            and not re.search(r"[=:]", text[m.start() : m.end()])
        ):
            continue  # a bare "a" or "p" next to a number is only ŷ when assigned
        found[name] = _read_value(m.group("value"))
    for name, values in again.items():
        found[name] = values
    return found


_WHAT_ABOUT = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+(?:about|if)\b|^\s*(?:and\s+)?if\b|^\s*now (?:with|for)\b", re.I
)


def what_about(text: str, computed: str | None = None) -> dict[str, float | list[float]] | None:
    """``what about y = 0?``, ``and if ŷ = 0.9?``: the new values, or None when the text is not such a turn.

    "if ŷ = 0.999, shouldn't the loss be -1?" is a question about a topic, not new values.
    ``computed``: the computation just shown; for a declared formula, its own variables are read
    ("what about gamma = 0?").
    """
    lead = _WHAT_ABOUT.match(text)
    if not lead:
        return None
    from tutor.maths import formulas

    formula = formulas.find(computed)
    if formula is not None:
        new: dict[str, float | list[float]] = {k: v[0] for k, v in formula_values(_text(text), formula).items()}
    else:
        new = dict(assignments(text))
    if not new or doubtful(text[lead.end() :]):
        return None
    return new


def doubtful(text: str) -> bool:
    """Words of doubt without a verb asking for a sum: "shouldn't the loss be -1 if ŷ = 0.999?" is a question."""
    text = _text(text)
    return bool(_DOUBT.search(text)) and not _COMPUTE_VERB.search(text)


#: "what is", "compute" before a sum to work out; "?", "=" after it.
_WORK_OUT = re.compile(
    r"^\s*(?:please\s+)?(?:(?:what(?:'s| is)|compute|calculate|evaluate|work out)\s+)?(?P<expr>.+?)\s*[=?.!]*"
    r"(?:\s*,?\s*(?:for me\s*)?,?\s*please)?\s*[?.!]*\s*$",
    re.I,
)
#: A sum of numbers only: digits, operators, parentheses and the functions the formula reader knows.
_ARITHMETIC = re.compile(r"^(?:[\d\s.+\-*/^()·×−,]|\b(?:ln|log|exp|sigma|sigmoid|e)\b|(?<=\d)e(?=[-+]?\d)|σ)+$", re.I)


def closed_expression(text: str) -> str | None:
    """A sum of numbers to work out whole ("-(0.1 ln 0.1 + 0.9 ln 0.9)", "ln(0.9) - ln(0.1)"), or None: a
    single number or function of one ("-log(0.99)") is left to its own computation, which tells its sign."""
    m = _WORK_OUT.match(text)
    expr = m.group("expr").strip() if m else ""
    # "ln(0.9) + ln(0.1) = -2.4?": a value of one's own to check; the sum is worked out whole, where the
    # single-call reader would answer ln(0.9) alone
    stated = re.match(r"^(?:is\s+)?(?P<lhs>[^=]+?)\s*=\s*[-−]?(?:\d+\.?\d*|\.\d+)$", expr, re.I)
    if stated:
        expr = stated.group("lhs")
    if not expr or not re.search(r"\d", expr) or "," in expr:
        return None
    import ast

    from tutor.maths import exprparse

    try:
        body = ast.parse(exprparse._prepare(exprparse.bare_calls(expr)), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    while isinstance(body, ast.UnaryOp):
        body = body.operand
    if isinstance(body, (ast.Constant, ast.Call, ast.Name)):
        return None
    if _ARITHMETIC.match(expr):
        return expr
    # Not numbers only, but a function of a number joined to more ("ln(0.9) + log2(4)", "ln(0.9) + ln(0.1) + x"):
    # taken whole, so the sum says what it cannot work out, where the single-call reader would answer
    # ln(0.9) alone as if it were the whole. Words ("log(0) - why") are no sum.
    nodes = list(ast.walk(body))
    funcs = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    names = [n.id.lower() for n in nodes if isinstance(n, ast.Name) and id(n) not in funcs]
    numeric_call = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id.lower() in (*exprparse.FUNCTIONS, "sqrt")
        and n.args
        and not any(isinstance(a, ast.Name) for a in ast.walk(n.args[0]))
        for n in nodes
    )
    if numeric_call and all(len(n) == 1 or n in ("log2", "log10", "sqrt", "y_hat") for n in names):
        return expr
    return None


def compute_request(text: str) -> ComputeRequest | None:
    """A numeric request in the learner's words, or None when the text asks for none."""
    text = _text(text)
    if not _NUMBERS.search(text) or len(re.findall(r"[^\W\d_]{2,}", text)) > MAX_REQUEST_WORDS:
        return None
    if doubtful(text):
        return None
    declared = formula_compute(text)
    if declared is not None:
        return declared
    low = text.lower()
    vals = assignments(text)
    words = set(re.findall(r"[a-z]+", low))
    if {"step", "update", "descent", "iteration"} & words and "w" in vals:
        args = (vals.get("w"), vals.get("b", 0.0), vals.get("x", 1.0), vals.get("y", 1.0), vals.get("lr", 0.1))
        assumed = tuple(k for k, d in (("b", 0.0), ("x", 1.0), ("y", 1.0), ("lr", 0.1)) if k not in vals)
        return ComputeRequest("gd_step", args, assumed)
    y, p, z = vals.get("y"), vals.get("y_hat"), vals.get("z")
    if y is not None and (p is not None or z is not None):
        if isinstance(y, list) or isinstance(p, list):
            if not isinstance(y, list) and isinstance(p, list):  # one label, several predictions: a table
                return ComputeRequest("bce_table", (y, p), ())
            if not (isinstance(y, list) and isinstance(p, list)):
                raise InputError("Give y and ŷ both as lists of the same length, e.g. y=[1,0,1], ŷ=[0.9,0.2,0.6].")
            return ComputeRequest("cost", (y, p), ())
        if {"mse", "squared", "quadratic"} & words:
            if z is not None:
                return ComputeRequest("grad_compare", (y, z), ())
            return ComputeRequest("mse", (y, p), ())
        if {"derivative", "gradient", "grad", "slope", "partial", "dl", "∂l"} & words or "∂" in low:
            if z is not None:
                return ComputeRequest("dlogit", (y, z), ())
            return ComputeRequest("dbce", (y, p), ())
        if z is not None and p is None:
            return ComputeRequest("bce_logit", (y, z), ())
        return ComputeRequest("bce", (y, p), ())
    whole = closed_expression(text)
    if whole is not None:
        return ComputeRequest("arithmetic", (whole,), ())
    call = _CALL.search(text)
    if call:
        fn = call.group("fn").lower().replace("_", "")
        numbers = [to_float(s) for s in re.split(r"\s*,\s*", call.group("value"))]
        neg = bool(call.group("neg"))
        if fn in ("sigmoid", "σ"):
            name = "dsigmoid" if ("derivative" in words or "σ'" in text) else "sigmoid"
            return ComputeRequest(name, (numbers[0],), ())
        if fn == "exp":
            return ComputeRequest("exp", (numbers[0],), ())
        if len(numbers) > 1:
            return ComputeRequest("log_table", (numbers,), ())
        if fn == "log2":
            return ComputeRequest("log2", (numbers[0],), ())
        if fn == "log10":
            return ComputeRequest("log10", (numbers[0],), ())
        return ComputeRequest("neglog" if neg else "ln", (numbers[0],), ())
    if p is not None and y is None and ({"loss", "cost", "bce"} & words) and _COMPUTE_VERB.search(text):
        raise InputError("Tell me the label as well, for example: loss if y = 1 and ŷ = 0.3.")
    if z is not None and "sigmoid" in words:  # "the derivative of the sigmoid at z = 2" asks for σ'(2)
        slope = {"derivative", "slope", "gradient"} & words or "σ'" in text
        return ComputeRequest("dsigmoid" if slope else "sigmoid", (z,), ())
    return None


# ------------------------------------------------------------------ declared formulas (formulas.toml)

_LIST_OF = rf"\[\s*{NUMBER}(?:\s*,\s*{NUMBER}){{0,7}}\s*\]|{NUMBER}(?:\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+){NUMBER}){{0,7}}"


def _spellings(formula, var) -> str:
    names = {var.name, var.symbol, var.name.replace("_", " ")}
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def formula_values(text: str, formula, several: bool = False) -> dict[str, list[float]]:
    """The values ``text`` gives a declared formula's variables: ``gamma = 2``, ``γ=0, 1, 2`` (``several``), ``p of 0.9``."""
    found: dict[str, list[float]] = {}
    value = _LIST_OF if several else NUMBER
    for var in formula.variables:
        m = re.search(
            rf"(?<![\w])(?:{_spellings(formula, var)})(?![\w])\s*+(?:=|:|≈|is|of|equals?|in|as)?\s*+(?P<v>{value})",
            text,
            re.I,
        )
        if m:
            found[var.name] = [to_float(n) for n in _NUMBERS.findall(m.group("v"))]
    return found


def formula_compute(text: str) -> ComputeRequest | None:
    """ "focal loss for p = 0.9 and gamma = 2": a declared formula named with values for its variables.

    A formula named with no value, or without a value its computation needs (no default), is a
    question about it (None), unless the text asks to compute.
    """
    from tutor.maths import formulas

    formula = formulas.named_in(text)
    if formula is None or _PLOT.search(text) or _DERIVE.search(text):
        return None
    vals = formula_values(text, formula)
    if not vals:
        return None
    missing = [v for v in formula.variables if v.name not in vals and v.default is None]
    if missing:
        if _COMPUTE_VERB.search(text):
            raise InputError(
                f"Tell me {missing[0].symbol} as well ({missing[0].meaning or 'it has no default'}), "
                f"for example: {formula.title} for "
                + " and ".join(f"{v.symbol} = {_example_value(v)}" for v in formula.variables)
                + "."
            )
        return None
    args = tuple(vals[v.name][0] if v.name in vals else v.default for v in formula.variables)
    assumed = tuple(v.name for v in formula.variables if v.name not in vals)
    return ComputeRequest(formula.name, args, assumed)


def _example_value(var) -> str:
    from tutor.maths import formulas

    return formulas._example(var)


def formula_plot(text: str, body: str) -> PlotRequest | None:
    """ "plot focal loss for gamma = 0, 1, 2", "plot focal": a declared formula, with values for its other variables."""
    from tutor.maths import formulas

    formula = formulas.named_in(body)
    if formula is None:
        return None
    values = formula_values(body, formula, several=True)
    return PlotRequest(formula.name, values=tuple((k, tuple(v)) for k, v in values.items()))


def derive_wrt(text: str, target: str) -> str | None:
    """The variable "derive focal loss with respect to gamma" names, for a declared formula."""
    from tutor.maths import formulas

    formula = formulas.find(target)
    if formula is None:
        return None
    low = _text(text)
    for var in formula.variables:
        if re.search(
            rf"(?:with respect to|w\.?r\.?t\.?|by|in|∂/∂|d/d)\s*+(?:{_spellings(formula, var)})(?![\w])", low, re.I
        ):
            return var.name
    return None


# ------------------------------------------------------------------ plot and derive requests

_PLOT = re.compile(
    r"^(?:(?:can|could) you |please |pls |now |and |ok |okay )*(?:plot|graph|draw|sketch|visuali[sz]e|chart)\b"
    r"|^(?:(?:can|could) you |please )?show (?:me )?(?:a |the )?(?:plot|graph|curve|chart|picture)s?\b",
    re.I,
)


@dataclass(frozen=True)
class PlotRequest:
    """What a plot request asks for: a named plot (``name``, ``""`` for none named) or expressions to draw."""

    name: str = ""
    expressions: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    marks: tuple[float, ...] = ()
    #: Values for a declared formula's other variables: ``(("gamma", (0.0, 1.0, 2.0)),)``, one curve a value.
    values: tuple[tuple[str, tuple[float, ...]], ...] = ()


_PLOT_LEAD = re.compile(
    r"^(?:(?:can|could) you |please |pls |now |and |ok |okay )*(?:(?:plot|graph|draw|sketch|visuali[sz]e|chart)"
    r"|show (?:me )?)\s*(?:(?:me )?(?:a |the )?(?:plot|graph|curve|chart|picture)s? (?:of )?)?",
    re.I,
)
_MARK = re.compile(
    rf"(?:,?\s*(?:and|with)\s+)?(?:mark(?:ing)?|highlight(?:ing)?|at)\s+(?:(?:ŷ|y_?hat|x|z|p)\s*=\s*)?(?P<v>{NUMBER})"
    rf"(?:\s*(?:,|and)\s*(?P<w>{NUMBER}))?(?:\s+marked)?|\s*with\s+(?:ŷ|y_?hat|x|z)\s*=\s*(?P<u>{NUMBER})\s+marked",
    re.I,
)
_RANGE = re.compile(
    rf"\s*(?:(?:for|with)\s+(?:ŷ|y_?hat|x|z)\s+)?(?:from|between)\s+(?P<a>{NUMBER})\s+(?:to|and)\s+(?P<b>{NUMBER})"
    rf"|\s*(?:on|over|in|for\s+(?:ŷ|y_?hat|x|z)\s+in)\s+[(\[]\s*(?P<c>{NUMBER})\s*,\s*(?P<d>{NUMBER})\s*[)\]]",
    re.I,
)
_TAIL = re.compile(
    r"\s*(?:together|at once|on (?:one|the same) (?:plot|graph|picture|axes)|in one (?:plot|graph|picture)|please)\s*$",
    re.I,
)
_SPLIT = re.compile(r"\s*(?:\band\b|\bvs\.?|\bversus\b|,|;|&)\s*", re.I)
#: What an expression plot's text is made of: numbers, operators, variables and the functions the parser reads.
_FORMULA_WORDS = {
    "ln",
    "log",
    "exp",
    "sigma",
    "sigmoid",
    "x",
    "z",
    "y",
    "hat",
    "y_hat",
    "yhat",
    "e",
    "and",
    "vs",
    "versus",
}
_FORMULA_SIGN = re.compile(r"[\d()^*/+\-=ŷσ]|\b[xz]\b")


def _named_plot(low: str) -> str:
    if "sigmoid" in low or "σ" in low or "logistic" in low:
        return "dsigmoid" if re.search(r"derivative|σ'|slope|gradient", low) else "sigmoid"
    if re.search(r"mse|squared|quadratic", low):
        return "grad-compare" if re.search(r"gradient|derivative", low) else "mse-vs-bce"
    if re.search(r"y\s*=\s*0\b|1\s*-\s*(?:y_?hat|ŷ|yhat|p|a)|\blabel (?:is )?0\b", low):
        return "bce0"
    if re.search(r"both|branches|\bbce\b|cross.?entropy|log.?loss", low):
        return "bce"
    if re.search(r"(?:[-−]|minus|negative)\s*(?:log|ln)|\bloss\b|y\s*=\s*1\b", low):
        return "neglog"
    if re.search(r"\blog|\bln\b", low):
        return "ln"
    return ""


def plot_request(text: str) -> PlotRequest | None:
    """What a plot request asks for, or None when ``text`` asks for no plot.

    ``plot ln x and -ln x from 0 to 3``, ``plot -ln ŷ and mark 0.99``: expressions (read later
    by the safe parser), a range and marked values; ``plot the sigmoid``: a named plot;
    ``plot it``: ``name == ""``, the topic's own plot.
    """
    low = _text(text).lower().strip()
    if not _PLOT.search(low):
        return None
    body = _PLOT_LEAD.sub("", low, count=1).strip(" .!?")
    marks: list[float] = []
    m = _MARK.search(body)
    if m:
        marks = [to_float(v) for v in (m.group("v"), m.group("w"), m.group("u")) if v]
        body = (body[: m.start()] + body[m.end() :]).strip()
    lo = hi = None
    r = _RANGE.search(body)
    if r:
        a, b = (r.group("a"), r.group("b")) if r.group("a") else (r.group("c"), r.group("d"))
        lo, hi = to_float(a), to_float(b)
        body = (body[: r.start()] + body[r.end() :]).strip()
    body = _TAIL.sub("", body).strip(" .!?")
    declared = formula_plot(text, body)
    if declared is not None:
        from dataclasses import replace

        return replace(declared, lo=lo, hi=hi, marks=tuple(marks))
    words = set(re.findall(r"[a-z_]+", body))
    formula = bool(body) and words <= _FORMULA_WORDS and bool(_FORMULA_SIGN.search(body))
    if formula:
        parts = tuple(p for p in _SPLIT.split(body) if p.strip())
        return PlotRequest("", parts, lo, hi, tuple(marks))
    name = _named_plot(low)
    if not name and re.search(r"[a-z_]+\s*\(|[\^*/]", body):
        # Formula-shaped but not a formula we read ("plot sin(x)"): the parser says what it accepts.
        return PlotRequest("", (body,), lo, hi, tuple(marks))
    return PlotRequest(name, (), lo, hi, tuple(marks))


#: After "how do you get": something mathematical within four words (a symbol, or a word naming a
#: result), so "how to get my GPU working" or "how do I get the loss down" stay questions.
_GOT_WHAT = (
    r"(?=\s+(?:\S+\s+){0,3}?(?:[^\s\w?!.,;:'\"]|\b(?:derivatives?|gradients?|formulas?|equations?|expressions?"
    r"|identity|closed[- ]form|results?|this|that|it|y_?hat|dl|dz|dw|db)\b))"
)
_DERIVE = re.compile(
    r"\b(?:derive|derivation|derivations|derived|step[- ]by[- ]step|show (?:me )?(?:the |all the )?steps|steps for"
    r"|how (?:do|did|would|can) (?:you|we|i|they|one) (?:get|arrive at|arrive|obtain|reach|end up with)"
    + _GOT_WHAT
    + r"|how to (?:get|arrive at|obtain|reach)"
    + _GOT_WHAT
    + r"|how (?:is|was) (?:it|this|that|the \w+(?:'s)? \w+) (?:derived|computed|obtained)"
    r"|work (?:it )?out|prove|proof)\b",
    re.I,
)


#: "the derivative of ln(1 - x)", "differentiate x^2 * ln(x) with respect to x", "d/dz 1/(1 + e^-z)".
_WRT = r"(?:\s*,?\s+(?:with respect to|w\.?r\.?t\.?|wrt|by)\s+(?P<wrt>[^\s?.!,]+))?"
#: "... at x = 0.5", "... at ŷ = 0.9", "... at 3", "... at x = 1/2", "... when y = 1": the derivative's value there.
_AT = (
    r"(?:\s*,?\s+(?:at|for|when|where)\s+(?:(?P<atvar>[A-Za-zŷ_]\w{0,5})\s*=\s*)?"
    r"(?P<at>[-+−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:/[1-9]\d{0,5})?))?"
)
#: "can you ...", "please ...", "... for me, please": a request asked politely is the same request.
_ASKED = r"(?:(?:can|could|would|will) you\s+(?:please\s+)?|please\s+)?"
_PLEASE = r"(?:\s+for me)?(?:\s*,?\s*please)?"
#: "derivative" and "differentiate" as learners also spell them (derivitive, diferentiate, differenciate).
_DERIVATIVE = r"(?:derivative|deri?v[ai]t[ai]?ve|dervative|derivate)"
_DIFFERENTIATE = r"(?:di?ff?e?ren[tc]i?ate|derive)"
#: Every reader of a derivative asked or stated needs one of these ("der"ivative, diffe"ren"tiate, d/dx,
#: d(x^2)/dx): its patterns, compiled on first use (12 ms of a cold `tutor ask`), are tried only then.
_MAY_DERIVE = re.compile(r"der|ren|d\s*/\s*d|d\s*\(|[′'’]\s*\(", re.I)
#: "f(x) = ln(1 - x), is f'(x) = -1/(1 - x)?", "if g(z) = z^2 then g'(z) = 2z", "f(x) = x^2: what is f'(3)?":
#: a function named, then its derivative asked or stated by the name (f′ as ', ′ or ’).
_FUNCTION_NOTATION = re.compile(
    r"^(?:(?:if|let|given|say|suppose|for)\s+)?(?P<f>[a-z])\s*\(\s*(?P<var>[a-zŷ]\w{0,5})\s*\)\s*=\s*(?P<expr>[^=]+?)"
    r"\s*(?:[,;:.]\s*|\s+)(?:(?:and|so|then|is it true that|is it|is|what(?:'s| is)|find|compute|what do you get for)\s+|[,;:]\s*)*"
    r"(?P=f)\s*[′'’]\s*\(\s*(?P<arg>[^()]{1,30}?)\s*\)(?P<rest>.*)$",
    re.I,
)


def _by_name(text: str) -> tuple[str, bool]:
    """``text`` with a function named by a letter and its derivative asked or stated by that name (f'(x))
    written as "the derivative of" its expression: "f(x) = x^2, is f'(x) = 2x?" is "the derivative of f(x) = x^2
    with respect to x = 2x?", and f'(3) is its value at x = 3; any other text as it is. Also whether the
    derivative is asked ("f(x) = x^2, f'(x)?"), not stated: "the derivative of f(x) = x^2 with respect to x?"
    would read as the claim "x^2 with respect to x"."""
    if "(" not in text:
        return text, False
    m = _FUNCTION_NOTATION.match(_text(text).strip())
    if m is None:
        return text, False
    expr, var, arg, rest = m["expr"].strip(), m["var"], m["arg"].strip(), m["rest"]
    at = ""
    if arg.lower() != var.lower():
        if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:/[1-9]\d{0,5})?", arg):
            return text, False  # f'(2x), f'(g(x)): not read
        at = f" at {var} = {arg}"
    said = re.match(r"\s*(?:=|is|equals|is equal to|should be)\s*(?P<claim>.+)$", rest, re.I)
    if said is not None:  # g(z)(1 - g(z)) for the derivative of g(z) = σ(z): g(z) is that expression
        claim = re.sub(rf"\b{re.escape(m['f'])}\s*\(\s*{re.escape(var)}\s*\)", f"({expr})", said["claim"])
        return f"the derivative of {m['f']}({var}) = {expr} with respect to {var}{at} = {claim}", False
    if re.fullmatch(r"\s*[?.!]*", rest):  # named, so that its derivative is written with its name (dg/dz)
        return f"the derivative of {m['f']}({var}) = {expr} with respect to {var}{at}{rest}", True
    return text, False


@cache
def _derivative_of() -> list[re.Pattern[str]]:
    return [
        re.compile(
            r"^"
            + _ASKED
            + r"(?:(?:what(?:'s| is)|find|compute|calculate|get|give me|show me|tell me|work out|take)\s+)?"
            r"(?:the\s+)?(?:first\s+)?" + _DERIVATIVE + r"\s+of\s+(?P<expr>.+?)" + _WRT + _AT + _PLEASE + r"\s*[?.!]*$",
            re.I,
        ),
        re.compile(r"^" + _ASKED + _DIFFERENTIATE + r"\s+(?P<expr>.+?)" + _WRT + _AT + _PLEASE + r"\s*[?.!]*$", re.I),
        re.compile(
            r"^(?:(?:what(?:'s| is)|find|compute)\s+)?d\s*/\s*d(?P<wrt>[a-zŷ]\w*)\s*(?:of\s+)?(?P<expr>.+?)"
            + _AT
            + r"\s*[?.!]*$",
            re.I,
        ),
    ]


@dataclass(frozen=True)
class TypedDerivative:
    """A request to differentiate an expression the learner typed: by ``wrt`` (None: the usual one), and
    its value at ``at`` = (a variable or None for ``wrt``, a number as typed) when one is asked."""

    expression: str
    wrt: str | None = None
    at: tuple[str | None, str] | None = None


def expression_derivative(text: str) -> TypedDerivative | None:
    """The request to differentiate an expression the learner typed,
    which the formula reader accepts whole; None for anything else (words, a bare name such as "the
    sigmoid", a function the tutor does not know such as sin), left to the other readers."""
    text = _by_name(text)[0]
    low = _text(text).strip()
    if not _MAY_DERIVE.search(low):
        return None
    for pattern in _derivative_of():
        m = pattern.match(low)
        if m is None:
            continue
        from tutor.errors import InputError
        from tutor.maths import formulas  # only now: reading a question must not import NumPy (cold start)

        m = pattern.match(_text(formulas.powers_written_out(text)).strip())  # x² before NFKC makes it x2
        if m is None:
            return None

        expr, wrt = m.group("expr").strip(), m.group("wrt")
        at = (m.group("atvar"), m.group("at")) if m.group("at") else None
        function = re.fullmatch(r"(?:the\s+)?(sigmoid|σ|sigma|ln|log|exp|sqrt)(?:\s+function)?", expr, re.I)
        if function is not None and at is not None:  # "the derivative of the sigmoid at 0": its value there
            name = function.group(1).lower()
            expr = f"{name}({'z' if name in ('sigmoid', 'σ', 'sigma') else 'x'})"
        if re.fullmatch(r"\|[^|]{1,40}\|", expr) and formulas.expression_variables(expr.strip("|")):
            return TypedDerivative(expr, wrt, at)  # |x|: the reply says the tutor has no absolute value
        if not re.search(r"[-+*/^()\d]", formulas.typed_source(expr)):  # words, or one name ("the sigmoid")
            return None
        names = formulas.expression_variables(expr)
        if not names:
            return None
        try:
            formulas.read(formulas.typed_source(expr), names)
        except InputError:
            return None
        return TypedDerivative(expr, wrt, at)
    return None


#: How a learner asks whether their own derivative is right: "..., right?", "is that correct?".
_RIGHT = (
    r"(?:\s*[,.;]?\s*(?:right|correct|true|yes|no|ok|isn'?t it|is (?:that|this|it) (?:right|correct)|am i right"
    r"|did i get (?:it|that) right))?\s*[?.!]*$"
)
_IS = r"\s+(?:is|=|equals|(?:is\s+)?equal to|should be|would be)\s+|\s*=\s*"
#: "I think ...", "I believe ...": the learner's own answer, said as one.
_THINK = r"(?:i\s+(?:think|believe|reckon|guess)\s+(?:that\s+)?)?"


#: "g(z) = " before an expression: its name, kept so that its derivative is written with it (dg/dz).
_DEFINED = r"(?:[a-zŷ](?:\s*\(\s*[a-zŷ]\w{0,5}\s*\))?\s*=\s*(?=\S))?"
#: A name alone ("y", "g(z)"), which "the derivative of y = x^2 ln x" defines rather than differentiates.
_NAME_ONLY = re.compile(r"[a-zŷ](?:\s*\(\s*[a-zŷ]\w{0,5}\s*\))?", re.I)


#: "the derivative of ln(1 - x) is -1/(1 - x), right?", "is d/dx x^2 = 2x?", "I got 1/(1 - x) for the
#: derivative of ln(1 - x)", "is 2x the derivative of x^2?": the learner's own answer, to be checked.
@cache
def _claimed() -> list[re.Pattern[str]]:
    return [
        re.compile(
            r"^"
            + _THINK
            + r"(?:is\s+|so\s+|and\s+)?(?:the\s+)?(?:first\s+)?"
            + _DERIVATIVE
            + r"\s+of\s+(?P<expr>"
            + _DEFINED
            + r".+?)"
            + _WRT
            + _AT
            + r"(?:"
            + _IS
            + r")(?P<claim>.+?)"
            + _RIGHT,
            re.I,
        ),
        re.compile(
            r"^(?:is\s+|so\s+)?d\s*/\s*d(?P<wrt>[a-zŷ]\w*)\s*(?:of\s+)?(?P<expr>.+?)"
            + _AT
            + r"(?:"
            + _IS
            + r")(?P<claim>.+?)"
            + _RIGHT,
            re.I,
        ),
        # "d(x^2)/dx = 2x", "d/dx(x^2) = 2x" being the one above
        re.compile(
            r"^(?:is\s+|so\s+)?d\s*\(\s*(?P<expr>.+?)\s*\)\s*/\s*d(?P<wrt>[a-zŷ]\w*)(?:"
            + _IS
            + r")(?P<claim>.+?)"
            + _RIGHT,
            re.I,
        ),
        # "my answer for the derivative of ln x is 1/x", "what I got for the derivative of x^2 is 2x"
        re.compile(
            r"^(?:my answer|what i (?:got|get|have|found))\s+(?:for|to)\s+the\s+"
            + _DERIVATIVE
            + r"\s+of\s+(?P<expr>.+?)"
            + _WRT
            + r"(?:"
            + _IS
            + r"|\s*:\s*)(?P<claim>.+?)"
            + _RIGHT,
            re.I,
        ),
        re.compile(
            r"^(?:i\s+(?:got|get|have|found|worked out)|my answer is)\s+(?P<claim>.+?)\s+(?:as|for)\s+the\s+"
            + _DERIVATIVE
            + r"\s+of\s+(?P<expr>.+?)"
            + _WRT
            + _RIGHT,
            re.I,
        ),
        re.compile(
            r"^is\s+(?P<claim>.+?)\s+the\s+" + _DERIVATIVE + r"\s+of\s+(?P<expr>.+?)" + _WRT + r"\s*[?.!]*$", re.I
        ),
    ]


@dataclass(frozen=True)
class ClaimedDerivative:
    """The learner's own derivative of an expression, to be checked: ``claim`` is their answer."""

    expression: str
    claim: str
    wrt: str | None = None
    #: Where the learner states the derivative's value (a number), as (variable or None, number as typed).
    at: tuple[str | None, str] | None = None


def claimed_derivative(text: str) -> ClaimedDerivative | None:
    """A derivative the learner states and asks about, both sides readable as expressions; None otherwise
    (left to the other readers)."""
    text, asked = _by_name(text)
    if asked:
        return None  # "f(x) = x^2, f'(x)?": asked, for expression_derivative
    low = _text(text).strip()
    if not _MAY_DERIVE.search(low):
        return None
    if not any(p.match(low) for p in _claimed()):
        return _unseparated(low)
    from tutor.errors import InputError
    from tutor.maths import formulas  # only now: reading a question must not import NumPy (cold start)

    spelt = _text(formulas.powers_written_out(text)).strip()
    for pattern in _claimed():
        m = pattern.match(spelt)
        if m is None:
            continue
        expr, claim = m.group("expr").strip(), m.group("claim").strip()
        names = formulas.expression_variables(expr)
        said = formulas.expression_variables(claim)
        if (
            not names
            and re.search(r"\d", expr)
            and not re.search(r"[A-Za-z]{2,}", re.sub(r"\b(?:ln|log|exp|sqrt)\b", "", expr))
        ):
            names = ["x"]  # a number ("d/dx ln(3)", "the derivative of 5"): its derivative is 0, said so
        if not names or not (
            re.search(r"[-+*/^()\d]", formulas.typed_source(claim))
            or (said and set(said) <= set(names))
            or formulas.typed_source(claim).strip() == "e"  # the derivative of e^x at 1 is e
        ):
            continue  # "... is negative, right?": words, left to the topics; "x" for 0.5x^2 is an answer
        if _NAME_ONLY.fullmatch(expr) and expr.split("(")[0] not in said and not set(said) <= set(names):
            continue  # "the derivative of y = x^2 ln x": y named, not differentiated (ŷ = ŷ(1 - ŷ) is an answer)
        found = m.groupdict()
        at = (found.get("atvar"), found["at"]) if found.get("at") else None
        if at is not None and (said or len(names) > 1):
            by = formulas.variable_name(m.group("wrt")) or (names[0] if len(names) == 1 else None)
            if by is None or formulas.variable_name(at[0]) not in (None, by):
                continue  # "... when y = 1 is -1/ŷ": y put in before differentiating by ŷ, not read
        try:
            formulas.read(formulas.typed_source(expr), names)
        except InputError:
            continue
        return ClaimedDerivative(expr, claim, m.group("wrt"), at)  # an answer that cannot be read is told why
    return _unseparated(low)  # "is the derivative of ln x at 2 0.5?" matched "... is 2 0.5" above


#: The longest expression and answer read with only a space between them (each space tried costs two readings).
MAX_UNSEPARATED = 120
_UNSEPARATED = re.compile(
    r"^is\s+(?:the\s+)?(?:first\s+)?" + _DERIVATIVE + r"\s+of\s+(?P<both>.+?)(?:\s*,?\s*(?:right|correct))?\s*\?+$",
    re.I,
)


def _unseparated(low: str) -> ClaimedDerivative | None:
    """ "is the derivative of σ(z) σ(z)(1 - σ(z))?": the expression and the answer with only a space between,
    read when exactly one space outside brackets parts the text into two expressions in the same variables."""
    m = _UNSEPARATED.match(low)
    if m is None or len(m["both"]) > MAX_UNSEPARATED or m["both"].count(" ") > 8:
        return None  # each space tried reads both sides: a few, in a short text
    from tutor.errors import InputError
    from tutor.maths import formulas

    point = re.fullmatch(r"(?P<expr>.+?)" + _AT.removesuffix("?") + r"\s+(?P<claim>[^\s].*)", m["both"], re.I)
    if point is not None and point["at"] is not None:  # "is the derivative of x^2 at 3 6?": a value there
        expr, claim = point["expr"].strip(), point["claim"].strip()
        names = formulas.expression_variables(expr)
        if not names or formulas.expression_variables(claim) or (point["atvar"] is None and len(names) > 1):
            return None
        try:
            formulas.read(formulas.typed_source(expr), names)
            formulas.read(formulas.typed_source(claim), [])
        except InputError:
            return None
        return ClaimedDerivative(expr, claim, None, (point["atvar"], point["at"]))
    both, depth = m["both"], 0
    found: list[ClaimedDerivative] = []
    for i, ch in enumerate(both):
        depth += (ch in "([") - (ch in ")]")
        if ch != " " or depth or len(found) > 1:
            continue
        expr, claim = both[:i].strip(), both[i + 1 :].strip()
        names = formulas.expression_variables(expr)
        said = formulas.expression_variables(claim)
        if not names or not expr or not claim or not set(said) <= set(names):
            continue
        try:
            formulas.read(formulas.typed_source(expr), names)
            formulas.read(formulas.typed_source(claim), names)
        except InputError:
            continue
        found.append(ClaimedDerivative(expr, claim))
    return found[0] if len(found) == 1 else None


#: What a derive request names, tried in order; the loss's own derivative when nothing more specific is named.
_DERIVE_TARGETS = [
    (re.compile(p), target)
    for p, target in [
        (r"softmax|categorical|multi.?class", "softmax"),
        (r"likelihood|bernoulli|\bmle\b|where does .{0,80}?come from|origin", "likelihood"),
        (r"mse|squared|quadratic", "mse"),
        (r"x\s*(?:ᵀ|\^t|transpose)|vectori[sz]|\bm examples|\(1/m\)|matrix|∇", "vectorized"),
        (r"w_?j|\bweights?\b|\bdw\b|\bbias\b|\bdb\b|logistic regression", "weights"),
        (
            r"y_?hat\s*-\s*y|ŷ\s*-\s*y|yhat\s*-\s*y|a\s*-\s*y|p\s*-\s*y|\bdz\b|/dz|∂z|logit|chain rule|w\.?r\.?t\.? z|respect to z",
            "logit",
        ),
        (r"sigmoid|σ", "sigmoid"),
    ]
]


def derive_request(text: str) -> str | None:
    """The derivation a request names (a key of ``curriculum.DERIVATIONS`` or a declared formula's name), or None."""
    low = _text(text).lower()
    if not _DERIVE.search(low):
        return None
    from tutor.maths import formulas

    formula = formulas.named_in(low)
    if formula is not None:
        return formula.name
    for pattern, target in _DERIVE_TARGETS:
        if pattern.search(low):
            return target
    return "bce"
