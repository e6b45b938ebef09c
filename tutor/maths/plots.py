"""Plot data computed with NumPy; the app draws it with textual-plotext, the CLI with plotext."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutor.content.curriculum import PLOTS
from tutor.errors import InputError


@dataclass(frozen=True)
class Series:
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    caption: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "caption": self.caption,
                "series": [{"label": s.label, "x": list(s.x), "y": list(s.y)} for s in self.series]}


def _t(a: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(v), 6) for v in a)


def make(name: str, points: int = 200) -> Plot:
    if name not in PLOTS:
        raise InputError(f"I have no plot called '{name}'. I can plot: {', '.join(PLOTS)}.")
    p = np.linspace(0.005, 1.0, points)
    q = np.linspace(0.0, 0.995, points)
    z = np.linspace(-8, 8, points)
    sig = 1.0 / (1.0 + np.exp(-z))
    if name == "ln":
        return Plot(name, "ln x on (0, 1]", "x", "ln x", (Series("ln x", _t(p), _t(np.log(p))),),
                    "Below zero everywhere left of x = 1, and falling without limit as x → 0.")
    if name == "neglog":
        return Plot(name, "The loss for y = 1: -ln ŷ", "ŷ", "L", (Series("-ln ŷ", _t(p), _t(-np.log(p))),),
                    "0 at ŷ = 1, rising without limit as ŷ → 0. Never negative.")
    if name == "bce0":
        return Plot(name, "The loss for y = 0: -ln(1 - ŷ)", "ŷ", "L",
                    (Series("-ln(1 - ŷ)", _t(q), _t(-np.log1p(-q))),),
                    "0 at ŷ = 0, rising without limit as ŷ → 1.")
    if name == "bce":
        mid = np.linspace(0.005, 0.995, points)
        return Plot(name, "Both branches of binary cross-entropy", "ŷ", "L",
                    (Series("y = 1: -ln ŷ", _t(mid), _t(-np.log(mid))),
                     Series("y = 0: -ln(1 - ŷ)", _t(mid), _t(-np.log1p(-mid)))),
                    "Each branch is 0 where ŷ equals the label and grows as ŷ moves away from it.")
    if name == "sigmoid":
        return Plot(name, "The sigmoid σ(z) = 1/(1 + e^(-z))", "z", "σ(z)", (Series("σ(z)", _t(z), _t(sig)),),
                    "Always strictly between 0 and 1; σ(0) = 0.5.")
    if name == "dsigmoid":
        return Plot(name, "The sigmoid's derivative σ'(z) = σ(z)(1 - σ(z))", "z", "σ'(z)",
                    (Series("σ'(z)", _t(z), _t(sig * (1 - sig))),), "At most 0.25 (at z = 0), nearly 0 for large |z|.")
    if name == "mse-vs-bce":
        return Plot(name, "Squared error against cross-entropy, y = 1", "ŷ", "L",
                    (Series("BCE: -ln ŷ", _t(p), _t(-np.log(p))), Series("squared error: (1 - ŷ)²", _t(p), _t((1 - p) ** 2))),
                    "Squared error never exceeds 1; cross-entropy punishes a confident mistake without limit.")
    if name == "baseline":
        pi = np.linspace(0.005, 0.995, points)
        h = -(pi * np.log(pi) + (1 - pi) * np.log1p(-pi))
        return Plot(name, "The no-skill baseline: H(π) = -[π ln π + (1 - π) ln(1 - π)]", "π (fraction of positives)", "loss",
                    (Series("H(π)", _t(pi), _t(h)),),
                    f"ln 2 ≈ {np.log(2):.3f} only for balanced classes; lower as the classes get more imbalanced.")
    if name == "logit":
        mid = np.linspace(0.005, 0.995, points)
        return Plot(name, "The logit z = ln(ŷ/(1 - ŷ))", "ŷ", "z", (Series("ln(ŷ/(1 - ŷ))", _t(mid), _t(np.log(mid) - np.log1p(-mid))),),
                    "0 at ŷ = 0.5, negative below, positive above: the sigmoid read backwards.")
    if name == "soft-label":
        mid = np.linspace(0.005, 0.995, points)
        return Plot(name, "The loss for a soft label y = 0.9", "ŷ", "L",
                    (Series("-[0.9 ln ŷ + 0.1 ln(1 - ŷ)]", _t(mid), _t(-(0.9 * np.log(mid) + 0.1 * np.log1p(-mid)))),),
                    f"Lowest at ŷ = 0.9, where it equals the entropy H(0.9) ≈ {-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)):.3f}, not 0.")
    if name == "convexity":
        return Plot(name, "The loss against the logit z, y = 1", "z", "loss",
                    (Series("BCE: ln(1 + e^(-z))", _t(z), _t(np.log1p(np.exp(-z)))),
                     Series("squared error: (1 - σ(z))²", _t(z), _t((1 - sig) ** 2))),
                    "BCE bends upward everywhere (convex); squared error flattens out for very negative z (not convex).")
    # grad-compare
    return Plot(name, "Gradient with respect to z, y = 1", "z", "∂L/∂z",
                (Series("BCE: ŷ - y", _t(z), _t(sig - 1)), Series("squared error: (ŷ - y)σ'(z)", _t(z), _t((sig - 1) * sig * (1 - sig)))),
                "For very negative z (confidently wrong) the squared-error gradient vanishes; BCE's stays near -1.")
