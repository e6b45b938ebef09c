"""The derivative of an expression the learner types (``ln(1 - x)``, ``x^2 ln x``, ``1/(1 + e^-z)``).

The text is read as a declared formula's expression is (:func:`tutor.maths.formulas.read`: Python's
``ast`` walked against a whitelist, never ``eval`` or ``sympify``), with the learner's ways of writing
it first made explicit (:func:`tutor.maths.formulas.typed_source`: ``ŷ``, ``2x``, ``ln x``). Each
variable gets the interval of its real domain that SymPy's ``continuous_domain`` finds, so the
derivation's proofs sample it where the expression is defined; then
:func:`tutor.maths.derive.formula_derivation` differentiates it one named rule a step, each step
proven, and the reply says where the expression is defined.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import sympy as sp

from tutor.errors import InputError
from tutor.maths import formulas
from tutor.maths.derive import Derivation, formula_derivation, formula_expression, sigma


def expression_formula(text: str, wrt: str | None = None):
    """A typed expression (``ln(1 - x)``, ``1/(1 + e^-z)``) as a formula of its variables, each on the
    interval of its real domain (SymPy's ``continuous_domain``) that the derivation's proofs sample.
    ``InputError`` saying what is wrong when it cannot be read."""
    names = formulas.expression_variables(text)
    unknown = [
        f
        for f in re.findall(r"([A-Za-z_]\w*)\s*\(", formulas.typed_source(text))
        if f not in formulas.FUNCTIONS and f not in names
    ]
    if unknown:
        raise InputError(
            f"I do not know the function {unknown[0][:20]}: an expression may use {', '.join(formulas.FUNCTIONS)}"
        )
    if not names:
        raise InputError(
            "I differentiate an expression in one variable, such as ln(1 - x), 1/(1 + e^(-z)) or x^2 * ln(x)"
        )
    wrt = {"ŷ": "y_hat", "yhat": "y_hat"}.get(wrt or "", wrt)
    if wrt is not None and wrt not in names:
        raise InputError(f"{text.strip()[:60]} has no variable {wrt[:20]} (its variables: {', '.join(names)})")
    if wrt is None:
        wrt = names[0] if len(names) == 1 else next((n for n in formulas.USUAL_VARIABLE if n in names), names[0])
    src = formulas.typed_source(text)
    tree = formulas.read(src, names)
    everywhere = formulas.Interval(-float("inf"), float("inf"), True, True)
    free = formulas.Formula(
        "expression", src, src, tuple(formulas.Variable(n, everywhere) for n in names), wrt, symbol="f", tree=tree
    )
    expr = formula_expression(free)
    shown = free.display()
    ranges = {n: _domain_interval(expr, shown, n) for n in names}
    return formulas.Formula(
        "expression",
        shown,
        src,
        tuple(formulas.Variable(n, ranges[n][0], meaning=ranges[n][1]) for n in names),
        wrt,
        symbol="f",
        tree=tree,
    )


def _domain_interval(expr: sp.Expr, shown: str, name: str):
    """(the interval the proofs sample ``name`` on, its whole real domain as text), the other variables
    held at 1/2."""
    from sympy.calculus.util import continuous_domain

    syms = {s.name: s for s in expr.free_symbols}
    if name not in syms:  # it cancels ("0*x"): formula_derivation says the derivative is 0
        return formulas.Interval(-math.inf, math.inf, True, True), f"all real {formulas.GREEK.get(name, name)}"
    x = syms[name]
    held = {s: sp.Rational(1, 2) for n, s in syms.items() if n != name}
    plain = expr.replace(lambda e: isinstance(e, sigma), lambda e: 1 / (1 + sp.exp(-e.args[0])))
    try:
        domain = continuous_domain(plain.subs(held), x, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        domain = sp.S.Reals
    parts = list(domain.args) if isinstance(domain, sp.Union) else [domain]
    intervals = [p for p in parts if isinstance(p, sp.Interval) and p.measure > 0]
    if not intervals:
        symbol = formulas.GREEK.get(name, name)
        raise InputError(f"{shown} is not defined on any interval of real {symbol}, so it has no derivative to show")
    best = max(intervals, key=lambda p: (p.measure, p.contains(sp.Rational(1, 2)) is sp.true))
    lo, hi = float(best.start), float(best.end)
    interval = formulas.Interval(lo, hi, True, True)  # sampled inside: not at an end where the derivative may not exist
    return interval, _domain_text(domain, formulas.GREEK.get(name, name))


def _domain_text(domain, symbol: str) -> str:
    """``all real x``, ``x in (-∞, 1)``, ``x in (-∞, 0) ∪ (0, ∞)``."""
    if domain == sp.S.Reals:
        return f"all real {symbol}"
    parts = list(domain.args) if isinstance(domain, sp.Union) else [domain]

    def end(v) -> str:
        return "∞" if v == sp.oo else "-∞" if v == -sp.oo else str(v)

    shown = [
        f"{'(' if p.left_open else '['}{end(p.start)}, {end(p.end)}{')' if p.right_open else ']'}"
        if isinstance(p, sp.Interval)
        else str(p)
        for p in parts
    ]
    return f"{symbol} in {' ∪ '.join(shown)}"


def expression_derivation(text: str, wrt: str | None = None) -> Derivation:
    """The derivative of a typed expression, step by step, each step proven, with where it is defined."""
    f = expression_formula(text, wrt)
    d = formula_derivation(f)
    v = f.var(f.wrt)
    assert v is not None
    typed = replace(d.steps[0], why="the expression as typed")
    return Derivation(
        d.target,
        d.title,
        (typed, *d.steps[1:]),
        d.result,
        f"{f.display()} is defined for {v.meaning}.",
        domain=d.domain,
    )
