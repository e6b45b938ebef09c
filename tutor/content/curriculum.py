"""Names the core knows without reading content: follow-ups, links and derivations.

Plots and computations are registered beside their code (:data:`tutor.maths.plots.NAMED`,
the ``FUNCTIONS`` and ``CONCEPTS`` of :mod:`tutor.maths.numeric` and :mod:`tutor.maths.losses`).
The derivations' names stay here, apart from their SymPy code in :mod:`tutor.maths.derive`,
because content is validated against them on every start and importing SymPy costs ~0.3 s;
``derive`` checks at import that it builds exactly these.

Concept ids themselves are declared by content (``content/concepts.toml``),
so that an author can add a topic without touching code.
"""

from __future__ import annotations

#: The follow-up relations a node may link or hold a section for.
FOLLOW_UPS = ("why", "example", "simpler", "deeper", "next")
#: Other links between nodes.
RELATIONS = (*FOLLOW_UPS, "see_also", "prerequisites")

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

#: The concepts each derivation teaches (the ``concepts`` of its reply).
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
assert set(DERIVATION_CONCEPTS) == set(DERIVATIONS)
