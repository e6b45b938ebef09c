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
- :func:`tutor.maths.plots.formula_plot` samples it over its variable's range, one curve per
  value of a parameter;
- :func:`tutor.maths.derive.formula_derivation` differentiates it with SymPy, one rule a
  step, each step's claim proven as the built-in derivations' are, with every SymPy
  operation on a size bound.

This module imports neither SymPy nor the plots: it is what a computation needs.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

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
#: A plotted range is cut to this width when the variable's range is unbounded.
UNBOUNDED_SPAN = 10.0

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
VARIABLE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
RESERVED = frozenset({*FUNCTIONS, "e", "pi", "inf", "nan", "dsigma", *keyword.kwlist, *keyword.softkwlist})
GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "eps": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "mu": "μ",
    "nu": "ν",
    "rho": "ρ",
    "tau": "τ",
    "phi": "φ",
    "omega": "ω",
    "y_hat": "ŷ",
}


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
    usage = 'a range is written "(0, 1)", "[0, 1]" or "[0, inf)": ( or [ for an open or closed end'
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
    #: The curves a plot of it shows when none are asked for: ``(("gamma", (0.0, 1.0, 2.0)),)``.
    curves: tuple[tuple[str, tuple[float, ...]], ...] = ()
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
        inputs = {
            v.name: (int(values[v.name]) if float(values[v.name]).is_integer() else values[v.name])
            for v in self.variables
        }
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
                raise InputError(
                    f"{self.name}() needs {v.name} ({v.meaning or 'no default'}): for example {self.name}({example})"
                )
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise InputError(
                    f"{v.name} takes one number, not {type(raw).__name__ if not isinstance(raw, list) else 'a list'}"
                )
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
        raise InputError(
            f"cannot read the formula{where}: use numbers, variables, + - * / ^, parentheses and "
            f"{', '.join(FUNCTIONS)}; write every product with *"
        ) from None
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
        if fn is None:  # a.b(...), f()(...): "unknown function 'that'" had said nothing
            raise InputError(f"unknown function: only a function's name may be called ({', '.join(FUNCTIONS)})")
        if fn not in FUNCTIONS:
            raise InputError(f"unknown function '{fn[:30]}' (a formula may use {', '.join(FUNCTIONS)})")
        if len(node.args) != 1 or node.keywords:
            raise InputError(f"{fn}() takes one argument")
        _whitelist(node.args[0], known, depth + 1)
        return
    what = {
        ast.Attribute: "attributes (a.b)",
        ast.Subscript: "subscripts (a[b])",
        ast.Lambda: "lambda",
        ast.Compare: "comparisons",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
    }.get(type(node), "that construction")
    raise InputError(f"{what} cannot appear in a formula: use numbers, variables, + - * / ^ and {', '.join(FUNCTIONS)}")


# ------------------------------------------------------------------ an expression the learner types

#: A typed expression's variables: a letter, a letter and a digit (``w1``, ``x_2``), ŷ (``y_hat``)
#: or a Greek letter's name; anything longer is read as words ("the derivative of cross-entropy").
_TYPED_VARIABLE = re.compile(r"[a-zA-Z](?:_?\d)?|y_hat|" + "|".join(n for n in GREEK if n != "y_hat"))
#: The variable "the derivative of …" means when the expression has several and none is named.
USUAL_VARIABLE = ("y_hat", "p", "x", "z", "w", "t", "u", "q", "a")
#: At most this many variables in a typed expression.
MAX_TYPED_VARIABLES = 3
#: A function applied without parentheses to one name or number, a power of it (``ln x^2`` is ln(x^2), as
#: ``sin x²`` is sin(x²) in a textbook) or a number times a name (``ln 2x`` is ln(2x)).
_BARE_CALL = re.compile(
    r"\b(ln|log|exp|sqrt|sigma|sigmoid)\s+"
    r"((?:[A-Za-z_]\w*|\d+(?:\.\d+)?(?:[eE][-+]?\d+|[A-Za-z_]\w*)?)(?:\s*\^\s*(?:[-+]?\w+(?:\.\d+)?|\([^()]*\)))?)(?![\w.(])"
)


#: A function without parentheses of a function with them: ``ln σ(z)``, ``ln sqrt(x)``.
_BARE_OF_CALL = re.compile(r"\b(ln|log|exp|sqrt)\s+((?:sigma|sigmoid|ln|log|exp|sqrt)\s*\([^()]*\))")


_VAR = (
    r"(?:y_hat|" + "|".join(sorted((n for n in GREEK if n != "y_hat"), key=len, reverse=True)) + r"|[A-Za-z](?:_?\d)?)"
)


_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿˣᶻ]+")
_SUPERSCRIPT_READ = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿˣᶻ", "0123456789-+nxz")
#: ``y = x^2``, ``f(x) = ln(1 - x)``: the name of what is differentiated, before its expression.
_NAMED_AS = re.compile(r"^\s*(?:[A-Za-z]\w{0,5}(?:\s*\(\s*(?:[A-Za-z]\w{0,5}|ŷ)\s*\))?|ŷ|ℒ)\s*=(?!=)\s*(?=\S)")


def variable_name(name: str | None) -> str | None:
    """A variable as the formulas name it: ŷ and yhat as y_hat; None stays None."""
    return {"ŷ": "y_hat", "yhat": "y_hat"}.get(name or "", name)


def typed_name(text: str) -> str:
    """The name a typed expression is given ("g" for ``g(z) = z^3``, "L" for ``L = -ln(ŷ)``), "f" when none:
    what its derivative is written with (dg/dz)."""
    m = re.match(r"^\s*([A-Za-z]\w{0,5}|ŷ|ℒ)\s*(?:\(|=)", text) if _NAMED_AS.match(text) else None
    return m.group(1) if m else "f"


def powers_written_out(text: str) -> str:
    """Superscripts as powers (``x²`` is ``x^2``, ``e⁻ˣ`` is ``e^(-x)``): Unicode normalisation (NFKC)
    would make ``x²`` the name ``x2``."""
    return _SUPERSCRIPTS.sub(
        lambda m: "^" + (r if len(r := m.group().translate(_SUPERSCRIPT_READ)) == 1 else f"({r})"), text
    )


def typed_source(text: str) -> str:
    """A typed expression as a formula is written: its name dropped (``y = x^2``, ``f(x) = ...``),
    superscripts as powers (``x²``), ŷ and yhat as the variable y_hat, a function of one
    name or number without parentheses (``ln x``) given them, and products written out (``2x``,
    ``x(1 - x)``, ``x ln(x)``, ``)(``), as :mod:`tutor.maths.exprparse` reads a learner's answer."""
    src = (
        _NAMED_AS.sub("", powers_written_out(text))
        .strip()
        .replace("ŷ", " y_hat ")
        .replace("−", "-")
        .replace("·", "*")
        .replace("×", "*")
        .replace("σ", "sigma")  # as read() does; here first, so 2σ(z) is a product as 2 sigma(z) is
    )
    src = re.sub(r"\byhat\b", "y_hat", src)
    src = _BARE_CALL.sub(r"\1(\2)", src)
    src = _BARE_OF_CALL.sub(r"\1(\2)", src)  # y ln σ(z): ln(σ(z))
    from tutor.maths.exprparse import explicit_products

    return " ".join(explicit_products(src, _VAR).split())


def expression_variables(text: str) -> list[str]:
    """The variables of a typed expression, or [] when it names words rather than variables."""
    names = sorted(set(re.findall(r"[A-Za-z_]\w*", typed_source(text))) - set(FUNCTIONS) - {"e"})
    if not names or len(names) > MAX_TYPED_VARIABLES or not all(_TYPED_VARIABLE.fullmatch(n) for n in names):
        return []
    return names


# ------------------------------------------------------------------ NumPy


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


_NUMPY: dict[str, Callable[[Any], Any]] = {
    "ln": np.log,
    "log": np.log,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "sigma": _sigmoid,
    "sigmoid": _sigmoid,
}


def evaluate(tree: ast.AST, values: Mapping[str, Any]):
    """The expression's value with NumPy (floats or arrays); overflow and invalid operations give inf or NaN."""
    node = tree.body if isinstance(tree, ast.Expression) else tree
    with np.errstate(all="ignore"):
        return _eval(node, values)


def _eval(node: ast.AST, env: Mapping[str, Any]):
    if isinstance(node, ast.Constant):
        return np.float64(float(node.value))  # type: ignore[arg-type]  # the checker lets numbers through only
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
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value < 0:
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
    """Make formulas reachable by name (a later declaration of a name replaces an earlier one).

    The registry holds at most ``2 × MAX_FORMULAS``: past that, the oldest names not in this
    load are forgotten (a load itself holds at most ``MAX_FORMULAS``).
    """
    new = {f.name: f for f in formulas}
    for name in new:
        _DECLARED.pop(name, None)
    _DECLARED.update(new)
    for name in list(_DECLARED)[: max(0, len(_DECLARED) - 2 * MAX_FORMULAS)]:
        if name not in new:
            del _DECLARED[name]


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
