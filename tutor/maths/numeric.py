"""Worked numeric examples, computed with NumPy, with the substitution shown.

Every function takes plain numbers, checks them against the range where the
mathematics is defined, and returns a :class:`Computation`: the inputs, the
results by name (``value`` is the headline result) and the steps a learner
reads. Content templates (``{{ bce(1, 0.99) }}``) and free-text compute
requests both end here, so a number in an explanation cannot drift from the
mathematics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tutor.errors import InputError
from tutor.maths.notation import shown

#: Largest magnitude accepted for a logit, weight or input.
MAX_MAGNITUDE = 1e6
#: Most values in a list (a batch of labels or predictions).
MAX_ITEMS = 1000
SIG = 6  # significant digits shown to the learner


@dataclass(frozen=True)
class Computation:
    """A worked example: what went in, what came out, and how."""

    name: str
    title: str
    inputs: dict[str, Any]
    results: dict[str, Any]
    steps: tuple[str, ...]
    note: str = ""
    table: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def value(self) -> Any:
        return self.results.get("value")

    def to_json(self) -> dict[str, Any]:
        """Inputs and results by name; infinities become the string ``"inf"``."""
        out: dict[str, Any] = {"name": self.name}
        for key, val in {**self.inputs, **self.results}.items():
            out[key] = _jsonable(val)
        out["steps"] = list(self.steps)
        if self.note:
            out["note"] = self.note
        return out

    def markdown(self, title: bool = True) -> str:
        lines = [f"**{self.title}**", ""] if title else []
        lines += [f"{i}. {step}" for i, step in enumerate(self.steps, 1)]
        if self.table:
            lines += ["", *markdown_table(self.table)]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _jsonable(val: Any) -> Any:
    if isinstance(val, (list, tuple)):
        return [_jsonable(v) for v in val]
    if isinstance(val, float):
        if math.isinf(val):
            return "inf" if val > 0 else "-inf"
        if math.isnan(val):  # never produced on purpose; keep JSON valid anyway
            return "nan"
    return val


def markdown_table(rows: tuple[tuple[str, ...], ...]) -> list[str]:
    head, *body = rows
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in body]
    return out


def fmt(x: float, sig: int = SIG) -> str:
    """A number as the learner reads it: ``sig`` significant digits, ∞ for infinity."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    text = f"{x:.{sig}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}×10^{int(exp)}"
    return text


def par(x: float) -> str:
    """A number ready to stand after an operator: negatives in parentheses."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


# ---------------------------------------------------------------- validation


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(f"{shown(name)} must be a number, not {type(value).__name__}.")
    v = float(value)
    if not math.isfinite(v):
        raise InputError(f"{shown(name)} must be a finite number.")
    return v


def _bounded(name: str, value: Any, limit: float = MAX_MAGNITUDE) -> float:
    v = _number(name, value)
    if abs(v) > limit:
        raise InputError(f"{shown(name)} = {fmt(v)} is too large: use a value between -{fmt(limit)} and {fmt(limit)}.")
    return v


def _probability(name: str, value: Any) -> float:
    v = _number(name, value)
    if not 0.0 <= v <= 1.0:
        raise InputError(
            f"{shown(name)} = {fmt(v)} is outside the valid range: a predicted probability "
            f"lies between 0 and 1 (a sigmoid output is strictly inside (0, 1))."
        )
    return v


def _label(name: str, value: Any) -> float:
    v = _number(name, value)
    if not 0.0 <= v <= 1.0:
        raise InputError(f"{shown(name)} = {fmt(v)} is not a valid label: y is 0 or 1 (a soft label lies in [0, 1]).")
    return v


def _positive(name: str, value: Any) -> float:
    v = _bounded(name, value)
    if v <= 0:
        raise InputError(f"{shown(name)} = {fmt(v)}: the logarithm is defined only for positive numbers.")
    return v


def _items(name: str, values: Any) -> list[Any]:
    if not isinstance(values, (list, tuple)):
        raise InputError(f"{shown(name)} must be a list of numbers.")
    if not values:
        raise InputError(f"{shown(name)} is empty: give at least one value.")
    if len(values) > MAX_ITEMS:
        raise InputError(f"{shown(name)} has {len(values)} values; at most {MAX_ITEMS} are accepted.")
    return list(values)


# ---------------------------------------------------------------- logarithms


def ln(x: float) -> Computation:
    x = _positive("x", x)
    v = float(np.log(x))
    steps = [f"ln({fmt(x)}) = {fmt(v)}"]
    steps.append(_log_sign_story(x, v))
    return Computation("ln", f"ln({fmt(x)})", {"x": x}, {"value": v}, tuple(steps))


def neglog(x: float) -> Computation:
    x = _positive("x", x)
    v = float(np.log(x))
    steps = [f"ln({fmt(x)}) = {fmt(v)}", _log_sign_story(x, v), f"-ln({fmt(x)}) = {fmt(-v + 0.0)}"]
    return Computation("neglog", f"-ln({fmt(x)})", {"x": x}, {"ln": v, "value": -v + 0.0}, tuple(steps))


def log2(x: float) -> Computation:
    x = _positive("x", x)
    v = float(np.log2(x))
    nat = float(np.log(x))
    steps = [
        f"log₂({fmt(x)}) = ln({fmt(x)}) / ln 2 = {fmt(nat)} / {fmt(float(np.log(2.0)))}",
        f"log₂({fmt(x)}) = {fmt(v)}",
    ]
    return Computation("log2", f"log₂({fmt(x)})", {"x": x}, {"ln": nat, "value": v}, tuple(steps))


def log10(x: float) -> Computation:
    x = _positive("x", x)
    v = float(np.log10(x))
    return Computation("log10", f"log₁₀({fmt(x)})", {"x": x}, {"value": v}, (f"log₁₀({fmt(x)}) = {fmt(v)}",))


def exp(x: float) -> Computation:
    x = _bounded("x", x, 700.0)
    v = float(np.exp(x))
    return Computation("exp", f"e^{fmt(x)}", {"x": x}, {"value": v}, (f"e^{fmt(x)} = {fmt(v)}",))


def arithmetic(text: str) -> Computation:
    """The value of a closed expression the learner typed, such as ``-(0.1 ln 0.1 + 0.9 ln 0.9)``: read
    through the formula reader's whitelist and bounds (:mod:`tutor.maths.exprparse`, never ``eval``),
    each function worked out first, then the whole with those values put in; NumPy does the arithmetic."""
    import ast
    import re

    from tutor.maths import exprparse

    if len(text) > exprparse.MAX_CHARS:
        raise InputError(f"That expression is too long (at most {exprparse.MAX_CHARS} characters).")
    # a function's bare argument raised to a power, "ln 0.9^2": its reading is the learner's to say
    power = re.search(r"(?i)\b(ln|log|exp)\s+(\d*\.?\d+(?:e[-+]?\d+)?)\s*(?:\^|\*\*)\s*(-?[\d.]+|\([^()]*\))", text)
    if power:  # "ln 0.9^2": ln(0.81) as a textbook reads ln x², (ln 0.9)² as the bare-call reader would
        fn, x, n = power.group(1), power.group(2), power.group(3)
        raise InputError(
            f"{power.group(0).strip()} can be read two ways: write {fn}({x}^{n}) for the {fn} of {x}^{n}, "
            f"or ({fn} {x})^{n} for the square of {fn} {x}."
            if n == "2"
            else f"{power.group(0).strip()} can be read two ways: write {fn}({x}^{n}) or ({fn} {x})^{n}."
        )
    src = exprparse._prepare(exprparse.bare_calls(text))
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError("I could not read that as a sum: use numbers, + - * / ^, parentheses, ln, exp, σ.") from None
    exprparse._bound(tree, infinite=True)
    calls: list[str] = []
    lost: list[int] = []

    def _cancelled(a: float, b: float, total: float) -> None:
        """Digits lost when a + b nearly cancel (each side is exact only to float64's 16 digits)."""
        big = max(abs(a), abs(b))
        if total != 0 and math.isfinite(total) and math.isfinite(big) and abs(total) < 1e-6 * big:
            lost.append(math.floor(math.log10(big / abs(total))))

    names = {"ln": "ln", "log": "ln", "exp": "exp", "sigma": "σ", "sigmoid": "σ"}

    def walk(node: ast.AST) -> tuple[float, str]:
        """(value, the expression with every function's value put in)"""
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value), fmt(float(node.value))
        if isinstance(node, ast.Name) and node.id == "e":
            return float(np.e), "e"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v, shown_ = walk(node.operand)
            if isinstance(node.operand, ast.BinOp) or shown_.startswith("-"):
                shown_ = f"({shown_})"
            return (-v, f"-{shown_}") if isinstance(node.op, ast.USub) else (v, shown_)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            (a, sa), (b, sb) = walk(node.left), walk(node.right)
            sums = (ast.Add, ast.Sub)
            grouped = lambda n, t: (  # noqa: E731
                f"({t})" if (isinstance(n, ast.BinOp) and isinstance(n.op, sums)) or t.startswith("-") else t
            )
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
                _no_value(node.op, a, b)
            with np.errstate(all="ignore"):
                if isinstance(node.op, ast.Add):
                    _cancelled(a, b, float(np.add(a, b)))
                    return float(np.add(a, b)), f"{sa} + {f'({sb})' if sb.startswith('-') else sb}"
                if isinstance(node.op, ast.Sub):
                    right = (
                        f"({sb})"
                        if sb.startswith("-")
                        or (
                            isinstance(node.right, ast.BinOp)
                            and not isinstance(node.right.op, (ast.Mult, ast.Div, ast.Pow))
                        )
                        else sb
                    )
                    _cancelled(a, -b, float(np.subtract(a, b)))
                    return float(np.subtract(a, b)), f"{sa} - {right}"
                if isinstance(node.op, ast.Mult):
                    return float(np.multiply(a, b)), f"{grouped(node.left, sa)} × {grouped(node.right, sb)}"
                if isinstance(node.op, ast.Div):
                    if b == 0:
                        raise InputError("That expression divides by zero.")
                    return float(np.divide(a, b)), f"{grouped(node.left, sa)} / {grouped(node.right, sb)}"
                v = float(np.power(a, b))
                if not math.isfinite(v) and math.isfinite(a) and math.isfinite(b):
                    raise InputError("That power has no real value or is too large.")
                return v, f"{grouped(node.left, sa)}^{grouped(node.right, sb)}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in names
            and len(node.args) == 1
        ):
            x, _ = walk(node.args[0])
            fn = names[node.func.id]
            with np.errstate(all="ignore"):
                if fn == "ln":
                    if x < 0:
                        raise InputError(f"ln({fmt(x)}) has no real value: the log is defined for positive numbers.")
                    v = float(np.log(x))
                elif fn == "exp":
                    v = float(np.exp(_bounded("x", x, 700.0)))
                else:
                    v = _sigmoid(x)
            near = round(v) if math.isfinite(v) else 0
            # σ(30) is 1 - 9.4×10^-14: six digits would show 1, and "1 - 1" would not give the -9.4×10^-14 that follows
            digits = 16 if near != 0 and v != near and abs(v - near) < 1e-4 else SIG
            said = f"{fn}({fmt(x)}) = {fmt(v, digits)}"
            if fn == "σ" and v in (0.0, 1.0) and math.isfinite(x):  # σ(40) is not 1: float64 cannot hold it
                said += (
                    f" in float64: exactly, 1 - σ({fmt(x)}) = 1/(1 + e^{fmt(x)}), below float64's spacing near 1"
                    if v == 1.0
                    else f" in float64: exactly, σ({fmt(x)}) = 1/(1 + e^{fmt(-x)}), below the smallest float64"
                )
            if said not in calls:
                calls.append(said)
            return v, fmt(v, digits)
        named = node.func if isinstance(node, ast.Call) else node
        if isinstance(named, ast.Name) and named.id.lower() in ("log2", "log10", "sqrt"):
            raise InputError(
                "In a sum I work out ln, exp and σ: write log₂ x as ln(x)/ln(2), log₁₀ x as ln(x)/ln(10) "
                "and √x as x^0.5."
            )
        raise InputError(
            "I work out sums of numbers only: use numbers, + - * / ^, parentheses, ln, exp and σ (no variables)."
        )

    value, put_in = walk(tree)
    if math.isnan(value):  # each operation that makes a NaN says so first: this is a safety net
        raise InputError("That has no value in floating point (NaN).")
    shown_text = " ".join(text.split())
    steps = [*calls, f"{shown_text} = {put_in}"] if calls else []
    steps.append(f"{shown_text} = {fmt(value)}")
    n = max(lost, default=0)
    if 16 - n < SIG:  # σ(30) - 1: a difference 10^-13 the size of its terms keeps about 3 right digits of the 6 shown
        steps.append(
            f"Two of the numbers added are so close that their difference is about 10^-{n} of their size; float64 "
            f"holds about 16 significant digits, so only about {max(16 - n, 0)} digits of it are right: the digits "
            "after those are rounding error."
        )
    return Computation("arithmetic", shown_text, {"expression": shown_text}, {"value": value}, tuple(steps))


def _no_value(op: object, a: float, b: float) -> None:
    """Raise, naming the operation, where ``a op b`` has no value in floating point (IEEE 754 makes it NaN):
    0 × ±∞, ∞ - ∞ (or ∞ + (-∞)), ∞ / ∞. A NaN already in ``a`` or ``b`` was named where it arose."""
    import ast

    if math.isnan(a) or math.isnan(b):
        return
    inf_a, inf_b = math.isinf(a), math.isinf(b)
    if isinstance(op, ast.Mult) and ((a == 0 and inf_b) or (b == 0 and inf_a)):
        inf = b if inf_b else a
        # PyTorch's BCELoss clamps its log outputs at -100 (docs.pytorch.org, torch.nn.BCELoss, stable); Keras
        # clips ŷ to [ε, 1 - ε]
        raise InputError(
            f"That takes 0 × {par(inf)}, which has no value in floating point: the result is NaN. The loss's "
            "0 · ln 0 term is such a product: in exact maths x ln x → 0 as x → 0, so it counts as 0, but a "
            "computer never takes that limit, which is why frameworks clip ŷ or its log."
        )
    if inf_a and inf_b:
        opposed = (isinstance(op, ast.Add) and a != b) or (isinstance(op, ast.Sub) and a == b)
        if opposed:
            raise InputError("That takes ∞ - ∞, which has no value in floating point: the result is NaN.")
        if isinstance(op, ast.Div):
            raise InputError("That takes ∞ / ∞, which has no value in floating point: the result is NaN.")


def _log_sign_story(x: float, v: float) -> str:
    if x < 1:
        return f"It is negative because {fmt(x)} lies between 0 and 1, where ln x < 0."
    if x == 1:
        return "ln 1 = 0 exactly."
    return f"It is positive because {fmt(x)} > 1."


def log_table(xs: list[float]) -> Computation:
    xs = [_positive("x", x) for x in _items("x", xs)]
    vals = [float(v) for v in np.log(np.asarray(xs))]
    rows = [("x", "ln x", "-ln x")] + [(fmt(x), fmt(v), fmt(-v + 0.0)) for x, v in zip(xs, vals)]
    steps = tuple(f"ln({fmt(x)}) = {fmt(v)}" for x, v in zip(xs, vals))
    return Computation(
        "log_table", "ln x for several x", {"x": xs}, {"ln": vals, "value": vals}, steps, table=tuple(rows)
    )


# ---------------------------------------------------------------- the loss


def _bce_value(y: float, p: float) -> float:
    """-[y ln p + (1-y) ln(1-p)] with 0·ln 0 taken as 0 (its limit)."""
    with np.errstate(divide="ignore"):
        a = y * float(np.log(p)) if y > 0 else 0.0
        b = (1 - y) * float(np.log1p(-p)) if y < 1 else 0.0
    return -(a + b) + 0.0


def bce(y: float, y_hat: float) -> Computation:
    y = _label("y", y)
    p = _probability("y_hat", y_hat)
    value = _bce_value(y, p)
    steps = [
        "L = -[y·ln ŷ + (1 - y)·ln(1 - ŷ)]",
        f"Substitute y = {fmt(y)}, ŷ = {fmt(p)}: L = -[{fmt(y)}·ln({fmt(p)}) + {fmt(1 - y)}·ln({fmt(1 - p)})]",
    ]
    note = ""
    if y in (0.0, 1.0):
        arg = p if y == 1 else 1 - p
        which = "second" if y == 1 else "first"
        steps.append(f"y = {fmt(y)} switches the {which} term off: L = -ln({fmt(arg)})")
        if arg == 0:
            steps.append("ln(0) = -∞, so L = +∞: a certain prediction that is wrong costs without limit.")
            note = (
                "Real predictions never reach exactly 0 or 1 through a sigmoid. Frameworks protect "
                "against this: Keras clips a probability to [ε, 1 - ε] with ε = 10^-7 (unless it can take the "
                "logit from its own sigmoid layer), PyTorch's BCELoss clamps each log at -100, and "
                "BCEWithLogitsLoss computes from the logit z instead."
            )
        else:
            lv = float(np.log(arg))
            steps.append(
                f"ln({fmt(arg)}) = {fmt(lv)}" + (" (negative, since it lies between 0 and 1)" if arg < 1 else "")
            )
            steps.append(f"The minus sign makes it a non-negative penalty: L = {fmt(value)}")
    else:
        t1 = y * float(np.log(p)) if p > 0 else -math.inf
        t2 = (1 - y) * float(np.log1p(-p)) if p < 1 else -math.inf
        steps.append(f"= -[{fmt(t1)} + {fmt(t2)}] = {fmt(value)}")
    return Computation(
        "bce",
        f"Binary cross-entropy for y = {fmt(y)}, ŷ = {fmt(p)}",
        {"y": _int_if_whole(y), "y_hat": p},
        {"loss": value, "value": value},
        tuple(steps),
        note,
    )


def _int_if_whole(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def cost(ys: list[float], y_hats: list[float]) -> Computation:
    ys = [_label("y", v) for v in _items("y", ys)]
    ps = [_probability("y_hat", v) for v in _items("y_hat", y_hats)]
    if len(ys) != len(ps):
        raise InputError(f"y has {len(ys)} values but ŷ has {len(ps)}: give one prediction per label.")
    losses = [_bce_value(y, p) for y, p in zip(ys, ps)]
    m = len(losses)
    total = float(np.sum(losses))
    mean = total / m
    steps = ["J = (1/m) Σ L(y⁽ⁱ⁾, ŷ⁽ⁱ⁾), the mean of the per-example losses"]
    for i, (y, p, loss) in enumerate(zip(ys, ps, losses), 1):
        arg = p if y == 1 else 1 - p if y == 0 else None
        how = f"-ln({fmt(arg)})" if arg is not None else f"-[{fmt(y)}·ln({fmt(p)}) + {fmt(1 - y)}·ln({fmt(1 - p)})]"
        steps.append(f"Example {i}: y = {fmt(y)}, ŷ = {fmt(p)} → L = {how} = {fmt(loss)}")
    steps.append(f"Sum: {' + '.join(fmt(v) for v in losses[:8])}{' + …' if m > 8 else ''} = {fmt(total)}")
    steps.append(f"Mean over m = {m}: J = {fmt(total)} / {m} = {fmt(mean)}")
    return Computation(
        "cost",
        f"Cost over {m} examples",
        {"y": [_int_if_whole(v) for v in ys], "y_hat": ps},
        {"losses": losses, "sum": total, "cost": mean, "value": mean},
        tuple(steps),
    )


def _per_prediction(
    name: str, quantity: str, what: str, y: float, ps: list[float], values: list[float], key: str, step
) -> Computation:
    """One quantity for one label at several ŷ, as a table: ``quantity`` heads its column, ``what`` names it
    in the title, ``step(p, v)`` writes the line of one row."""
    rows = [("ŷ", f"{quantity} (y = {fmt(y)})")] + [(fmt(p), fmt(v)) for p, v in zip(ps, values)]
    return Computation(
        name,
        f"{what} for y = {fmt(y)} at several ŷ",
        {"y": y, "y_hat": ps},
        {key: values, "value": values},
        tuple(step(p, v) for p, v in zip(ps, values)),
        table=tuple(rows),
    )


def bce_table(y: float, y_hats: list[float]) -> Computation:
    y = _label("y", y)
    ps = [_probability("y_hat", v) for v in _items("y_hat", y_hats)]
    losses = [_bce_value(y, p) for p in ps]
    return _per_prediction(
        "bce_table", "L", "The loss", y, ps, losses, "losses", lambda p, v: f"ŷ = {fmt(p)} → L = {fmt(v)}"
    )


def dbce_table(y: float, y_hats: list[float]) -> Computation:
    """∂L/∂ŷ = (ŷ - y)/(ŷ(1 - ŷ)) for one label at several ŷ (each strictly between 0 and 1)."""
    y = _label("y", y)
    ps = [_probability("y_hat", v) for v in _items("y_hat", y_hats)]
    if any(p in (0.0, 1.0) for p in ps):
        raise InputError("∂L/∂ŷ is undefined at ŷ = 0 or ŷ = 1 (it divides by ŷ(1 - ŷ)): use 0 < ŷ < 1.")
    grads = [(p - y) / (p * (1 - p)) for p in ps]
    return _per_prediction(
        "dbce_table",
        "∂L/∂ŷ",
        "∂L/∂ŷ",
        y,
        ps,
        grads,
        "grads",
        lambda p, g: f"ŷ = {fmt(p)} → ({fmt(p)} - {fmt(y)}) / ({fmt(p)} × {fmt(1 - p)}) = {fmt(g)}",
    )


def dlogit_table(y: float, y_hats: list[float]) -> Computation:
    """∂L/∂z = ŷ - y for one label at several ŷ = σ(z)."""
    y = _label("y", y)
    ps = [_probability("y_hat", v) for v in _items("y_hat", y_hats)]
    grads = [p - y for p in ps]
    return _per_prediction(
        "dlogit_table",
        "∂L/∂z",
        "∂L/∂z",
        y,
        ps,
        grads,
        "grads",
        lambda p, g: f"ŷ = {fmt(p)} → {fmt(p)} - {fmt(y)} = {fmt(g)}",
    )


def mse(y: float, y_hat: float) -> Computation:
    y = _label("y", y)
    p = _probability("y_hat", y_hat)
    v = (p - y) ** 2
    steps = (
        f"(ŷ - y)² = ({fmt(p)} - {fmt(y)})² = {fmt(v)}",
        "Squared error can never exceed 1 when y and ŷ lie in [0, 1].",
    )
    return Computation(
        "mse", f"Squared error for y = {fmt(y)}, ŷ = {fmt(p)}", {"y": y, "y_hat": p}, {"value": v}, steps
    )


# ---------------------------------------------------------------- sigmoid and logits


def _sigmoid(z: float) -> float:
    return float(np.exp(-np.logaddexp(0.0, -z)))


def stable_logit_loss(y: float, z: float) -> float:
    """BCE from the logit without forming ŷ: max(z, 0) - z·y + ln(1 + e^(-|z|)), the one place it is computed."""
    return max(z, 0.0) - z * y + float(np.log1p(np.exp(-abs(z))))


def sigmoid(z: float) -> Computation:
    z = _bounded("z", z)
    s = _sigmoid(z)
    e = float(np.exp(-z)) if z > -700 else math.inf
    steps = [
        "σ(z) = 1 / (1 + e^(-z))",
        f"e^(-{fmt(z)}) = {fmt(e)}" if z >= 0 else f"e^({fmt(-z)}) = {fmt(e)}",
        f"σ({fmt(z)}) = 1 / (1 + {fmt(e)}) = {fmt(s)}",
    ]
    return Computation("sigmoid", f"σ({fmt(z)})", {"z": z}, {"value": s}, tuple(steps))


def dsigmoid(z: float) -> Computation:
    z = _bounded("z", z)
    s = _sigmoid(z)
    d = s * (1 - s)
    steps = (f"σ({fmt(z)}) = {fmt(s)}", f"σ'(z) = σ(z)(1 - σ(z)) = {fmt(s)} × {fmt(1 - s)} = {fmt(d)}")
    return Computation("dsigmoid", f"σ'({fmt(z)})", {"z": z}, {"sigma": s, "value": d}, steps)


def bce_logit(y: float, z: float) -> Computation:
    y = _label("y", y)
    z = _bounded("z", z)
    stable = stable_logit_loss(y, z)
    s = _sigmoid(z)
    steps = [
        "From the logit, stably: L = max(z, 0) - z·y + ln(1 + e^(-|z|))",
        f"= {fmt(max(z, 0.0))} - {par(z)}·{fmt(y)} + ln(1 + e^(-{fmt(abs(z))}))",
        f"= {fmt(stable)}",
        f"(For comparison, ŷ = σ({fmt(z)}) = {fmt(s)}. Forming ŷ first fails for large positive z: σ(z) rounds to "
        "exactly 1 (float32 from z ≈ 17, float64 from z ≈ 37), and with y < 1 the term ln(1 - ŷ) = ln 0 = -∞. "
        "This formula never forms ŷ.)",
    ]
    return Computation(
        "bce_logit",
        f"Binary cross-entropy from the logit z = {fmt(z)}, y = {fmt(y)}",
        {"y": _int_if_whole(y), "z": z},
        {"y_hat": s, "loss": stable, "value": stable},
        tuple(steps),
    )


def dbce(y: float, y_hat: float) -> Computation:
    y = _label("y", y)
    p = _probability("y_hat", y_hat)
    if p in (0.0, 1.0):
        raise InputError("∂L/∂ŷ is undefined at ŷ = 0 or ŷ = 1 (it divides by ŷ(1 - ŷ)): use 0 < ŷ < 1.")
    a = -y / p
    b = (1 - y) / (1 - p)
    g = a + b
    closed = (p - y) / (p * (1 - p))
    direction = (
        "negative: raising ŷ lowers the loss"
        if g < 0
        else "positive: lowering ŷ lowers the loss"
        if g > 0
        else "zero: ŷ already equals y"
    )
    steps = (
        "∂L/∂ŷ = -y/ŷ + (1 - y)/(1 - ŷ) = (ŷ - y) / (ŷ(1 - ŷ))",
        f"= -{fmt(y)}/{fmt(p)} + {fmt(1 - y)}/{fmt(1 - p)} = {fmt(a)} + {par(b)} = {fmt(g)}",
        f"Check with the closed form: ({fmt(p)} - {fmt(y)}) / ({fmt(p)} × {fmt(1 - p)}) = {fmt(closed)}",
        f"The sign is {direction}.",
    )
    return Computation(
        "dbce",
        f"∂L/∂ŷ at y = {fmt(y)}, ŷ = {fmt(p)}",
        {"y": _int_if_whole(y), "y_hat": p},
        {"dL_dy_hat": g, "value": g},
        steps,
    )


def dlogit(y: float, z: float) -> Computation:
    y = _label("y", y)
    z = _bounded("z", z)
    s = _sigmoid(z)
    g = s - y
    steps = (
        f"ŷ = σ({fmt(z)}) = {fmt(s)}",
        f"∂L/∂z = ŷ - y = {fmt(s)} - {fmt(y)} = {fmt(g)}",
        "Negative means raising z lowers the loss; positive means lowering z does."
        if g != 0
        else "Zero: nothing to change.",
    )
    return Computation(
        "dlogit",
        f"∂L/∂z at y = {fmt(y)}, z = {fmt(z)}",
        {"y": _int_if_whole(y), "z": z},
        {"y_hat": s, "dL_dz": g, "value": g},
        steps,
    )


def gd_step(w: float, b: float, x: float, y: float, lr: float) -> Computation:
    w = _bounded("w", w)
    b = _bounded("b", b)
    x = _bounded("x", x)
    y = _label("y", y)
    lr = _bounded("lr", lr, 100.0)
    if lr <= 0:
        raise InputError(f"lr = {fmt(lr)}: the learning rate must be positive.")
    z = w * x + b
    p = _sigmoid(z)
    loss = stable_logit_loss(y, z)
    dw = (p - y) * x
    db = p - y
    w2 = w - lr * dw
    b2 = b - lr * db
    z2 = w2 * x + b2
    p2 = _sigmoid(z2)
    loss2 = stable_logit_loss(y, z2)
    change = (
        "went down"
        if loss2 < loss
        else "did not go down (the step was too large)"
        if loss2 > loss
        else "stayed the same"
    )
    steps = (
        f"z = w·x + b = {fmt(w)}·{par(x)} + {par(b)} = {fmt(z)}",
        f"ŷ = σ(z) = {fmt(p)}",
        f"L = -[y·ln ŷ + (1 - y)·ln(1 - ŷ)] = {fmt(loss)}",
        f"∂L/∂w = (ŷ - y)·x = ({fmt(p)} - {fmt(y)})·{par(x)} = {fmt(dw)}",
        f"∂L/∂b = ŷ - y = {fmt(db)}",
        f"w := w - α·∂L/∂w = {fmt(w)} - {fmt(lr)}·({fmt(dw)}) = {fmt(w2)}",
        f"b := b - α·∂L/∂b = {fmt(b)} - {fmt(lr)}·({fmt(db)}) = {fmt(b2)}",
        f"New ŷ = σ({fmt(w2)}·{par(x)} + {par(b2)}) = {fmt(p2)}, new L = {fmt(loss2)}: the loss {change}.",
    )
    return Computation(
        "gd_step",
        "One gradient-descent step",
        {"w": w, "b": b, "x": x, "y": _int_if_whole(y), "lr": lr},
        {
            "z": z,
            "y_hat": p,
            "loss": loss,
            "dL_dw": dw,
            "dL_db": db,
            "w_new": w2,
            "b_new": b2,
            "y_hat_new": p2,
            "loss_new": loss2,
            "value": loss2,
            # the sign slip a lesson names: stepping with the gradient (uphill) instead of against it
            "w_uphill": w + lr * dw,
            "b_uphill": b + lr * db,
            # and leaving x out of ∂L/∂w = (ŷ - y)·x
            "w_without_x": w - lr * db,
        },
        steps,
    )


def grad_compare(y: float, z: float) -> Computation:
    """The gradient with respect to the logit, squared error (½(ŷ-y)²) against BCE."""
    y = _label("y", y)
    z = _bounded("z", z)
    s = _sigmoid(z)
    ds = s * (1 - s)
    g_mse = (s - y) * ds
    g_bce = s - y
    steps = (
        f"ŷ = σ({fmt(z)}) = {fmt(s)}, σ'(z) = ŷ(1 - ŷ) = {fmt(ds)}",
        f"Squared error ½(ŷ - y)²: ∂/∂z = (ŷ - y)·σ'(z) = {fmt(s - y)} × {par(ds)} = {fmt(g_mse)}",
        f"Binary cross-entropy: ∂L/∂z = ŷ - y = {fmt(g_bce)}",
        f"BCE's gradient is {fmt(abs(g_bce / g_mse)) if g_mse else '∞'} times larger here.",
    )
    return Computation(
        "grad_compare",
        f"Gradients at z = {fmt(z)}, y = {fmt(y)}",
        {"y": _int_if_whole(y), "z": z},
        {"y_hat": s, "mse_grad": g_mse, "bce_grad": g_bce, "value": g_bce},
        steps,
    )


# ---------------------------------------------------------------- distributions


def _distribution(name: str, values: Any) -> list[float]:
    ps = [_probability(name, v) for v in _items(name, values)]
    if abs(sum(ps) - 1.0) > 1e-6:
        raise InputError(f"{name} must sum to 1 (it sums to {fmt(sum(ps))}).")
    return ps


def softmax(zs: list[float]) -> Computation:
    zs = [_bounded("z", v) for v in _items("z", zs)]
    arr = np.asarray(zs)
    e = np.exp(arr - arr.max())
    p = e / e.sum()
    steps = (
        "softmax(z)_k = e^(z_k) / Σ_j e^(z_j)",
        "e^(z_k) (shifted by max z for stability): " + ", ".join(fmt(v) for v in e),
        "Divide by their sum " + fmt(float(e.sum())) + ": " + ", ".join(fmt(v) for v in p),
    )
    return Computation(
        "softmax", "softmax", {"z": zs}, {"p": [float(v) for v in p], "value": [float(v) for v in p]}, steps
    )


def _two_distributions(ps: Any, qs: Any) -> tuple[list[float], list[float]]:
    p = _distribution("p", ps)
    q = _distribution("q", qs)
    if len(p) != len(q):
        raise InputError("p and q must have the same number of classes.")
    return p, q


def cross_entropy(ps: list[float], qs: list[float]) -> Computation:
    """H(p, q) = -Σ p ln q for two distributions over the same classes."""
    p, q = _two_distributions(ps, qs)
    with np.errstate(divide="ignore"):
        terms = [(-pi * float(np.log(qi)) if pi > 0 else 0.0) for pi, qi in zip(p, q)]
    h = float(sum(terms)) + 0.0
    steps = (
        "H(p, q) = -Σ_k p_k ln q_k",
        " + ".join(f"-{fmt(pi)}·ln({fmt(qi)})" for pi, qi in zip(p, q)) + f" = {fmt(h)}",
    )
    return Computation("cross_entropy", "Cross-entropy H(p, q)", {"p": p, "q": q}, {"value": h}, steps)


def entropy(ps: list[float]) -> Computation:
    p = _distribution("p", ps)
    h = float(sum(-pi * float(np.log(pi)) for pi in p if pi > 0)) + 0.0
    steps = ("H(p) = -Σ_k p_k ln p_k (terms with p_k = 0 count as 0)", f"H(p) = {fmt(h)}")
    return Computation("entropy", "Entropy H(p)", {"p": p}, {"value": h}, steps)


def kl(ps: list[float], qs: list[float]) -> Computation:
    p, q = _two_distributions(ps, qs)
    with np.errstate(divide="ignore"):
        d = float(sum(pi * float(np.log(pi / qi)) for pi, qi in zip(p, q) if pi > 0)) + 0.0
    h = entropy(p).value
    ce = cross_entropy(p, q).value
    steps = (
        "KL(p‖q) = Σ_k p_k ln(p_k / q_k)",
        f"KL(p‖q) = {fmt(d)}",
        f"Check: H(p, q) - H(p) = {fmt(ce)} - {fmt(h)} = {fmt(ce - h)}",
    )
    return Computation(
        "kl", "KL divergence KL(p‖q)", {"p": p, "q": q}, {"value": d, "cross_entropy": ce, "entropy": h}, steps
    )


def cce(ys: list[float], zs: list[float]) -> Computation:
    """Categorical cross-entropy of one-hot (or soft) labels against softmax(logits)."""
    y = _distribution("y", ys)
    z = [_bounded("z", v) for v in _items("z", zs)]
    if len(y) != len(z):
        raise InputError("y and z must have the same number of classes.")
    arr = np.asarray(z)
    logp = arr - (arr.max() + np.log(np.exp(arr - arr.max()).sum()))
    p = np.exp(logp)
    loss = float(-np.dot(y, logp)) + 0.0
    grad = [float(v) for v in p - np.asarray(y)]
    steps = (
        "ŷ = softmax(z) = " + ", ".join(fmt(v) for v in p),
        "L = -Σ_k y_k ln ŷ_k = " + fmt(loss),
        "∂L/∂z_k = ŷ_k - y_k = " + ", ".join(fmt(v) for v in grad),
    )
    return Computation(
        "cce",
        "Categorical cross-entropy",
        {"y": y, "z": z},
        {"y_hat": [float(v) for v in p], "loss": loss, "grad": grad, "value": loss},
        steps,
    )


#: Computations reachable by name from content templates and compute requests.
FUNCTIONS: dict[str, Callable[..., Computation]] = {
    "arithmetic": arithmetic,
    "ln": ln,
    "log": ln,
    "neglog": neglog,
    "log2": log2,
    "log10": log10,
    "exp": exp,
    "log_table": log_table,
    "bce": bce,
    "cost": cost,
    "bce_table": bce_table,
    "dbce_table": dbce_table,
    "dlogit_table": dlogit_table,
    "mse": mse,
    "sigmoid": sigmoid,
    "dsigmoid": dsigmoid,
    "bce_logit": bce_logit,
    "dbce": dbce,
    "dlogit": dlogit,
    "gd_step": gd_step,
    "grad_compare": grad_compare,
    "softmax": softmax,
    "cross_entropy": cross_entropy,
    "entropy": entropy,
    "kl": kl,
    "cce": cce,
}
#: The concepts each computation teaches (the ``concepts`` of its reply).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "arithmetic": ("log-on-unit-interval",),
    "ln": ("log-on-unit-interval",),
    "log": ("log-on-unit-interval",),
    "neglog": ("log-on-unit-interval", "minus-sign"),
    "log2": ("log-base",),
    "log10": ("log-base",),
    "exp": ("log-on-unit-interval",),
    "log_table": ("log-on-unit-interval",),
    "bce": ("bce-formula",),
    "cost": ("loss-vs-cost",),
    "bce_table": ("bce-formula",),
    "dbce_table": ("bce-derivative",),
    "dlogit_table": ("logit-gradient",),
    "mse": ("why-not-mse",),
    "sigmoid": ("sigmoid",),
    "dsigmoid": ("sigmoid",),
    "bce_logit": ("numerical-stability",),
    "dbce": ("bce-derivative",),
    "dlogit": ("logit-gradient",),
    "gd_step": ("gradient-sign-direction",),
    "grad_compare": ("why-not-mse",),
    "softmax": ("categorical-cross-entropy",),
    "cross_entropy": ("entropy-kl",),
    "entropy": ("entropy-kl",),
    "kl": ("entropy-kl",),
    "cce": ("categorical-cross-entropy",),
}
