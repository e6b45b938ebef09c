"""Worked numbers for reading a training loss: baselines, weights, logits, soft labels, frameworks.

The second half of the numeric core (:mod:`tutor.maths.numeric` is the first;
:mod:`tutor.maths.computations` joins them). Every function checks its inputs and returns a
:class:`~tutor.maths.numeric.Computation` with its steps.

Framework behaviour reproduced here was read in the frameworks' sources:
PyTorch ``aten/src/ATen/native/Loss.cpp`` (``BCELoss`` clamps each log at -100;
its backward divides by ``max(ŷ(1 - ŷ), 1e-12)``, so a gradient still flows;
``pos_weight`` multiplies the ``y ln σ(z)`` term), Keras 3
``keras/src/backend/tensorflow/nn.py`` (``binary_crossentropy`` clips a probability
to ``[ε, 1 - ε]`` with ``ε = 1e-7`` unless the tensor came from Keras's own sigmoid,
whose logits it recovers), scikit-learn ≥ 1.2 ``log_loss`` (clips to the dtype's
machine epsilon, ``np.finfo(float64).eps``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from tutor.errors import InputError
from tutor.maths.numeric import (
    Computation,
    _bounded,
    _int_if_whole,
    _label,
    _number,
    _probability,
    _sigmoid,
    fmt,
    par,
    stable_logit_loss,
)

#: Keras's default fuzz factor, ``keras.backend.epsilon()``.
KERAS_EPSILON = 1e-7
#: PyTorch BCELoss's floor on each log.
TORCH_LOG_FLOOR = -100.0
#: scikit-learn's clip for float64 predictions.
SKLEARN_EPSILON = float(np.finfo(np.float64).eps)


def _h(p: float) -> float:
    """Binary entropy in nats, 0·ln 0 taken as 0."""
    return -sum(v * math.log(v) for v in (p, 1.0 - p) if v > 0) + 0.0


def _softplus(z: float) -> float:
    return stable_logit_loss(0.0, z)  # ln(1 + e^z) is the y = 0 loss from the logit


def binary_entropy(p: float) -> Computation:
    """H(p) = -[p ln p + (1 - p) ln(1 - p)]: the least loss reachable against a target p."""
    p = _label("p", p)
    h = _h(p)
    steps = (
        "H(p) = -[p·ln p + (1 - p)·ln(1 - p)]",
        f"= -[{fmt(p)}·ln({fmt(p)}) + {fmt(1 - p)}·ln({fmt(1 - p)})] = {fmt(h)}",
    )
    return Computation("binary_entropy", f"Binary entropy H({fmt(p)})", {"p": p}, {"value": h}, steps)


def baseline(pi: float) -> Computation:
    """The cost of always predicting the base rate π: the no-skill baseline."""
    pi = _label("pi", pi)
    if pi in (0.0, 1.0):
        raise InputError("pi is the fraction of positive examples: with only one class, use 0 < pi < 1.")
    h = _h(pi)
    steps = (
        f"Always predict ŷ = π = {fmt(pi)}, the fraction of positives.",
        f"A positive costs -ln({fmt(pi)}) = {fmt(-math.log(pi))}; a negative costs -ln({fmt(1 - pi)}) = {fmt(-math.log1p(-pi))}.",
        f"Mean over the data: {fmt(pi)}·{fmt(-math.log(pi))} + {fmt(1 - pi)}·{fmt(-math.log1p(-pi))} = {fmt(h)}",
        f"This is the entropy H(π); a model whose loss stays near {fmt(h, 3)} has learned nothing beyond the base rate.",
    )
    return Computation(
        "baseline",
        f"The no-skill baseline at π = {fmt(pi)}",
        {"pi": pi},
        {"value": h, "ln2": math.log(2.0), "ratio": h / math.log(2.0)},
        steps,
    )


def normalized_ce(loss: float, pi: float) -> Computation:
    """A loss divided by the base-rate entropy: below 1 beats the baseline."""
    loss = _bounded("loss", loss)
    if loss < 0:
        raise InputError("loss must be ≥ 0: binary cross-entropy is never negative.")
    h = baseline(pi).value
    r = loss / h
    steps = (
        f"Baseline H({fmt(pi)}) = {fmt(h)}",
        f"Normalised loss = {fmt(loss)} / {fmt(h)} = {fmt(r)}",
        "Below 1 beats always predicting the base rate; 1 is no skill."
        if r < 1
        else "At or above 1: no better than always predicting the base rate.",
    )
    return Computation(
        "normalized_ce", "Loss relative to the base rate", {"loss": loss, "pi": pi}, {"baseline": h, "value": r}, steps
    )


def weighted_bce(y: float, y_hat: float, w_pos: float, w_neg: float = 1.0) -> Computation:
    """-[w₊ y ln ŷ + w₋ (1 - y) ln(1 - ŷ)] and its gradient with respect to the logit."""
    y = _label("y", y)
    p = _probability("y_hat", y_hat)
    w_pos = _bounded("w_pos", w_pos, 1e6)
    w_neg = _bounded("w_neg", w_neg, 1e6)
    if w_pos < 0 or w_neg < 0:
        raise InputError("class weights must be ≥ 0.")
    if not 0 < p < 1:
        raise InputError("use 0 < ŷ < 1 here (the log of 0 is -∞).")
    a = -w_pos * y * math.log(p)
    b = -w_neg * (1 - y) * math.log1p(-p)
    loss = a + b + 0.0
    plain = -(y * math.log(p) + (1 - y) * math.log1p(-p)) + 0.0
    grad = w_pos * y * (p - 1) + w_neg * (1 - y) * p
    steps = (
        "L = -[w₊·y·ln ŷ + w₋·(1 - y)·ln(1 - ŷ)]",
        f"= -[{fmt(w_pos)}·{fmt(y)}·ln({fmt(p)}) + {fmt(w_neg)}·{fmt(1 - y)}·ln({fmt(1 - p)})] = {fmt(loss)}",
        f"Unweighted it would be {fmt(plain)}.",
        f"∂L/∂z = w₊·y·(ŷ - 1) + w₋·(1 - y)·ŷ = {fmt(grad)} (for y = 1 this is w₊(ŷ - y), for y = 0 it is w₋(ŷ - y))",
    )
    return Computation(
        "weighted_bce",
        f"Weighted BCE, y = {fmt(y)}, ŷ = {fmt(p)}, w₊ = {fmt(w_pos)}, w₋ = {fmt(w_neg)}",
        {"y": _int_if_whole(y), "y_hat": p, "w_pos": w_pos, "w_neg": w_neg},
        {"loss": loss, "plain": plain, "grad": grad, "plain_grad": p - y, "value": loss},
        steps,
    )


def pos_weight(n_pos: float, n_neg: float) -> Computation:
    """The usual pos_weight, negatives over positives, and the weighted share of each class."""
    n_pos = _bounded("n_pos", n_pos, 1e12)
    n_neg = _bounded("n_neg", n_neg, 1e12)
    if n_pos <= 0 or n_neg <= 0:
        raise InputError("both class counts must be positive.")
    w = n_neg / n_pos
    steps = (
        f"pos_weight = negatives / positives = {fmt(n_neg)} / {fmt(n_pos)} = {fmt(w)}",
        f"Positives then count {fmt(w)} × {fmt(n_pos)} = {fmt(w * n_pos)} times in total, as many as the {fmt(n_neg)} negatives.",
    )
    return Computation(
        "pos_weight", "pos_weight from class counts", {"n_pos": n_pos, "n_neg": n_neg}, {"value": w}, steps
    )


def weighted_optimum(q: float, w_pos: float, w_neg: float = 1.0) -> Computation:
    """Where the weighted loss is least when the true probability is q: the odds are scaled by w₊/w₋."""
    q = _label("q", q)
    w_pos = _bounded("w_pos", w_pos, 1e6)
    w_neg = _bounded("w_neg", w_neg, 1e6)
    if w_pos <= 0 or w_neg <= 0:
        raise InputError("class weights must be positive.")
    best = w_pos * q / (w_pos * q + w_neg * (1 - q))
    shift = math.log(w_pos / w_neg)
    steps = (
        f"Expected weighted loss: -[w₊·q·ln ŷ + w₋·(1 - q)·ln(1 - ŷ)] with q = {fmt(q)}",
        f"Setting its derivative to 0: ŷ* = w₊q / (w₊q + w₋(1 - q)) = {fmt(w_pos * q)} / ({fmt(w_pos * q)} + {fmt(w_neg * (1 - q))}) = {fmt(best)}",
        f"The odds are multiplied by w₊/w₋ = {fmt(w_pos / w_neg)}, so the logit moves up by ln(w₊/w₋) = {fmt(shift)}.",
        f"To read calibrated probabilities again, subtract {fmt(shift)} from the logit before the sigmoid.",
    )
    return Computation(
        "weighted_optimum",
        f"The optimum of weighted BCE at q = {fmt(q)}",
        {"q": q, "w_pos": w_pos, "w_neg": w_neg},
        {"shift": shift, "value": best},
        steps,
    )


def logit(y_hat: float) -> Computation:
    """z = ln(ŷ / (1 - ŷ)), the log-odds: the inverse of the sigmoid."""
    p = _probability("y_hat", y_hat)
    if p in (0.0, 1.0):
        raise InputError("the logit of 0 or 1 is infinite: use 0 < ŷ < 1.")
    odds = p / (1 - p)
    z = math.log(p) - math.log1p(-p)
    steps = (
        f"odds = ŷ / (1 - ŷ) = {fmt(p)} / {fmt(1 - p)} = {fmt(odds)}",
        f"z = ln(odds) = ln({fmt(odds)}) = {fmt(z)}",
        f"Check: σ({fmt(z)}) = {fmt(_sigmoid(z))}",
    )
    return Computation("logit", f"The logit of ŷ = {fmt(p)}", {"y_hat": p}, {"odds": odds, "value": z}, steps)


def odds(y_hat: float) -> Computation:
    p = _probability("y_hat", y_hat)
    if p == 1.0:
        raise InputError("the odds of ŷ = 1 are infinite: use ŷ < 1.")
    o = p / (1 - p)
    return Computation(
        "odds",
        f"The odds of ŷ = {fmt(p)}",
        {"y_hat": p},
        {"value": o},
        (f"odds = ŷ / (1 - ŷ) = {fmt(p)} / {fmt(1 - p)} = {fmt(o)}",),
    )


def grad_hess(y: float, z: float) -> Computation:
    """The gradient and second derivative of BCE with respect to the raw score z (what XGBoost asks for)."""
    y = _label("y", y)
    z = _bounded("z", z)
    p = _sigmoid(z)
    g = p - y
    h = p * (1 - p)
    steps = (
        f"ŷ = σ({fmt(z)}) = {fmt(p)}",
        f"gradient g = ∂L/∂z = ŷ - y = {fmt(p)} - {fmt(y)} = {fmt(g)}",
        f"Hessian h = ∂²L/∂z² = ŷ(1 - ŷ) = {fmt(p)} × {fmt(1 - p)} = {fmt(h)}",
        "h > 0 for every z: the loss is convex in z.",
    )
    return Computation(
        "grad_hess",
        f"Gradient and Hessian at y = {fmt(y)}, z = {fmt(z)}",
        {"y": _int_if_whole(y), "z": z},
        {"y_hat": p, "grad": g, "hess": h, "value": g},
        steps,
    )


def curvature(y: float, z: float) -> Computation:
    """Second derivative in z: BCE's ŷ(1 - ŷ) ≥ 0 against squared error ½(ŷ - y)², which can be negative."""
    y = _label("y", y)
    z = _bounded("z", z)
    s = _sigmoid(z)
    d1 = s * (1 - s)
    d2 = d1 * (1 - 2 * s)
    bce_c = d1
    mse_c = d1 * d1 + (s - y) * d2
    steps = (
        f"ŷ = σ({fmt(z)}) = {fmt(s)}, σ' = {fmt(d1)}, σ'' = σ'(1 - 2ŷ) = {fmt(d2)}",
        f"BCE: ∂²L/∂z² = ŷ(1 - ŷ) = {fmt(bce_c)}, never negative",
        f"Squared error ½(ŷ - y)²: ∂²C/∂z² = σ'² + (ŷ - y)σ'' = {fmt(d1 * d1)} + {par((s - y) * d2)} = {fmt(mse_c)}",
        "Negative: the squared-error curve bends downward here, so it is not convex."
        if mse_c < 0
        else "Not negative at this z.",
    )
    return Computation(
        "curvature",
        f"Curvature at y = {fmt(y)}, z = {fmt(z)}",
        {"y": _int_if_whole(y), "z": z},
        {"bce": bce_c, "mse": mse_c, "value": mse_c},
        steps,
    )


def bce_any(y: float, y_hat: float) -> Computation:
    """The BCE formula applied to a target outside [0, 1], to show which weight turns negative."""
    y = _bounded("y", y, 1e6)
    p = _probability("y_hat", y_hat)
    if not 0 < p < 1:
        raise InputError("use 0 < ŷ < 1 here (the log of 0 is -∞).")
    w1, w0 = y, 1 - y
    value = -(w1 * math.log(p) + w0 * math.log1p(-p)) + 0.0
    neg = [n for n, w in (("y", w1), ("1 - y", w0)) if w < 0]
    steps = (
        f"The weights of the two logs are y = {fmt(w1)} and 1 - y = {fmt(w0)}.",
        f"L = -[{fmt(w1)}·ln({fmt(p)}) + {par(w0)}·ln({fmt(1 - p)})] = {fmt(value)}",
        (
            f"The weight {' and '.join(neg)} is negative, so that term adds a negative amount: "
            "the formula is no longer a loss."
        )
        if neg
        else "Both weights are ≥ 0: an ordinary (soft) label.",
    )
    return Computation(
        "bce_any",
        f"The BCE formula at y = {fmt(y)}, ŷ = {fmt(p)}",
        {"y": _int_if_whole(y), "y_hat": p},
        {"w_y": w1, "w_1_minus_y": w0, "value": value},
        steps,
    )


def bce_eps(y: float, y_hat: float, eps: float) -> Computation:
    """-[y ln(ŷ + ε) + (1 - y) ln(1 - ŷ + ε)]: ε added inside the logs."""
    y = _label("y", y)
    p = _probability("y_hat", y_hat)
    eps = _number("eps", eps)
    if not 0 < eps < 0.5:
        raise InputError("eps must lie between 0 and 0.5.")
    value = -(y * math.log(p + eps) + (1 - y) * math.log(1 - p + eps)) + 0.0
    exact = -(y * math.log(p) if y > 0 and p > 0 else (0.0 if y == 0 else -math.inf)) - (
        (1 - y) * math.log1p(-p) if y < 1 and p < 1 else (0.0 if y == 1 else -math.inf)
    )
    exact = exact + 0.0
    grad = -y / (p + eps) + (1 - y) / (1 - p + eps)
    steps = (
        f"L = -[y·ln(ŷ + ε) + (1 - y)·ln(1 - ŷ + ε)] with ε = {fmt(eps)}",
        f"= {fmt(value)} (without ε: {fmt(exact)})",
        f"∂L/∂ŷ = -y/(ŷ + ε) + (1 - y)/(1 - ŷ + ε) = {fmt(grad)}: finite, but as large as 1/ε at the ends.",
    )
    return Computation(
        "bce_eps",
        f"BCE with ε = {fmt(eps)} inside the log",
        {"y": _int_if_whole(y), "y_hat": p, "eps": eps},
        {"exact": exact, "grad": grad, "value": value},
        steps,
    )


def frameworks(y: float, y_hat: float) -> Computation:
    """One probability through four conventions: exact, PyTorch BCELoss, Keras, scikit-learn."""
    y = _label("y", y)
    p = _probability("y_hat", y_hat)

    def loss(lo: float, hi: float, floor: float) -> float:
        q = min(max(p, lo), hi)
        with np.errstate(divide="ignore"):
            a = max(float(np.log(q)), floor) if y > 0 else 0.0
            b = max(float(np.log1p(-q)), floor) if y < 1 else 0.0
        return -(y * a + (1 - y) * b) + 0.0

    exact = loss(0.0, 1.0, -math.inf)
    torch = loss(0.0, 1.0, TORCH_LOG_FLOOR)
    keras = loss(KERAS_EPSILON, 1 - KERAS_EPSILON, -math.inf)
    sk = loss(SKLEARN_EPSILON, 1 - SKLEARN_EPSILON, -math.inf)
    rows = (
        ("convention", "what it does", "loss"),
        ("exact formula", "no protection", fmt(exact)),
        ("PyTorch BCELoss", "each log clamped at -100", fmt(torch)),
        ("Keras, probabilities", f"ŷ clipped to [{fmt(KERAS_EPSILON)}, 1 - {fmt(KERAS_EPSILON)}]", fmt(keras)),
        ("scikit-learn log_loss", f"ŷ clipped to machine ε = {fmt(SKLEARN_EPSILON, 3)}", fmt(sk)),
    )
    steps = tuple(f"{r[0]}: {r[2]}" for r in rows[1:])
    return Computation(
        "frameworks",
        f"y = {fmt(y)}, ŷ = {fmt(p)} in four conventions",
        {"y": _int_if_whole(y), "y_hat": p},
        {"exact": exact, "torch": torch, "keras": keras, "sklearn": sk, "value": torch},
        steps,
        table=rows,
    )


def double_sigmoid(y: float, z: float) -> Computation:
    """A sigmoid applied before a loss that applies its own: the loss of σ(σ(z)) instead of σ(z)."""
    y = _label("y", y)
    z = _bounded("z", z)
    right = stable_logit_loss(y, z)
    s = _sigmoid(z)
    wrong = stable_logit_loss(y, s)
    steps = (
        f"Right: the logit z = {fmt(z)} goes in, L = {fmt(right)}",
        f"Wrong: σ(z) = {fmt(s)} goes in as if it were a logit; the loss applies σ again: σ({fmt(s)}) = {fmt(_sigmoid(s))}",
        f"L = {fmt(wrong)}: the prediction can never pass σ(1) = {fmt(_sigmoid(1.0))}, so the loss cannot fall below "
        f"{fmt(_softplus(-1.0)) if y == 1 else fmt(_softplus(0.0))} for this label.",
    )
    return Computation(
        "double_sigmoid",
        f"Sigmoid applied twice, y = {fmt(y)}, z = {fmt(z)}",
        {"y": _int_if_whole(y), "z": z},
        {"right": right, "wrong": wrong, "value": wrong},
        steps,
    )


def float32_saturation() -> Computation:
    """The smallest float32 z at which σ(z), computed in float32, rounds to exactly 1."""
    f = np.float32
    one = f(1.0)

    def rounds(zv: np.float32) -> bool:
        return one / (one + np.exp(-zv)) == one

    lo, hi = f(0.0), f(40.0)
    while np.nextafter(lo, hi) < hi:
        mid = f((float(lo) + float(hi)) / 2)
        if mid in (lo, hi):
            break
        if rounds(mid):
            hi = mid
        else:
            lo = mid
    z32 = float(hi)
    lo64, hi64 = 0.0, 60.0
    for _ in range(200):
        mid64 = (lo64 + hi64) / 2
        if 1.0 / (1.0 + math.exp(-mid64)) == 1.0:
            hi64 = mid64
        else:
            lo64 = mid64
    steps = (
        f"float32: σ(z) = 1/(1 + e^(-z)) rounds to exactly 1 from z ≈ {fmt(z32, 4)}",
        f"float64: from z ≈ {fmt(hi64, 4)}",
        "Beyond that, with y = 0, ln(1 - ŷ) = ln 0 = -∞: the loss is infinite and its gradient NaN.",
    )
    return Computation(
        "float32_saturation",
        "Where the sigmoid rounds to 1",
        {},
        {"float32": z32, "float64": hi64, "value": z32},
        steps,
    )


#: This module's computations by name (joined with the others in :mod:`tutor.maths.computations`).
FUNCTIONS: dict[str, Callable[..., Computation]] = {
    "binary_entropy": binary_entropy,
    "baseline": baseline,
    "normalized_ce": normalized_ce,
    "weighted_bce": weighted_bce,
    "pos_weight": pos_weight,
    "weighted_optimum": weighted_optimum,
    "logit": logit,
    "odds": odds,
    "grad_hess": grad_hess,
    "curvature": curvature,
    "bce_any": bce_any,
    "bce_eps": bce_eps,
    "frameworks": frameworks,
    "double_sigmoid": double_sigmoid,
    "float32_saturation": float32_saturation,
}
#: The concepts each computation teaches (the ``concepts`` of its reply).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "binary_entropy": ("soft-labels",),
    "baseline": ("baseline-loss",),
    "normalized_ce": ("baseline-loss",),
    "weighted_bce": ("weighted-bce",),
    "pos_weight": ("weighted-bce",),
    "weighted_optimum": ("weighted-bce",),
    "logit": ("logits-log-odds",),
    "odds": ("logits-log-odds",),
    "grad_hess": ("convexity",),
    "curvature": ("convexity",),
    "bce_any": ("loss-near-one", "prediction-range"),  # the negative-loss node's concepts (a target outside [0, 1])
    "bce_eps": ("numerical-stability",),
    "frameworks": ("framework-losses",),
    "double_sigmoid": ("framework-losses",),
    "float32_saturation": ("numerical-stability",),
}
