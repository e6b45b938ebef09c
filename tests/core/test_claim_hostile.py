"""A derivative the learner states, attacked: answers that agree with the derivative on part of its domain
only, answers and expressions whose proof or value would cost SymPy minutes, payloads that look like
Python, and Unicode tricks. Every one gets a correct verdict or a clear message; nothing is evaluated.

Expected values are computed here with the math module or written out by hand.
"""

from __future__ import annotations

import math
import re

import pytest
import sympy as sp

from tutor.errors import InputError
from tutor.maths import claims, derive
from tutor.maths import typed as typing_in

x = sp.Symbol("x", real=True)


# ------------------------------------------------------------------ never a wrong "Yes"


@pytest.mark.parametrize(
    ("typed", "claim"),
    [
        ("ln(x^2)", "2/sqrt(x^2)"),  # 2/|x|: the derivative 2/x only where x > 0
        ("ln(x^2)", "2*sqrt(1/x^2)"),
        ("ln(x^2)", "2/(x^2)^(1/2)"),
        ("ln(a*x)", "1/sqrt(x^2)"),  # a < 0 and x < 0: ln(a x) is defined there and its derivative is 1/x < 0
        ("ln(x*(x+50))", "(2*sqrt(x^2)+50)/(x*(x+50))"),  # right for x > 0; ln is defined for x < -50 as well
    ],
)
def test_an_answer_right_only_where_x_is_positive_is_not_right(typed, claim):
    checked = claims.check_claim(typed, claim)
    assert not checked.right
    assert not checked.verdict.startswith("Yes"), checked.verdict
    # the point it names is one where the two really differ: x < 0, where 2/|x| > 0 > 2/x
    where = checked.verdict.split(" at ")[1]
    value = float(where.split("x = ")[1].split(",")[0].split(" ")[0])
    assert value < 0


@pytest.mark.parametrize(
    ("typed", "claim"),
    [("ln(x^2)", "2/x"), ("1/x", "-1/sqrt(x^4)"), ("ln(-x)", "1/x"), ("x*sqrt(x^2)", "2*sqrt(x^2)")],
)
def test_an_answer_right_everywhere_is_still_right(typed, claim):
    # -1/sqrt(x^4) = -1/x^2 and d/dx x|x| = 2|x| for every real x ≠ 0
    checked = claims.check_claim(typed, claim)
    assert checked.right, checked.verdict


def test_an_answer_sympy_cannot_prove_but_that_agrees_everywhere_is_not_called_wrong():
    # ln(e^u) = u for real u: -1/(1 - x) is the derivative of ln(1 - x)
    checked = claims.check_claim("ln(1-x)", "ln(exp(-1/(1-x)))")
    assert not checked.verdict.startswith(("Yes", "Not quite")), checked.verdict
    assert "not the same function" not in checked.verdict


# ------------------------------------------------------------------ bounded cost


@pytest.mark.parametrize(
    ("typed", "claim", "at", "mine"),
    [
        # six exponentials deep: e^(e^(e^...)) at 1/2 has no float; the first simple point where both have one
        ("x^2", "exp(exp(exp(exp(exp(exp(x))))))", None, None),
        ("x^2", "(1+x+x^2+x^3+x^4+x^5+x^6+x^7+x^8+x^9+x^10)^10", 0.5, sum(0.5**k for k in range(11)) ** 10),
        ("x^2", "sigma(sigma(sigma(sigma(sigma(x)))))", 0.5, None),
        ("sigma(sigma(sigma(x)))", "sigma(x)", 0.5, 1 / (1 + math.exp(-0.5))),
    ],
)
def test_a_wrong_answer_too_costly_to_simplify_is_still_told_wrong(typed, claim, at, mine):
    checked = claims.check_claim(typed, claim)
    assert not checked.right and checked.verdict.startswith("Not quite"), checked.verdict
    if mine is not None:
        assert f"At x = {sp.nsimplify(at)}, yours gives" in checked.verdict
        shown = float(checked.verdict.split("yours gives ")[1].split(",")[0].replace("×10^", "e"))
        assert shown == pytest.approx(mine, rel=1e-4)


def test_the_derivative_of_a_power_of_a_long_sum_is_shown_without_expanding_it():
    typed = "(1+x+x^2+x^3+x^4+x^5+x^6+x^7+x^8+x^9+x^10)^10"
    d = typing_in.expression_derivation(typed)
    inner = sum(x**k for k in range(11))
    by_hand = 10 * inner**9 * sum(k * x ** (k - 1) for k in range(1, 11))
    for t in (sp.Rational(1, 3), sp.Rational(-1, 2)):
        assert sp.N((d.result - by_hand).subs(x, t), 30) == 0 or abs(sp.N((d.result - by_hand).subs(x, t), 30)) < 1e-15


def test_roots_and_logarithms_nested_past_the_limit_are_refused_with_a_reason():
    with pytest.raises(InputError) as err:
        typing_in.expression_derivation("ln(1-ln(1-ln(1-ln(1-x))))")
    assert f"more than {typing_in.MAX_DOMAIN_NESTING} deep" in err.value.message
    typing_in.expression_derivation("ln(1-ln(1-x))")  # two deep is read


def test_an_expression_real_at_one_point_only_has_no_derivative():
    # SymPy's continuous_domain says sqrt(-x^2) is continuous on all the reals; it is real at x = 0 alone
    with pytest.raises(InputError) as err:
        typing_in.expression_derivation("sqrt(-x^2)")
    assert "not defined on any interval" in err.value.message


def test_the_cost_bounds_of_simplify_measure_degree_and_nesting():
    assert derive._degree((1 + x) ** 10 * (x**2 + 1) ** 5) == 20
    assert derive._degree(sp.exp(x**3) + x) == 3
    assert derive._nesting(sp.exp(sp.exp(sp.log(x)) + 1)) == 1  # exp(log x) is x: exp(x + 1) is one deep
    assert derive._nesting(sp.exp(sp.exp(sp.exp(x)))) == 3
    assert not derive.simplifiable(sum(x**k for k in range(11)) ** 10, 400)
    assert derive.simplifiable((1 + x) ** 3 - 1, 60)


# ------------------------------------------------------------------ nothing is evaluated


@pytest.mark.parametrize(
    "claim",
    [
        "__import__('os').system('touch {marker}')",
        "(lambda: 2*x)()",
        "[2*x][0]",
        "x.real*2",
        'exec(\'open("{marker}", "w")\')',
        "2*x if x else 0",
        "2*x; import os",
    ],
)
def test_python_in_an_answer_is_refused_and_never_run(tutor, tmp_path, claim):
    marker = tmp_path / "ran"
    reply, _ = tutor.reply(f"the derivative of x^2 is {claim.format(marker=marker)}, right?")
    assert reply.kind == "error" and "I cannot read your answer" in reply.markdown
    assert "Something went wrong" not in reply.markdown
    assert not marker.exists()


# ------------------------------------------------------------------ Unicode


@pytest.mark.parametrize(
    "text",
    [
        "the derivative of ln(1-x) is \uff0d1/(1\uff0dx), right?",  # fullwidth minus
        "the derivative of x\u00b2 is \uff12x, right?",  # superscript two, fullwidth 2
        "the derivative of ln(1-x) is \u200b-1/(1\u200b-x), right?",  # zero-width spaces
        "the derivative of ln(1-x) is \u202e-1/(1-x)\u202c, right?",  # right-to-left override
        "the derivative of ln(1-x)\x00 is -1/(1-x)\x00, right?",  # NUL
        "the derivative of \U0001d465^2 is \U0001d7d0\U0001d465, right?",  # mathematical italic x, bold 2
    ],
)
def test_a_right_answer_typed_with_unicode_tricks_is_right(tutor, text):
    reply, _ = tutor.reply(text)
    assert reply.kind == "derive" and reply.markdown.startswith("Yes"), reply.markdown[:200]


# ------------------------------------------------------------------ near misses


@pytest.mark.parametrize(
    ("claim", "says"),
    [
        ("2x + 0.000000000001", "by the constant 1×10^-12"),
        ("2x + 1e-300", "by the constant 1×10^-300"),  # a fraction of 300 digits is not printed
        ("2.0000000001x", f"Yours is {2.0000000001 / 2:.12g} times"),  # 1.00000000005, not "1 times"
    ],
)
def test_an_answer_off_by_a_hair_is_wrong_and_says_by_how_much(claim, says):
    checked = claims.check_claim("x^2", claim)
    assert not checked.right and checked.verdict.startswith("Not quite") and says in checked.verdict, checked.verdict


def test_an_answer_off_by_one_in_a_huge_value_is_found_wrong():
    # at x = 1/2 the derivative is about 10^30: floats cannot see the + 1, exact arithmetic does
    u = "((x+1)^10-(x-1)^10)"
    checked = claims.check_claim(f"{u}^10", f"10{u}^9 (10(x+1)^9-10(x-1)^9) + 1")
    assert not checked.right and checked.verdict.startswith("Not quite") and "constant 1" in checked.verdict


def test_the_minus_sign_character_is_a_minus(tutor):
    # U+2212 had made "ln(1−x)" a request to compute ln(1)
    reply, _ = tutor.reply("the derivative of ln(1\u2212x) is \u22121/(1\u2212x), right?")
    assert reply.kind == "derive" and reply.markdown.startswith("Yes"), reply.markdown[:200]
    reply, _ = tutor.reply("the derivative of ln(1\u2212x)")
    assert reply.kind == "derive" and reply.derivation is not None
    assert (
        sp.simplify(reply.derivation.result.subs({s: x for s in reply.derivation.result.free_symbols}) - 1 / (x - 1))
        == 0
    )


# ------------------------------------------------------------------ the derivative's value at a point


def _sigmoid(t: float) -> float:
    return 1 / (1 + math.exp(-t))


def _slope_in(summary: str) -> float:
    said = re.match(r"At [^,]+, \S+ = ([^:]+):", summary)  # "At x = 2, df/dx = 0.5: ..."
    assert said is not None, summary
    return float(said.group(1).replace("×10^", "e"))


@pytest.mark.parametrize(
    ("typed", "at", "slope"),
    [
        ("sigma(z)", "0", 0.25),  # σ'(0) = σ(0)(1 - σ(0)) = 1/4; σ(0) had not been known to be real
        (
            "sigma(sigma(sigma(x)))",
            "0.5",
            math.prod(_sigmoid(u) * (1 - _sigmoid(u)) for u in (0.5, _sigmoid(0.5), _sigmoid(_sigmoid(0.5)))),
        ),
        ("ln(x) + y", "2", 0.5),  # y is held, not a name lambdify cannot find
    ],
)
def test_the_derivative_at_a_point_is_computed(typed, at, slope):
    d = typing_in.expression_derivation(typed, None, (None, at))
    assert _slope_in(d.summary) == pytest.approx(slope, rel=1e-5)


@pytest.mark.parametrize(
    ("typed", "at", "says"),
    [
        ("exp(exp(exp(x)))", "100", "too large to compute"),  # e^(e^(e^100)): evalf had run for minutes
        ("x^x", "1e12", "too large to compute"),  # (10^12)^(10^12) exactly
        ("x^(1/x)", "1e-12", "too large to compute"),  # a float 0, an exact fraction of 10^13 digits
        ("ln(x)", "-1", "not defined at x = -1"),
    ],
)
def test_a_value_at_a_point_too_large_or_undefined_is_told(typed, at, says):
    with pytest.raises(InputError) as err:
        typing_in.expression_derivation(typed, None, (None, at))
    assert says in err.value.message


def test_calling_an_attribute_says_what_may_be_called(tutor):
    reply, _ = tutor.reply("the derivative of x^2 is __import__('os').system('true'), right?")
    assert reply.kind == "error" and "unknown function: only a function's name may be called" in reply.markdown
    assert "'that'" not in reply.markdown


# ------------------------------------------------- f′ notation, a value at a point, no separator


@pytest.mark.parametrize(
    "text",
    [
        "f(x) = " + "x+" * 3000 + "x, f'(x) = 1?",
        "f(x)=" + ", " * 3000 + "f'(x)",
        "is the derivative of " + "x " * 2000 + "?",
        "f(x) = x^2, f'(" + "9" * 400 + ")?",
        "f(x) = x^2, f'(x) = __import__('os').system('true')?",
        "the derivative of x^2 at 1e999999 is 6?",
        "f(x) = \x00x^2\x00, is f'(x) = 2x?",
    ],
)
def test_hostile_named_functions_and_points_get_a_reply_not_a_traceback(tutor, text):
    reply, _ = tutor.reply(text)
    assert "Something went wrong" not in reply.markdown and "Traceback" not in reply.markdown


# ------------------------------------------------------------------ values at a point, attacked


@pytest.mark.parametrize("z", [5, -5, 20, 1000])
def test_the_sigmoid_slope_at_a_point_is_proved_quickly_and_right(z):
    # σ'(z) = σ(z)(1 - σ(z)) = e^-z/(1 + e^-z)^2, written with the math module; 1/(4cosh(z/2)^2) had cost SymPy
    # minutes to prove at z = 100 and failed at 5
    want = math.exp(-z) / (1 + math.exp(-z)) ** 2
    d = typing_in.expression_derivation("1/(1+e^-z)", None, (None, str(z)))
    assert not d.result.has(sp.cosh)
    assert math.isclose(float(d.result), want, rel_tol=1e-12, abs_tol=0.0)


def test_zero_for_a_slope_too_small_for_floats_is_not_a_yes():
    # σ'(1000) = e^-1000/(1 + e^-1000)^2 ≈ e^-1000 = 10^(-1000/ln 10) ≈ 5.076 × 10^-435, not 0
    checked = claims.check_at_point("1/(1+e^-z)", "0", None, (None, "1000"))
    assert not checked.right and not checked.verdict.startswith("Yes"), checked.verdict
    exponent = -1000 / math.log(10)
    mantissa = 10 ** (exponent - math.floor(exponent))
    assert f"{mantissa:.4g}×10^{math.floor(exponent)}" in checked.verdict.replace("5.07596", "5.076")


def test_a_point_smaller_than_floats_hold_is_refused_as_too_small_not_undefined():
    # ln is defined at 10^-400 (> 0); it is 0 as a float, where ln is not
    with pytest.raises(InputError) as err:
        typing_in.expression_derivation("ln(x)", None, (None, "1e-400"))
    assert "too small" in err.value.message and "not defined" not in err.value.message


@pytest.mark.parametrize("typed", ["f(x) = x^2, f'(x)?", "f(x) = x^2. f'(x)?", "f(x) = x^2 then f'(x)"])
def test_a_derivative_asked_by_its_name_is_differentiated_not_taken_as_a_claim(typed):
    from tutor.dialogue import requests as rq

    assert rq.claimed_derivative(typed) is None
    asked = rq.expression_derivative(typed)
    assert asked is not None and asked.at is None
    d = typing_in.expression_derivation(asked.expression, asked.wrt)
    assert sp.simplify(d.result - 2 * sp.Symbol(str(next(iter(d.result.free_symbols))), real=True)) == 0
