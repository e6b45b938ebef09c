"""Step-by-step derivations, each step named and proven equal by SymPy.

A derivation is data: a :class:`Derivation` holds :class:`Step` s, each with the
rule applied, the expression after it (kept in the display form we choose, not
the one ``simplify`` would pick), a one-line reason, and a *claim*: two
expressions SymPy must prove equal (the step and the previous expression, or
the step and the true derivative). :func:`verify` checks every claim
symbolically and at random points; printers turn the data into Unicode text,
Markdown or LaTeX.

SymPy is imported here only, and this module is imported only when a
derivation is asked for.
"""

from __future__ import annotations

import ast
import cmath
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.pretty_symbology import pretty_use_unicode
from sympy.printing.pretty.stringpict import prettyForm
from sympy.printing.str import StrPrinter

from tutor.content.curriculum import DERIVATIONS
from tutor.errors import InputError


class sigma(sp.Function):  # noqa: N801 - the learner's name for it
    """The sigmoid as a function whose derivative is σ(1 - σ)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigma(self.args[0])
        return s * (1 - s)

    def _latex(self, printer, exp=None) -> str:
        arg = printer._print(self.args[0])
        return rf"\sigma\left({arg}\right)" + (f"^{{{exp}}}" if exp else "")


y, y_hat, z, w, x, b, m = sp.symbols("y y_hat z w x b m")
NAMES = {
    "y_hat": "ŷ",
    "y_hat1": "ŷ₁",
    "y1": "y₁",
    "y2": "y₂",
    "y3": "y₃",
    "z1": "z₁",
    "z2": "z₂",
    "z3": "z₃",
    "w_j": "wⱼ",
    "x_j": "xⱼ",
}
LATEX_NAMES = {y_hat: r"\hat{y}", sp.Symbol("y_hat1"): r"\hat{y}_1"}


def _explicit(expr: sp.Expr) -> sp.Expr:
    """σ written out, derivatives carried out: what the proofs compare."""
    return expr.replace(sigma, lambda a: 1 / (1 + sp.exp(-a))).doit()


@dataclass(frozen=True)
class Step:
    rule: str
    expression: sp.Expr
    why: str
    lhs: str = ""
    claim: tuple[sp.Expr, sp.Expr] | None = None
    assume: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "lhs": self.lhs,
            "expression": str(self.expression),
            "latex": to_latex_expr(self.expression),
            "text": pretty(self.expression),
            "why": self.why,
        }


@dataclass(frozen=True)
class Derivation:
    target: str
    title: str
    steps: tuple[Step, ...]
    result: sp.Expr
    summary: str = ""
    #: Where the numeric checks sample each symbol, by name: (name, low, high); others as for the built-ins.
    domain: tuple[tuple[str, float, float], ...] = ()
    #: The learner's own answers checked against it ("… is -1/(1 - x), right?"): (as typed, right or not).
    checked: tuple[tuple[str, bool], ...] = ()

    def to_json(self) -> dict:
        out = {
            "target": self.target,
            "title": self.title,
            "result": str(self.result),
            "result_latex": to_latex_expr(self.result),
            "summary": self.summary,
            "steps": [s.to_json() for s in self.steps],
        }
        if self.checked:
            out["checked"] = [{"answer": answer, "right": right} for answer, right in self.checked]
        return out


# ------------------------------------------------------------------ printing


class _NumberLast:
    """Terms in the order they were built (``order="none"``: 1 - y stays 1 - y), except that a sum SymPy
    stores with a negative number first is written as a teacher writes it: x - 1, not -1 + x."""

    def _as_ordered_terms(self, expr, order=None):
        terms = super()._as_ordered_terms(expr, order)
        if len(terms) > 1 and terms[0].is_Number and terms[0] < 0 and not terms[1].could_extract_minus_sign():
            return [*terms[1:], terms[0]]
        return terms


class _Pretty(_NumberLast, PrettyPrinter):
    """Display only: ln for the natural log, ŷ for y_hat, ŷ⁽ⁱ⁾ for an example's y_hat(i).

    The expressions themselves keep SymPy's ``log`` and ``y_hat(i)``, so their
    ``str()`` (the JSON ``expression``) still reads back with ``sympify``.
    """

    def _print_Symbol(self, e, bold_name=False):
        name = NAMES.get(e.name)
        return prettyForm(name) if name else super()._print_Symbol(e, bold_name)

    def _print_log(self, e):
        return self._print_Function(e, func_name="ln")

    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        if isinstance(e, AppliedUndef) and len(e.args) == 1 and e.args[0] == EXAMPLE:
            name = e.func.__name__
            return prettyForm(NAMES.get(name, name) + "⁽ⁱ⁾")
        return super()._print_Function(e, sort=sort, func_name=func_name, left=left, right=right)

    def _print_UnevaluatedExpr(self, e):
        inner = self._print(e.args[0])
        return prettyForm(*inner.parens()) if e.args[0].could_extract_minus_sign() else inner


class _Linear(_NumberLast, StrPrinter):
    """One line, read left to right (a screen reader's form): ŷ, ln, d/dŷ(…), no 2-D layout."""

    #: Greek letters a formula may name in words.
    GREEK = {"gamma": "γ", "alpha": "α", "beta": "β", "sigma": "σ", "lambda": "λ", "eta": "η"}

    def _print_Symbol(self, expr):
        return NAMES.get(expr.name) or self.GREEK.get(expr.name, expr.name)

    def _print_Exp1(self, expr):  # SymPy's E is the e a learner writes (and the formula reader reads)
        return "e"

    def _print_log(self, expr):
        return f"ln({self._print(expr.args[0])})"

    def _print_Derivative(self, expr):
        wrt = " ".join(f"∂{self._print(v)}" for v, n in expr.variable_count for _ in range(int(n)))
        return f"(∂/{wrt} {self._print(expr.expr)})" if expr.expr.is_Atom else f"(∂/{wrt}({self._print(expr.expr)}))"

    def _print_Function(self, expr):
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1 and expr.args[0] == EXAMPLE:
            name = expr.func.__name__
            return NAMES.get(name, name) + "_i"  # ŷ_i: example i's ŷ, read as "ŷ sub i", never "ŷ of i"
        if expr.func.__name__ in self.GREEK:
            return f"{self.GREEK[expr.func.__name__]}({', '.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr)

    def _print_exp(self, expr):
        return f"e^({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        if isinstance(expr.exp, AppliedUndef):  # ŷ_i^(y_i): the subscript stays inside the exponent
            return f"{self.parenthesize(expr.base, PRECEDENCE['Pow'])}^({self._print(expr.exp)})"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Sum(self, expr):
        return self._over("sum", expr)

    def _print_Product(self, expr):
        return self._over("product", expr)

    def _over(self, what: str, expr) -> str:
        (i, lo, hi), *_ = expr.limits
        body = self._print(expr.function)
        return f"({what} over {self._print(i)} from {self._print(lo)} to {self._print(hi)} of [{body}])"

    def _print_UnevaluatedExpr(self, expr):
        return self._print(expr.args[0])


def linear(expr: sp.Expr) -> str:
    """``expr`` on one line with the learner's names: (ŷ - y)/(ŷ*(1 - ŷ))."""
    return _single_parentheses(_Linear({"order": "none"}).doprint(expr))


def _single_parentheses(text: str) -> str:
    """``((a*b))`` → ``(a*b)``: a pair directly inside another pair says nothing more."""
    match: dict[int, int] = {}
    stack: list[int] = []
    for k, ch in enumerate(text):
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            match[stack.pop()] = k
    drop = {k for k, end in match.items() if match.get(k + 1) == end - 1}
    drop |= {match[k] for k in drop}
    return "".join(ch for k, ch in enumerate(text) if k not in drop)


#: The index of an example, i: y(i) and y_hat(i) print as y⁽ⁱ⁾ and ŷ⁽ⁱ⁾.
EXAMPLE = sp.Symbol("i", integer=True, positive=True)


def pretty(expr: sp.Expr) -> str:
    """Unicode 2-D text of ``expr``, whatever encoding the terminal announced."""
    previous = pretty_use_unicode(True)
    try:
        return _Pretty({"use_unicode": True, "wrap_line": False, "order": "none"}).doprint(expr)
    finally:
        pretty_use_unicode(previous)


class _Latex(_NumberLast, LatexPrinter):
    """Display only: ``\\hat{y}^{(i)}`` for an example's y_hat(i) (``ln`` comes from ``ln_notation``)."""

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1 and expr.args[0] == EXAMPLE:
            name = expr.func.__name__
            base = {"y_hat": r"\hat{y}", "x_j": "x_j"}.get(name, name) + "^{(i)}"
            return f"\\left({base}\\right)^{{{exp}}}" if exp else base
        return super()._print_Function(expr, exp)


def to_latex_expr(expr: sp.Expr) -> str:
    return _Latex({"symbol_names": LATEX_NAMES, "order": "none", "ln_notation": True}).doprint(expr)


#: What every printer says under a derivation.
VERIFIED = "Every step is verified by SymPy, symbolically and at random points."


def step_lines(step: Step) -> list[str]:
    """A step's display, ``lhs = `` beside the middle line of its (possibly multi-line) pretty form.

    The one step printer: the plain text, the Markdown and the app all lay a step out with it.
    """
    label = f"{step.lhs} = " if step.lhs else ""
    body = pretty(step.expression).split("\n")
    mid = len(body) // 2
    return [(label if j == mid else " " * len(label)) + line for j, line in enumerate(body)]


def to_text(d: Derivation) -> str:
    out = [d.title, "=" * len(d.title), ""]
    for i, s in enumerate(d.steps, 1):
        out.append(f"{i}. {s.rule}: {s.why}")
        out += ["   " + line for line in step_lines(s)]
        out.append("")
    out.append(f"Result: {pretty(d.result)}" if "\n" not in pretty(d.result) else "Result:\n" + pretty(d.result))
    if d.summary:
        out += ["", d.summary]
    out += ["", VERIFIED]
    return "\n".join(out)


def to_words(d: Derivation) -> str:
    """The derivation for a screen reader: each step's rule, reason and formula on one line each."""
    out = []
    for i, s in enumerate(d.steps, 1):
        out.append(f"Step {i}, {s.rule}: {s.why}.")
        out.append(f"{s.lhs} = {linear(s.expression)}" if s.lhs else linear(s.expression))
    out.append(f"Result: {linear(d.result)}.")
    if d.summary:
        out.append(d.summary)
    out.append(VERIFIED)
    return "\n".join(out)


def to_markdown(d: Derivation) -> str:
    out = []
    for i, s in enumerate(d.steps, 1):
        out.append(f"{i}. **{s.rule}**: {s.why}")
        out.append("")
        out.append("   ```")
        out += ["   " + line for line in step_lines(s)]
        out.append("   ```")
    if d.summary:
        out += ["", d.summary]
    out += ["", f"*{VERIFIED}*"]
    return "\n".join(out)


def to_latex(d: Derivation) -> str:
    lines = [r"\begin{align*}"]
    for s in d.steps:
        lhs = s.lhs
        for uni, tex in (
            ("∂", r"\partial "),
            ("ŷ", r"\hat{y}"),
            ("σ", r"\sigma "),
            ("ln ", r"\ln "),
            ("ℒ", r"\mathcal{L}"),
            ("⁽ⁱ⁾", "^{(i)}"),
            ("²", "^2"),
        ):
            lhs = lhs.replace(uni, tex)
        lines.append(rf"{lhs} &= {to_latex_expr(s.expression)} && \text{{{s.rule}}} \\")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


# ------------------------------------------------------------------ proofs


def _numeric_points(
    expr_a: sp.Expr, expr_b: sp.Expr, trials: int = 6, domain: tuple[tuple[str, float, float], ...] = ()
) -> bool:
    """Whether the two agree at ``trials`` random points (``domain`` says where a symbol is sampled).

    With a ``domain`` (declared formulas), a point where either side is undefined is skipped
    and at least half the points must be defined.
    """
    syms = sorted((expr_a.free_symbols | expr_b.free_symbols), key=str)
    rng = random.Random(1234)
    fa = sp.lambdify(syms, expr_a, "math")
    fb = sp.lambdify(syms, expr_b, "math")
    defined = 0
    # With a domain, a round whose points mostly overflow (e^(x^10) at x = 8) is sampled again on the
    # interval shrunk to a tenth about its middle, twice at most: agreement is still asked at every point.
    for scale in (1.0, 0.1, 0.01) if domain else (1.0,):
        where = {
            name: ((lo + hi) / 2 - (hi - lo) * scale / 2, (lo + hi) / 2 + (hi - lo) * scale / 2)
            for name, lo, hi in domain
        }
        defined = 0
        for _ in range(trials):
            vals = [
                rng.uniform(*where[s.name])
                if s.name in where
                else rng.uniform(0.05, 0.95)
                if s.name.startswith(("y", "p"))
                else rng.uniform(-2, 2)
                for s in syms
            ]
            if not domain:
                a, bb = fa(*vals), fb(*vals)
            else:
                try:
                    a, bb = complex(fa(*vals)), complex(fb(*vals))
                except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                    continue
                if not (cmath.isfinite(a) and cmath.isfinite(bb)):
                    continue
            defined += 1
            if abs(a - bb) > 1e-9 * max(1.0, abs(a), abs(bb)):
                return False
        if defined >= (trials + 1) // 2:
            return True
    return False


#: A claim whose difference is larger than this (SymPy operations) is not simplified: declared formulas only.
MAX_PROOF_OPS = 400
#: ``simplify`` expands powers of sums and rewrites nested exponentials: past this polynomial degree
#: ((1 + x + ... + x^10)^10 has 100) or this nesting of exp, ln and σ (σ(σ(σ(σ(x))))) its cost explodes
#: with so few operations that counting them cannot tell, so it is not called.
MAX_SIMPLIFY_DEGREE = 40
MAX_SIMPLIFY_NESTING = 3
#: A proof's difference may reach a higher degree: it cancels to 0 where ``simplify`` of a derivative expands.
MAX_PROOF_DEGREE = 100


def _degree(expr: sp.Expr) -> int:
    """An upper estimate of the polynomial degree ``expand`` would reach (integer powers multiply it)."""
    if expr.is_Symbol:
        return 1
    if expr.is_Pow and expr.exp.is_Integer:
        return _degree(expr.base) * abs(int(expr.exp))
    if not expr.args:
        return 0
    parts = [_degree(a) for a in expr.args]
    return sum(parts) if expr.is_Mul else max(parts)


def _nesting(expr: sp.Expr) -> int:
    """How deep exp, ln and σ are nested in ``expr``."""
    if not expr.args:
        return 0
    inner = max(_nesting(a) for a in expr.args)
    return inner + (1 if isinstance(expr, (sp.exp, sp.log, sigma)) else 0)


def simplifiable(expr: sp.Expr, max_ops: int, nested: bool = True, degree: int = MAX_SIMPLIFY_DEGREE) -> bool:
    """Whether ``simplify`` of ``expr`` has a bounded cost: at most ``max_ops`` operations, a degree within
    ``degree``, and (unless ``nested`` is False: a derivation's own steps differ by little,
    however deep) a nesting within :data:`MAX_SIMPLIFY_NESTING`."""
    return (
        sp.count_ops(expr) <= max_ops
        and _degree(expr) <= degree
        and (not nested or _nesting(expr) <= MAX_SIMPLIFY_NESTING)
    )


def verify_step(step: Step, domain: tuple[tuple[str, float, float], ...] = ()) -> tuple[bool, bool]:
    """(symbolically equal, numerically equal) for the step's claim.

    With a ``domain`` (a declared formula's derivation), ``simplify`` is called only on a
    difference of at most :data:`MAX_PROOF_OPS` operations, so its cost stays bounded; a
    larger one counts as not proven.
    """
    if step.claim is None:
        return True, True
    lhs, rhs = (_explicit(e) for e in step.claim)
    for sym, value in step.assume:
        lhs, rhs = lhs.subs(sym, value), rhs.subs(sym, value)
    diff = lhs - rhs
    if domain and diff != 0 and not simplifiable(diff, MAX_PROOF_OPS, nested=False, degree=MAX_PROOF_DEGREE):
        symbolic = False
    else:
        symbolic = diff == 0 or sp.simplify(diff) == 0
    return symbolic, _numeric_points(lhs, rhs, domain=domain)


def verify(d: Derivation) -> list[str]:
    """The rules of the steps whose claims do not hold (empty when all do)."""
    bad = []
    for i, s in enumerate(d.steps, 1):
        sym, num = verify_step(s, d.domain)
        if not (sym and num):
            bad.append(f"step {i} ({s.rule})")
    return bad


# ------------------------------------------------------------------ the derivations


def _neg(expr: sp.Expr) -> sp.Expr:
    return sp.Mul(-1, expr, evaluate=False)


def _frac(num: sp.Expr, den: sp.Expr) -> sp.Expr:
    if num == 1:
        return sp.Pow(den, -1, evaluate=False)
    return sp.Mul(num, sp.Pow(den, -1, evaluate=False), evaluate=False)


def _minus(a: sp.Expr, c: sp.Expr) -> sp.Expr:
    """a - c, printed in that order."""
    return sp.Add(a, sp.Mul(-1, c, evaluate=False), evaluate=False)


def _bce() -> Derivation:
    L = -(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat))
    dL = sp.diff(L, y_hat)
    s0 = _neg(sp.Add(y * sp.log(y_hat), (1 - y) * sp.log(1 - y_hat), evaluate=False))
    s1 = _neg(
        sp.Add(
            sp.Mul(y, sp.Derivative(sp.log(y_hat), y_hat), evaluate=False),
            sp.Mul(1 - y, sp.Derivative(sp.log(1 - y_hat), y_hat), evaluate=False),
            evaluate=False,
        )
    )
    s2 = _neg(sp.Add(_frac(y, y_hat), (1 - y) * sp.Derivative(sp.log(1 - y_hat), y_hat), evaluate=False))
    s3 = _neg(sp.Add(_frac(y, y_hat), sp.Mul(1 - y, _frac(-1, 1 - y_hat), evaluate=False), evaluate=False))
    s4 = sp.Add(_frac(-y, y_hat), _frac(1 - y, 1 - y_hat), evaluate=False)
    s5 = _frac(sp.Add(-y * (1 - y_hat), (1 - y) * y_hat, evaluate=False), y_hat * (1 - y_hat))
    s6 = _frac(_minus(y_hat, y), y_hat * (1 - y_hat))
    steps = (
        Step("definition", s0, "the binary cross-entropy for one example", "L", (s0, L)),
        Step(
            "sum rule and constant multiple",
            s1,
            "differentiate term by term; the minus and the constants y and (1 - y) stay outside the derivatives",
            "∂L/∂ŷ",
            (s1, dL),
        ),
        Step("derivative of ln", s2, "d/dŷ ln ŷ = 1/ŷ", "∂L/∂ŷ", (s2, s1)),
        Step("chain rule", s3, "d/dŷ ln(1 - ŷ) = 1/(1 - ŷ) · d/dŷ(1 - ŷ) = -1/(1 - ŷ)", "∂L/∂ŷ", (s3, s2)),
        Step("distribute the minus", s4, "multiply each term by -1", "∂L/∂ŷ", (s4, s3)),
        Step("common denominator", s5, "put both fractions over ŷ(1 - ŷ)", "∂L/∂ŷ", (s5, s4)),
        Step("expand and cancel", s6, "-y + yŷ + ŷ - yŷ = ŷ - y: the yŷ terms cancel", "∂L/∂ŷ", (s6, s5)),
    )
    return Derivation(
        "bce",
        "The derivative of the binary cross-entropy with respect to ŷ",
        steps,
        s6,
        "Its sign is the sign of ŷ - y, because ŷ(1 - ŷ) > 0: negative when y = 1 (raise ŷ), "
        "positive when y = 0 (lower ŷ).",
    )


def _sigmoid() -> Derivation:
    e = sp.exp(-z)
    s0 = _frac(1, 1 + e)
    ds = sp.diff(s0, z)
    s1 = sp.Mul(-1, sp.Pow(1 + e, -2, evaluate=False), sp.Derivative(1 + e, z), evaluate=False)
    s2 = sp.Mul(-1, sp.Pow(1 + e, -2, evaluate=False), sp.UnevaluatedExpr(-e), evaluate=False)
    s3 = _frac(e, sp.Pow(1 + e, 2, evaluate=False))
    s4 = sp.Mul(_frac(1, 1 + e), _frac(e, 1 + e), evaluate=False)
    s5 = sp.Mul(_frac(1, 1 + e), sp.Add(1, -_frac(1, 1 + e), evaluate=False), evaluate=False)
    s6 = sp.Mul(sigma(z), 1 - sigma(z), evaluate=False)
    steps = (
        Step("definition", s0, "σ(z) = 1/(1 + e^(-z)) = (1 + e^(-z))^(-1)", "σ(z)", (s0, sigma(z))),
        Step("power rule and chain rule", s1, "d/dz u^(-1) = -u^(-2) · du/dz with u = 1 + e^(-z)", "σ'(z)", (s1, ds)),
        Step("derivative of exp", s2, "d/dz e^(-z) = -e^(-z) (chain rule again)", "σ'(z)", (s2, s1)),
        Step("simplify the signs", s3, "minus times minus is plus", "σ'(z)", (s3, s2)),
        Step("split the fraction", s4, "write it as a product of two fractions over 1 + e^(-z)", "σ'(z)", (s4, s3)),
        Step("rewrite", s5, "e^(-z)/(1 + e^(-z)) = 1 - 1/(1 + e^(-z))", "σ'(z)", (s5, s4)),
        Step("substitute σ", s6, "1/(1 + e^(-z)) is σ(z)", "σ'(z)", (s6, s5)),
    )
    return Derivation(
        "sigmoid",
        "The derivative of the sigmoid",
        steps,
        s6,
        "σ' is largest at z = 0 and nearly 0 for large |z|: the sigmoid saturates.",
    )


def _logit() -> Derivation:
    L = -(y * sp.log(sigma(z)) + (1 - y) * sp.log(1 - sigma(z)))
    s0 = _neg(sp.Add(y * sp.log(sigma(z)), (1 - y) * sp.log(1 - sigma(z)), evaluate=False))
    dLdyhat = _frac(_minus(sigma(z), y), sigma(z) * (1 - sigma(z)))
    s1 = sp.Mul(dLdyhat, sp.Derivative(sigma(z), z), evaluate=False)
    s2 = sp.Mul(dLdyhat, sigma(z) * (1 - sigma(z)), evaluate=False)
    s3 = _minus(sigma(z), y)
    steps = (
        Step("definition", s0, "the loss with ŷ = σ(z)", "L", (s0, L)),
        Step(
            "chain rule",
            s1,
            "∂L/∂z = ∂L/∂ŷ · dŷ/dz, with ∂L/∂ŷ = (ŷ - y)/(ŷ(1 - ŷ)) (derive bce)",
            "∂L/∂z",
            (s1, sp.diff(L, z)),
        ),
        Step("substitute σ' = σ(1 - σ)", s2, "the sigmoid's derivative (derive sigmoid)", "∂L/∂z", (s2, s1)),
        Step("cancel", s3, "σ(z)(1 - σ(z)) cancels top and bottom", "∂L/∂z", (s3, s2)),
    )
    return Derivation(
        "logit",
        "The gradient with respect to the logit: ŷ - y",
        steps,
        s3,
        "With ŷ = σ(z) this is ŷ - y: prediction minus label.",
    )


def _weights() -> Derivation:
    zz = w * x + b
    L = -(y * sp.log(sigma(zz)) + (1 - y) * sp.log(1 - sigma(zz)))
    s0 = _neg(sp.Add(y * sp.log(sigma(zz)), (1 - y) * sp.log(1 - sigma(zz)), evaluate=False))
    s1 = sp.Mul(sigma(zz) - y, sp.Derivative(zz, w), evaluate=False)
    s2 = (sigma(zz) - y) * x
    s3 = sp.Mul(sigma(zz) - y, sp.Derivative(zz, b), evaluate=False)
    s4 = sigma(zz) - y
    steps = (
        Step(
            "definition",
            s0,
            "the loss of one example with z = w·x + b (one feature; each w_j works the same way)",
            "L",
            (s0, L),
        ),
        Step(
            "chain rule", s1, "∂L/∂w = ∂L/∂z · ∂z/∂w, and ∂L/∂z = σ(z) - y (derive logit)", "∂L/∂w", (s1, sp.diff(L, w))
        ),
        Step("derivative of a linear function", s2, "∂(w·x + b)/∂w = x", "∂L/∂w", (s2, s1)),
        Step("chain rule", s3, "∂L/∂b = ∂L/∂z · ∂z/∂b", "∂L/∂b", (s3, sp.diff(L, b))),
        Step("derivative of a linear function", s4, "∂(w·x + b)/∂b = 1", "∂L/∂b", (s4, s3)),
    )
    return Derivation(
        "weights",
        "Logistic regression: the gradients for w and b",
        steps,
        s2,
        "With several features, ∂L/∂w_j = (ŷ - y)·x_j for each j, and ∂L/∂b = ŷ - y.",
    )


def _vectorized() -> Derivation:
    # Shown for general m with indexed symbols; proven for m = 3 examples and 2 features.
    i = EXAMPLE
    yi, zi, xij = sp.Function("y"), sp.Function("z"), sp.Function("x_j")
    w_j = sp.Symbol("w_j")
    M, N = 3, 2
    ws = sp.symbols(f"w1:{N + 1}")
    X = sp.Matrix(M, N, lambda r, c: sp.Symbol(f"x{r + 1}{c + 1}"))
    Y = sp.Matrix(M, 1, lambda r, c: sp.Symbol(f"y{r + 1}"))
    Z = X * sp.Matrix(ws) + sp.Matrix([b] * M)
    J = sum(-(Y[r] * sp.log(sigma(Z[r])) + (1 - Y[r]) * sp.log(1 - sigma(Z[r]))) for r in range(M)) / M
    per_example = sum((sigma(Z[r]) - Y[r]) * X[r, 0] for r in range(M)) / M
    matrix_form = ((X.T * (sp.Matrix([sigma(Z[r]) for r in range(M)]) - Y)) / M)[0]
    s0 = _frac(sp.Sum(sp.Function("L")(i), (i, 1, m)), m)
    s1 = _frac(sp.Sum(sp.Derivative(sp.Function("L")(i), w_j), (i, 1, m)), m)
    s2 = _frac(sp.Sum(sp.Mul(_minus(sigma(zi(i)), yi(i)), xij(i), evaluate=False), (i, 1, m)), m)
    general = s2
    steps = (
        Step("definition", s0, "the cost J is the mean of the per-example losses L⁽ⁱ⁾", "J", None),
        Step(
            "linearity of the derivative",
            s1,
            "the derivative of a mean is the mean of the derivatives",
            "∂J/∂w_j",
            (per_example, sp.diff(J, ws[0])),
        ),
        Step(
            "per-example gradient",
            s2,
            "each ∂L⁽ⁱ⁾/∂w_j = (ŷ⁽ⁱ⁾ - y⁽ⁱ⁾)·x_j⁽ⁱ⁾ (derive weights)",
            "∂J/∂w_j",
            (matrix_form, per_example),
        ),
    )
    return Derivation(
        "vectorized",
        "The cost's gradient for m examples",
        steps,
        general,
        "Stacking the examples as rows of X: ∇_w J = (1/m) Xᵀ(ŷ - y), and ∂J/∂b = (1/m) Σᵢ (ŷ⁽ⁱ⁾ - y⁽ⁱ⁾). "
        "(The steps are proven for 3 examples and 2 features.)",
    )


def _likelihood() -> Derivation:
    M = 3
    ys = sp.symbols(f"y1:{M + 1}")
    ps = sp.symbols(f"y_hat1:{M + 1}", positive=True)
    i = EXAMPLE
    Yi, Pi = sp.Function("y"), sp.Function("y_hat")
    lik = sp.Mul(*[p**yy * (1 - p) ** (1 - yy) for yy, p in zip(ys, ps)])
    loglik = sum(yy * sp.log(p) + (1 - yy) * sp.log(1 - p) for yy, p in zip(ys, ps))
    term = sp.Add(
        sp.Mul(Yi(i), sp.log(Pi(i)), evaluate=False),
        sp.Mul(1 - Yi(i), sp.log(1 - Pi(i)), evaluate=False),
        evaluate=False,
    )
    s0 = sp.Mul(sp.Pow(Pi(i), Yi(i), evaluate=False), sp.Pow(1 - Pi(i), 1 - Yi(i), evaluate=False), evaluate=False)
    s1 = sp.Product(s0, (i, 1, m))
    s2 = sp.Sum(term, (i, 1, m))
    s3 = _neg(sp.Sum(term, (i, 1, m)))
    s4 = _frac(_neg(sp.Sum(term, (i, 1, m))), m)
    one_p = sp.Symbol("y_hat_1", positive=True)
    steps = (
        Step(
            "Bernoulli model",
            s0,
            "P(y | x) = ŷ^y (1 - ŷ)^(1 - y): ŷ when y = 1, 1 - ŷ when y = 0",
            "P(y⁽ⁱ⁾|x⁽ⁱ⁾)",
            (one_p**1 * (1 - one_p) ** 0, one_p),
        ),
        Step("independence", s1, "the likelihood of the data set is the product over the examples", "ℒ", None),
        Step(
            "log of a product",
            s2,
            "ln turns the product into a sum (ln(a·b) = ln a + ln b, ln aᵏ = k ln a)",
            "ln ℒ",
            (sp.expand_log(sp.log(lik), force=True), loglik),
        ),
        Step("negate", s3, "maximising ln ℒ is minimising -ln ℒ: this is the minus sign", "-ln ℒ", None),
        Step("mean", s4, "divide by m so the cost does not grow with the data set: the BCE cost J", "J", None),
    )
    return Derivation(
        "likelihood",
        "Binary cross-entropy from the Bernoulli likelihood",
        steps,
        s4,
        "The minimiser of J is the maximum-likelihood estimate: the minus sign turns "
        "'maximise the log-likelihood' into 'minimise a cost'.",
    )


def _mse() -> Derivation:
    C = (sigma(z) - y) ** 2 / 2
    s0 = _frac(sp.Pow(sigma(z) - y, 2, evaluate=False), 2)
    s1 = sp.Mul(sigma(z) - y, sp.Derivative(sigma(z), z), evaluate=False)
    s2 = sp.Mul(sigma(z) - y, sigma(z) * (1 - sigma(z)), evaluate=False)
    steps = (
        Step("definition", s0, "squared error with ŷ = σ(z) (the ½ tidies the derivative)", "C", (s0, C)),
        Step("chain rule", s1, "d/dz ½u² = u · du/dz with u = σ(z) - y", "∂C/∂z", (s1, sp.diff(C, z))),
        Step("substitute σ' = σ(1 - σ)", s2, "the sigmoid's derivative", "∂C/∂z", (s2, s1)),
    )
    return Derivation(
        "mse",
        "Squared error through a sigmoid",
        steps,
        s2,
        "Compared with BCE's ŷ - y, the extra factor σ(z)(1 - σ(z)) ≈ 0 when the sigmoid saturates: "
        "the gradient vanishes even for a confidently wrong prediction.",
    )


def _softmax() -> Derivation:
    K = 3
    zs = sp.symbols(f"z1:{K + 1}")
    ys = sp.symbols(f"y1:{K + 1}")
    yh1 = sp.Symbol("y_hat1")
    S = sum(sp.exp(zk) for zk in zs)
    p = [sp.exp(zk) / S for zk in zs]
    L = -sum(yk * sp.log(pk) for yk, pk in zip(ys, p))
    s0 = _neg(sp.Add(*[yk * sp.log(_frac(sp.exp(zk), S)) for yk, zk in zip(ys, zs)], evaluate=False))
    s1 = sp.Add(
        _neg(sp.Add(*[yk * zk for yk, zk in zip(ys, zs)], evaluate=False)),
        sp.Mul(sp.Add(*ys, evaluate=False), sp.log(S), evaluate=False),
        evaluate=False,
    )
    s2 = sp.Add(_neg(sp.Add(*[yk * zk for yk, zk in zip(ys, zs)], evaluate=False)), sp.log(S), evaluate=False)
    s3 = sp.Add(-ys[0], _frac(sp.exp(zs[0]), S), evaluate=False)
    s4 = _minus(yh1, ys[0])
    one = ((ys[2], 1 - ys[0] - ys[1]),)
    steps = (
        Step(
            "definition",
            s0,
            "categorical cross-entropy with ŷ_k = softmax(z)_k (three classes shown)",
            "L",
            (sp.expand_log(s0, force=True), sp.expand_log(L, force=True)),
        ),
        Step(
            "log of a quotient",
            s1,
            "ln(e^(z_k)/Σ_j e^(z_j)) = z_k - ln Σ_j e^(z_j)",
            "L",
            (s1, sp.expand_log(L, force=True)),
        ),
        Step("labels sum to one", s2, "a one-hot (or any probability) label has y₁ + y₂ + y₃ = 1", "L", (s2, s1), one),
        Step("differentiate", s3, "∂/∂z₁ of ln Σ_j e^(z_j) is e^(z₁)/Σ_j e^(z_j)", "∂L/∂z₁", (s3, sp.diff(s2, zs[0]))),
        Step("recognise the softmax", s4, "e^(z₁)/Σ_j e^(z_j) is ŷ₁", "∂L/∂z₁", (s4.subs(yh1, p[0]), s3)),
    )
    return Derivation(
        "softmax",
        "Softmax with categorical cross-entropy: ∂L/∂z_k = ŷ_k - y_k",
        steps,
        s4,
        "The same for every class k: the gradient with respect to the logits is ŷ - y, as for BCE.",
    )


def _hessian() -> Derivation:
    zz = w * x + b
    L = -(y * sp.log(sigma(z)) + (1 - y) * sp.log(1 - sigma(z)))
    Lw = L.subs(z, zz)
    s0 = _minus(sigma(z), y)
    s1 = sp.Derivative(sigma(z), z)
    s2 = sp.Mul(sigma(z), 1 - sigma(z), evaluate=False)
    s3 = sp.Mul(x**2, sigma(zz), 1 - sigma(zz), evaluate=False)
    steps = (
        Step("first derivative", s0, "∂L/∂z = σ(z) - y (derive logit)", "∂L/∂z", (s0, sp.diff(L, z))),
        Step(
            "differentiate again",
            s1,
            "y does not depend on z, so only σ(z) is left to differentiate",
            "∂²L/∂z²",
            (s1, sp.diff(L, z, 2)),
        ),
        Step(
            "derivative of the sigmoid",
            s2,
            "σ'(z) = σ(z)(1 - σ(z)): a product of two numbers in (0, 1), so > 0",
            "∂²L/∂z²",
            (s2, s1),
        ),
        Step(
            "chain rule twice",
            s3,
            "with z = w·x + b, ∂z/∂w = x enters twice: x² ≥ 0 times a positive number",
            "∂²L/∂w²",
            (s3, sp.diff(Lw, w, 2)),
        ),
    )
    return Derivation(
        "hessian",
        "The second derivative of the loss: why logistic regression is convex",
        steps,
        s3,
        "Both are ≥ 0 everywhere: the loss is convex in z and, for logistic regression, in each weight. "
        "For m examples and several features this becomes (1/m) Xᵀ S X with S = diag(ŷ(1 - ŷ)).",
    )


BUILDERS: dict[str, Callable[[], Derivation]] = {
    "bce": _bce,
    "sigmoid": _sigmoid,
    "logit": _logit,
    "weights": _weights,
    "vectorized": _vectorized,
    "likelihood": _likelihood,
    "mse": _mse,
    "softmax": _softmax,
    "hessian": _hessian,
}
assert set(BUILDERS) == set(DERIVATIONS)


@cache
def derive(target: str) -> Derivation:
    """The derivation named ``target`` (see ``tutor derive --list``); a declared formula's: :func:`formula_derivation`."""
    if target not in BUILDERS:
        raise InputError(f"I have no derivation called '{str(target)[:40]}'. I can derive: {', '.join(BUILDERS)}.")
    return BUILDERS[target]()


# ------------------------------------------------------------------ declared formulas (formulas.toml)

#: A derivative larger than this (SymPy operations) is not shown step by step.
MAX_DERIVATIVE_OPS = 250
#: Expressions larger than this are not handed to ``simplify`` (its cost is not bounded); they are shown as they are.
MAX_SIMPLIFY_OPS = 60


def formula_symbols(f) -> dict:
    """A SymPy symbol for each variable, with what its range tells SymPy (positive, nonnegative, real)."""
    out = {}
    for v in f.variables:
        if v.range.lo > 0 or (v.range.lo == 0 and v.range.lo_open):
            out[v.name] = sp.Symbol(v.name, positive=True)
        elif v.range.lo == 0:
            out[v.name] = sp.Symbol(v.name, nonnegative=True)
        else:
            out[v.name] = sp.Symbol(v.name, real=True)
    return out


def formula_expression(f) -> sp.Expr:
    """The formula as a SymPy expression, built from the checked tree (never ``sympify``)."""
    syms = formula_symbols(f)

    def walk(node: ast.AST):
        if isinstance(node, ast.Constant):
            return sp.Rational(str(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            return syms[node.id] if node.id in syms else sp.E
        if isinstance(node, ast.UnaryOp):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            op = type(node.op)
            if op is ast.Div and b == 0:
                raise InputError("the formula divides by zero")
            return {
                ast.Add: lambda: a + b,
                ast.Sub: lambda: a - b,
                ast.Mult: lambda: a * b,
                ast.Div: lambda: a / b,
                ast.Pow: lambda: a**b,
            }[op]()
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        arg = walk(node.args[0])
        return {"ln": sp.log, "log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "sigma": sigma, "sigmoid": sigma}[
            node.func.id
        ](arg)

    expr = walk(f.tree.body)
    if expr.has(sp.zoo, sp.nan):
        raise InputError("the formula is undefined everywhere (it divides by zero)")
    return expr


def formula_derivation(f, wrt: str | None = None) -> Derivation:
    """The derivative of ``f`` with respect to ``wrt`` (its declared variable by default), step by step, every step proven."""
    name = wrt or f.wrt
    if f.var(name) is None:
        by_symbol = next((v.name for v in f.variables if v.symbol == name), None)
        if by_symbol is None:
            raise InputError(
                f"{f.name} has no variable '{str(name)[:20]}' to differentiate by "
                f"(its variables: {', '.join(v.name for v in f.variables)})"
            )
        name = by_symbol
    return _formula_derivation(f, name)


@lru_cache(maxsize=64)
def _formula_derivation(f, wrt: str) -> Derivation:
    syms = formula_symbols(f)
    x = syms[wrt]
    xv = f.var(wrt)
    assert xv is not None
    expr = formula_expression(f)
    if x not in expr.free_symbols:
        raise InputError(f"{f.title} does not depend on {wrt}: its derivative is 0 everywhere.")
    truth = sp.diff(expr, x)
    if sp.count_ops(truth) > MAX_DERIVATIVE_OPS:
        raise InputError(
            f"The derivative of {f.title} is too large to show step by step "
            f"(more than {MAX_DERIVATIVE_OPS} operations): declare a shorter formula."
        )
    head = f"{f.lhs}({', '.join(v.symbol for v in f.variables)})" if f.lhs.isidentifier() or len(f.lhs) <= 3 else f.lhs
    dlhs = f"∂{f.lhs}/∂{xv.symbol}"
    steps = [Step("definition", expr, f"the formula as declared ({f.title})", head, (expr, formula_expression(f)))]
    rule, build, parts, why = _rule(expr, x)
    if not parts:  # the formula is the variable itself, or a function of it applied once: one step does it
        steps.append(Step(rule, truth, why, dlhs, (truth, truth)))
        result = truth
    else:
        unevaluated = build([sp.Derivative(p, x) for p in parts])
        steps.append(Step(rule, unevaluated, why, dlhs, (unevaluated, truth)))
        raw = [sp.diff(p, x) for p in parts]
        done = build([_shown(d) for d in raw])
        tidier = build([_shown(sp.powsimp(d)) for d in raw])  # (1 - p)^γ/(1 - p) as (1 - p)^(γ - 1), when proven
        if str(tidier) != str(done) and all(verify_step(Step("", tidier, "", "", (tidier, unevaluated)), _domain(f))):
            done, raw = tidier, [sp.powsimp(d) for d in raw]
        said = "; ".join(
            f"d/d{xv.symbol} {_plain(p, f, True)} = {_plain(d, f)}" + (f" ({_rule(p, x)[0]})" if _rule(p, x)[2] else "")
            for p, d in zip(parts, raw)
        )
        steps.append(Step("differentiate the parts", done, said, dlhs, (done, unevaluated)))
        result = done
        domain = _domain(f)
        for tidy in _tidy(done):  # the shortest form SymPy proves equal
            step = Step("simplify", tidy, "collect and cancel terms", dlhs, (tidy, done))
            if str(tidy) != str(done) and all(verify_step(step, domain)):
                steps.append(step)
                result = tidy
                break
    # the rules are written in x (d/dx uⁿ = n·uⁿ⁻¹·du/dx); said in the formula's own variable
    said_in = lambda why: re.sub(r"\bd(u?)/dx\b", lambda m: f"d{m.group(1)}/d{xv.symbol}", why)  # noqa: E731
    steps = [replace(step, why=said_in(step.why)) for step in steps]
    domain = _domain(f)
    d = Derivation(
        f.name,
        f"The derivative of {f.title} with respect to {xv.symbol}",
        tuple(steps),
        result,
        f"Checked against SymPy's own derivative of {f.lhs} = {f.display()}.",
        domain=domain,
    )
    bad = verify(d)
    if bad:
        raise InputError(f"I could not prove {', '.join(bad)} of the derivative of {f.title}, so I do not show it.")
    return d


def _plain(expr, f, group: bool = False) -> str:
    """One line of text for ``expr``: ^, ·, ln and the variables' symbols; in parentheses (``group``) when a sum."""
    text = str(expr).replace("**", "^").replace("*", "·").replace("log(", "ln(")
    for v in f.variables:
        text = re.sub(rf"\b{re.escape(v.name)}\b", v.symbol, text)
    return f"({text})" if group and (expr.is_Add) else text


def _shown(expr):
    """A negative factor kept in parentheses when printed inside a product: ``γ·(1 - p)^(γ - 1)·(-1)``."""
    return sp.UnevaluatedExpr(expr) if expr.could_extract_minus_sign() else expr


def _domain(f) -> tuple[tuple[str, float, float], ...]:
    """Where the proofs sample each variable: inside its range (unbounded ends cut)."""
    return tuple((v.name, *v.range.inside(0.05)) for v in f.variables)


def _tidy(expr) -> list:
    """Shorter forms of ``expr``, shortest first: ``simplify`` and ``powsimp`` only on a small expression
    (their cost is not bounded), and SymPy's evaluated form."""
    evaluated = expr.doit()
    forms = [evaluated]
    if simplifiable(evaluated, MAX_SIMPLIFY_OPS):
        forms += [sp.powsimp(evaluated), sp.simplify(evaluated)]
    unique = {str(e): e for e in forms}
    return sorted(unique.values(), key=lambda e: (sp.count_ops(e), len(str(e))))


def _rule(expr, x):
    """The rule for the outermost operation: (name, build(parts' derivatives), parts, why)."""

    def free(e) -> bool:
        return x not in e.free_symbols

    if expr.is_Add:
        terms = [t for t in expr.args if not free(t)]
        why = "differentiate term by term" + (
            "; terms without " + str(x) + " have derivative 0" if len(terms) < len(expr.args) else ""
        )
        return "sum rule", lambda ds: sp.Add(*ds, evaluate=False) if len(ds) > 1 else ds[0], terms, why
    if expr.is_Mul:
        const = sp.Mul(*[a for a in expr.args if free(a)])
        factors = [a for a in expr.args if not free(a)]
        if len(factors) == 1:
            return (
                "constant multiple",
                lambda ds: sp.Mul(const, ds[0], evaluate=False),
                factors,
                f"the constant factor {str(const).replace('log(', 'ln(').replace('*', '·')} stays outside the derivative",
            )

        def product(ds):
            terms = [
                sp.Mul(*[g for j, g in enumerate(factors) if j != i], ds[i], evaluate=False)
                for i in range(len(factors))
            ]
            total = sp.Add(*terms, evaluate=False)
            return total if const == 1 else sp.Mul(const, total, evaluate=False)

        return (
            "product rule",
            product,
            factors,
            "(uv)' = u'v + uv': differentiate one factor at a time, keep the others",
        )
    if expr.is_Pow:
        base, exp = expr.args
        if free(exp):
            if base == x:
                return "power rule", None, [], f"d/d{x} {x}^n = n·{x}^(n - 1)"
            return (
                "power rule and chain rule",
                lambda ds: sp.Mul(exp, sp.Pow(base, exp - 1, evaluate=False), ds[0], evaluate=False),
                [base],
                "d/dx uⁿ = n·uⁿ⁻¹·du/dx",
            )
        if free(base):
            return (
                "exponential rule",
                lambda ds: sp.Mul(expr, sp.log(base), ds[0], evaluate=False),
                [exp],
                "d/dx aᵘ = aᵘ·ln(a)·du/dx",
            )
        return (
            "logarithmic differentiation",
            lambda ds: sp.Mul(expr, ds[0], evaluate=False),
            [exp * sp.log(base)],
            "uᵛ = e^(v·ln u), so d/dx uᵛ = uᵛ·d/dx(v·ln u)",
        )
    if isinstance(expr, (sp.log, sp.exp, sigma)):
        u = expr.args[0]
        outer = {
            sp.log: (1 / u, "d/du ln u = 1/u"),
            sp.exp: (expr, "d/du eᵘ = eᵘ"),
            sigma: (sigma(u) * (1 - sigma(u)), "d/du σ(u) = σ(u)(1 - σ(u))"),
        }[type(expr)]
        if u == x:
            return "derivative of " + {sp.log: "ln", sp.exp: "exp", sigma: "σ"}[type(expr)], None, [], outer[1]
        return "chain rule", lambda ds: sp.Mul(outer[0], ds[0], evaluate=False), [u], outer[1] + ", times du/dx"
    return "differentiate", None, [], "SymPy's derivative"
