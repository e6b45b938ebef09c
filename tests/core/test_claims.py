"""Every corrected or added claim in the content, computed independently of the tutor's numeric core.

Each test writes the mathematics out (math, NumPy in the dtype the claim names)
and, where the claim is shown to learners, checks that the rendered node says it.
Framework behaviour is checked against the sources named in each docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tutor.maths import computations


def rendered(kb, node_id: str) -> str:
    node = kb.nodes[node_id]
    return node.markdown() + "\n".join(node.markdown(s) for s in node.sections)


def sig(x: float, n: int = 6) -> str:
    return f"{x:.{n}g}"


# ------------------------------------------------------------------ minus-sign: the sign, not a direction


def test_without_the_minus_the_log_likelihood_rises_toward_zero_as_the_model_improves(kb):
    # minus-sign.md: without the minus the value *rises* toward 0; minimising it would push ŷ to the wrong label.
    values = [math.log(p) for p in (0.1, 0.6, 0.99)]  # y = 1
    assert values == sorted(values) and all(v < 0 for v in values)
    text = rendered(kb, "minus-sign")
    assert "*rises* toward 0" in text
    assert "more* negative as the" not in text
    for v in values:
        assert sig(v) in text


# ------------------------------------------------------------------ numerical-stability: where floats really fail


def test_float32_sigmoid_rounds_to_one_from_about_z_17_and_float64_from_about_37():
    f = np.float32

    def rounds32(z):
        return f(1) / (f(1) + np.exp(-f(z))) == f(1)

    zs = np.arange(0, 40, 0.01)
    first32 = next(z for z in zs if rounds32(z))
    assert 16.5 < first32 < 17.0
    first64 = next(z for z in zs if 1.0 / (1.0 + math.exp(-z)) == 1.0)
    assert 36.5 < first64 < 37.0
    comp = computations.FUNCTIONS["float32_saturation"]()
    assert abs(comp.value - first32) < 0.02 and abs(comp.results["float64"] - first64) < 0.02
    # and beyond it, y = 0 gives an infinite loss in float32
    with np.errstate(divide="ignore"):
        assert -np.log(f(1) - f(1) / (f(1) + np.exp(-f(20)))) == np.inf


def test_sigma_minus_40_is_nowhere_near_the_float_limits_and_its_log_is_exactly_40(kb):
    # numerical-stability.md: σ(-40) = 4.25e-18 is far above float32's smallest normal, -ln σ(-40) is 40.
    s32 = np.float32(1) / (np.float32(1) + np.exp(np.float32(40)))
    assert s32 > np.finfo(np.float32).tiny * 1e18  # 4.25e-18 ≫ 1.18e-38
    assert abs(-math.log(float(s32)) - 40) < 1e-5
    assert 1e-38 < np.finfo(np.float32).tiny < 2e-38
    text = rendered(kb, "numerical-stability")
    assert "at the edge of what floating point" not in text
    assert "16.6" in text and "36.7" in text


def test_epsilon_inside_the_log_gives_a_finite_loss_of_ln_10_to_the_7(kb):
    assert abs(-math.log(0 + 1e-7) - 7 * math.log(10)) < 1e-12
    assert sig(-math.log(1e-7)) in rendered(kb, "numerical-stability")


def test_pytorch_bce_clamp_still_passes_a_gradient():
    """PyTorch aten/src/ATen/native/Loss.cpp (1.x–2.x): forward ``max(log(x), -100)``; backward
    ``grad * (x - y) / max((1 - x) * x, 1e-12)``, which ignores the clamp."""
    x, y = 1.0, 0.0
    forward = -(1 - y) * max(math.log(1 - x) if x < 1 else -math.inf, -100.0)
    backward = (x - y) / max((1 - x) * x, 1e-12)
    assert forward == 100.0
    assert backward == pytest.approx(1e12)
    comp = computations.FUNCTIONS["frameworks"](0, 1)
    assert comp.results["torch"] == 100.0


def test_keras_clip_and_sklearn_machine_epsilon():
    """Keras 3 keras/src/backend/tensorflow/nn.py: probabilities clipped to [1e-7, 1 - 1e-7] unless the tensor
    carries ``_keras_logits`` (then ``sigmoid_cross_entropy_with_logits``, no clip); scikit-learn ≥ 1.2
    ``log_loss`` clips to ``np.finfo(dtype).eps``."""
    comp = computations.FUNCTIONS["frameworks"](1, 0)
    assert comp.results["keras"] == pytest.approx(-math.log(1e-7))
    assert comp.results["sklearn"] == pytest.approx(-math.log(2.0**-52))
    assert comp.results["exact"] == math.inf


# ------------------------------------------------------------------ negative-loss: targets outside [0, 1]


def test_a_target_of_minus_one_makes_the_y_weight_negative(kb):
    # L = -[(-1) ln ŷ + 2 ln(1 - ŷ)] = ln ŷ - 2 ln(1 - ŷ)
    expected = math.log(0.1) - 2 * math.log(0.9)
    assert expected == pytest.approx(-2.0919, abs=1e-4)
    comp = computations.FUNCTIONS["bce_any"](-1, 0.1)
    assert comp.results["w_y"] == -1 and comp.results["w_1_minus_y"] == 2
    assert comp.value == pytest.approx(expected)
    text = rendered(kb, "negative-loss")
    assert sig(expected) in text
    assert "make the\n   `(1 - y)` weight negative" not in text


def test_a_target_of_255_makes_the_one_minus_y_weight_negative():
    v = -(255 * math.log(0.9) + (1 - 255) * math.log(0.1))
    assert v < 0
    assert computations.FUNCTIONS["bce_any"](255, 0.9).value == pytest.approx(v)


# ------------------------------------------------------------------ the baseline is the entropy of the base rate


def test_the_no_skill_baseline_is_the_entropy_of_the_base_rate(kb):
    h10 = -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))
    assert h10 == pytest.approx(0.325, abs=5e-4)
    assert computations.FUNCTIONS["baseline"](0.5).value == pytest.approx(math.log(2))
    assert computations.FUNCTIONS["baseline"](0.1).value == pytest.approx(h10)
    # always predicting π is the best constant prediction: any other constant costs more
    cost = lambda c: -(0.1 * math.log(c) + 0.9 * math.log(1 - c))  # noqa: E731
    assert all(cost(c) > h10 for c in (0.05, 0.09, 0.11, 0.2, 0.5))
    for node in ("zero-loss-ideal", "loss-above-one", "baseline-loss"):
        text = rendered(kb, node)
        assert sig(h10, 3) in text, node
        assert "learned nothing beyond a coin flip" not in text


# ------------------------------------------------------------------ loss-above-one: the mean above 1


def test_one_confident_mistake_pushes_the_mean_above_one_with_high_accuracy(kb):
    mean = (3 * -math.log(0.9) - math.log(0.001)) / 4
    assert mean > 1
    # a mean above 1 ⇔ the geometric mean of the probabilities on the true class is below 1/e
    geo = (0.9**3 * 0.001) ** 0.25
    assert geo < math.exp(-1) and math.isclose(-math.log(geo), mean)
    text = rendered(kb, "loss-above-one")
    assert sig(mean) in text
    assert "often puts low probability" not in text


# ------------------------------------------------------------------ convexity claims


def test_bce_is_convex_in_z_and_squared_error_through_a_sigmoid_is_not():
    def s(z):
        return 1 / (1 + math.exp(-z))

    def bce(z):  # y = 1
        return -math.log(s(z))

    def sq(z):  # ½(σ(z) - 1)²
        return 0.5 * (s(z) - 1) ** 2

    h = 1e-3
    second = lambda f, z: (f(z + h) - 2 * f(z) + f(z - h)) / h**2  # noqa: E731
    assert all(second(bce, z) > 0 for z in np.linspace(-8, 8, 33))
    assert second(sq, -5) < 0
    comp = computations.FUNCTIONS["curvature"](1, -5)
    assert comp.results["mse"] == pytest.approx(second(sq, -5), rel=1e-3)
    assert comp.results["bce"] == pytest.approx(second(bce, -5), rel=1e-3)


def test_the_logistic_regression_hessian_is_positive_semidefinite():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    w = rng.normal(size=3)
    p = 1 / (1 + np.exp(-X @ w))
    H = X.T @ np.diag(p * (1 - p)) @ X / len(X)
    assert np.all(np.linalg.eigvalsh(H) >= -1e-12)


def test_on_separable_data_the_cost_keeps_falling_as_the_weight_grows():
    # x = [-1, 1], y = [0, 1]: J(w) = ln(1 + e^(-w)), strictly decreasing, > 0, → 0
    J = [math.log1p(math.exp(-w)) for w in (1, 5, 10, 20)]
    assert J == sorted(J, reverse=True) and all(j > 0 for j in J)
    assert computations.FUNCTIONS["bce_logit"](1, 10).value == pytest.approx(J[2])


# ------------------------------------------------------------------ why-log: underflow needs its dtype


def test_underflow_depends_on_the_dtype(kb):
    assert np.prod(np.full(1000, 0.5, dtype=np.float32)) == 0
    assert np.prod(np.full(1000, 0.5, dtype=np.float64)) > 0
    assert np.prod(np.full(1000, 0.1, dtype=np.float64)) == 0
    assert "float32" in rendered(kb, "why-log")


# ------------------------------------------------------------------ why-not-mse: the plot is the definition


def test_squared_error_plot_and_definition_agree(kb):
    from tutor.maths.plots import make

    plot = make("mse-vs-bce")
    sq = next(s for s in plot.series if "squared" in s.label)
    for x, v in zip(sq.x[::40], sq.y[::40]):
        assert v == pytest.approx((x - 1) ** 2, abs=1e-5)
    text = rendered(kb, "why-not-mse")
    assert "`(ŷ - y)²`" in text and "even for logistic regression with a single weight" in text


# ------------------------------------------------------------------ soft labels, weights, logits, proper scoring


def test_soft_label_minimum_is_the_entropy_of_the_target():
    y = 0.9
    h = -(y * math.log(y) + (1 - y) * math.log(1 - y))
    assert h == pytest.approx(0.325, abs=5e-4)
    grid = np.linspace(0.01, 0.99, 99)
    losses = -(y * np.log(grid) + (1 - y) * np.log(1 - grid))
    assert grid[int(np.argmin(losses))] == pytest.approx(0.9)
    assert computations.FUNCTIONS["bce"](0.9, 0.9).value == pytest.approx(h)


def test_bce_is_a_proper_scoring_rule():
    # true probability q: the expected loss -[q ln ŷ + (1 - q) ln(1 - ŷ)] is least at ŷ = q
    for q in (0.2, 0.7):
        grid = np.linspace(0.01, 0.99, 99)
        expected = -(q * np.log(grid) + (1 - q) * np.log(1 - grid))
        assert grid[int(np.argmin(expected))] == pytest.approx(q)


def test_pos_weight_multiplies_the_positive_term_and_its_gradient():
    y, p, w = 1, 0.2, 3.0
    comp = computations.FUNCTIONS["weighted_bce"](y, p, w)
    assert comp.value == pytest.approx(-3 * math.log(0.2))
    assert comp.results["grad"] == pytest.approx(3 * (0.2 - 1))
    neg = computations.FUNCTIONS["weighted_bce"](0, 0.2, 3.0)
    assert neg.value == pytest.approx(-math.log(0.8)) and neg.results["grad"] == pytest.approx(0.2)
    assert computations.FUNCTIONS["pos_weight"](100, 900).value == 9


def test_the_logit_is_the_log_odds_and_inverts_the_sigmoid():
    z = math.log(0.9 / 0.1)
    assert computations.FUNCTIONS["logit"](0.9).value == pytest.approx(z)
    assert 1 / (1 + math.exp(-z)) == pytest.approx(0.9)
    assert computations.FUNCTIONS["logit"](0.5).value == 0


def test_xgboost_gradient_and_hessian():
    z, y = 0.5, 1
    p = 1 / (1 + math.exp(-z))
    comp = computations.FUNCTIONS["grad_hess"](y, z)
    assert comp.results["grad"] == pytest.approx(p - y)
    assert comp.results["hess"] == pytest.approx(p * (1 - p))


def test_a_sigmoid_applied_twice_floors_the_loss():
    z = 3.0
    s = 1 / (1 + math.exp(-z))
    wrong = -math.log(1 / (1 + math.exp(-s)))
    assert computations.FUNCTIONS["double_sigmoid"](1, z).value == pytest.approx(wrong)
    assert wrong > -math.log(1 / (1 + math.exp(-1)))  # σ(s) < σ(1) since s < 1


# ------------------------------------------------------------------ second review (issue 13 follow-up)


def test_a_thousand_logs_of_a_tenth_sum_to_a_four_digit_number(kb):
    # why-log.md used to print "a thousand times ln 0.1 = -2.30259" (the value of ln 0.1 alone).
    total = 1000 * math.log(0.1)
    assert 1000 <= abs(total) < 10000
    assert np.isfinite(np.sum(np.log(np.full(1000, 0.1, dtype=np.float32))))
    text = rendered(kb, "why-log")
    assert "a thousand times ln 0.1 =" not in text
    assert "four-digit number" in text and sig(math.log(0.1)) in text


def test_a_saturated_sigmoid_gives_y0_an_infinite_loss_and_y1_a_nan():
    # numerical-stability.md: y = 0 gets ln 0 = -∞ (an infinite loss, not NaN); the NaN is the
    # switched-off term (1 - y)·ln(1 - ŷ) = 0·(-∞) of a y = 1 example.
    f = np.float32
    p = f(1) / (f(1) + np.exp(-f(20)))
    assert p == f(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = lambda y: -(f(y) * np.log(p) + (f(1) - f(y)) * np.log(f(1) - p))  # noqa: E731
        assert loss(0) == np.inf
        assert np.isnan(loss(1))
        # the gradient through the sigmoid: ∂L/∂ŷ · σ'(z), with σ' = ŷ(1 - ŷ) = 0 here
        assert np.isnan((f(1) / (f(1) - p)) * (p * (f(1) - p)))


def test_numerical_stability_names_the_right_label_for_the_nan(kb):
    text = rendered(kb, "numerical-stability")
    assert "for an example with y = 0,\n`ln(1 - ŷ) = ln 0 = -∞`, and the `0 · ln 0`" not in text
    assert "gets NaN from its switched-off term" in text


def test_a_confident_mistake_rounded_to_zero_gives_an_infinite_loss_and_a_nan_gradient(kb):
    # confident-wrong-penalty.md: float32, y = 1, z = -100: e^100 overflows, σ(z) = 0 exactly.
    f = np.float32
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = f(1) / (f(1) + np.exp(f(100)))
        assert p == 0
        assert -np.log(p) == np.inf
        dldp = -f(1) / p
        assert np.isnan(dldp * (p * (f(1) - p)))  # -∞ · 0
    assert "the gradient ∞ or NaN" in rendered(kb, "confident-wrong-penalty")


def test_averaging_keeps_the_cost_and_gradient_from_growing_with_the_batch(kb):
    # loss-vs-cost.md and framework-losses.md: the mean does not grow with m, the sum does.
    x = np.array([1.0, -2.0, 0.5])
    y = np.array([1.0, 0.0, 1.0])
    w = 0.3
    p = 1 / (1 + np.exp(-w * x))
    for k in (1, 10, 100):
        xs, ys, ps = np.tile(x, k), np.tile(y, k), np.tile(p, k)
        losses = -(ys * np.log(ps) + (1 - ys) * np.log(1 - ps))
        grad_mean = np.mean((ps - ys) * xs)
        assert losses.mean() == pytest.approx(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
        assert grad_mean == pytest.approx(np.mean((p - y) * x))
        base = -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum()
        assert losses.sum() == pytest.approx(k * base)  # the sum grows with the batch
    assert "independent of how many examples" not in rendered(kb, "loss-vs-cost")


def test_framework_reductions_are_named_per_framework(kb):
    """Keras 3.16 ``keras/src/losses/loss.py``: ``Loss(reduction="sum_over_batch_size")`` by default,
    which sums and divides by the sample size; PyTorch losses default to ``reduction='mean'``
    (torch.nn docs, 1.x–2.x); scikit-learn ``log_loss(normalize=True)``. scikit-learn's clip is
    ``np.finfo(y_pred.dtype).eps``: the default ``eps="auto"`` from 1.2, the only behaviour from 1.5
    (PR #28851 removed ``eps``; the stable docs: "y_pred values are clipped to [eps, 1-eps] where eps
    is the machine precision for y_pred's dtype")."""
    text = rendered(kb, "framework-losses")
    assert "(the default everywhere)" not in text
    assert "sum_over_batch_size" in text and "normalize=True" in text
    assert "from 1.5 the only choice" in text and "1.2–1.4" not in text
    # machine epsilon depends on the dtype: the float32 clip costs far less than the float64 one
    assert -math.log(np.finfo(np.float32).eps) < -math.log(np.finfo(np.float64).eps)
    assert "machine epsilon of ŷ's dtype" in text


def test_crossentropyloss_takes_class_indices_and_keras_has_the_sparse_variant(kb):
    """PyTorch ``CrossEntropyLoss`` docs (1.10 onwards): the target holds class indices or class
    probabilities; Keras 3 ``sparse_categorical_crossentropy`` takes integer labels."""
    text = rendered(kb, "categorical-cross-entropy")
    assert "since 1.10" in text and "sparse_categorical_crossentropy" in text
    # two classes: softmax(z1, z2)[0] = σ(z1 - z2)
    z1, z2 = 0.7, -1.2
    assert math.exp(z1) / (math.exp(z1) + math.exp(z2)) == pytest.approx(1 / (1 + math.exp(-(z1 - z2))))


def test_ln2_is_worse_than_no_skill_on_any_imbalanced_data(kb):
    # zero-loss-ideal.md: "with imbalanced data, ln 2 is worse than no skill"; the number is computed.
    for pi in (0.01, 0.1, 0.3, 0.45, 0.55, 0.9):
        h = -(pi * math.log(pi) + (1 - pi) * math.log(1 - pi))
        assert h < math.log(2)
    text = rendered(kb, "zero-loss-ideal")
    assert f"{math.log(2):.2g} is worse than no skill" in text
    assert "0.69 is worse" not in (kb.nodes["zero-loss-ideal"].path and open(kb.nodes["zero-loss-ideal"].path).read())


def test_soft_label_floor_is_computed(kb):
    h = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    text = rendered(kb, "soft-labels")
    assert f"loss is {h:.2g}, not 0" in text
    assert "never predicts 1" not in text


def test_separable_toy_data_without_bias_has_a_negative_slope_everywhere(kb):
    # convexity.md: x = -1 → y = 0, x = 1 → y = 1, b = 0. Both examples cost ln(1 + e^(-w)); the slope of
    # the cost is σ(w) - 1 < 0, while ŷ - y is negative for one example and positive for the other.
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    for w in (0.5, 1, 5, 10):
        neg = -math.log(1 - s(-w))
        pos = -math.log(s(w))
        assert neg == pytest.approx(pos) == pytest.approx(math.log1p(math.exp(-w)))
        J = lambda v: (-math.log(1 - s(-v)) - math.log(s(v))) / 2  # noqa: E731
        h = 1e-6
        slope = (J(w + h) - J(w - h)) / (2 * h)
        assert slope == pytest.approx(s(w) - 1, rel=1e-4) and slope < 0
        assert s(-w) - 0 > 0 > s(w) - 1  # ŷ - y has opposite signs on the two examples
    text = rendered(kb, "convexity")
    assert "∂J/∂w = σ(w) - 1 stays negative" in text and "no bias" in text
    assert "the gradient ŷ - y stays negative" not in text


def test_the_gap_to_the_baseline_is_at_most_the_mutual_information(kb):
    # baseline-loss.md: H(π) - E[loss] ≤ I(X; Y), with equality only for the true probabilities.
    px = np.array([0.2, 0.5, 0.3])
    q1 = np.array([0.9, 0.3, 0.05])  # true P(y = 1 | x)
    pi = float(px @ q1)
    h = lambda p: -(p * np.log(p) + (1 - p) * np.log(1 - p))  # noqa: E731
    mi = h(pi) - float(px @ h(q1))
    expected_loss = lambda q: float(px @ -(q1 * np.log(q) + (1 - q1) * np.log(1 - q)))  # noqa: E731
    assert h(pi) - expected_loss(q1) == pytest.approx(mi)
    rng = np.random.default_rng(1)
    for _ in range(200):
        q = rng.uniform(0.01, 0.99, size=3)
        assert h(pi) - expected_loss(q) < mi
    # the best constant (a bias alone) reaches exactly H(π): σ(b) = π
    grid = np.linspace(-5, 5, 20001)
    costs = [expected_loss(np.full(3, 1 / (1 + math.exp(-b)))) for b in grid[::50]]
    assert min(costs) == pytest.approx(h(pi), abs=1e-4)
    text = rendered(kb, "baseline-loss")
    assert "is the information its inputs carry" not in text
    assert "in expectation it cannot exceed the mutual information" in text.replace("\n", " ")


def test_no_lesson_step_shows_its_answer_before_the_checkpoint(kb):
    # The node's title heads the step while the checkpoint is open, and the intro comes before it:
    # neither may contain the answer (lesson 1 used to show "Why ŷ lies strictly between 0 and 1" over
    # "Which values can ŷ take?", lesson 3 "…: ŷ - y" over "Type ∂L/∂z").
    import re

    from tutor.content import template
    from tutor.content.checkpoints import ChoiceCheckpoint, ExpressionCheckpoint, NumericCheckpoint, TextCheckpoint

    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s.lower().replace("y_hat", "ŷ").replace("*", ""))

    for lesson in kb.lessons.values():
        for n, step in enumerate(lesson.steps, 1):
            cp = step.checkpoint
            if cp is None:
                continue
            shown = template.render(step.intro)  # the heading is neutral until the checkpoint is answered
            where = f"{lesson.id} step {n}"
            if isinstance(cp, ChoiceCheckpoint):
                assert squash(template.render(cp.choices[cp.answer - 1])) not in squash(shown), where
            elif isinstance(cp, ExpressionCheckpoint):
                assert squash(cp.answer) not in squash(shown), where
            elif isinstance(cp, NumericCheckpoint):
                right = cp.right_value()
                if not math.isfinite(right):  # ∞ or NaN: named in words, not digits
                    assert not re.search(r"\bnan\b|not a number|infinit|∞", shown.lower()), where
                    continue
                for tok in re.findall(r"-?\d+(?:\.\d+)?", shown):
                    assert abs(float(tok) - right) > cp.tolerance, (where, tok)
            elif isinstance(cp, TextCheckpoint):
                for phrase in cp.answer:
                    assert not re.search(rf"\b{re.escape(phrase.lower())}\b", shown.lower()), (where, phrase)


def test_pos_weight_moves_examples_across_a_fixed_threshold(kb):
    # weighted-bce.md: with w₊ > 1 the optimum ŷ* = w₊q / (w₊q + (1 - q)) exceeds q, so at a fixed
    # threshold of 0.5 every q in (1/(1 + w₊), 0.5) is now called positive: more recall, less precision.
    w = 3.0
    opt = lambda q: w * q / (w * q + (1 - q))  # noqa: E731
    for q in np.linspace(0.26, 0.49, 12):
        assert q < 0.5 < opt(q)
    assert opt(1 / (1 + w)) == pytest.approx(0.5)
    grid = np.linspace(0.001, 0.999, 9999)
    q = 0.3
    expected = -(w * q * np.log(grid) + (1 - q) * np.log(1 - grid))
    assert grid[int(np.argmin(expected))] == pytest.approx(opt(q), abs=1e-3)
    assert "at a fixed threshold" in rendered(kb, "weighted-bce")


def test_the_logit_is_named_after_the_logistic_unit(kb):
    """Berkson (1944) coined "logit" by analogy with Bliss's "probit" (probability unit), 1934."""
    assert "Berkson, 1944" in rendered(kb, "logits-log-odds")
