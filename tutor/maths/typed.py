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
from tutor.maths.derive import Derivation, _explicit, formula_derivation, formula_expression, verify_step

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
    wrt = formulas.variable_name(wrt)
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
        "expression",
        src,
        src,
        tuple(formulas.Variable(n, everywhere) for n in names),
        wrt,
        symbol=formulas.typed_name(text),
        tree=tree,
    )
    expr = formula_expression(free)
    shown = free.display()
    if _restricted(expr) > MAX_DOMAIN_NESTING:
        raise InputError(
            f"{shown[:60]} nests square roots, powers and logarithms more than {MAX_DOMAIN_NESTING} deep: I find where "
            f"an expression is defined for at most {MAX_DOMAIN_NESTING} (SymPy's search grows too slow past that)"
        )
    ranges = {n: _domain_interval(expr, shown, n) for n in names}
    return formulas.Formula(
        "expression",
        shown,
        src,
        tuple(formulas.Variable(n, ranges[n][0], meaning=ranges[n][1]) for n in names),
        wrt,
        symbol=formulas.typed_name(text),
        tree=tree,
    )


#: How deep ln, square roots and fractional powers may nest (ln(1 - ln(1 - ln(1 - x)))): where the expression is
#: defined is found by SymPy's ``continuous_domain``, whose time grows several-fold with each level.
MAX_DOMAIN_NESTING = 3


def _restricted(expr: sp.Expr) -> int:
    """How deep the functions defined on part of the real line (ln, roots, fractional powers) are nested."""
    if not expr.args:
        return 0
    inner = max(_restricted(a) for a in expr.args)
    partial = isinstance(expr, sp.log) or (expr.is_Pow and not expr.exp.is_Integer)
    return inner + (1 if partial else 0)


#: A function without parentheses of a number followed by + or -: ``ln 1-x`` is ln(1) - x, a constant
#: minus x, though ln(1 - x) is almost surely meant (``ln x + 1`` is read as everyone reads it).
_BARE_BEFORE_SUM = re.compile(r"\b(ln|log|exp|sqrt|sigma|sigmoid)\s+(\d+(?:\.\d+)?)\s*([-+])(?!\s*\d)")


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
    if not _real_somewhere(expr, name, interval):  # continuous_domain can miss it: sqrt(-x^2) is real at 0 only
        raise InputError(f"{shown} is not defined on any interval of real {symbol}, so it has no derivative to show")
    return interval, _domain_text(domain, symbol)


def _real_somewhere(expr: sp.Expr, name: str, interval) -> bool:
    """Whether ``expr`` is a real number at some of a few points inside ``interval`` (the others held at 1/2)."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    lo, hi = interval.inside(0.05)
    value = _floats([expr], symbols)
    for t in (0.3, 0.7, 0.15, 0.85, 0.55):  # not the middle: sqrt(-x^2) is real at 0 alone
        point = [lo + t * (hi - lo) if s.name == name else float(HELD[0]) for s in symbols]
        try:
            if _real(complex(value(*point)[0])) is not None:
                return True
        except (ArithmeticError, ValueError, TypeError):
            continue
    return False


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


def example_point(text: str, wrt: str | None = None) -> str | None:
    """A simple number where the derivative of ``text`` is defined, as typed (1/2 first, as "0.5"), or None."""
    d = _expression_derivation(text, wrt)
    f = expression_formula(text, wrt)
    if f.wrt not in {s.name for s in d.result.free_symbols}:
        return None
    domain = _real_domain(formula_expression(f), f.wrt, HELD[0]).intersect(_real_domain(d.result, f.wrt, HELD[0]))
    for point in ("0.5", "0.25", "2", "-0.5", "3", "0.1"):
        if domain.contains(sp.Rational(point)) is sp.true:
            return point
    parts = [p for p in (domain.args if isinstance(domain, sp.Union) else [domain]) if isinstance(p, sp.Interval)]
    for part in sorted(parts, key=lambda p: -float(p.measure)):  # else one past an end: sqrt(x - 3) at x = 4
        lo, hi = part.start, part.end
        point = (
            lo + 1
            if lo.is_finite and (not hi.is_finite or hi - lo > 2)
            else hi - 1
            if hi.is_finite and not lo.is_finite
            else (lo + hi) / 2
        )
        if point.is_finite and domain.contains(point) is sp.true:
            return str(sp.nsimplify(point))
    return None


def _at_point(d: Derivation, text: str, wrt: str | None, at: tuple[str | None, str]) -> Derivation:
    from tutor.maths.numeric import fmt

    f = expression_formula(text, wrt)
    name = formulas.variable_name(at[0]) or f.wrt
    var = f.var(name)
    if var is None:
        raise InputError(f"{f.display()} has no variable {name[:20]} to put {at[1][:20]} in")
    try:
        value = sp.Rational(at[1].replace("−", "-"))  # exact: 0.9 is 9/10, not a float
    except (TypeError, ValueError) as err:
        raise InputError(f"cannot read {at[1][:20]} as a number") from err
    if abs(value) > MAX_POINT:  # 1e999999: a float cannot hold it, so no value there could be checked
        raise InputError(f"{at[1][:20]} is too large a number to put in: I take points up to 10^300 in size")
    if value and abs(value) < 1 / MAX_POINT:  # 1e-400 is 0 in floats: ln(x) there would be called undefined
        raise InputError(f"{at[1][:20]} is too small a number to put in: I take points from 10^-300 in size, or 0")
    symbol = {s.name: s for s in d.result.free_symbols}.get(name)
    if symbol is None:
        raise InputError(f"the derivative of {f.display()} does not depend on {var.symbol}: it is the same everywhere")
    undefined = InputError(f"the derivative of {f.display()} is not defined at {var.symbol} = {at[1]}")
    if d.result.free_symbols == {symbol}:  # one variable: its value in floats first, which cannot hang
        _float_at(formula_expression(f), d.result, symbol, value, undefined, f"{var.symbol} = {at[1][:20]}")
    elif name == f.wrt and not _real_domain(d.result, name, HELD[0]).contains(value):
        raise undefined
    from tutor.maths.derive import MAX_SIMPLIFY_OPS, simplifiable

    put = _explicit(d.result).subs(symbol, value)  # σ(0) as 1/(1 + e^0): a number, where σ(0) was not known real
    exact = sp.simplify(put) if simplifiable(put, MAX_SIMPLIFY_OPS) else put
    hyperbolic = (sp.cosh, sp.sinh, sp.tanh)
    if exact.has(*hyperbolic) and not put.has(*hyperbolic):
        exact = put  # σ'(20) as 1/(4cosh(10)^2): proving that costs SymPy seconds (minutes at 100; at 5 it fails)
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
        # the value asked for first (the app shows this note before the steps), where it is defined after
        summary = (
            f"At {var.symbol} = {at[1]}, {slope} = {fmt(number)}: {f.display()} {how} {grows} there. ".replace(
                "  ", " "
            )
            + summary
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


#: The largest point (in size) a derivative's value is asked at: floats end near 1.8 × 10^308.
MAX_POINT = sp.Integer(10) ** 300

#: A power whose exponent is larger than this at the point is not computed exactly: (10^-12)^(10^12) has
#: ten million million digits, though as a float it is merely 0.
MAX_EXACT_EXPONENT = 1000


def _float_at(expr: sp.Expr, derivative: sp.Expr, x: sp.Symbol, value: sp.Rational, undefined: InputError, where: str):
    """Check that ``expr`` and its ``derivative`` are real numbers at ``x = value``, in complex floats (never
    exact: e^(e^(e^100)) would take SymPy forever), and that exact arithmetic there stays small; the
    ``InputError`` saying which is not so otherwise."""
    too_large = InputError(f"the derivative's value at {where} is too large to compute")
    for power in derivative.atoms(sp.Pow):
        if x in power.exp.free_symbols:
            try:
                e = _real(complex(_floats([power.exp], [x])(float(value))[0]))
            except (ArithmeticError, ValueError, TypeError):
                continue  # the check below says what is wrong there
            if e is not None and abs(e) > MAX_EXACT_EXPONENT:
                raise too_large
    expr = expr.subs({s: HELD[0] for s in expr.free_symbols if s != x})  # ln(x) + y: y held, as for the domain
    try:
        at_x, slope = (complex(v) for v in _floats([expr, derivative], [x])(float(value)))
    except OverflowError:
        raise too_large from None
    except (ArithmeticError, ValueError, TypeError):
        raise undefined from None
    if _real(at_x) is None or _real(slope) is None:
        raise undefined


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


def _floats(exprs, symbols):
    """``exprs`` as one function of ``symbols`` computed with complex floats: a value too large is an
    ``OverflowError``, never a number of a million digits as exact evaluation would build."""
    import cmath

    plain = [_explicit(e) for e in exprs]
    use = {"exp": cmath.exp, "log": cmath.log, "sqrt": cmath.sqrt, "E": math.e}
    return sp.lambdify(symbols, plain, [use, "math"])


def _real(v: complex) -> float | None:
    """``v`` as a real number; None when it is not finite or not real."""
    finite = math.isfinite(v.real) and math.isfinite(v.imag)
    return v.real if finite and abs(v.imag) <= 1e-9 * max(1.0, abs(v.real)) else None
