"""Names the core knows without reading content: plots, derivations, follow-ups.

Concept ids themselves are declared by content (``content/concepts.toml``),
so that an author can add a topic without touching code.
"""

from __future__ import annotations

#: The follow-up relations a node may link or hold a section for.
FOLLOW_UPS = ("why", "example", "simpler", "deeper", "next")
#: Other links between nodes.
RELATIONS = (*FOLLOW_UPS, "see_also", "prerequisites")

#: Plots the core can compute (see :mod:`tutor.maths.plots`), by name.
PLOTS = {
    "ln": "ln x on (0, 1]",
    "ln-and-neglog": "ln x and -ln x on (0, 3]: the zero at x = 1, and the mirror the minus sign makes",
    "neglog": "-ln ŷ, the loss when y = 1",
    "bce": "both branches of the loss: -ln ŷ (y = 1) and -ln(1 - ŷ) (y = 0)",
    "bce0": "-ln(1 - ŷ), the loss when y = 0",
    "sigmoid": "the sigmoid σ(z)",
    "dsigmoid": "the sigmoid's derivative σ'(z)",
    "mse-vs-bce": "squared error against cross-entropy for y = 1",
    "grad-compare": "the gradient with respect to z: squared error against cross-entropy, y = 1",
    "baseline": "the no-skill baseline H(π) against the fraction of positives π",
    "logit": "the logit ln(ŷ/(1 - ŷ)), the inverse of the sigmoid",
    "soft-label": "the loss for a soft label y = 0.9: its minimum is H(0.9) at ŷ = 0.9, not 0",
    "convexity": "the loss as a function of z for y = 1: cross-entropy against squared error",
}

#: Derivation targets (see :mod:`tutor.maths.derive`), by name: what each derives.
DERIVATIONS = {
    "bce": "∂L/∂ŷ of the binary cross-entropy, down to (ŷ - y)/(ŷ(1 - ŷ))",
    "sigmoid": "the sigmoid's derivative σ'(z) = σ(z)(1 - σ(z))",
    "logit": "∂L/∂z by the chain rule, down to ŷ - y",
    "weights": "logistic regression: ∂L/∂w_j = (ŷ - y)·x_j and ∂L/∂b = ŷ - y",
    "vectorized": "the cost's gradient for m examples: ∇_w J = (1/m) Xᵀ(ŷ - y)",
    "likelihood": "BCE from the Bernoulli likelihood: product → log → sum → negate → mean",
    "mse": "squared error through a sigmoid: ∂/∂z = (ŷ - y)·σ'(z)",
    "softmax": "softmax with categorical cross-entropy: ∂L/∂z_k = ŷ_k - y_k",
    "hessian": "the second derivative ∂²L/∂z² = ŷ(1 - ŷ) ≥ 0, and ∂²L/∂w² = x²ŷ(1 - ŷ): convex",
}

#: The concepts each plot, derivation and worked example teaches (the ``concepts`` of its reply).
PLOT_CONCEPTS = {
    "ln": ("log-on-unit-interval",),
    "ln-and-neglog": ("log-on-unit-interval", "minus-sign"),
    "neglog": ("minus-sign",),
    "bce": ("bce-formula",),
    "bce0": ("bce-formula",),
    "sigmoid": ("sigmoid",),
    "dsigmoid": ("sigmoid",),
    "mse-vs-bce": ("confident-wrong-penalty", "why-not-mse"),
    "grad-compare": ("why-not-mse",),
    "baseline": ("baseline-loss",),
    "logit": ("logits-log-odds",),
    "soft-label": ("soft-labels",),
    "convexity": ("convexity",),
}
DERIVATION_CONCEPTS = {
    "bce": ("bce-derivative",),
    "sigmoid": ("sigmoid",),
    "logit": ("logit-gradient",),
    "weights": ("logit-gradient",),
    "vectorized": ("logit-gradient",),
    "likelihood": ("negative-log-likelihood",),
    "mse": ("why-not-mse",),
    "softmax": ("categorical-cross-entropy",),
    "hessian": ("convexity",),
}
COMPUTATION_CONCEPTS = {
    "bce": ("bce-formula",),
    "cost": ("loss-vs-cost",),
    "gd_step": ("gradient-sign-direction",),
    "dbce": ("bce-derivative",),
    "dlogit": ("logit-gradient",),
    "sigmoid": ("sigmoid",),
    "dsigmoid": ("sigmoid",),
    "bce_logit": ("numerical-stability",),
    "grad_compare": ("why-not-mse",),
    "mse": ("why-not-mse",),
    "log2": ("log-base",),
    "log10": ("log-base",),
    "bce_table": ("bce-formula",),
    "baseline": ("baseline-loss",),
    "normalized_ce": ("baseline-loss",),
    "binary_entropy": ("soft-labels",),
    "weighted_bce": ("weighted-bce",),
    "pos_weight": ("weighted-bce",),
    "weighted_optimum": ("weighted-bce",),
    "logit": ("logits-log-odds",),
    "odds": ("logits-log-odds",),
    "grad_hess": ("convexity",),
    "curvature": ("convexity",),
    "bce_any": ("negative-loss",),
    "bce_eps": ("numerical-stability",),
    "frameworks": ("framework-losses",),
    "double_sigmoid": ("framework-losses",),
    "float32_saturation": ("numerical-stability",),
}
assert set(PLOT_CONCEPTS) == set(PLOTS) and set(DERIVATION_CONCEPTS) == set(DERIVATIONS)
