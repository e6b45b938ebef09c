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
from functools import lru_cache

import sympy as sp

from tutor.errors import InputError
from tutor.maths import formulas
from tutor.maths.derive import Derivation, formula_derivation, formula_expression, sigma, verify_step

#: What the other variables are held at while one variable's domain is found; the first is the one
#: stated when the domain depends on them ("for a = 1/2, x in (1/2, ∞)").
HELD = (sp.Rational(1, 2), sp.Integer(2), sp.Integer(-1))

#: Characters a learner may type that the reader has no meaning for, each with what it is.
_NOT_READ = {
    "|": "an absolute value (|x|)",
    "!": "a factorial (x!)",
    "=": "an equation",
    "<": "an inequality",
    ">": "an inequality",
    "≤": "an inequality",
    "≥": "an inequality",
}


@lru_cache(maxsize=64)  # the derivative, its value at a point and "plot it" read the same expression
def expression_formula(text: str, wrt: str | None = None):
    """A typed expression (``ln(1 - x)``, ``1/(1 + e^-z)``) as a formula of its variables, each on the
    interval of its real domain (SymPy's ``continuous_domain``) that the derivation's proofs sample.
    ``InputError`` saying what is wrong when it cannot be read."""
    for char, what in _NOT_READ.items():
        if char in formulas.typed_source(text):
            raise InputError(
                f"I cannot differentiate {what}: an expression may use numbers, variables, + - * / ^, "
                f"parentheses and {', '.join(formulas.FUNCTIONS)}"
            )
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
        symbol = formulas.GREEK.get(wrt, wrt)[:20]
        raise InputError(
            f"{text.strip()[:60]} does not contain {symbol}: it is constant in {symbol}, so its derivative with "
            f"respect to {symbol} is 0 (its variables: {', '.join(formulas.GREEK.get(n, n) for n in names)})"
        )
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


#: A function without parentheses of a number followed by + or -: ``ln 1-x`` is ln(1) - x, a constant
#: minus x, though ln(1 - x) is almost surely meant (``ln x + 1`` is read as everyone reads it).
_BARE_BEFORE_SUM = re.compile(r"\b(ln|log|exp|sqrt|sigma|sigmoid)\s+(\d+(?:\.\d+)?)\s*([-+])(?!\s*\d)")


def _explicit(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sigma), lambda e: 1 / (1 + sp.exp(-e.args[0])))


@lru_cache(maxsize=256)
def _real_domain(expr: sp.Expr, name: str, held: sp.Expr):
    """Where ``expr`` is defined and continuous for the real variable ``name``, the other variables at
    ``held`` (all the reals when SymPy cannot tell). Every symbol is taken as merely real first: a
    symbol that carries its range (positive on (0, ∞)) would hide the ends of the domain."""
    from sympy.calculus.util import continuous_domain

    x = sp.Symbol(name, real=True)
    plain = _explicit(expr).subs({s: x if s.name == name else held for s in expr.free_symbols})
    try:
        return continuous_domain(plain, x, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return sp.S.Reals


def _domain_interval(expr: sp.Expr, shown: str, name: str):
    """(the interval the proofs sample ``name`` on, its whole real domain as text), the other variables
    held at 1/2 (:func:`expression_derivation` says so when the domain changes with them)."""
    syms = {s.name: s for s in expr.free_symbols}
    symbol = formulas.GREEK.get(name, name)
    if name not in syms:  # it cancels ("0*x"): formula_derivation says the derivative is 0
        return formulas.Interval(-math.inf, math.inf, True, True), f"all real {symbol}"
    domain = _real_domain(expr, name, HELD[0])
    parts = list(domain.args) if isinstance(domain, sp.Union) else [domain]
    intervals = [p for p in parts if isinstance(p, sp.Interval) and p.measure > 0]
    if not intervals:
        raise InputError(f"{shown} is not defined on any interval of real {symbol}, so it has no derivative to show")
    best = max(intervals, key=lambda p: (p.measure, p.contains(sp.Rational(1, 2)) is sp.true))
    lo, hi = float(best.start), float(best.end)
    interval = formulas.Interval(lo, hi, True, True)  # sampled inside: not at an end where the derivative may not exist
    return interval, _domain_text(domain, symbol)


def _depends(expr: sp.Expr, name: str) -> bool:
    """Whether where ``expr`` is defined, as a function of ``name``, changes with its other variables."""
    others = [s for s in expr.free_symbols if s.name != name]
    return bool(others) and any(_real_domain(expr, name, h) != _real_domain(expr, name, HELD[0]) for h in HELD[1:])


def _said_in(why: str, f) -> str:
    """A rule's reason said in the expression's own variable: the rules write x (``du/dx``) and a
    variable's name (``y_hat``) and ``sigma``; a derivative by z says ``du/dz``, one by ŷ says ŷ, σ is σ."""
    v = f.var(f.wrt)
    assert v is not None
    why = re.sub(r"\bd(u?)/dx\b", lambda m: f"d{m.group(1)}/d{v.symbol}", why)
    why = re.sub(r"\bsigma\(", "σ(", why)  # as the steps print it
    why = re.sub(r"\bexp\((\w+)\)", r"e^\1", why)  # exp(x) as e^x, exp(-z) as e^(-z), as the title writes them
    why = re.sub(r"\bexp\(([^()]*)\)", r"e^(\1)", why)
    for var in f.variables:
        if var.symbol != var.name:
            why = re.sub(rf"\bd/d{re.escape(var.name)}\b", f"d/d{var.symbol}", why)
            why = re.sub(rf"\b{re.escape(var.name)}\b", var.symbol, why)
    return why


def _domain_text(domain, symbol: str) -> str:
    """``all real x``, ``x in (-∞, 1)``, ``x in (-∞, 0) ∪ (0, ∞)``."""
    if domain == sp.S.Reals:
        return f"all real {symbol}"
    parts = list(domain.args) if isinstance(domain, sp.Union) else [domain]

    def end(v) -> str:
        if v in (sp.oo, -sp.oo):
            return "∞" if v == sp.oo else "-∞"
        one_line = sp.pretty(v, use_unicode=True)  # -√2 rather than -sqrt(2); 1/2 (drawn on three lines) as text
        return (one_line if "\n" not in one_line else str(v)).replace("log(", "ln(")

    shown = [
        f"{'(' if p.left_open else '['}{end(p.start)}, {end(p.end)}{')' if p.right_open else ']'}"
        if isinstance(p, sp.Interval)
        else str(p)
        for p in parts
    ]
    return f"{symbol} in {' ∪ '.join(shown)}"


def expression_derivation(text: str, wrt: str | None = None, at: tuple[str | None, str] | None = None) -> Derivation:
    """The derivative of a typed expression, step by step, each step proven, with where it is defined
    and, when that is less, where its derivative is (``sqrt(x)``: [0, ∞), its derivative (0, ∞)).
    ``at``: (a variable or None for the one differentiated by, a number as typed): the derivative's
    value there, substituted exactly, as a last step, and what its sign says."""
    d = _expression_derivation(text, wrt)
    return d if at is None else _at_point(d, text, wrt, at)


def _at_point(d: Derivation, text: str, wrt: str | None, at: tuple[str | None, str]) -> Derivation:
    from tutor.maths.numeric import fmt

    f = expression_formula(text, wrt)
    name = {"ŷ": "y_hat", "yhat": "y_hat"}.get(at[0] or "", at[0]) or f.wrt
    var = f.var(name)
    if var is None:
        raise InputError(f"{f.display()} has no variable {name[:20]} to put {at[1][:20]} in")
    try:
        value = sp.Rational(at[1].replace("−", "-"))  # exact: 0.9 is 9/10, not a float
    except (TypeError, ValueError) as err:
        raise InputError(f"cannot read {at[1][:20]} as a number") from err
    symbol = {s.name: s for s in d.result.free_symbols}.get(name)
    if symbol is None:
        raise InputError(f"the derivative of {f.display()} does not depend on {var.symbol}: it is the same everywhere")
    if name == f.wrt and not _real_domain(d.result, name, HELD[0]).contains(value):
        raise InputError(f"the derivative of {f.display()} is not defined at {var.symbol} = {at[1]}")
    exact = sp.simplify(d.result.subs(symbol, value))
    if exact.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (exact.is_number and not exact.is_real):
        raise InputError(f"the derivative of {f.display()} is not defined at {var.symbol} = {at[1]}")
    slope = f"d{f.lhs}/d{f.var(f.wrt).symbol}" if len(f.variables) == 1 else f"∂{f.lhs}/∂{f.var(f.wrt).symbol}"
    said = f"put {var.symbol} = {at[1]} into the result"
    summary = d.summary
    if exact.is_number:
        number = float(exact)
        said += f": {fmt(number)}"
        how = "falls" if number < 0 else "rises" if number > 0 else "has a horizontal tangent"
        grows = f"as {f.var(f.wrt).symbol} grows" if number else ""
        summary += f" At {var.symbol} = {at[1]} the slope is {fmt(number)}: {f.display()} {how} {grows} there.".replace(
            "  ", " "
        )
    step = replace(d.steps[-1], rule="substitute", expression=exact, why=said, lhs=f"{slope} at {var.symbol} = {at[1]}")
    step = replace(step, claim=(exact, d.result.subs(symbol, value)))
    if not all(verify_step(step, d.domain)):
        raise InputError(
            f"I could not prove the value of the derivative at {var.symbol} = {at[1]}, so I do not show it"
        )
    return Derivation(
        d.target, f"{d.title}, at {var.symbol} = {at[1]}", (*d.steps, step), exact, summary, domain=d.domain
    )


def _expression_derivation(text: str, wrt: str | None = None) -> Derivation:
    f = expression_formula(text, wrt)
    d = formula_derivation(f)
    v = f.var(f.wrt)
    assert v is not None
    typed = replace(d.steps[0], why="the expression as typed")
    # f(x) of one variable: df/dx, as SymPy prints d/dx inside the steps; ∂f/∂x only beside other variables
    lhs = (lambda step: f"d{f.lhs}/d{v.symbol}") if len(f.variables) == 1 else (lambda step: step.lhs)
    steps = (typed, *(replace(step, why=_said_in(step.why, f), lhs=lhs(step)) for step in d.steps[1:]))
    result = d.result
    last = steps[-1]
    if last.rule == "power rule" and last.claim is not None:  # y·x^y/x written as the rule says, y·x^(y - 1)
        tidy = sp.powsimp(last.expression)
        step = replace(last, expression=tidy, claim=(tidy, last.claim[1]))
        if str(tidy) != str(last.expression) and all(verify_step(step, d.domain)):
            steps, result = (*steps[:-1], step), tidy
    expr = formula_expression(f)
    defined = _domain_text(_real_domain(expr, f.wrt, HELD[0]), v.symbol)
    only = ""
    if f.wrt in {s.name for s in expr.free_symbols}:
        domain = _real_domain(expr, f.wrt, HELD[0])
        derived = domain.intersect(_real_domain(result, f.wrt, HELD[0]))
        if derived != domain:
            only = f"; the derivative above only for {_domain_text(derived, v.symbol)}"
    if _depends(expr, f.wrt):
        others = sorted(formulas.GREEK.get(s.name, s.name) for s in expr.free_symbols if s.name != f.wrt)
        at = " and ".join(f"{n} = {HELD[0]}" for n in others)
        summary = f"Where {f.display()} is defined depends on {' and '.join(others)}: for {at}, {defined}{only}."
    else:
        summary = f"{f.display()} is defined for {defined}{only}."
    bare = _BARE_BEFORE_SUM.search(text)
    if bare:
        name, arg = bare.group(1), bare.group(2)
        summary += (
            f" (I read {name} {arg} without parentheses as {name}({arg}) alone, before the {bare.group(3)}:"
            f" for {name} of more, put it all in parentheses.)"
        )
    return Derivation(
        d.target,
        d.title,
        steps,
        result,
        summary,
        domain=d.domain,
    )
