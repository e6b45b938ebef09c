"""Every derivation step is proven: symbolically and at random points; results match closed forms."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
import sympy as sp
from running import run_cli

from tutor.content.curriculum import DERIVATIONS
from tutor.maths import derive as D

TARGETS = sorted(DERIVATIONS)


@pytest.mark.parametrize("target", TARGETS)
def test_every_step_is_proven(target):
    d = D.derive(target)
    assert d.steps
    claimed = [s for s in d.steps if s.claim is not None]
    assert len(claimed) >= len(d.steps) - 3  # definitional steps (independence, negate, mean) carry no equality
    for i, step in enumerate(d.steps, 1):
        symbolic, numeric = D.verify_step(step)
        assert symbolic, f"{target} step {i} ({step.rule}) is not symbolically equal"
        assert numeric, f"{target} step {i} ({step.rule}) differs at a random point"


def test_a_wrong_step_is_caught():
    y, y_hat = D.y, D.y_hat
    wrong = D.Step(
        "dropped minus",
        (y - y_hat) / (y_hat * (1 - y_hat)),
        "",
        "",
        ((y - y_hat) / (y_hat * (1 - y_hat)), sp.diff(-(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat)), y_hat)),
    )
    assert D.verify_step(wrong) == (False, False)


@pytest.mark.parametrize("target", TARGETS)
def test_json_expressions_read_back_with_sympify(target):
    data = json.loads(json.dumps(D.derive(target).to_json()))
    assert data["target"] == target
    sp.sympify(data["result"], locals={"sigma": D.sigma})
    for step in data["steps"]:
        assert step["rule"] and step["why"] and step["latex"]
        sp.sympify(step["expression"], locals={"sigma": D.sigma})


def _bce(y, p):
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def test_bce_result_matches_closed_form_and_finite_differences():
    res = D.derive("bce").result
    f = sp.lambdify((D.y, D.y_hat), res, "math")
    h = 1e-6
    for y in (0.0, 1.0, 0.3):
        for p in (0.1, 0.5, 0.8):
            closed = (p - y) / (p * (1 - p))
            fd = (_bce(y, p + h) - _bce(y, p - h)) / (2 * h)
            assert f(y, p) == pytest.approx(closed, rel=1e-12)
            assert f(y, p) == pytest.approx(fd, rel=1e-6)


def test_logit_and_sigmoid_results():
    s = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    res = D._explicit(D.derive("logit").result)
    f = sp.lambdify((D.y, D.z), res, "math")
    g = sp.lambdify(D.z, D._explicit(D.derive("sigmoid").result), "math")
    h = 1e-6
    for y in (0.0, 1.0):
        for z in (-3.0, 0.0, 1.7):
            loss = lambda t, y=y: float(_bce(y, s(t)))  # noqa: E731
            assert f(y, z) == pytest.approx(s(z) - y, rel=1e-12, abs=1e-15)
            assert f(y, z) == pytest.approx((loss(z + h) - loss(z - h)) / (2 * h), rel=1e-5, abs=1e-9)
            assert g(z) == pytest.approx((s(z + h) - s(z - h)) / (2 * h), rel=1e-6)


def test_vectorized_gradient_against_finite_differences_of_the_cost():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    yv = np.array([1, 0, 1, 1, 0], dtype=float)
    wv = rng.normal(size=3)
    cost = lambda w: float(np.mean(_bce(yv, 1 / (1 + np.exp(-(X @ w))))))  # noqa: E731
    grad = X.T @ (1 / (1 + np.exp(-(X @ wv))) - yv) / len(yv)  # (1/m) Xᵀ(ŷ - y)
    h = 1e-6
    fd = np.array([(cost(wv + h * e) - cost(wv - h * e)) / (2 * h) for e in np.eye(3)])
    assert np.allclose(grad, fd, rtol=1e-5, atol=1e-9)


def test_cli_derive_list_json_and_latex():
    def run(*args: str) -> subprocess.CompletedProcess:
        res = run_cli("derive", *args)
        return subprocess.CompletedProcess(res.args, res.returncode, res.stdout.decode(), res.stderr.decode())

    listed = run("--list").stdout.split()
    assert all(t in listed for t in TARGETS)
    data = json.loads(run("bce", "--json").stdout)
    assert (
        sp.simplify(
            sp.sympify(data["result"])
            - (sp.Symbol("y_hat") - sp.Symbol("y")) / (sp.Symbol("y_hat") * (1 - sp.Symbol("y_hat")))
        )
        == 0
    )
    assert r"\begin{align*}" in run("sigmoid", "--latex").stdout
    bad = run("nonsense")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "text,target",
    [
        ("derive the derivative of the loss", "bce"),
        ("show the steps for the sigmoid's derivative", "sigmoid"),
        ("how do you get ŷ - y?", "logit"),
        ("derive BCE from the likelihood", "likelihood"),
        ("derive the gradient of squared error through a sigmoid", "mse"),
        ("show me step by step the softmax cross entropy gradient", "softmax"),
        ("derive dL/dw for logistic regression", "weights"),
    ],
)
def test_free_text_derive_requests(tutor, text, target):
    reply, _ = tutor.reply(text)
    assert reply.kind == "derive"
    assert reply.derivation.target == target
    assert reply.to_json()["derivation"]["steps"]


@pytest.mark.parametrize("target", TARGETS)
def test_displays_print_ln_while_expressions_keep_sympys_log(target):
    d = D.derive(target)
    text, latex = D.to_text(d), D.to_latex(d)
    assert "log(" not in text and r"\log" not in latex
    has_log = any(s.expression.has(sp.log) for s in d.steps)
    if has_log:
        assert "ln(" in text and r"\ln" in latex
        assert any("log(" in s.to_json()["expression"] for s in d.steps)


def test_step_texts_agree_with_their_displays():
    bce = D.derive("bce").steps[1]
    assert "stay outside" in bce.why
    # the constants multiply the derivatives instead of sitting inside them
    derivs = list(bce.expression.atoms(sp.Derivative))
    assert derivs and all(not d.expr.has(D.y) for d in derivs)
    sigmoid = D.pretty(D.derive("sigmoid").steps[2].expression)
    assert "- -" not in sigmoid and "-⎝-ℯ" in sigmoid.replace(" ", "")
    likelihood = D.pretty(D.derive("likelihood").steps[0].expression)
    assert "ŷ⁽ⁱ⁾" in likelihood and "(i)" not in likelihood
    vectorized = D.to_text(D.derive("vectorized"))
    assert "wⱼ" in vectorized and "xⱼ⁽ⁱ⁾" in vectorized


def test_no_p_for_the_prediction_in_derivations():
    for target in TARGETS:
        names = {s.name for step in D.derive(target).steps for s in step.expression.free_symbols}
        assert not {n for n in names if n.startswith("p")}, target


@pytest.mark.parametrize("target", TARGETS)
def test_every_derivation_reads_one_line_a_formula_with_no_sympy_names(target):
    # The screen reader's form: no 2-D art, no SymPy constructor names or Python powers, ŷ not y_hat.
    from tutor.maths.derive import derive, to_words

    words = to_words(derive(target))
    for raw in ("Product(", "Sum(", "Derivative(", "**", "y_hat", "⎛", "─"):
        assert raw not in words, (target, raw)
    assert words.count("\n") >= len(derive(target).steps)
