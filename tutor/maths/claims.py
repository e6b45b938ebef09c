"""A derivative the learner states, checked ("the derivative of ln(1 - x) is 1/(1 - x), right?").

The learner's answer is read as a typed expression is (:mod:`tutor.maths.typed`: the formula reader's
whitelist, never ``eval``) and compared with the derivative derived step by step: at sampled points first
(cheap, so no wrong answer reaches ``simplify``), then proven by SymPy, then on every part of the
expression's real domain (a proof samples one interval). Any form that is the same function is right; a
wrong one is compared with the slips a teacher names (the chain rule's inner derivative, the sign, one
term of the product or quotient rule, the power rule on a varying exponent, a constant factor or term,
the derivative by the logit for one by ŷ) and, failing those, the two are evaluated at a simple point.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import sympy as sp

from tutor.errors import InputError
from tutor.maths import formulas
from tutor.maths.derive import Derivation, formula_expression, sigma, verify_step
from tutor.maths.typed import (
    _NOT_READ,
    HELD,
    _expression_derivation,
    _floats,
    _real,
    _real_domain,
    expression_formula,
)


@dataclass(frozen=True)
class Checked:
    """A derivative the learner worked out, checked: whether it is right, the mistake when one is
    recognised, and the derivation it was checked against."""

    right: bool
    verdict: str  # one paragraph: right, or what is wrong and by how much
    claim: sp.Expr
    derivation: Derivation | None  # None for a constant ("is d/dx ln 3 = 1/3?"): there are no steps to show


def _claim_expression(f, claim: str) -> sp.Expr:
    """The learner's answer read as the expression is (the whitelist, never ``eval``), in its variables."""
    names = formulas.expression_variables(claim)
    known = {v.name for v in f.variables}
    # "banana" too, which is no variable's name (a name before "(" is a function: the reader says it is unknown)
    words = re.findall(r"\b([A-Za-z_]\w*)\b(?!\s*\()", formulas.typed_source(claim))
    stray = [n for n in dict.fromkeys([*names, *words]) if n not in known and n not in formulas.FUNCTIONS and n != "e"]
    for char, what in _NOT_READ.items():
        if char in formulas.typed_source(claim):
            raise InputError(f"I cannot read {what} in your answer")
    src = formulas.typed_source(claim)
    try:  # what cannot be read at all is said first ("__import__('os')" is no variable named os)
        formulas.read(src, [v.name for v in f.variables] + [n for n in stray if n.isidentifier()])
    except InputError as err:
        said = err.message[0].lower() + err.message[1:]
        raise InputError(f"I cannot read your answer, {claim.strip()[:40]}: {said}") from err
    if stray:
        shown = formulas.GREEK.get(stray[0], stray[0])[:20]
        own = [v.name for v in f.variables]
        # "wx" for w times x: a name spelt from the expression's one-letter variables, read as one name
        product = len(stray[0]) > 1 and all(c in own for c in stray[0])
        raise InputError(
            f"Your answer uses {shown}, which {f.display()} does not contain (its variables: "
            f"{', '.join(v.symbol for v in f.variables)})"
            + (f". For a product, write {'·'.join(stray[0])} or {' '.join(stray[0])}." if product else "")
        )
    tree = formulas.read(src, [v.name for v in f.variables])
    return formula_expression(formulas.Formula("answer", src, src, f.variables, f.wrt, symbol="f", tree=tree))


def _agrees(a: sp.Expr, b: sp.Expr, domain) -> bool:
    """Whether ``a`` and ``b`` are the same function where the expression is defined: proven by SymPy
    and at sampled points (:func:`tutor.maths.derive.verify_step`)."""
    return all(_proof(a, b, domain))


def _proof(a: sp.Expr, b: sp.Expr, domain) -> tuple[bool, bool]:
    """(proven by SymPy, equal at sampled points): the points first, as they cost little, so that a
    wrong answer, however large, never reaches ``simplify``; whose cost ``verify_step`` bounds."""
    from tutor.maths.derive import MAX_PROOF_DEGREE, MAX_PROOF_OPS, Step, _explicit, _numeric_points, simplifiable

    if not _numeric_points(_explicit(a), _explicit(b), domain=domain):
        return False, False
    diff = _explicit(a) - _explicit(b)
    if diff != 0 and not simplifiable(diff, MAX_PROOF_OPS, degree=MAX_PROOF_DEGREE):
        return False, True  # agrees where sampled; a proof would cost more than a reply may
    return verify_step(Step("", a, "", "", (a, b)), domain)


def _where_real(f, claim: str):
    """(where, yours, the derivative) at a point where the answer differs from the derivative though the
    expression is real there, None when there is none: the proofs sample one interval, with symbols that
    carry its range (x > 0 makes sqrt(x^2) x), so 2/sqrt(x^2) would pass for the derivative of ln(x^2),
    which is 2/x for x < 0 too. Here every variable is merely real and sampled on both sides of 0."""
    import random

    everywhere = formulas.Interval(-math.inf, math.inf, True, True)
    free = replace(f, variables=tuple(replace(v, range=everywhere) for v in f.variables))
    expr = formula_expression(free)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    x = next((s for s in symbols if s.name == f.wrt), None)
    if x is None:
        return None
    mine = _claim_expression(free, claim)
    symbols = sorted(expr.free_symbols | mine.free_symbols, key=lambda s: s.name)
    values = _floats([expr, sp.diff(expr, x), mine], symbols)
    rng = random.Random(20)
    simple = [0.5, -0.5, 2.0, -2.0, 0.25, -0.25, 3.0, -3.0, 1.5, -1.5]
    # and inside every interval of the domain, however far from 0: ln(x(x + 50)) is defined for x < -50 too
    domain = _real_domain(expr, f.wrt, HELD[0])
    for part in domain.args if isinstance(domain, sp.Union) else [domain]:
        if isinstance(part, sp.Interval) and part.measure > 0:
            lo, hi = formulas.Interval(float(part.start), float(part.end), True, True).inside(0.05)
            simple += [lo + t * (hi - lo) for t in (0.1, 0.5, 0.9)]
    for trial in range(60):  # simple numbers first, to be shown; then any, where simple ones are special
        point = [
            rng.choice(simple) if trial < 40 or s != x else rng.choice((-1, 1)) * rng.uniform(0.1, 3.0) for s in symbols
        ]
        if trial < len(simple):  # each number at least once for the variable differentiated by
            point = [simple[trial] if s == x else v for s, v in zip(symbols, point)]
        try:
            e, b, a = (complex(v) for v in values(*point))
        except (ArithmeticError, ValueError, TypeError):
            continue
        if _real(e) is None or _real(b) is None:
            continue  # the expression is not real here: no derivative to compare
        if _real(a) is None or not math.isclose(a.real, b.real, rel_tol=1e-7, abs_tol=1e-9):
            where = ", ".join(
                f"{formulas.GREEK.get(s.name, s.name).replace('y_hat', 'ŷ')} = {v:.3g}" for s, v in zip(symbols, point)
            )
            return where, a, b.real
    return None


def _inner(expr: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """The inner function of a composition (ln(1 - x): 1 - x; (2x + 1)^3: 2x + 1), after a constant factor;
    None when the outermost operation is not a function of something other than x itself."""
    core = expr
    if core.is_Mul:
        factors = [a for a in core.args if x in a.free_symbols]
        if len(factors) != 1:
            return None
        core = factors[0]
    if isinstance(core, sp.Pow) and x not in core.exp.free_symbols:
        inner = core.base
    elif isinstance(core, (sp.log, sp.exp, sigma)) or (isinstance(core, sp.Pow) and core.base == sp.E):
        inner = core.args[0] if not isinstance(core, sp.Pow) else core.exp
    else:
        return None
    return None if inner == x or x not in inner.free_symbols else inner


def _product_slip(expr: sp.Expr, x: sp.Symbol, mine: sp.Expr, domain, linear, symbol: str) -> str:
    """What a wrong answer to the derivative of a product u·v did, when it is one of the product rule's
    slips: u'·v' (the factors' derivatives multiplied), or u'·v or u·v' alone (one of its two terms)."""
    factors = [a for a in sp.Mul.make_args(expr) if x in a.free_symbols]
    if len(factors) != 2:
        return ""
    const = sp.Mul(*[a for a in sp.Mul.make_args(expr) if x not in a.free_symbols])
    u, v = factors
    du, dv = sp.diff(u, x), sp.diff(v, x)
    rule = f"the product rule gives u'·v + u·v' with u = {linear(u)} and v = {linear(v)}"
    for one, other in ((const * du * v, "u·v'"), (const * u * dv, "u'·v")):
        if _agrees(mine, one, domain):
            return f"that is one of the product rule's two terms, without {other}: {rule}"
    if _agrees(mine, const * du * dv, domain):
        return f"that multiplies the two factors' derivatives: {rule}"
    for name, f, df, other in (("u", u, du, const * u * dv), ("v", v, dv, const * du * v)):
        inner = _inner(f, x)  # x²(1 - x)³: 3x²(1 - x)² in u·v', where the chain rule gives -3x²(1 - x)²
        if inner is None:
            continue
        k = sp.diff(inner, x)
        if k not in (0, 1) and _agrees(mine, other + const * (df / k) * (v if name == "u" else u), domain):
            return (
                f"the product rule is used, but in {name}' = d/d{symbol} {linear(f)} the chain rule's inner "
                f"derivative is left out: d/d{symbol} ({linear(inner)}) = {linear(k)}"
            )
    return ""


def _quotient_slip(expr: sp.Expr, x: sp.Symbol, mine: sp.Expr, truth: sp.Expr, domain, linear) -> str:
    """What a wrong answer to the derivative of a quotient u/v (both depending on x) did, when it is one of
    the quotient rule's slips: its numerator added or the wrong way round, v² written v, or u'/v'."""
    u, v = sp.fraction(expr, exact=True)  # exact: e^(-x) stays a factor, x·e^(-x) is no quotient
    if x not in u.free_symbols or x not in v.free_symbols:
        return ""
    du, dv = sp.diff(u, x), sp.diff(v, x)
    rule = f"the quotient rule gives (u'·v - u·v')/v² with u = {linear(u)} and v = {linear(v)}"
    candidates = (
        ((du * v + u * dv) / v**2, "that adds u·v' in the numerator, where the quotient rule subtracts it"),
        ((u * dv - du * v) / v**2, "that has the numerator the wrong way round, u·v' - u'·v, so its sign is wrong"),
        ((du * v - u * dv) / v, "that divides by v where the quotient rule divides by v²"),
        (du / dv, "that divides the two derivatives, u'/v'"),
    )
    for wrong, said in candidates:
        if _agrees(mine, wrong, domain):
            return f"{said}: {rule}"
    return ""


def _power_slip(expr: sp.Expr, x: sp.Symbol, mine: sp.Expr, domain, linear) -> str:
    """A wrong answer to the derivative of c·u^n (n a constant) that kept the exponent n: n·u^n·u'."""
    const = sp.Mul(*[a for a in sp.Mul.make_args(expr) if x not in a.free_symbols])
    core = expr / const
    if isinstance(core, sp.exp):
        u, n = sp.E, core.args[0]
    elif isinstance(core, sp.Pow):
        u, n = core.base, core.exp
    else:
        return ""
    if x in n.free_symbols:  # x^x, e^(x²): n·u^(n - 1) is the power rule used where the exponent varies
        for wrong in (const * n * u ** (n - 1), const * n * u ** (n - 1) * sp.diff(u, x)):
            if _agrees(mine, wrong, domain):
                return (
                    f"that is the power rule n·u^(n - 1), which holds only for a constant exponent n; here the "
                    f"exponent is {linear(n)}, which changes with {x.name}"
                )
        return ""
    if u != sp.E and _agrees(mine, const * n * u**n * sp.diff(u, x), domain):
        return f"that keeps the exponent {linear(n)}: the power rule lowers it by one, d/d{x.name} u^n = n·u^(n - 1)·u'"
    return ""


def _term_slip(expr: sp.Expr, x: sp.Symbol, mine: sp.Expr, truth: sp.Expr, domain, linear, symbol: str) -> str:
    """What a wrong answer to the derivative of a sum did in one of its terms: the chain rule's inner
    derivative left out there, that term's derivative with the wrong sign, or that term's derivative left out."""
    terms = [t for t in sp.Add.make_args(expr) if x in t.free_symbols]
    if len(terms) < 2:
        return ""
    for term in terms:
        dt = sp.diff(term, x)
        inner = _inner(term, x)
        if inner is not None:
            k = sp.diff(inner, x)
            if k != 1 and k != 0 and _agrees(mine, truth - dt + dt / k, domain):
                return (
                    f"in the term {linear(term)}, the chain rule's inner derivative is left out: "
                    f"d/d{symbol} ({linear(inner)}) = {linear(k)}"
                )
        if _agrees(mine, truth - 2 * dt, domain):
            return f"the term {linear(term)} has its derivative's sign wrong: its derivative is {linear(dt)}"
        if _agrees(mine, truth - dt, domain):
            return f"the derivative of the term {linear(term)}, {linear(dt)}, is left out"
    return ""


#: Where a wrong answer and the derivative are compared, tried in order: simple numbers first.
_POINTS = (
    sp.Rational(1, 2),
    sp.Rational(1, 4),
    sp.Integer(2),
    sp.Rational(-1, 2),
    sp.Integer(3),
    sp.Rational(1, 10),
    sp.Integer(-2),
    sp.Integer(-3),
)
#: What the other variables are held at then (y = 1 and y = 0 first: the labels of binary cross-entropy).
_OTHERS = (sp.Integer(1), sp.Integer(0), sp.Rational(1, 2), sp.Integer(2))


def _telling_point(mine: sp.Expr, truth: sp.Expr, expr: sp.Expr, name: str):
    """(where, the answer's value, the derivative's value) at the first simple point of the expression's
    domain where the two differ; None when none of them tells them apart."""
    symbols = {s.name: s for s in expr.free_symbols | mine.free_symbols | truth.free_symbols}
    x = symbols.get(name)
    others = sorted((s for n, s in symbols.items() if n != name), key=lambda s: s.name)
    for held in _OTHERS if others else (sp.Integer(1),):
        at = {s: held for s in others}
        domain = _real_domain(expr.subs(at), name, HELD[0]) if x is not None else sp.S.Reals
        for point in _POINTS if x is not None else (sp.Integer(0),):
            if x is not None and domain.contains(point) is not sp.true:
                continue
            full = {**at, **({x: point} if x is not None else {})}
            try:
                # complex floats: exp(exp(exp(exp(exp(1/2))))) overflows here, where evalf computed its every digit
                names = sorted(full, key=lambda s: s.name)
                a, b = (_real(complex(v)) for v in _floats([mine, truth], names)(*(float(full[s]) for s in names)))
            except (ArithmeticError, ValueError, TypeError):
                continue
            if a is None or b is None:
                continue
            if math.isfinite(a) and math.isfinite(b) and not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                where = ", ".join(
                    f"{formulas.GREEK.get(s.name, s.name).replace('y_hat', 'ŷ')} = {v}" for s, v in full.items()
                )
                return where, a, b
    return None


def _number(v: sp.Expr, linear) -> str:
    """A constant as the learner would write it: 3/2 exactly, a long fraction (1e-300 is one) in decimals."""
    from tutor.maths.numeric import fmt

    exact = linear(v)
    if len(exact) <= 12:
        return exact
    close = f"{float(v):.12g}"  # 1.00000000005, which fmt's six digits would show as 1
    return close if "e" not in close else fmt(float(v))


def _exact_gap(mine: sp.Expr, truth: sp.Expr, expr: sp.Expr, name: str, domain):
    """(where, the difference) at the first simple point of the domain where the answer and the derivative are
    both exact rational numbers, and differ; None when there is none. Rational functions only: a point put
    into a power of a sum gives its exact value at once, where floats round a difference of 1 in 10^30 away."""
    symbols = {s.name: s for s in expr.free_symbols | mine.free_symbols | truth.free_symbols}
    x = symbols.get(name)
    if x is None:
        return None
    ranges = {n: (lo, hi) for n, lo, hi in domain}  # where the proofs sampled, whose floats agreed

    def inside(n: str, v) -> bool:
        lo, hi = ranges.get(n, (-math.inf, math.inf))
        return lo < v < hi

    others = {s: next((h for h in _OTHERS if inside(n, h)), None) for n, s in symbols.items() if n != name}
    if None in others.values():
        return None
    real = _real_domain(expr.subs(others), name, HELD[0])
    for point in _POINTS:
        if not inside(name, point) or real.contains(point) is not sp.true:
            continue
        gap = (mine - truth).subs({**others, x: point})
        if gap.is_Rational and gap != 0:
            where = ", ".join(
                f"{formulas.GREEK.get(s.name, s.name).replace('y_hat', 'ŷ')} = {v}"
                for s, v in {**others, x: point}.items()
            )
            return where, float(gap)
    return None


def _simplified(expr: sp.Expr) -> sp.Expr | None:
    """``simplify`` of a small expression (its cost is not bounded); None for a large one."""
    from tutor.maths.derive import MAX_SIMPLIFY_OPS, simplifiable

    return sp.simplify(expr) if simplifiable(expr, MAX_SIMPLIFY_OPS) else None


def _check_constant(text: str, claim: str, wrt: str | None) -> Checked:
    """The derivative of a number ("is d/dx ln(3) = 1/3?") is 0; the commonest slip, the derivative of the
    function at that number (1/3 is the derivative of ln x at x = 3), is named."""
    from tutor.maths.derive import linear

    src, said = formulas.typed_source(text), formulas.typed_source(claim)
    everywhere = formulas.Interval(-float("inf"), float("inf"), True, True)
    names = formulas.expression_variables(claim)
    name = formulas.variable_name(wrt) or (names[0] if names else "x")
    variables = tuple(formulas.Variable(n, everywhere) for n in dict.fromkeys([name, *names]))

    def expression(source: str, label: str) -> sp.Expr:
        tree = formulas.read(source, [v.name for v in variables])
        return formula_expression(formulas.Formula(label, source, source, variables, name, symbol="f", tree=tree))

    try:
        value = expression(src, "expression")
    except InputError:  # ln(0): no value at all
        value = sp.nan
    if not (value.is_real and value.is_finite):  # ln(-1), sqrt(-4), ln(0)
        raise InputError(f"{text.strip()[:40]} is not a real number, so it has no derivative to check")
    try:
        mine = expression(said, "answer")
    except InputError as err:
        raise InputError(f"I cannot read your answer, {claim.strip()[:40]}: {err.message}") from err
    symbol = formulas.GREEK.get(name, name).replace("y_hat", "ŷ")
    shown = linear(value).replace("log(", "ln(")
    if _simplified(mine) == 0:
        return Checked(
            True, f"Yes: {shown} is a number, the same for every {symbol}, so its derivative is 0.", mine, None
        )
    why = f"{shown} is a number: it does not change with {symbol}, so its derivative is 0"
    if not value.is_Atom and len(value.args) in (1, 2):  # ln(3), e^2, 3^2: a function at a number
        t = sp.Dummy("t")
        at = value.args[0] if len(value.args) == 1 or value.func is not sp.Pow else value.base
        applied = value.func(t) if len(value.args) == 1 else t**value.exp if value.func is sp.Pow else None
        if applied is not None and at.is_number:
            slope = sp.diff(applied, t).subs(t, at)
            if not mine.free_symbols and _simplified(mine - slope) == 0:
                why += (
                    f". Yours, {linear(slope)}, is the slope of {linear(applied.subs(t, sp.Symbol(symbol)))} "
                    f"at {symbol} = {linear(at)}"
                )
    return Checked(False, f"Not quite: {why}.", mine, None)


def _leads_negative(e: sp.Expr) -> bool:
    """A sum printed with a minus first (SymPy stores x - 1 as -1 + x)."""
    return e.is_Add and e.args[0].could_extract_minus_sign()


def _signs_flipped(e: sp.Expr) -> sp.Expr:
    """``e`` with every sum in its denominator that SymPy stores with a minus first negated, and the sign
    carried to its numerator: 1/(x - 1) → -1/(1 - x), (y - ŷ)/(ŷ(ŷ - 1)) → (ŷ - y)/(ŷ(1 - ŷ))."""
    n, den = sp.fraction(e)
    flips, factors = 0, []
    for f in sp.Mul.make_args(den):
        base, power = f.as_base_exp()
        if _leads_negative(base) and power.is_integer:  # stored -1 + x: negated, it is 1 - x
            factors.append(sp.Pow(-base, power))
            flips += int(power) % 2
        else:
            factors.append(f)
    if not flips % 2:
        return n / sp.Mul(*factors)
    parts = list(sp.Mul.make_args(n))
    k = next((i for i, f in enumerate(parts) if f.is_Add), None)
    if k is not None:
        parts[k] = -parts[k]
    else:
        parts.insert(0, sp.S.NegativeOne)
    return sp.Mul(*parts) / sp.Mul(*factors)


def _closest_form(truth: sp.Expr, mine: sp.Expr, domain, linear, typed: str = "") -> str:
    """The derivative written as near the learner's answer as a true form allows: for 1/(1 - x), the derivative
    of ln(1 - x) is said -1/(1 - x) (the sign is the slip), not 1/(x - 1); for 2(1-x), that of (1 - x)^2 is
    said 2·(x - 1), factored as typed, not 2·x - 2. Each form is checked at points; each is compared with
    the answer as it was typed (SymPy's own copy has 2(1-x) expanded), else as SymPy holds it."""
    import difflib

    from tutor.maths.derive import _explicit, _numeric_points

    forms = [truth]
    for make in (_signs_flipped, sp.factor):
        try:
            other = make(truth)
            if other != truth and _numeric_points(_explicit(other), _explicit(truth), domain=domain):
                forms.append(other)
        except (TypeError, ValueError, ArithmeticError, sp.PolynomialError):
            pass
    bare = lambda t: re.sub(r"\s+", "", t).replace("·", "*").replace("×", "*")  # noqa: E731
    theirs, typed_bare = linear(mine), bare(typed)

    def near(t: str) -> float:  # as typed where it is known: SymPy has already expanded 2(1-x) to 2 - 2x
        if typed_bare:
            return difflib.SequenceMatcher(None, bare(t), typed_bare).ratio()
        return difflib.SequenceMatcher(None, t, theirs).ratio()

    return max((linear(f) for f in forms), key=near)


def check_at_point(text: str, claim: str, wrt: str | None, at: tuple[str | None, str]) -> Checked:
    """The value the learner states for a derivative at a point ("the derivative of x^2 at 3 is 6, right?"),
    compared with the exact value there: right when equal, or when it is that value rounded to the decimals
    typed with two significant digits at least; a wrong one is told the value, and named when it is the
    value with its sign flipped or the function's own value there (its height, not its slope)."""
    from tutor.maths.derive import _explicit, linear
    from tutor.maths.literals import decimals_typed, rounding
    from tutor.maths.numeric import fmt
    from tutor.maths.typed import expression_derivation

    d = expression_derivation(text, wrt, at)  # an InputError says where it is not defined, or what is missing
    f = expression_formula(text, wrt)
    v = f.var(f.wrt)
    assert v is not None
    exact = d.result
    where = f"{formulas.GREEK.get(at[0] or f.wrt, at[0] or v.symbol).replace('y_hat', 'ŷ')} = {at[1]}"
    if not exact.is_number:
        names = ", ".join(sorted(s.name for s in exact.free_symbols))
        raise InputError(f"at {where} the derivative still depends on {names}: give its value too")
    mine = _claim_expression(f, claim)
    value = float(exact)
    slope = f"d{f.lhs}/d{v.symbol}" if len(f.variables) == 1 else f"∂{f.lhs}/∂{v.symbol}"
    shown = linear(exact).replace("*", "·")
    number = fmt(value)
    if value == 0 and exact != 0:  # e^-1000 is no float: its size, from SymPy's own digits
        mant, _, power = str(sp.N(exact, 6)).partition("e")
        number = f"{float(mant):.6g}×10^{int(power)}" if power else mant
    told = shown if exact.is_Integer or shown == number else f"{shown} = {number}"
    if len(shown) > 60:  # 1/5000…0 (400 digits) at x = 1e-400: its size alone
        told = number
    if mine.free_symbols:  # "the derivative of x^2 at 3 is 2x": the derivative checked, then its value there
        checked = check_claim(text, claim, wrt)
        head = checked.verdict.removesuffix(" The steps:")
        return Checked(
            checked.right, f"{head} At {where} the derivative is one number: {slope} = {told}. The steps:", mine, d
        )
    if not (mine.is_real and mine.is_finite):
        raise InputError(f"I cannot read your answer, {claim.strip()[:40]}, as a number")
    got = float(mine)
    yours = claim.strip()[:40]
    if re.fullmatch(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d{1,4})?\s*", claim):
        mine = sp.Rational(claim.strip())  # exact: 2e-400 is no float (it would be 0)
    gap = _simplified(mine - exact)
    if gap == 0 or (value != 0 and abs(got - value) <= 1e-12 * abs(value)):  # 0 for 2×10^-400 is not the slope
        more = "" if yours == told else f" ({told})"
        return Checked(True, f"Yes: at {where}, {slope} = {yours}{more}. The steps:", mine, d)
    typed_number = re.fullmatch(r"\s*[-+]?[\d.]+\s*", claim) is not None
    significant, rounded = rounding(got, value, claim) if typed_number else (0, False)
    places = decimals_typed(claim)
    if rounded and significant >= 2:
        said = f"{places} decimal{'' if places == 1 else 's'}" if places else "a whole number"
        return Checked(True, f"Yes, to {said}: at {where}, {slope} = {told}. The steps:", mine, d)
    why = f"at {where}, {slope} = {told}"
    x = {s.name: s for s in formula_expression(f).free_symbols}.get(f.wrt)
    height = None
    if x is not None and formula_expression(f).free_symbols == {x} and (at[0] in (None, f.wrt, v.symbol)):
        try:  # σ written out, so that σ(0) is a number
            height = float(_explicit(formula_expression(f).subs(x, sp.Rational(at[1]))))
        except (TypeError, ValueError):
            height = None

    def near(target: float) -> bool:
        """``got`` is ``target``, or ``target`` rounded to the decimals typed with two significant digits."""
        if abs(got - target) <= 1e-9 * max(1.0, abs(target)):
            return True
        if not typed_number:  # "ln 3" is ln 3, not a rounding of ln 2
            return False
        digits, same = rounding(got, target, claim)
        return same and digits >= 2

    if rounded and got == 0:  # σ'(1000) ≈ 5×10^-435: too small to see, but not 0
        why += f"; {yours} is that rounded, but the slope there is not 0, only very small"
    elif rounded:
        why += f"; {yours} is that to one significant digit, an estimate"
    elif value != 0 and got != 0 and near(-value):
        why += ": the sign is wrong"
    elif height is not None and math.isfinite(height) and near(height):
        why += f"; {yours} is the value of {f.display()} there, its height, not its slope"
    return Checked(False, f"Not quite: {why}. The steps:", mine, d)


def check_claim(text: str, claim: str, wrt: str | None = None) -> Checked:
    """The learner's derivative of a typed expression, compared with the one derived step by step: any
    form that is the same function is right; a wrong one is compared with the commonest slips (the
    sign, the chain rule's inner derivative left out, a constant factor or term) and, failing those,
    the two are evaluated at a point of the domain."""
    from tutor.maths.derive import linear as printed
    from tutor.maths.numeric import fmt

    def linear(e: sp.Expr) -> str:
        return printed(e).replace("*", "·")

    if not formulas.expression_variables(text):
        return _check_constant(text, claim, wrt)
    d = _expression_derivation(text, wrt)
    f = expression_formula(text, wrt)
    v = f.var(f.wrt)
    assert v is not None
    mine = _claim_expression(f, claim)
    truth = d.result
    slope = f"d{f.lhs}/d{v.symbol}" if len(f.variables) == 1 else f"∂{f.lhs}/∂{v.symbol}"
    shown = linear(mine)
    said = _closest_form(truth, mine, d.domain, linear, claim)  # 1/(1-x) is told -1/(1 - x), not 1/(x - 1)
    proven, sampled = _proof(mine, truth, d.domain)
    elsewhere = _where_real(f, claim) if proven and sampled else None  # proven where x > 0, say: and x < 0?
    if proven and sampled and elsewhere is None:
        same = "" if shown == linear(truth) else f", the same function as {linear(truth)}, written another way"
        return Checked(True, f"Yes: {slope} = {claim.strip()[:60]}{same}. The steps:", mine, d)
    if elsewhere is not None:
        where, a, b = elsewhere
        yours = fmt(a.real) if _real(a) is not None else "no real number"
        verdict = (
            f"Not quite: you have {slope} = {claim.strip()[:60]}, but it is {said}. The two agree for some "
            f"{v.symbol}, not all: at {where}, yours gives {yours}, and the derivative is {fmt(b)}. The steps:"
        )
        return Checked(False, verdict, mine, d)
    x = {s.name: s for s in formula_expression(f).free_symbols}.get(f.wrt)
    expr = formula_expression(f)
    why = ""
    inner = _inner(expr, x) if x is not None else None
    if inner is not None:
        inner_d = sp.diff(inner, x)
        if inner_d != 1 and _agrees(mine * inner_d, truth, d.domain):
            why = (
                f"that is the outer function's derivative alone: the chain rule multiplies it by the inner "
                f"function's derivative, d/d{v.symbol} ({linear(inner)}) = {linear(inner_d)}"
            )
    if not why and x is not None and f.wrt == "y_hat" and _agrees(mine, truth * x * (1 - x), d.domain):
        why = (
            "that is the derivative by the logit z, where ŷ = σ(z): the chain rule multiplies the derivative "
            "by ŷ by dŷ/dz = ŷ(1 - ŷ)"
        )
    through_sigma = x is not None and expr.has(sigma(x)) and x not in expr.subs(sigma(x), sp.Dummy()).free_symbols
    if not why and x is not None and through_sigma:
        s = sigma(x)  # ∂L/∂ŷ given for ∂L/∂z, where ŷ = σ(z): short of the factor dŷ/dz = σ(z)(1 - σ(z))
        if _agrees(mine * s * (1 - s), truth, d.domain):
            why = (
                f"that is the derivative by ŷ = σ({v.symbol}): the chain rule multiplies it by dŷ/d{v.symbol} = "
                f"σ({v.symbol})(1 - σ({v.symbol}))"
            )
    if not why and x is not None:
        why = _term_slip(expr, x, mine, truth, d.domain, linear, v.symbol)
    if not why and x is not None:
        why = _quotient_slip(expr, x, mine, truth, d.domain, linear)
    # the sign before the product rule: -1/(1 + x)² for x/(1 + x) is also u'·v' of x·(1 + x)^(-1), by chance
    if not why and _agrees(-mine, truth, d.domain):
        why = "the sign is wrong: the derivative is minus your answer"
    if not why and x is not None:
        why = _product_slip(expr, x, mine, d.domain, linear, v.symbol)
    if not why and x is not None:
        why = _power_slip(expr, x, mine, d.domain, linear)
    if not why and x is not None and _simplified(mine) == 0:
        why = f"0 is the derivative of a constant, and {linear(expr)} changes with {v.symbol}"
    if not why and x is not None and x in mine.free_symbols and _agrees(sp.diff(mine, x), expr, d.domain):
        why = f"the derivative of yours is {linear(expr)}: that is an antiderivative, the other way from the derivative"
    if not why and x is not None:
        # the constant term kept first: 1 + e for x + e is that, though it is also 1 + e times the derivative 1
        gap = _simplified(mine - truth)
        constant = sp.Add(*[t for t in sp.Add.make_args(expr) if x not in t.free_symbols])
        ratio = _simplified(mine / truth) if truth != 0 else None
        if gap is not None and gap != 0 and constant != 0 and _simplified(gap - constant) == 0:
            why = f"the constant term {linear(constant)} is kept, and a constant's derivative is 0"
        elif ratio is not None and ratio.is_number and ratio.is_real and ratio not in (0, 1):
            why = f"yours is {_number(ratio, linear)} times the derivative: a constant factor is off"
        elif gap is not None and gap.is_number and gap.is_real and gap != 0:
            why = f"yours differs from the derivative by the constant {_number(gap, linear)}: a term is off"
    if not why and sampled:  # equal to many digits where sampled, unproven: exact numbers may tell them apart
        found = _exact_gap(mine, truth, expr, f.wrt, d.domain)
        apart = _where_real(f, claim) if found is None else None
        if apart is not None:
            where, a, b = apart
            yours = fmt(a.real) if _real(a) is not None else "no real number"
            why = f"at {where}, yours gives {yours}, and the derivative is {fmt(b)}"
        elif found is None:
            verdict = (
                f"I cannot say for sure: your {slope} = {claim.strip()[:60]} agrees with the derivative, "
                f"{linear(truth)}, at every point I tried, but I could not prove the two are the same function. The steps:"
            )
            return Checked(False, verdict, mine, d)
        else:
            where, gap = found
            why = f"at {where}, yours differs from the derivative by {fmt(gap)}, though they agree to many digits"
    if not why:
        found = _telling_point(mine, truth, expr, f.wrt)
        if found is None:
            why = "the two are not the same function"
        else:
            where, a, b = found
            why = f"at {where}, yours gives {fmt(a)}, and the derivative is {fmt(b)}"
    verdict = (
        f"Not quite: you have {slope} = {claim.strip()[:60]}, but it is {said}. {why[0].upper()}{why[1:]}. The steps:"
    )
    return Checked(False, verdict, mine, d)
