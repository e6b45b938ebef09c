"""Read a learner's formula into SymPy without ``eval``.

The text is tokenised and parsed by Python's ``ast`` module (which only
*parses*), then walked: numbers, the known symbols, + - * / ^ and a few named
functions are admitted; anything else (attributes, subscripts, lambdas,
strings, unknown names, huge numbers, deep nesting, exponent towers) is refused
with a message. SymPy is imported only when a formula is read.

Safety is by cost, checked on the syntax tree before SymPy sees anything
(:func:`_bound`): the number of nodes, the nesting depth, the height of a tower
of powers, every exponent (a constant between -``MAX_EXPONENT`` and
``MAX_EXPONENT``), and an upper estimate of the bits of every exact number SymPy
would build (``(9^9)^9...`` is refused long before it is computed); ``0^-1`` and
``log(0)`` are refused as undefined. :func:`equivalent` stops after
``CHECK_SECONDS``.
"""

from __future__ import annotations

import ast
import re

from tutor.errors import InputError
from tutor.maths.notation import FORMULA_SYMBOLS

MAX_CHARS = 300
MAX_DEPTH = 40
MAX_EXPONENT = 10
MAX_NODES = 150
MAX_POWER_HEIGHT = 3
#: An upper estimate of the bits of any exact number built while reading a formula.
MAX_BITS = 4096
#: A constant (as a float) beyond this size is refused as too large.
MAX_MAGNITUDE = 1e100
CHECK_SECONDS = 2.0

SYMBOLS = FORMULA_SYMBOLS
FUNCTIONS = {"log", "ln", "exp", "sigma", "sigmoid"}


def _prepare(text: str) -> str:
    t = text.strip()
    t = t.replace("ŷ", " y_hat ").replace("σ", " sigma ").replace("−", "-").replace("·", "*").replace("×", "*")
    t = t.replace("^", "**")
    t = re.sub(r"\by\s+hat\b", "y_hat", t)
    t = re.sub(r"\\hat\s*\{\s*y\s*\}", " y_hat ", t)
    t = re.sub(r"σ'\s*\(", "dsigma(", t)
    return " ".join(explicit_products(t, "y_hat|yhat|y|z|x|w|b|a|p").split())


def explicit_products(text: str, variables: str) -> str:
    """Products written out: ``2y``, ``2 ln(x)``, ``y_hat(1 - y_hat)``, ``)(``, ``) ln(x)`` and ``x y``,
    where ``variables`` (a regular-expression alternation) names what may stand before a parenthesis
    or a space as a factor; ``1e-7`` stays a number, not 1·e - 7. Shared by the answers a checkpoint
    reads and the expressions a learner asks to differentiate (:func:`tutor.maths.formulas.typed_source`)."""
    t = re.sub(r"(\d)(?![eE][-+]?\d)\s*([A-Za-z_(])", r"\1*\2", text)
    t = re.sub(r"\)\s*(?=[A-Za-z_(\d])", ")*", t)
    t = re.sub(rf"\b({variables})\s*\(", r"\1*(", t)
    return re.sub(rf"\b({variables})\s+(?=[A-Za-z_(\d])", r"\1*", t)


#: A function name written without parentheses: "ln ŷ" (a space, then a symbol) or "ln 2", "ln2", "-log 0.5"
#: (a number, not followed by more digits or "(": "log2(8)" is not log 2 times 8).
_BARE_CALL = re.compile(r"(?i)\b(ln|log|exp|sqrt)(?:\s+(ŷ|y_hat|yhat|[a-zσ]\b)|\s*([\d.]+(?:e[-+]?\d+)?)(?![\d.(]))")


def bare_calls(text: str) -> str:
    """``ln 2`` → ``ln(2)``, ``ln ŷ`` → ``ln(ŷ)``: learners' calls without parentheses, made readable to the parser
    (a checkpoint's answer, a sum to work out)."""
    return _BARE_CALL.sub(lambda m: f"{m.group(1)}({m.group(2) or m.group(3)})", text)


_READ = "I could not read that as a formula. Use + - * / ^, parentheses, y, y_hat (or ŷ), z, σ(z), log(...)."


def _bound(tree: ast.AST, infinite: bool = False, symbolic_powers: bool = False) -> None:
    """Refuse a formula whose reading would cost more than a formula can need (see the module's docstring).

    ``symbolic_powers`` (declared formulas, :mod:`tutor.maths.formulas`) admits an exponent that is an
    expression in the variables, such as ``(1 - p)^gamma``: it builds no exact number, and the tower
    height still counts; a constant exponent keeps its limit.

    Walks the tree once, computing for each node: its value as a complex float when it
    is a constant (None otherwise), an upper estimate of the bits of the exact numbers
    in it, and the height of its tower of powers. Nothing here calls SymPy.
    """
    import cmath
    import math
    from fractions import Fraction

    count = 0

    def too_large() -> InputError:
        return InputError("That formula builds a number too large to work with.")

    def visit(node: ast.AST, depth: int) -> tuple[complex | None, int, int]:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise InputError(f"That formula is too long (at most {MAX_NODES} symbols and numbers).")
        if depth > MAX_DEPTH:
            raise InputError("That formula is nested too deeply.")
        if isinstance(node, ast.Expression):
            return visit(node.body, depth + 1)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if abs(node.value) > 1e12:
                raise InputError("That number is too large for a formula.")
            exact = Fraction(str(node.value)) if isinstance(node.value, float) else Fraction(node.value)
            return complex(node.value), exact.numerator.bit_length() + exact.denominator.bit_length(), 0
        if isinstance(node, ast.Name):
            return (complex(math.e) if node.id == "e" else None), 1, 0
        if isinstance(node, ast.UnaryOp):
            v, bits, h = visit(node.operand, depth + 1)
            return (-v if v is not None and isinstance(node.op, ast.USub) else v), bits, h
        if isinstance(node, ast.BinOp):
            lv, lb, lh = visit(node.left, depth + 1)
            rv, rb, rh = visit(node.right, depth + 1)
            value = None
            if isinstance(node.op, ast.Pow) and rv is None and symbolic_powers:
                height = 1 + max(lh, rh)
                if height > MAX_POWER_HEIGHT:
                    raise InputError(f"Powers of powers are limited to {MAX_POWER_HEIGHT} levels.")
                bits = lb + rb
            elif isinstance(node.op, ast.Pow):
                if rv is None or rv.imag or not math.isfinite(rv.real) or abs(rv.real) > MAX_EXPONENT:
                    raise InputError(f"Exponents are limited to numbers between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
                height = 1 + max(lh, rh)
                if height > MAX_POWER_HEIGHT:
                    raise InputError(f"Powers of powers are limited to {MAX_POWER_HEIGHT} levels.")
                bits = lb * max(1, math.ceil(abs(rv.real))) + rb
                if lv is not None:
                    if lv == 0 and rv.real < 0:
                        raise InputError("That formula divides by zero (0 to a negative power).")
                    try:
                        value = lv**rv
                    except (OverflowError, ZeroDivisionError):
                        raise too_large() from None
            else:
                height, bits = max(lh, rh), lb + rb
                if lv is not None and rv is not None:
                    if isinstance(node.op, ast.Div) and rv == 0:
                        raise InputError("That formula divides by zero.")
                    ops = {
                        ast.Add: lambda: lv + rv,
                        ast.Sub: lambda: lv - rv,
                        ast.Mult: lambda: lv * rv,
                        ast.Div: lambda: lv / rv,
                    }
                    try:
                        value = ops.get(type(node.op), lambda: None)()
                    except (OverflowError, ZeroDivisionError):
                        raise too_large() from None
            if bits > MAX_BITS or (value is not None and not abs(value) <= MAX_MAGNITUDE):
                raise too_large()
            return value, bits, height
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 and not node.keywords:
            v, bits, h = visit(node.args[0], depth + 1)
            value = None
            if v is not None:
                fn = node.func.id
                if fn in ("log", "ln") and v == 0:
                    if infinite:  # -ln 0 = ∞ is a value a numeric answer may state
                        return None, bits + 1, h
                    raise InputError("That formula takes log(0), which is undefined.")
                try:
                    value = {"log": cmath.log, "ln": cmath.log, "exp": cmath.exp}.get(fn, lambda a: a)(v)
                except (OverflowError, ValueError):
                    raise too_large() from None
                if not abs(value) <= MAX_MAGNITUDE:
                    raise too_large()
            return value, bits + 1, h
        return None, 1, 0  # anything else is refused by the reader with its own message

    visit(tree, 0)


def parse(text: str, *, infinite: bool = False):
    """A SymPy expression for ``text``; ``InputError`` when it is not a formula we read.

    ``infinite``: ln 0 reads as -∞ (its real limit, as floating point gives it) and an infinite
    value is kept, for numeric answers such as ``-ln(0)``; otherwise both are refused as undefined.
    """
    if len(text) > MAX_CHARS:
        raise InputError(f"That formula is too long (at most {MAX_CHARS} characters).")
    src = _prepare(text)
    if not src:
        raise InputError("Type a formula, for example: y_hat - y")
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(_READ) from None
    _bound(tree, infinite=infinite)
    import sympy as sp

    from tutor.maths.derive import sigma

    names = {k: sp.Symbol(v) for k, v in SYMBOLS.items()}

    def walk(node: ast.AST, depth: int):
        if depth > MAX_DEPTH:
            raise InputError("That formula is nested too deeply.")
        if isinstance(node, ast.Expression):
            return walk(node.body, depth + 1)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if abs(node.value) > 1e12:
                raise InputError("That number is too large for a formula.")
            return sp.Rational(str(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id == "e":
                return sp.E
            raise InputError(f"I don't know the name '{node.id[:20]}'. Use y, y_hat (ŷ), z, x, w, b.")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = walk(node.operand, depth + 1)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            left = walk(node.left, depth + 1)
            right = walk(node.right, depth + 1)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if right == 0:
                    raise InputError("That formula divides by zero.")
                return left / right
            if not (right.is_number and abs(float(right)) <= MAX_EXPONENT):
                raise InputError(f"Exponents are limited to numbers between -{MAX_EXPONENT} and {MAX_EXPONENT}.")
            return left**right
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords and len(node.args) == 1:
            fn = node.func.id
            arg = walk(node.args[0], depth + 1)
            if fn in ("log", "ln"):
                return -sp.oo if arg == 0 else sp.log(arg)  # the real limit, as floats give it (SymPy says zoo)
            if fn == "exp":
                return sp.exp(arg)
            if fn in ("sigma", "sigmoid"):
                return sigma(arg)
            if fn == "dsigma":
                return sigma(arg) * (1 - sigma(arg))
        raise InputError(
            "I could not read that as a formula. Use + - * / ^, parentheses, y, y_hat (or ŷ), z, σ(z), log(...)."
        )

    expr = walk(tree, 0)
    if expr.has(sp.zoo, sp.nan) or (not infinite and expr.has(sp.oo, -sp.oo)):
        raise InputError("That formula is undefined (it divides by zero or takes the log of 0).")
    return expr


def equivalent(a, b, points: int = 16) -> bool:
    """Whether two expressions agree (σ written out) at many random points in their domain.

    Purely numeric, so its cost is bounded whatever the learner typed (``simplify``
    on a hostile expression is not); points where either side is undefined are
    skipped, and at least half the points must be defined.
    """
    import cmath
    import random

    import sympy as sp

    from tutor.maths.derive import _explicit

    # The cmath printer has no name for Euler's number (KeyError 'Exp1' in SymPy 1.14): give it as the exact value of the float e.
    e = {sp.E: sp.Rational(cmath.e)}
    ea, eb = _explicit(a).xreplace(e), _explicit(b).xreplace(e)
    syms = sorted(ea.free_symbols | eb.free_symbols, key=str)
    fa = sp.lambdify(syms, ea, "cmath")
    fb = sp.lambdify(syms, eb, "cmath")
    rng = random.Random(7)
    defined = 0
    import time

    deadline = time.monotonic() + CHECK_SECONDS
    for _ in range(points):
        if time.monotonic() > deadline:
            raise InputError("That formula takes too long to check; write it more simply.")
        vals = [rng.uniform(0.1, 0.9) if s.name in ("y", "y_hat") else rng.uniform(-2, 2) for s in syms]
        try:
            va, vb = complex(fa(*vals)), complex(fb(*vals))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        if not (cmath.isfinite(va) and cmath.isfinite(vb)):
            continue
        defined += 1
        if abs(va - vb) > 1e-9 * max(1.0, abs(va), abs(vb)):
            return False
    return defined >= points // 2
