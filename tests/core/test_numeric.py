"""Numeric results against independent float64 closed forms (math, not NumPy)."""

from __future__ import annotations

import json
import math

import pytest

from tutor.errors import InputError
from tutor.maths import numeric


def ref_bce(y: float, p: float) -> float:
    # Written separately from the code under test, with the math module.
    if p in (0.0, 1.0):
        wrong = (y == 1 and p == 0.0) or (y == 0 and p == 1.0)
        return math.inf if wrong else 0.0
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


@pytest.mark.parametrize(
    "y,p,torch_value",
    [
        (1, 0.99, 0.01005033585),
        (1, 0.01, 4.605170186),
        (1, 1e-12, 27.63102112),
    ],
)
def test_bce_matches_pytorch_reference(y, p, torch_value):
    got = numeric.bce(y, p).value
    assert got == pytest.approx(torch_value, rel=1e-9)
    assert got == pytest.approx(ref_bce(y, p), rel=1e-12)


@pytest.mark.parametrize("y", [0, 1, 0.3])
@pytest.mark.parametrize("p", [1e-9, 0.01, 0.3, 0.5, 0.77, 0.999999])
def test_bce_grid(y, p):
    assert numeric.bce(y, p).value == pytest.approx(ref_bce(y, p), rel=1e-12, abs=1e-15)


def test_bce_is_never_negative_on_its_domain():
    for i in range(1, 100):
        p = i / 100
        assert numeric.bce(1, p).value >= 0
        assert numeric.bce(0, p).value >= 0


def test_infinite_loss_is_inf_in_json_not_nan():
    comp = numeric.bce(1, 0.0)
    data = comp.to_json()
    assert data["loss"] == "inf"
    assert "clip" in comp.note.lower() or "clamp" in comp.note.lower()
    json.dumps(data, allow_nan=False)  # valid strict JSON
    assert numeric.bce(0, 0.0).value == 0.0


def test_cost_is_mean_of_losses():
    ys, ps = [1, 0, 1], [0.9, 0.2, 0.6]
    expected = sum(ref_bce(y, p) for y, p in zip(ys, ps)) / 3
    assert numeric.cost(ys, ps).results["cost"] == pytest.approx(expected, rel=1e-12)


def test_sigmoid_and_logit_loss_against_closed_forms():
    for z in (-30.0, -5.0, -0.5, 0.0, 2.0, 30.0):
        s = 1 / (1 + math.exp(-z))
        assert numeric.sigmoid(z).value == pytest.approx(s, rel=1e-12)
        for y in (0, 1):
            naive = -(y * math.log(s) + (1 - y) * math.log(1 - s)) if 0 < s < 1 else None
            got = numeric.bce_logit(y, z).value
            if naive is not None and abs(z) < 20:
                assert got == pytest.approx(naive, rel=1e-9)
    # stable where the naive form fails: -ln σ(-800) = 800 (to double precision)
    assert numeric.bce_logit(1, -800).value == pytest.approx(800.0, rel=1e-12)


def test_derivatives_against_finite_differences():
    h = 1e-6
    for y in (0, 1):
        for p in (0.2, 0.5, 0.9):
            fd = (ref_bce(y, p + h) - ref_bce(y, p - h)) / (2 * h)
            assert numeric.dbce(y, p).value == pytest.approx(fd, rel=1e-6)
        for z in (-2.0, 0.3, 1.5):
            f = lambda t, y=y: -(y * math.log(1 / (1 + math.exp(-t))) + (1 - y) * math.log(1 - 1 / (1 + math.exp(-t))))
            fd = (f(z + h) - f(z - h)) / (2 * h)
            assert numeric.dlogit(y, z).value == pytest.approx(fd, rel=1e-6)


def test_gradient_step_lowers_the_loss():
    comp = numeric.gd_step(0.5, 0, 2, 1, 0.1)
    r = comp.results
    z = 0.5 * 2
    p = 1 / (1 + math.exp(-z))
    assert r["dL_dw"] == pytest.approx((p - 1) * 2, rel=1e-12)
    assert r["w_new"] == pytest.approx(0.5 - 0.1 * (p - 1) * 2, rel=1e-12)
    assert r["loss_new"] < r["loss"]


def test_log_values():
    assert numeric.ln(0.99).value == pytest.approx(math.log(0.99), rel=1e-12)
    assert numeric.neglog(0.99).value == pytest.approx(-math.log(0.99), rel=1e-12)
    assert numeric.log2(0.5).value == pytest.approx(-1.0)
    assert numeric.ln(0.5).value < 0


def test_kl_identity():
    p, q = [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]
    kl = sum(a * math.log(a / b) for a, b in zip(p, q))
    h = -sum(a * math.log(a) for a in p)
    ce = -sum(a * math.log(b) for a, b in zip(p, q))
    assert numeric.kl(p, q).value == pytest.approx(kl, rel=1e-12)
    assert ce == pytest.approx(h + kl, rel=1e-12)
    assert numeric.cross_entropy(p, q).value == pytest.approx(ce, rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: numeric.bce(1, 1.7),
        lambda: numeric.bce(1, -0.3),
        lambda: numeric.bce(2, 0.5),
        lambda: numeric.ln(0),
        lambda: numeric.ln(-1),
        lambda: numeric.sigmoid(1e300),
        lambda: numeric.cost([1, 0], [0.5]),
        lambda: numeric.gd_step(0.5, 0, 2, 1, -1),
        lambda: numeric.bce(1, float("nan")),
        lambda: numeric.bce("1", 0.5),
    ],
)
def test_out_of_range_is_refused_with_a_message(call):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.message


def test_range_messages_name_the_quantity_as_a_learner_writes_it():
    """Found walking the app: "y_hat = 1.2 is outside the valid range" showed the code's name for ŷ."""
    from tutor.errors import InputError

    with pytest.raises(InputError) as err:
        numeric.bce(1, 1.2)
    assert err.value.message.startswith("ŷ = 1.2 ") and "y_hat" not in err.value.message


def test_derivative_tables_refuse_the_ends_where_dl_dyhat_is_undefined():
    from tutor.errors import InputError
    from tutor.maths.numeric import dbce_table, dlogit_table

    with pytest.raises(InputError, match="undefined"):
        dbce_table(1, [0.5, 1.0])
    assert dlogit_table(1, [0.0, 1.0]).results["grads"] == [-1.0, 0.0]  # ∂L/∂z = ŷ - y is defined at the ends


# ------------------------------------------------------------------ a sum of numbers typed whole


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("-(0.1 ln 0.1 + 0.9 ln 0.9)", -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))),  # H(0.1), bare ln as typed
        ("what is -(0.1*ln(0.1) + 0.9*ln(0.9))?", -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))),
        ("ln(0.9) - ln(0.1)", math.log(0.9) - math.log(0.1)),
        ("0.25 * (3*(-ln 0.9) + (-ln 0.001))", 0.25 * (3 * -math.log(0.9) - math.log(0.001))),
        ("σ(2) - 1", 1 / (1 + math.exp(-2)) - 1),
        ("2^10", 1024.0),
    ],
)
def test_a_sum_of_numbers_is_worked_out_whole_not_one_term_of_it(tutor, text, want):
    """It had answered ln(0.9) alone for the no-skill baseline typed out."""
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute" and reply.computation.name == "arithmetic", reply.markdown
    assert reply.computation.value == pytest.approx(want, rel=1e-12)
    assert reply.computation.steps[-1].endswith(numeric.fmt(want))


def test_each_function_is_worked_out_before_the_whole():
    comp = numeric.arithmetic("ln(0.9) - ln(0.1)")
    assert comp.steps[0].startswith("ln(0.9) = ") and comp.steps[1].startswith("ln(0.1) = ")
    assert "-0.105361 - (-2.30259)" in comp.steps[2]  # the values put in, a negative after - in parentheses


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 * ln 0", "NaN"),  # 0 × (-∞): no value in floating point
        ("ln(-1) + 2", "no real value"),
        ("1/0 + 1", "divides by zero"),
    ],
)
def test_a_sum_with_no_value_says_why(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown


def test_one_function_of_a_number_keeps_its_own_worked_example_and_variables_are_no_sum():
    from tutor.dialogue import requests as rq

    assert rq.compute_request("-log(0.99)").function == "neglog"  # with the sign story
    assert rq.closed_expression("2x + 1") is None and rq.closed_expression("3") is None
    assert rq.closed_expression("ln(0.9) - ln(0.1)") == "ln(0.9) - ln(0.1)"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("-ln(1e-7) + 1", -math.log(1e-7) + 1),  # it had answered -ln(1e-7) alone, dropping the + 1
        ("1e-3 * 2", 1e-3 * 2),
        ("what is 2.5e-1 + 1?", 0.25 + 1),
    ],
)
def test_a_sum_with_a_number_in_scientific_notation_is_worked_out_whole(tutor, text, want):
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute" and reply.computation.name == "arithmetic", reply.markdown
    assert reply.computation.value == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ln(0.9) + log2(4)", "ln(x)/ln(2)"),  # had answered ln(0.9) = -0.105361 as if that were the whole
        ("ln 0.9 + log10(100)", "ln(x)/ln(10)"),  # had answered log₁₀(100) = 2
        ("ln(0.9) + sqrt(4)", "x^0.5"),
        ("ln(0.9) + ln(0.1) + x", "no variables"),
    ],
)
def test_a_function_of_a_number_inside_a_longer_sum_is_not_answered_alone(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown, reply.markdown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 * ln 0", "0 × (-∞)"),  # ln 0 = -inf in IEEE arithmetic; 0 × -inf is NaN
        ("ln 0 * 0", "0 × (-∞)"),
        ("ln 0 - ln 0", "∞ - ∞"),
        ("-ln 0 + ln 0", "∞ - ∞"),
        ("ln(0)/ln(0)", "∞ / ∞"),
    ],
)
def test_a_nan_names_the_operation_that_made_it(tutor, text, says):
    assert math.isnan(0.0 * -math.inf) and math.isnan(math.inf - math.inf) and math.isnan(math.inf / math.inf)
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown, reply.markdown
    assert "is one:" not in reply.markdown  # "0 · ln 0 is one" had read as "equals one"
    if "×" in says:
        assert "x ln x → 0" in reply.markdown


def test_infinities_that_add_up_keep_their_value(tutor):
    reply, _ = tutor.reply("ln 0 + ln 0")  # -∞ + -∞ = -∞ in IEEE arithmetic, not NaN
    assert -math.inf + -math.inf == -math.inf
    assert reply.kind == "compute" and reply.computation.value == -math.inf


@pytest.mark.parametrize(("text", "topic"), [("loss if y = 1 and ŷ = 0.3", "bce-formula"), ("ln(0.9) - ln(0.1)", None)])
def test_why_after_a_number_of_ones_own_offers_the_topic_behind_it(tutor, text, topic):
    from tutor.maths import computations

    shown, ctx = tutor.reply(text)
    behind = computations.concepts_of(shown.computation.name)
    assert behind and (topic is None or topic in behind)
    reply, ctx = tutor.reply("why?", ctx)
    assert reply.kind == "fallback" and [c.label for c in reply.choices] == [tutor.kb.nodes[n].title for n in behind]
    opened, _ = tutor.reply("1", ctx)
    assert opened.node == behind[0] or opened.title == tutor.kb.nodes[behind[0]].title


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ln 0.9^2 + 1", "ln(0.9^2)"),  # a textbook reads ln x² as ln(x²); it had been worked out as (ln 0.9)²
        ("exp 2^2 - 1", "(exp 2)^2"),
    ],
)
def test_a_bare_argument_raised_to_a_power_is_asked_not_guessed(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and "two ways" in reply.markdown and says in reply.markdown, reply.markdown


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("(ln 0.9)^2 + 1", math.log(0.9) ** 2 + 1),
        ("ln(0.9^2) + 1", math.log(0.81) + 1),
        ("2 ln 0.5", 2 * math.log(0.5)),
    ],
)
def test_a_power_written_out_either_way_is_worked_out(tutor, text, want):
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute" and reply.computation.value == pytest.approx(want, rel=1e-12), reply.markdown


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ln(0.9) + ln(0.1) = -2.4?", math.log(0.9) + math.log(0.1)),  # had answered ln(0.9) alone
        ("is 0.25*(3*(-ln 0.9) - ln 0.001) = 1.806?", 0.25 * (3 * -math.log(0.9) - math.log(0.001))),
    ],
)
def test_a_sum_with_a_value_of_ones_own_beside_it_is_worked_out_whole(tutor, text, want):
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute" and reply.computation.name == "arithmetic", reply.markdown
    assert reply.computation.value == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("text", ["ln(0.9) + 1 please", "please compute ln(0.9) + 1", "ln(0.9) + 1, please?"])
def test_a_sum_asked_politely_is_the_same_sum(tutor, text):
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute" and reply.computation.value == pytest.approx(math.log(0.9) + 1, rel=1e-12)


def test_a_sigmoid_stored_as_exactly_1_says_so_and_why():
    comp = numeric.arithmetic("σ(1000) - 1")
    assert comp.value == 0.0  # in float64; exactly it is -1/(1 + e^1000)
    assert "in float64" in comp.steps[0] and "1/(1 + e^1000)" in comp.steps[0]
    # σ(40): 1 - σ(40) = 1/(1 + e^40) ≈ 4.2e-18, below half of float64's spacing just under 1 (2^-53)
    assert 1 / (1 + math.exp(40)) < 2.0**-53
    assert "in float64" in numeric.arithmetic("σ(40) - 1").steps[0]


def test_a_value_near_a_whole_number_is_shown_with_the_digits_the_sum_needs():
    comp = numeric.arithmetic("σ(30) - 1")
    shown = float(comp.steps[0].split("= ")[1])  # σ(30) as shown, to 16 digits
    assert shown != 1.0 and shown - 1 == pytest.approx(comp.value, rel=1e-12)


def test_a_difference_that_cancels_says_how_many_of_its_digits_are_right():
    comp = numeric.arithmetic("σ(30) - 1")
    exact = -1 / (1 + math.exp(30))  # σ(30) - 1 = -σ(-30), with no cancellation
    assert comp.value == pytest.approx(exact, rel=1e-2, abs=0) and comp.value != pytest.approx(exact, rel=1e-4, abs=0)
    assert "only about 3 digits of it are right" in comp.steps[-1]  # 16 digits held, 13 cancelled
    assert "rounding error" not in " ".join(numeric.arithmetic("ln 0.9 + 1").steps)
