"""Formulas declared by content: computed, plotted and derived from their declaration alone.

A content folder's ``formulas.toml`` (read by :mod:`tutor.content.formulafile`) declares a
formula by name, its expression and its variables with their ranges::

    [focal]
    title = "focal loss"
    expr = "-(1 - p)^gamma * ln(p)"
    wrt = "p"
    [focal.vars]
    p = { range = "(0, 1)", meaning = "predicted probability of the true class" }
    gamma = { range = "[0, inf)", meaning = "focusing parameter", default = 2 }

The expression is read with Python's ``ast`` module (which only *parses*) and walked
against a whitelist: numbers, the declared variables, ``e``, + - * / ^ and the functions
:data:`FUNCTIONS`. Its cost is bounded by :func:`tutor.maths.exprparse._bound` before
anything is built (size, nesting, towers of powers, constant exponents). Nothing is ever
passed to ``eval`` or ``sympify``.

- :meth:`Formula.compute` evaluates it with NumPy and shows the substitution (a
  :class:`~tutor.maths.numeric.Computation`, like every built-in worked example);
- :func:`plot` samples it over its variable's range, one curve per value of a parameter;
- :func:`derivation` differentiates it with SymPy (imported there only), one rule a
  step, each step's claim proven as the built-in derivations' are (:mod:`tutor.maths.derive`),
  with every SymPy operation on a size bound.

Declared formulas live in a process-wide registry (:func:`register`, :func:`find`) that
:func:`tutor.content.nodes.load` fills before it checks any node or lesson: templates,
checkpoints, requests and plots look names up there after the built-in computations.
Each load adds its formulas (a later declaration of a name replaces an earlier one), so a
knowledge base loaded earlier in the process keeps working after another is loaded.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from tutor.errors import InputError
from tutor.maths.numeric import Computation, fmt

#: The functions a declared formula may call, each with one argument.
FUNCTIONS = ("ln", "log", "exp", "sqrt", "sigma", "sigmoid")
#: A formula's expression is at most this long.
MAX_EXPR_CHARS = 400
#: At most this many formulas are declared in one process.
MAX_FORMULAS = 200
#: At most this many variables a formula.
MAX_VARIABLES = 8
#: A derivative larger than this (SymPy operations) is not shown step by step.
MAX_DERIVATIVE_OPS = 250
#: Expressions larger than this are not handed to ``simplify`` (its cost is not bounded); they are shown as they are.
MAX_SIMPLIFY_OPS = 60
#: A plotted range is cut to this width when the variable's range is unbounded.
UNBOUNDED_SPAN = 10.0

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
VARIABLE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
RESERVED = frozenset({*FUNCTIONS, "e", "pi", "inf", "nan", "dsigma", *keyword.kwlist, *keyword.softkwlist})
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eps": "ε", "zeta": "ζ", "eta": "η",
         "theta": "θ", "kappa": "κ", "mu": "μ", "nu": "ν", "rho": "ρ", "tau": "τ", "phi": "φ", "omega": "ω",
         "y_hat": "ŷ"}


# ------------------------------------------------------------------ ranges


@dataclass(frozen=True)
class Interval:
    """A range such as ``(0, 1)`` or ``[0, inf)``: open or closed ends, infinite ends always open."""

    lo: float
    hi: float
    lo_open: bool
    hi_open: bool

    def __contains__(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def __str__(self) -> str:
        def end(v: float) -> str:
            return "∞" if v == math.inf else "-∞" if v == -math.inf else fmt(v)

        return f"{'(' if self.lo_open else '['}{end(self.lo)}, {end(self.hi)}{')' if self.hi_open else ']'}"

    def span(self) -> tuple[float, float]:
        """A finite stretch of the range to draw or to sample: unbounded ends cut to :data:`UNBOUNDED_SPAN`."""
        lo, hi = self.lo, self.hi
        if math.isinf(lo) and math.isinf(hi):
            return -UNBOUNDED_SPAN / 2, UNBOUNDED_SPAN / 2
        if math.isinf(hi):
            return lo, lo + UNBOUNDED_SPAN
        if math.isinf(lo):
            return hi - UNBOUNDED_SPAN, hi
        return lo, hi

    def inside(self, fraction: float = 0.005) -> tuple[float, float]:
        """:meth:`span` with open ends moved inside by ``fraction`` of its width (no sample on an excluded end)."""
        lo, hi = self.span()
        step = (hi - lo) * fraction
        return lo + step if self.lo_open else lo, hi - step if self.hi_open else hi


_END = r"\s*([-+−]?(?:inf|∞|infinity|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))\s*"
_INTERVAL = re.compile(rf"^\s*([(\[]){_END},{_END}([)\]])\s*$", re.I)


def parse_interval(text: Any) -> Interval:
    """``"(0, 1)"``, ``"[0, inf)"``, ``"(-inf, inf)"`` as an :class:`Interval`; ``InputError`` with the syntax otherwise."""
    usage = "a range is written \"(0, 1)\", \"[0, 1]\" or \"[0, inf)\": ( or [ for an open or closed end"
    if not isinstance(text, str) or len(text) > 80:
        raise InputError(usage)
    m = _INTERVAL.match(text)
    if not m:
        raise InputError(f"cannot read the range {text.strip()[:40]!r}: {usage}")
    opening, a, b, closing = m.groups()

    def value(s: str) -> float:
        s = s.replace("−", "-").lower().lstrip("+")
        if s.lstrip("-") in ("inf", "∞", "infinity"):
            return -math.inf if s.startswith("-") else math.inf
        return float(s)

    lo, hi = value(a), value(b)
    if not lo < hi:
        raise InputError(f"the range {text.strip()!r} is empty: its lower end must be below its upper end")
    if (lo == math.inf) or (hi == -math.inf):
        raise InputError(f"the range {text.strip()!r} is empty")
    if (math.isinf(lo) and opening == "[") or (math.isinf(hi) and closing == "]"):
        raise InputError(f"the range {text.strip()!r} closes an infinite end: write ( or ) beside inf")
    if max(abs(v) for v in (lo, hi) if math.isfinite(v)) > 1e12 if any(math.isfinite(v) for v in (lo, hi)) else False:
        raise InputError(f"the range {text.strip()!r} is too large (ends within ±1e12, or inf)")
    return Interval(lo, hi, opening == "(", closing == ")")


# ------------------------------------------------------------------ the declaration


@dataclass(frozen=True)
class Variable:
    name: str
    range: Interval
    meaning: str = ""
    default: float | None = None

    @property
    def symbol(self) -> str:
        """How the variable is shown: Greek names as letters (``gamma`` → γ)."""
        return GREEK.get(self.name, self.name)


@dataclass(frozen=True)
class Formula:
    """A declared formula: its name, expression (as written), variables and the variable it is a function of."""

    name: str
    title: str
    expr: str
    variables: tuple[Variable, ...]
    wrt: str
    symbol: str = ""
    concepts: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    path: str = ""
    line: int = 1
    tree: ast.Expression = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def var(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    @property
    def lhs(self) -> str:
        return self.symbol or self.name

    def display(self, values: Mapping[str, float] | None = None) -> str:
        """The expression as a learner reads it (``·``, ``^``, Greek letters), with ``values`` substituted."""
        return _show(self.tree.body, self, values or {})

    def compute(self, *args: Any, **kwargs: Any) -> Computation:
        """The worked example at these values (positional in declared order, or by name); NumPy does the arithmetic."""
        values = self.bind(args, kwargs)
        value = _number(evaluate(self.tree, values))
        shown = ", ".join(f"{v.symbol} = {fmt(values[v.name])}" for v in self.variables)
        if not math.isfinite(value):
            raise InputError(f"{self.title} is undefined at {shown} (the value is not a finite number).")
        steps = [f"{self.lhs} = {self.display()}", f"Substitute {shown}: {self.display(values)}"]
        parts = _parts(self.tree.body)
        if len(parts) > 1:
            steps.append(", ".join(f"{_show(p, self, values)} = {fmt(_number(evaluate(p, values)))}" for p in parts))
        steps.append(f"{self.lhs} = {fmt(value)}")
        inputs = {v.name: (int(values[v.name]) if float(values[v.name]).is_integer() else values[v.name]) for v in self.variables}
        return Computation(self.name, f"{_capital(self.title)} for {shown}", inputs, {"value": value}, tuple(steps))

    __call__ = compute

    def bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, float]:
        """Every variable's value (given, or its default), each checked against its range."""
        names = [v.name for v in self.variables]
        if len(args) > len(names):
            raise InputError(f"{self.name}() takes {len(names)} value(s) ({', '.join(names)}), not {len(args)}")
        given: dict[str, Any] = dict(zip(names, args))
        for key, val in kwargs.items():
            if key not in names:
                raise InputError(f"{self.name}() has no variable '{key[:20]}' (its variables: {', '.join(names)})")
            if key in given:
                raise InputError(f"{self.name}() was given {key} twice")
            given[key] = val
        values: dict[str, float] = {}
        for v in self.variables:
            raw = given.get(v.name, v.default)
            if raw is None:
                example = ", ".join(f"{n}={_example(self.var(n))}" for n in names)
                raise InputError(f"{self.name}() needs {v.name} ({v.meaning or 'no default'}): for example {self.name}({example})")
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise InputError(f"{v.name} takes one number, not {type(raw).__name__ if not isinstance(raw, list) else 'a list'}")
            x = float(raw)
            if not math.isfinite(x) or x not in v.range:
                what = f" ({v.meaning})" if v.meaning else ""
                raise InputError(f"{v.name} = {fmt(x)} is out of range: {v.name}{what} lies in {v.range}")
            values[v.name] = x
        return values


def _example(v: Variable | None) -> str:
    if v is None:
        return "1"
    if v.default is not None:
        return fmt(v.default)
    lo, hi = v.range.span()
    return fmt(round((lo + hi) / 2, 3)) if v.range.lo_open or v.range.hi_open else fmt(lo)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(x: Any) -> float:
    return float(np.asarray(x, dtype=float)) + 0.0


# ------------------------------------------------------------------ reading an expression


def read(expr: Any, variables: Iterable[str]) -> ast.Expression:
    """The checked syntax tree of ``expr`` in ``variables``; ``InputError`` saying what is wrong otherwise.

    Cost first (:func:`exprparse._bound`), then the whitelist: numbers, the variables, ``e``,
    + - * / ^ (or **), unary minus, and :data:`FUNCTIONS` with one argument.
    """
    from tutor.maths import exprparse

    if not isinstance(expr, str) or not expr.strip():
        raise InputError("'expr' must be a formula such as \"-(1 - p)^gamma * ln(p)\"")
    if len(expr) > MAX_EXPR_CHARS:
        raise InputError(f"the formula is too long (at most {MAX_EXPR_CHARS} characters)")
    src = expr.strip().replace("^", "**").replace("−", "-").replace("·", "*").replace("×", "*").replace("σ", "sigma")
    try:
        tree = ast.parse(src, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        where = f" near column {err.offset}" if isinstance(err, SyntaxError) and err.offset else ""
        raise InputError(f"cannot read the formula{where}: use numbers, variables, + - * / ^, parentheses and "
                         f"{', '.join(FUNCTIONS)}; write every product with *") from None
    try:
        exprparse._bound(tree, symbolic_powers=True)
    except RecursionError:
        raise InputError("the formula is nested too deeply") from None
    known = set(variables)
    _whitelist(tree.body, known, 0)
    return tree


def _whitelist(node: ast.AST, known: set[str], depth: int) -> None:
    if depth > 60:
        raise InputError("the formula is nested too deeply")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise InputError("only numbers may stand as constants in a formula (no strings or other values)")
        return
    if isinstance(node, ast.Name):
        if node.id not in known and node.id != "e":
            if node.id in FUNCTIONS:
                raise InputError(f"'{node.id}' is a function: write {node.id}(...)")
            raise InputError(f"unknown variable '{node.id[:30]}': declare it under vars with its range")
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _whitelist(node.operand, known, depth + 1)
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        _whitelist(node.left, known, depth + 1)
        _whitelist(node.right, known, depth + 1)
        return
    if isinstance(node, ast.Call):
        fn = node.func.id if isinstance(node.func, ast.Name) else None
        if fn not in FUNCTIONS:
            shown = fn[:30] if fn else "that"
            raise InputError(f"unknown function '{shown}' (a formula may use {', '.join(FUNCTIONS)})")
        if len(node.args) != 1 or node.keywords:
            raise InputError(f"{fn}() takes one argument")
        _whitelist(node.args[0], known, depth + 1)
        return
    what = {ast.Attribute: "attributes (a.b)", ast.Subscript: "subscripts (a[b])", ast.Lambda: "lambda",
            ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if/else"}.get(type(node), "that construction")
    raise InputError(f"{what} cannot appear in a formula: use numbers, variables, + - * / ^ and {', '.join(FUNCTIONS)}")


# ------------------------------------------------------------------ NumPy


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


_NUMPY = {"ln": np.log, "log": np.log, "exp": np.exp, "sqrt": np.sqrt, "sigma": _sigmoid, "sigmoid": _sigmoid}


def evaluate(tree: ast.AST, values: Mapping[str, Any]):
    """The expression's value with NumPy (floats or arrays); overflow and invalid operations give inf or NaN."""
    node = tree.body if isinstance(tree, ast.Expression) else tree
    with np.errstate(all="ignore"):
        return _eval(node, values)


def _eval(node: ast.AST, env: Mapping[str, Any]):
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return np.float64(math.e) if node.id == "e" and "e" not in env else env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, env), _eval(node.right, env)
        op = type(node.op)
        if op is ast.Add:
            return np.add(a, b)
        if op is ast.Sub:
            return np.subtract(a, b)
        if op is ast.Mult:
            return np.multiply(a, b)
        if op is ast.Div:
            return np.divide(a, b)
        return np.power(np.asarray(a, dtype=float), b)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _NUMPY[node.func.id](_eval(node.args[0], env))


# ------------------------------------------------------------------ display

_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_SIGN = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: " · ", ast.Div: "/", ast.Pow: "^"}


def _prec(node: ast.AST) -> int:
    if isinstance(node, ast.BinOp):
        return _PREC[type(node.op)]
    if isinstance(node, ast.UnaryOp):
        return 3
    if isinstance(node, ast.Constant) and node.value < 0:
        return 3
    return 5


def _show(node: ast.AST, f: Formula, values: Mapping[str, float]) -> str:
    if isinstance(node, ast.Constant):
        return fmt(float(node.value)) if isinstance(node.value, float) else str(node.value)
    if isinstance(node, ast.Name):
        if node.id in values:
            x = values[node.id]
            return f"({fmt(x)})" if x < 0 else fmt(x)
        v = f.var(node.id)
        return v.symbol if v else node.id
    if isinstance(node, ast.UnaryOp):
        inner = _show(node.operand, f, values)
        if _prec(node.operand) < 3 or (isinstance(node.operand, ast.Name) and values.get(node.operand.id, 0) < 0):
            inner = f"({inner})" if not inner.startswith("(") or _prec(node.operand) < 3 else inner
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner
    if isinstance(node, ast.BinOp):
        p = _PREC[type(node.op)]
        left, right = _show(node.left, f, values), _show(node.right, f, values)
        if _prec(node.left) < p or (p == 4 and _prec(node.left) <= 4):
            left = f"({left})"
        if _prec(node.right) < p or (_prec(node.right) == p and isinstance(node.op, (ast.Sub, ast.Div))):
            right = f"({right})"
        elif isinstance(node.op, ast.Pow) and _prec(node.right) < 5:
            right = f"({right})"
        return left + _SIGN[type(node.op)] + right
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = {"log": "ln", "sigmoid": "σ", "sigma": "σ"}.get(node.func.id, node.func.id)
    return f"{name}({_show(node.args[0], f, values)})"


def _parts(node: ast.AST) -> list[ast.AST]:
    """The operands of the outermost operation worth showing on their own (not bare numbers or variables)."""
    while isinstance(node, ast.UnaryOp):
        node = node.operand
    if not isinstance(node, ast.BinOp):
        return []
    op = type(node.op)
    out: list[ast.AST] = []
    stack = [node.right, node.left]
    while stack:  # a chain of the same operation: a·b·c shows a, b and c
        n = stack.pop()
        inner = n.operand if isinstance(n, ast.UnaryOp) and op in (ast.Mult, ast.Div) else n
        if isinstance(inner, ast.BinOp) and type(inner.op) is op and op in (ast.Add, ast.Mult):
            stack += [inner.right, inner.left]
        elif not isinstance(inner, (ast.Constant, ast.Name)):
            out.append(inner)
    return out[:6]


# ------------------------------------------------------------------ the registry

_DECLARED: dict[str, Formula] = {}


def register(formulas: Iterable[Formula]) -> None:
    """Make formulas reachable by name (a later declaration of a name replaces an earlier one)."""
    for f in formulas:
        if f.name not in _DECLARED and len(_DECLARED) >= MAX_FORMULAS:
            raise InputError(f"more than {MAX_FORMULAS} formulas are declared")
        _DECLARED[f.name] = f


def declared() -> Mapping[str, Formula]:
    return MappingProxyType(_DECLARED)


def find(name: Any) -> Formula | None:
    return _DECLARED.get(name) if isinstance(name, str) else None


def concepts_of(name: str) -> tuple[str, ...]:
    f = find(name)
    return f.concepts if f else ()


def names_of(f: Formula) -> tuple[str, ...]:
    """The phrases that name a formula in a learner's words: its name (``_`` as a space), title and phrases."""
    out = []
    for text in (f.name.replace("_", " "), f.name, f.title, *f.phrases):
        t = " ".join(text.lower().split())
        if t and t not in out:
            out.append(t)
    return tuple(out)


@lru_cache(maxsize=512)
def _name_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted((r"\s+".join(re.escape(w) for w in p.split()) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.I)


def named_in(text: str) -> Formula | None:
    """The declared formula ``text`` names (its longest name wins), or None."""
    best, size = None, 0
    for f in _DECLARED.values():
        m = _name_pattern(names_of(f)).search(text)
        if m and m.end() - m.start() > size:
            best, size = f, m.end() - m.start()
    return best


# ------------------------------------------------------------------ plots


def plot(f: Formula, values: Mapping[str, Sequence[float]] | None = None, lo: float | None = None,
         hi: float | None = None, marks: Sequence[float] = (), wrt: str | None = None):
    """``f`` against its variable over its range (or ``lo``..``hi``), one curve for each value of one parameter."""
    from tutor.maths import plots

    x = f.var(wrt or f.wrt)
    if x is None:
        raise InputError(f"{f.name} has no variable '{(wrt or '')[:20]}' (its variables: {', '.join(v.name for v in f.variables)})")
    values = dict(values or {})
    values.pop(x.name, None)
    several = [(k, list(v)) for k, v in values.items() if len(v) > 1]
    if len(several) > 1:
        raise InputError(f"Give several values for one variable at a time (here: {', '.join(k for k, _ in several)}).")
    fixed = {k: v[0] for k, v in values.items() if len(v) == 1}
    sweep_name, sweep = several[0] if several else (None, [None])
    if len(sweep) > plots.MAX_CURVES:
        raise InputError(f"I draw at most {plots.MAX_CURVES} curves at once.")
    curves, labels = [], []
    for s in sweep:
        given = dict(fixed)
        if sweep_name is not None:
            given[sweep_name] = s
        params = f.bind([], {**given, x.name: _inside_point(x)})  # checks every other variable's range and default
        params.pop(x.name)
        curves.append(lambda xs, params=params: evaluate(f.tree, {**params, x.name: xs}))
        shown = ", ".join(f"{f.var(k).symbol} = {fmt(v)}" for k, v in params.items())  # type: ignore[union-attr]
        labels.append(shown if sweep_name is not None else (f"{f.lhs}, {shown}" if shown else f.lhs))
    if lo is None and hi is None:
        lo, hi = x.range.inside()
    else:
        lo = x.range.span()[0] if lo is None else lo
        hi = x.range.span()[1] if hi is None else hi
        for end in (lo, hi):
            if not (end in x.range or end in (x.range.lo, x.range.hi)):
                raise InputError(f"{x.name} lies in {x.range}: draw {f.name} within that range.")
    fixed_text = ", ".join(f"{f.var(k).symbol} = {fmt(v)}" for k, v in fixed.items())  # type: ignore[union-attr]
    title = f"{_capital(f.title)} against {x.symbol}" + (f" for {fixed_text}" if fixed_text else "")
    caption = f"{f.lhs} = {f.display()}" + (f", with {x.symbol} the {x.meaning}" if x.meaning else "") + "."
    return plots.sampled_plot(labels, curves, x.symbol, lo, hi, marks=marks, name=f.name, title=title, caption=caption)


def _inside_point(v: Variable) -> float:
    lo, hi = v.range.inside()
    return (lo + hi) / 2


# ------------------------------------------------------------------ derivations


def symbols(f: Formula) -> dict[str, Any]:
    """A SymPy symbol for each variable, with what its range tells SymPy (positive, nonnegative, real)."""
    import sympy as sp

    out = {}
    for v in f.variables:
        if v.range.lo > 0 or (v.range.lo == 0 and v.range.lo_open):
            out[v.name] = sp.Symbol(v.name, positive=True)
        elif v.range.lo == 0:
            out[v.name] = sp.Symbol(v.name, nonnegative=True)
        else:
            out[v.name] = sp.Symbol(v.name, real=True)
    return out


def to_sympy(f: Formula):
    """The formula as a SymPy expression, built from the checked tree (never ``sympify``)."""
    import sympy as sp

    from tutor.maths.derive import sigma

    syms = symbols(f)

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
            return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                    ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[op]()
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        arg = walk(node.args[0])
        return {"ln": sp.log, "log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "sigma": sigma, "sigmoid": sigma}[node.func.id](arg)

    expr = walk(f.tree.body)
    if expr.has(sp.zoo, sp.nan):
        raise InputError("the formula is undefined everywhere (it divides by zero)")
    return expr


def derivation(f: Formula, wrt: str | None = None):
    """The derivative of ``f`` with respect to ``wrt`` (its declared variable by default), step by step, every step proven."""
    name = wrt or f.wrt
    if f.var(name) is None:
        by_symbol = next((v.name for v in f.variables if v.symbol == name), None)
        if by_symbol is None:
            raise InputError(f"{f.name} has no variable '{str(name)[:20]}' to differentiate by "
                             f"(its variables: {', '.join(v.name for v in f.variables)})")
        name = by_symbol
    return _derivation(f, name)


@lru_cache(maxsize=64)
def _derivation(f: Formula, wrt: str):
    import sympy as sp

    from tutor.maths import derive as D

    syms = symbols(f)
    x = syms[wrt]
    xv = f.var(wrt)
    assert xv is not None
    expr = to_sympy(f)
    if x not in expr.free_symbols:
        raise InputError(f"{f.name} does not depend on {wrt}: its derivative is 0 everywhere.")
    truth = sp.diff(expr, x)
    if sp.count_ops(truth) > MAX_DERIVATIVE_OPS:
        raise InputError(f"The derivative of {f.name} is too large to show step by step "
                         f"(more than {MAX_DERIVATIVE_OPS} operations): declare a shorter formula.")
    head = f"{f.lhs}({', '.join(v.symbol for v in f.variables)})" if f.lhs.isidentifier() or len(f.lhs) <= 3 else f.lhs
    dlhs = f"∂{f.lhs}/∂{xv.symbol}"
    steps = [D.Step("definition", expr, f"the formula as declared ({f.title})", head, (expr, to_sympy(f)))]
    rule, build, parts, why = _rule(expr, x)
    if not parts:  # the formula is the variable itself, or a function of it applied once: one step does it
        steps.append(D.Step(rule, truth, why, dlhs, (truth, truth)))
        result = truth
    else:
        unevaluated = build([sp.Derivative(p, x) for p in parts])
        steps.append(D.Step(rule, unevaluated, why, dlhs, (unevaluated, truth)))
        raw = [sp.diff(p, x) for p in parts]
        done = build([_shown(d) for d in raw])
        tidier = build([_shown(sp.powsimp(d)) for d in raw])  # (1 - p)^γ/(1 - p) as (1 - p)^(γ - 1), when proven
        if str(tidier) != str(done) and all(D.verify_step(D.Step("", tidier, "", "", (tidier, unevaluated)), _domain(f))):
            done, raw = tidier, [sp.powsimp(d) for d in raw]
        said = "; ".join(f"d/d{xv.symbol} {_plain(p, f, True)} = {_plain(d, f)}" + (f" ({_rule(p, x)[0]})" if _rule(p, x)[2] else "")
                         for p, d in zip(parts, raw))
        steps.append(D.Step("differentiate the parts", done, said, dlhs, (done, unevaluated)))
        result = done
        domain = _domain(f)
        for tidy in _tidy(done):  # the shortest form SymPy proves equal
            step = D.Step("simplify", tidy, "collect and cancel terms", dlhs, (tidy, done))
            if str(tidy) != str(done) and all(D.verify_step(step, domain)):
                steps.append(step)
                result = tidy
                break
    domain = _domain(f)
    d = D.Derivation(f.name, f"The derivative of {f.title} with respect to {xv.symbol}", tuple(steps), result,
                     f"Checked against SymPy's own derivative of {f.lhs} = {f.display()}.", domain=domain)
    bad = D.verify(d)
    if bad:
        raise InputError(f"I could not prove {', '.join(bad)} of the derivative of {f.name}, so I do not show it.")
    return d


def _plain(expr, f: Formula, group: bool = False) -> str:
    """One line of text for ``expr``: ^, ·, ln and the variables' symbols; in parentheses (``group``) when a sum."""
    text = str(expr).replace("**", "^").replace("*", "·").replace("log(", "ln(")
    for v in f.variables:
        text = re.sub(rf"\b{re.escape(v.name)}\b", v.symbol, text)
    return f"({text})" if group and (expr.is_Add) else text


def _shown(expr):
    """A negative factor kept in parentheses when printed inside a product: ``γ·(1 - p)^(γ - 1)·(-1)``."""
    import sympy as sp

    return sp.UnevaluatedExpr(expr) if expr.could_extract_minus_sign() else expr


def _domain(f: Formula) -> tuple[tuple[str, float, float], ...]:
    """Where the proofs sample each variable: inside its range (unbounded ends cut)."""
    return tuple((v.name, *v.range.inside(0.05)) for v in f.variables)


def _tidy(expr) -> list:
    """Shorter forms of ``expr``, shortest first: ``simplify`` and ``powsimp`` only on a small expression
    (their cost is not bounded), and SymPy's evaluated form."""
    import sympy as sp

    evaluated = expr.doit()
    forms = [evaluated]
    if sp.count_ops(evaluated) <= MAX_SIMPLIFY_OPS:
        forms += [sp.powsimp(evaluated), sp.simplify(evaluated)]
    unique = {str(e): e for e in forms}
    return sorted(unique.values(), key=lambda e: (sp.count_ops(e), len(str(e))))


def _rule(expr, x):
    """The rule for the outermost operation: (name, build(parts' derivatives), parts, why)."""
    import sympy as sp

    from tutor.maths.derive import sigma

    def free(e) -> bool:
        return x not in e.free_symbols

    if expr.is_Add:
        terms = [t for t in expr.args if not free(t)]
        why = "differentiate term by term" + ("; terms without " + str(x) + " have derivative 0"
                                              if len(terms) < len(expr.args) else "")
        return "sum rule", lambda ds: sp.Add(*ds, evaluate=False) if len(ds) > 1 else ds[0], terms, why
    if expr.is_Mul:
        const = sp.Mul(*[a for a in expr.args if free(a)])
        factors = [a for a in expr.args if not free(a)]
        if len(factors) == 1:
            return ("constant multiple", lambda ds: sp.Mul(const, ds[0], evaluate=False), factors,
                    f"the constant factor {str(const).replace('log(', 'ln(').replace('*', '·')} stays outside the derivative")

        def product(ds):
            terms = [sp.Mul(*[g for j, g in enumerate(factors) if j != i], ds[i], evaluate=False) for i in range(len(factors))]
            total = sp.Add(*terms, evaluate=False)
            return total if const == 1 else sp.Mul(const, total, evaluate=False)

        return "product rule", product, factors, "(uv)' = u'v + uv': differentiate one factor at a time, keep the others"
    if expr.is_Pow:
        base, exp = expr.args
        if free(exp):
            if base == x:
                return "power rule", None, [], f"d/d{x} {x}^n = n·{x}^(n - 1)"
            return ("power rule and chain rule",
                    lambda ds: sp.Mul(exp, sp.Pow(base, exp - 1, evaluate=False), ds[0], evaluate=False), [base],
                    "d/dx uⁿ = n·uⁿ⁻¹·du/dx")
        if free(base):
            return ("exponential rule", lambda ds: sp.Mul(expr, sp.log(base), ds[0], evaluate=False), [exp],
                    "d/dx aᵘ = aᵘ·ln(a)·du/dx")
        return ("logarithmic differentiation",
                lambda ds: sp.Mul(expr, ds[0], evaluate=False), [exp * sp.log(base)],
                "uᵛ = e^(v·ln u), so d/dx uᵛ = uᵛ·d/dx(v·ln u)")
    if isinstance(expr, (sp.log, sp.exp, sigma)):
        u = expr.args[0]
        outer = {sp.log: (1 / u, "d/du ln u = 1/u"), sp.exp: (expr, "d/du eᵘ = eᵘ"),
                 sigma: (sigma(u) * (1 - sigma(u)), "d/du σ(u) = σ(u)(1 - σ(u))")}[type(expr)]
        if u == x:
            return "derivative of " + {sp.log: "ln", sp.exp: "exp", sigma: "σ"}[type(expr)], None, [], outer[1]
        return "chain rule", lambda ds: sp.Mul(outer[0], ds[0], evaluate=False), [u], outer[1] + ", times du/dx"
    return "differentiate", None, [], "SymPy's derivative"
