"""Plot data computed with NumPy; the app draws it with textual-plotext, the CLI with plotext.

Two kinds of plot: the named ones the content refers to (:data:`NAMED`, each registered beside the code that draws it), and
a plot of any expression the safe parser (:mod:`tutor.maths.exprparse`) reads, in one
variable x, ŷ or z: ``plot ln x and -ln x from 0 to 3``. An expression is sampled only
where it is finite; what was left out is reported. Nothing is evaluated with ``eval``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.errors import InputError
from tutor.maths import formulas
from tutor.maths.numeric import fmt

#: At most this many curves in one plot.
MAX_CURVES = 4
#: Sample points per curve.
POINTS = 400
#: The variables a plotted expression may use, as the learner reads them, and their default ranges.
VARIABLES = {"x": "x", "y_hat": "ŷ", "z": "z"}
DEFAULT_RANGE = {"x": (-3.0, 3.0), "y_hat": (0.0, 1.0), "z": (-6.0, 6.0)}
#: A range wider than this is refused (the picture would say nothing).
MAX_SPAN = 1e6
ACCEPTS = (
    "I plot expressions in one variable, x, ŷ or z, built from numbers, + - * / ^, parentheses, "
    "ln or log, exp, and σ or sigmoid; for example: plot ln x and -ln x from 0 to 3, or plot -ln ŷ and mark 0.99."
)


@dataclass(frozen=True)
class Series:
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Mark:
    """A value picked out on a curve: a learner's ŷ, say."""

    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    caption: str = ""
    marks: tuple[Mark, ...] = ()
    #: What the picture does not show (where a curve is undefined), one sentence each.
    notes: tuple[str, ...] = ()
    #: Where each curve crosses zero: (series label, x).
    zeros: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "xlabel": self.xlabel,
            "ylabel": self.ylabel,
            "caption": self.caption,
            "notes": list(self.notes),
            "marks": [{"label": m.label, "x": m.x, "y": m.y} for m in self.marks],
            "zeros": [{"series": s, "x": x} for s, x in self.zeros],
            "series": [{"label": s.label, "x": list(s.x), "y": list(s.y)} for s in self.series],
        }

    def markdown(self) -> str:
        """The words that go with the picture: caption, zeros, marked values, what was left out."""
        parts = [self.caption or self.describe()]
        if self.zeros:
            parts.append(" ".join(f"{label} is 0 at {self.xlabel} = {fmt(x)}." for label, x in self.zeros))
        if self.marks:
            parts.append("Marked: " + "; ".join(m.label for m in self.marks) + ".")
        parts.extend(self.notes)
        return "\n\n".join(parts)

    def describe(self) -> str:
        """The plot in words, for a screen reader: each curve's range and trend."""
        lines = []
        for s in self.series:
            if not s.x:
                continue
            lo, hi = s.x[0], s.x[-1]
            ys = np.asarray(s.y)
            trend = "rises" if ys[-1] > ys[0] else "falls" if ys[-1] < ys[0] else "stays level"
            lines.append(
                f"{s.label}: for {self.xlabel} from {fmt(lo, 3)} to {fmt(hi, 3)} it {trend}, from "
                f"{fmt(ys[0], 3)} to {fmt(ys[-1], 3)} (lowest {fmt(ys.min(), 3)}, highest {fmt(ys.max(), 3)})."
            )
        return "\n".join(lines)

    def table(self, rows: int = 5) -> list[list[str]]:
        """A small table of values: a header row, then ``rows`` evenly spaced x values on every curve."""
        if not self.series or not self.series[0].x:
            return []
        xs_all = np.asarray(self.series[0].x)
        picks = sorted({round(float(i)) for i in np.linspace(0, len(xs_all) - 1, rows)})
        out = [[self.xlabel, *(s.label for s in self.series)]]
        for i in picks:
            x = xs_all[i]
            row = [fmt(x, 3)]
            for s in self.series:
                sx = np.asarray(s.x)
                j = int(np.argmin(np.abs(sx - x))) if len(sx) else -1
                row.append(fmt(s.y[j], 4) if j >= 0 and abs(sx[j] - x) <= 1e-9 + 1e-6 * abs(x) else "undefined")
            out.append(row)
        return out


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + 1e-9 * step:
        ticks.append(float(f"{t:.12g}") + 0.0)
        t += step
    return ticks


def nice_range(lo: float, hi: float, n: int = 5) -> tuple[float, float, list[float]]:
    """[lo, hi] widened to round ends, and its round ticks: axes a learner reads at a glance."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return lo, hi, []
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    ticks = nice_ticks(lo, hi, n)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else (hi - lo)
    a = math.floor(lo / step + 1e-9) * step
    b = math.ceil(hi / step - 1e-9) * step
    a, b = float(f"{a:.12g}"), float(f"{b:.12g}")
    return a + 0.0, b + 0.0, nice_ticks(a, b, n)


def tick_label(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e5 else fmt(v, 2)


# ------------------------------------------------------------------ expressions

_FN_ARG = re.compile(r"(?<![\w])(ln|log|exp|sigmoid|sigma|σ)\s+(-?(?:ŷ|y_hat|yhat|[xz]|\d+(?:\.\d+)?))(?![\w(])")


def _readable(text: str) -> str:
    """``ln x`` → ``ln(x)``: a function applied to a bare name or number, as people write it."""
    return _FN_ARG.sub(r"\1(\2)", text)


def _label(text: str) -> str:
    t = " ".join(text.split())
    return re.sub(r"\by_?hat\b", "ŷ", t)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [i, j] where ``mask`` is True."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(mask) - 1))
    return out


def _left_out(var: str, xs: np.ndarray, ok: np.ndarray) -> str | None:
    bad = _runs(~ok)
    if not bad:
        return None
    pieces = []
    for i, j in bad[:3]:
        pieces.append(f"{var} = {fmt(xs[i], 3)}" if i == j else f"{var} from {fmt(xs[i], 3)} to {fmt(xs[j], 3)}")
    more = " and elsewhere" if len(bad) > 3 else ""
    return f"{', '.join(pieces)}{more}"


def _zeros(f, xs: np.ndarray, ys: np.ndarray, ok: np.ndarray) -> list[float]:
    out = []
    for i in range(len(xs) - 1):
        if not (ok[i] and ok[i + 1]):
            continue
        a, b, fa, fb = xs[i], xs[i + 1], ys[i], ys[i + 1]
        if fa == 0:
            out.append(float(a))
        elif fa * fb < 0:
            for _ in range(60):  # bisection on the curve itself
                m = (a + b) / 2
                fm = float(f(m))
                if not math.isfinite(fm):
                    break
                if (fm < 0) == (fa < 0):
                    a, fa = m, fm
                else:
                    b = m
            out.append(float((a + b) / 2))
        if len(out) >= 3:
            break
    if len(xs) and ok[-1] and ys[-1] == 0:
        out.append(float(xs[-1]))
    # Drop near-duplicates (a zero on a grid point is seen from both sides).
    clean: list[float] = []
    for z in out:
        if not clean or abs(z - clean[-1]) > 1e-9 * max(1.0, abs(z)):
            clean.append(round(z, 12) + 0.0)
    return clean[:3]


def expression_plot(
    texts: Sequence[str],
    lo: float | None = None,
    hi: float | None = None,
    marks: Sequence[float] = (),
    points: int = POINTS,
    name: str = "expression",
    title: str = "",
    caption: str = "",
) -> Plot:
    """Curves for learner-typed expressions, sampled where they are finite; ``InputError`` with what is accepted otherwise."""
    import sympy as sp

    from tutor.maths import exprparse
    from tutor.maths.derive import _explicit

    texts = [t.strip() for t in texts if t and t.strip()]
    if not texts:
        raise InputError("Tell me what to plot. " + ACCEPTS)
    if len(texts) > MAX_CURVES:
        raise InputError(f"I draw at most {MAX_CURVES} curves at once.")
    exprs = []
    for t in texts:
        try:
            exprs.append(_explicit(exprparse.parse(_readable(t))))
        except InputError as err:
            raise InputError(f"I cannot plot '{_label(t)[:60]}': {err.message} {ACCEPTS}") from None
    names = set().union(*(e.free_symbols for e in exprs))
    bad = sorted(s.name for s in names if s.name not in VARIABLES)
    if bad:
        shown = {"y": "y (the label, 0 or 1)"}.get(bad[0], bad[0])
        raise InputError(f"I cannot plot against {shown}. {ACCEPTS}")
    if len(names) > 1:
        raise InputError("All the curves must use the same variable (x, ŷ or z). " + ACCEPTS)
    sym = next(iter(names)) if names else sp.Symbol("x")
    funcs = [sp.lambdify(sym, e, "numpy") for e in exprs]
    return sampled_plot([_label(t) for t in texts], funcs, sym.name, lo, hi, marks, points, name, title, caption)


def sampled_plot(
    labels: Sequence[str],
    funcs: Sequence,
    variable: str = "x",
    lo: float | None = None,
    hi: float | None = None,
    marks: Sequence[float] = (),
    points: int = POINTS,
    name: str = "expression",
    title: str = "",
    caption: str = "",
) -> Plot:
    """Curves ``funcs`` (NumPy functions of ``variable``) sampled where finite, with zeros, marks and what was left out."""
    texts = list(labels)
    var = VARIABLES.get(variable, variable)  # a declared formula's variable is shown as it is named
    default = lo is None and hi is None
    dlo, dhi = DEFAULT_RANGE.get(variable, (-3.0, 3.0))
    lo = dlo if lo is None else float(lo)
    hi = dhi if hi is None else float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise InputError("Give the range as from A to B with A below B, for example from 0 to 3.")
    if hi - lo > MAX_SPAN:
        raise InputError(f"That range is too wide to draw; keep it within {MAX_SPAN:g}.")

    def sample(f, xs):
        with np.errstate(all="ignore"):
            try:
                ys = np.asarray(f(xs), dtype=float) * np.ones_like(xs)
            except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                ys = np.full_like(xs, np.nan)
        return ys, np.isfinite(ys)

    xs = np.linspace(lo, hi, points)
    sampled = [sample(f, xs) for f in funcs]
    notes: list[str] = []
    if default:
        # The default range starts where the curves are first defined: ln x needs no x ≤ 0.
        first = min((int(np.argmax(ok)) for _, ok in sampled if ok.any()), default=0)
        if first > 0:
            labels = " and ".join(_label(t) for t in texts)
            verb = "is" if len(texts) == 1 else "are"
            start = float(xs[first - 1])
            lo = 0.0 if start <= 0 <= xs[first] else start
            xs = np.linspace(lo, hi, points + 1)[1:]
            sampled = [sample(f, xs) for f in funcs]
            notes.append(
                f"Left out: {var} = {fmt(lo, 3)}, where {labels} {verb} not finite."
                if first == 1
                else f"Left out: {var} ≤ {fmt(lo, 3)}, where {labels} {verb} not defined."
            )
    series: list[Series] = []
    zeros: list[tuple[str, float]] = []
    gaps: dict[str, list[str]] = {}
    for t, f, (ys, ok) in zip(texts, funcs, sampled):
        label = _label(t)
        if not ok.any():
            raise InputError(
                f"{label} is not defined anywhere for {var} from {fmt(lo)} to {fmt(hi)}; try another range."
            )
        series.append(Series(label, _t(xs[ok]), _t(ys[ok])))
        where = _left_out(var, xs, ok)
        if where:
            gaps.setdefault(where, []).append(label)
        zeros.extend((label, z) for z in _zeros(lambda v, f=f: np.asarray(f(v), dtype=float), xs, ys, ok))
    for where, which in gaps.items():
        notes.append(
            f"{' and '.join(which)} {'is' if len(which) == 1 else 'are'} undefined or infinite at {where}: "
            "left out of the picture."
        )
    found = []
    for m in marks:
        for s, f in zip(series, funcs):
            with np.errstate(all="ignore"):
                try:
                    y = float(np.asarray(f(float(m)), dtype=float))
                except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                    y = math.nan
            if lo <= m <= hi and math.isfinite(y):
                found.append(Mark(f"{s.label} at {var} = {fmt(m)} is {fmt(y)}", float(m), round(y, 12)))
            else:
                notes.append(f"{s.label} has no value at {var} = {fmt(m)} in this picture, so it is not marked.")
    labels = [s.label for s in series]
    title = title or f"{' and '.join(labels)}, {var} from {fmt(lo, 3)} to {fmt(hi, 3)}"
    ylabel = labels[0] if len(labels) == 1 else "y"
    return Plot(name, title, var, ylabel, tuple(series), caption, tuple(found), tuple(notes), tuple(zeros))


def _t(a: np.ndarray) -> tuple[float, ...]:
    return tuple(float(f"{v:.9g}") for v in a)


def _with_marks(p: Plot, marks: Sequence[float]) -> Plot:
    """Marks on a named plot: each value on every curve that is defined there."""
    from dataclasses import replace

    found = list(p.marks)
    for m in marks:
        for s in p.series:
            if s.x and s.x[0] <= m <= s.x[-1]:
                y = float(np.interp(m, s.x, s.y))
                found.append(Mark(f"{s.label} at {p.xlabel} = {fmt(m)} is about {fmt(y, 4)}", float(m), y))
    return replace(p, marks=tuple(found))


@dataclass(frozen=True)
class NamedPlot:
    """A plot the content names (``plot = "ln"`` in a node): what it shows, what it teaches, how it is made."""

    about: str
    concepts: tuple[str, ...]
    build: Callable[[str, int, Sequence[float]], Plot]
    #: True when ``build`` places the marks itself.
    own_marks: bool = False


#: The named plots, each registered beside the code that makes it (``@_named``).
NAMED: dict[str, NamedPlot] = {}


def _named(name: str, about: str, concepts: tuple[str, ...], own_marks: bool = False):
    def register(build):
        NAMED[name] = NamedPlot(about, concepts, build, own_marks)
        return build

    return register


def make(name: str, points: int = 200, marks: Sequence[float] = (), any_axis: bool = False) -> Plot:
    """A named plot; ``marks`` are values of ŷ (or x) picked out on its curves (on any axis with ``any_axis``)."""
    named = NAMED.get(name)
    if named is None:
        formula = formulas.find(name)
        if formula is not None:
            return formula_plot(formula, marks=marks)
        raise InputError(f"I have no plot called '{name}'. I can plot: {', '.join([*NAMED, *formulas.declared()])}.")
    p = named.build(name, points, marks)
    if named.own_marks:
        return p
    return _with_marks(p, marks) if marks and (any_axis or p.xlabel in ("ŷ", "x")) else p


def concepts_of(name: str) -> tuple[str, ...]:
    """What a plot teaches: a named plot's own concepts, else what its declared formula says (empty if neither)."""
    named = NAMED.get(name)
    return named.concepts if named else formulas.concepts_of(name) or ()


def _grids(points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ŷ on (0, 1], 1 - ŷ's domain [0, 1), z on [-8, 8], and σ(z)."""
    z = np.linspace(-8, 8, points)
    return np.linspace(0.005, 1.0, points), np.linspace(0.0, 0.995, points), z, 1.0 / (1.0 + np.exp(-z))


@_named(
    "ln-and-neglog",
    "ln x and -ln x on (0, 3]: the zero at x = 1, and the mirror the minus sign makes",
    ("log-on-unit-interval", "minus-sign"),
    own_marks=True,
)
def _ln_and_neglog_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    # The picture that makes the minus sign click: ln x and its mirror, crossing zero at x = 1.
    return sampled_plot(
        ["ln x", "-ln x"],
        [np.log, lambda x: -np.log(x)],
        "x",
        0,
        3,
        marks=marks,
        points=max(points, 301),
        name=name,
        title="ln x and -ln x on (0, 3]",
        caption="Left of x = 1 the log is negative, so its mirror -ln x is positive; "
        "both are 0 at x = 1. A probability ŷ lives left of 1.",
    )


@_named("ln", "ln x on (0, 1]", ("log-on-unit-interval",))
def _ln_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    p, _, _, _ = _grids(points)
    return Plot(
        name,
        "ln x on (0, 1]",
        "x",
        "ln x",
        (Series("ln x", _t(p), _t(np.log(p))),),
        "Below zero everywhere left of x = 1, and falling without limit as x → 0.",
    )


@_named("neglog", "-ln ŷ, the loss when y = 1", ("minus-sign",))
def _neglog_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    p, _, _, _ = _grids(points)
    return Plot(
        name,
        "The loss for y = 1: -ln ŷ",
        "ŷ",
        "L",
        (Series("-ln ŷ", _t(p), _t(-np.log(p))),),
        "0 at ŷ = 1, rising without limit as ŷ → 0. Never negative.",
    )


@_named("bce0", "-ln(1 - ŷ), the loss when y = 0", ("bce-formula",))
def _bce0_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    _, q, _, _ = _grids(points)
    return Plot(
        name,
        "The loss for y = 0: -ln(1 - ŷ)",
        "ŷ",
        "L",
        (Series("-ln(1 - ŷ)", _t(q), _t(-np.log1p(-q))),),
        "0 at ŷ = 0, rising without limit as ŷ → 1.",
    )


@_named("bce", "both branches of the loss: -ln ŷ (y = 1) and -ln(1 - ŷ) (y = 0)", ("bce-formula",))
def _bce_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    mid = np.linspace(0.005, 0.995, points)
    return Plot(
        name,
        "Both branches of binary cross-entropy",
        "ŷ",
        "L",
        (
            Series("y = 1: -ln ŷ", _t(mid), _t(-np.log(mid))),
            Series("y = 0: -ln(1 - ŷ)", _t(mid), _t(-np.log1p(-mid))),
        ),
        "Each branch is 0 where ŷ equals the label and grows as ŷ moves away from it.",
    )


@_named("sigmoid", "the sigmoid σ(z)", ("sigmoid",))
def _sigmoid_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    _, _, z, sig = _grids(points)
    return Plot(
        name,
        "The sigmoid σ(z) = 1/(1 + e^(-z))",
        "z",
        "σ(z)",
        (Series("σ(z)", _t(z), _t(sig)),),
        "Always strictly between 0 and 1; σ(0) = 0.5.",
    )


@_named("dsigmoid", "the sigmoid's derivative σ'(z)", ("sigmoid",))
def _dsigmoid_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    _, _, z, sig = _grids(points)
    return Plot(
        name,
        "The sigmoid's derivative σ'(z) = σ(z)(1 - σ(z))",
        "z",
        "σ'(z)",
        (Series("σ'(z)", _t(z), _t(sig * (1 - sig))),),
        "At most 0.25 (at z = 0), nearly 0 for large |z|.",
    )


@_named("mse-vs-bce", "squared error against cross-entropy for y = 1", ("confident-wrong-penalty", "why-not-mse"))
def _mse_vs_bce_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    p, _, _, _ = _grids(points)
    return Plot(
        name,
        "Squared error against cross-entropy, y = 1",
        "ŷ",
        "L",
        (Series("BCE: -ln ŷ", _t(p), _t(-np.log(p))), Series("squared error: (1 - ŷ)²", _t(p), _t((1 - p) ** 2))),
        "Squared error never exceeds 1; cross-entropy punishes a confident mistake without limit.",
    )


@_named("baseline", "the no-skill baseline H(π) against the fraction of positives π", ("baseline-loss",))
def _baseline_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    pi = np.linspace(0.005, 0.995, points)
    h = -(pi * np.log(pi) + (1 - pi) * np.log1p(-pi))
    return Plot(
        name,
        "The no-skill baseline: H(π) = -[π ln π + (1 - π) ln(1 - π)]",
        "π (fraction of positives)",
        "loss",
        (Series("H(π)", _t(pi), _t(h)),),
        f"ln 2 ≈ {np.log(2):.3f} only for balanced classes; lower as the classes get more imbalanced.",
    )


@_named("logit", "the logit ln(ŷ/(1 - ŷ)), the inverse of the sigmoid", ("logits-log-odds",))
def _logit_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    mid = np.linspace(0.005, 0.995, points)
    return Plot(
        name,
        "The logit z = ln(ŷ/(1 - ŷ))",
        "ŷ",
        "z",
        (Series("ln(ŷ/(1 - ŷ))", _t(mid), _t(np.log(mid) - np.log1p(-mid))),),
        "0 at ŷ = 0.5, negative below, positive above: the sigmoid read backwards.",
    )


@_named("soft-label", "the loss for a soft label y = 0.9: its minimum is H(0.9) at ŷ = 0.9, not 0", ("soft-labels",))
def _soft_label_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    mid = np.linspace(0.005, 0.995, points)
    return Plot(
        name,
        "The loss for a soft label y = 0.9",
        "ŷ",
        "L",
        (Series("-[0.9 ln ŷ + 0.1 ln(1 - ŷ)]", _t(mid), _t(-(0.9 * np.log(mid) + 0.1 * np.log1p(-mid)))),),
        f"Lowest at ŷ = 0.9, where it equals the entropy H(0.9) ≈ {-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)):.3f}, not 0.",
    )


@_named("convexity", "the loss as a function of z for y = 1: cross-entropy against squared error", ("convexity",))
def _convexity_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    _, _, z, sig = _grids(points)
    return Plot(
        name,
        "The loss against the logit z, y = 1",
        "z",
        "loss",
        (
            Series("BCE: ln(1 + e^(-z))", _t(z), _t(np.log1p(np.exp(-z)))),
            Series("squared error: (1 - σ(z))²", _t(z), _t((1 - sig) ** 2)),
        ),
        "BCE bends upward everywhere (convex); squared error flattens out for very negative z (not convex).",
    )


@_named("grad-compare", "the gradient with respect to z: squared error against cross-entropy, y = 1", ("why-not-mse",))
def _grad_compare_plot(name: str, points: int, marks: Sequence[float]) -> Plot:
    _, _, z, sig = _grids(points)
    return Plot(
        name,
        "Gradient with respect to z, y = 1",
        "z",
        "∂L/∂z",
        (
            Series("BCE: ŷ - y", _t(z), _t(sig - 1)),
            Series("squared error: (ŷ - y)σ'(z)", _t(z), _t((sig - 1) * sig * (1 - sig))),
        ),
        "For very negative z (confidently wrong) the squared-error gradient vanishes; BCE's stays near -1.",
    )


def learner_marks(ctx) -> tuple[float, ...]:
    """The learner's own ŷ, when the conversation knows one (from a computation): marked on the plots it shows."""
    comp = getattr(ctx, "computation", None)
    value = comp.inputs.get("y_hat") if comp is not None else None
    return (float(value),) if isinstance(value, (int, float)) and 0 < value < 1 else ()


def for_request(request, default: str, marks: Sequence[float] = ()) -> Plot:
    """The plot a :class:`tutor.dialogue.requests.PlotRequest` asks for (``default`` when it names none)."""
    if request is not None and request.expressions:
        # The learner's own expression gets the marks it asks for; the ŷ of an earlier question is
        # carried over only onto a curve in ŷ, never onto x or z.
        p = expression_plot(request.expressions, request.lo, request.hi, marks=request.marks)
        if not request.marks and marks and p.xlabel == VARIABLES["y_hat"]:
            p = expression_plot(request.expressions, request.lo, request.hi, marks=marks)
        return p
    name = (request.name if request is not None else "") or default
    if request is not None and name not in NAMED:
        formula = formulas.find(name)
        if formula is not None:  # a declared formula, with the values the request gives its other variables
            return formula_plot(formula, dict(request.values), request.lo, request.hi, marks=request.marks)
    if request is not None and request.marks:
        return make(name, marks=request.marks, any_axis=True)
    return make(name, marks=marks)


# ------------------------------------------------------------------ declared formulas


def formula_plot(
    f: formulas.Formula,
    values: Mapping[str, Sequence[float]] | None = None,
    lo: float | None = None,
    hi: float | None = None,
    marks: Sequence[float] = (),
    wrt: str | None = None,
) -> Plot:
    """A declared formula against its variable over its range (or ``lo``..``hi``), one curve for each value of one parameter."""
    x = f.var(wrt or f.wrt)
    if x is None:
        raise InputError(
            f"{f.name} has no variable '{(wrt or '')[:20]}' (its variables: {', '.join(v.name for v in f.variables)})"
        )
    values = dict(values or f.curves)  # none asked for: the curves the declaration names
    values.pop(x.name, None)
    several = [(k, list(v)) for k, v in values.items() if len(v) > 1]
    if len(several) > 1:
        raise InputError(f"Give several values for one variable at a time (here: {', '.join(k for k, _ in several)}).")
    fixed = {k: v[0] for k, v in values.items() if len(v) == 1}
    sweep_name, sweep = several[0] if several else (None, [None])
    if len(sweep) > MAX_CURVES:
        raise InputError(f"I draw at most {MAX_CURVES} curves at once.")
    curves, labels = [], []
    for s in sweep:
        given = dict(fixed)
        if sweep_name is not None and s is not None:
            given[sweep_name] = s
        params = f.bind([], {**given, x.name: _inside_point(x)})  # checks every other variable's range and default
        params.pop(x.name)
        curves.append(lambda xs, params=params: formulas.evaluate(f.tree, {**params, x.name: xs}))
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
    title = f"{formulas._capital(f.title)} against {x.symbol}" + (f" for {fixed_text}" if fixed_text else "")
    caption = f"{f.lhs} = {f.display()}" + (f", with {x.symbol} the {x.meaning}" if x.meaning else "") + "."
    return sampled_plot(labels, curves, x.symbol, lo, hi, marks=marks, name=f.name, title=title, caption=caption)


def _inside_point(v: formulas.Variable) -> float:
    lo, hi = v.range.inside()
    return (lo + hi) / 2
