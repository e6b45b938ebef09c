"""Read a learner's formula into SymPy without ``eval``.

The text is tokenised and parsed by Python's ``ast`` module (which only
*parses*), then walked: numbers, the known symbols, + - * / ^ and a few named
functions are admitted; anything else (attributes, subscripts, lambdas,
strings, unknown names, huge numbers, deep nesting, exponent towers) is refused
with a message. SymPy is imported only when a formula is read.
"""

from __future__ import annotations

import ast
import re

from tutor.errors import InputError

MAX_CHARS = 300
MAX_DEPTH = 40
MAX_EXPONENT = 10

SYMBOLS = {"y": "y", "y_hat": "y_hat", "yhat": "y_hat", "a": "y_hat", "p": "y_hat", "z": "z", "x": "x", "w": "w", "b": "b"}
FUNCTIONS = {"log", "ln", "exp", "sigma", "sigmoid"}


def _prepare(text: str) -> str:
    t = text.strip()
    t = t.replace("ŷ", " y_hat ").replace("σ", " sigma ").replace("−", "-").replace("·", "*").replace("×", "*")
    t = t.replace("^", "**")
    t = re.sub(r"\by\s+hat\b", "y_hat", t)
    t = re.sub(r"\\hat\s*\{\s*y\s*\}", " y_hat ", t)
    t = re.sub(r"σ'\s*\(", "dsigma(", t)
    # implicit multiplication: "2y", "y_hat(1 - y_hat)", ")(" and "x y"; "1e-7" stays a number, not 1·e - 7
    t = re.sub(r"(\d)(?![eE][-+]?\d)\s*([A-Za-z_(])", r"\1*\2", t)
    t = re.sub(r"\)\s*\(", ")*(", t)
    t = re.sub(r"\b(y_hat|yhat|y|z|x|w|b|a|p)\s*\(", r"\1*(", t)
    t = re.sub(r"\b(y_hat|yhat|y|z|x|w|b|a|p)\s+(?=[A-Za-z_(])", r"\1*", t)
    t = re.sub(r"\)\s*(?=[A-Za-z_])", ")*", t)
    return " ".join(t.split())


def parse(text: str):
    """A SymPy expression for ``text``; ``InputError`` when it is not a formula we read."""
    if len(text) > MAX_CHARS:
        raise InputError(f"That formula is too long (at most {MAX_CHARS} characters).")
    src = _prepare(text)
    if not src:
        raise InputError("Type a formula, for example: y_hat - y")
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError("I could not read that as a formula. Use + - * / ^, parentheses, y, y_hat (or ŷ), z, σ(z), log(...).") from None
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
            return left ** right
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
        raise InputError("I could not read that as a formula. Use + - * / ^, parentheses, y, y_hat (or ŷ), z, σ(z), log(...).")

    return walk(tree, 0)


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
    for _ in range(points):
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
