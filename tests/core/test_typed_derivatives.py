"""The derivative of an expression the learner types ("derivative of ln(1 - x)"): read without eval,
differentiated one named rule a step, every step proven, with the expression's real domain stated.

Expected derivatives are written out by hand here and compared with SymPy; nothing is taken from the
tutor's own output.
"""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp

from tutor.dialogue import requests as rq
from tutor.errors import InputError
from tutor.maths import claims, derive
from tutor.maths import typed as typing_in

x, z, p, y, yh, g = sp.symbols("x z p y y_hat gamma", real=True)
s = 1 / (1 + sp.exp(-z))

# (as typed, variable named or None, the variable, the derivative written out by hand)
CASES = [
    ("ln(1-x)", None, x, -1 / (1 - x)),
    ("log(1 - x)", None, x, -1 / (1 - x)),
    ("e^x", None, x, sp.exp(x)),
    ("1/(1+e^-z)", None, z, sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
    ("sigmoid(z)", None, z, s * (1 - s)),
    ("x^2 ln x", None, x, 2 * x * sp.log(x) + x),  # a product and a bare ln, as learners type them
    ("x(1-x)", None, x, 1 - 2 * x),
    ("log ŷ", "ŷ", yh, 1 / yh),
    ("-(y log ŷ + (1-y) log(1-ŷ))", None, yh, -y / yh + (1 - y) / (1 - yh)),  # BCE itself, by ŷ
    ("-(y*log(p)+(1-y)*log(1-p))", "y", y, -sp.log(p) + sp.log(1 - p)),
    ("(1-p)^gamma ln p", None, p, -g * (1 - p) ** (g - 1) * sp.log(p) + (1 - p) ** g / p),
    ("sqrt(x)", None, x, 1 / (2 * sp.sqrt(x))),
    # a function without parentheses takes a power or a number times a name, as in a textbook (sin x² = sin(x²))
    ("ln x^2", None, x, 2 / x),
    ("ln 2x", None, x, 1 / x),
    ("ln 1e-7 + x", None, x, sp.Integer(1)),
    # superscripts and the name of what is differentiated, as a learner copies them
    ("x³ + 2x²", None, x, 3 * x**2 + 4 * x),
    ("e⁻ˣ", None, x, -sp.exp(-x)),
    ("y = x^2 ln x", None, x, 2 * x * sp.log(x) + x),
    ("f(x) = ln(1 - x)", None, x, -1 / (1 - x)),
]


def _same(a: sp.Expr, b: sp.Expr, var: sp.Symbol) -> bool:
    """Equal at several points of the variable's domain (and symbolically where SymPy can tell)."""
    a = a.replace(lambda e: isinstance(e, derive.sigma), lambda e: 1 / (1 + sp.exp(-e.args[0])))
    names = {str(v): v for v in b.free_symbols}
    a = a.subs({v: names.get(str(v), v) for v in a.free_symbols})
    for t in (sp.Rational(1, 7), sp.Rational(2, 5), sp.Rational(3, 4)):
        point = {v: sp.Rational(1, 3) for v in b.free_symbols if v != var} | {var: t}
        if abs(complex(sp.N((a - b).subs(point), 30))) > 1e-20:
            return False
    return True


@pytest.mark.parametrize(("typed", "wrt", "var", "want"), CASES, ids=[c[0] for c in CASES])
def test_the_derivative_is_the_one_worked_by_hand(typed, wrt, var, want):
    d = typing_in.expression_derivation(typed, wrt)
    assert _same(d.result, want, var), d.result
    assert d.steps[0].why == "the expression as typed" and len(d.steps) >= 2
    assert derive.verify(d) == []  # every step proven


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("ln(1-x)", "x in (-∞, 1)"),
        ("1/x", "x in (-∞, 0) ∪ (0, ∞)"),
        ("sqrt(x)", "x in [0, ∞); the derivative above only for x in (0, ∞)"),
        ("e^x", "all real x"),
        ("ln(x^2 - 1)", "x in (-∞, -1) ∪ (1, ∞)"),
        # x² - 2 > 0 where |x| > √2; e^x - 2 > 0 where x > ln 2
        ("ln(x^2 - 2)", "x in (-∞, -√2) ∪ (√2, ∞)"),
        ("ln(e^x - 2)", "x in (ln(2), ∞)"),
        # defined at the ends ±1, where -x/√(1 - x²) is not
        ("sqrt(1 - x^2)", "x in [-1, 1]; the derivative above only for x in (-1, 1)"),
        # the cube root is defined everywhere; its derivative 1/(3·x^(2/3)) not at 0
        ("x^(1/3)", "all real x; the derivative above only for x in (-∞, 0) ∪ (0, ∞)"),
        ("x^(3/2)", "x in [0, ∞)"),  # (3/2)·√x is 0 at 0: nothing more to say
    ],
)
def test_the_domain_stated_is_where_the_expression_is_defined(typed, domain):
    assert f"is defined for {domain}." in typing_in.expression_derivation(typed).summary


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # ln(x - a) is defined where x > a: no single interval of x, whatever a is held at
        ("ln(x - a)", "Where ln(x - a) is defined depends on a: for a = 1/2, x in (1/2, ∞)."),
        # x^(1/2) needs x ≥ 0, x^2 does not: it depends on y
        (
            "x^y",
            "Where x^y is defined depends on y: for y = 1/2, x in [0, ∞); the derivative above only for x in (0, ∞).",
        ),
    ],
)
def test_a_domain_that_depends_on_another_variable_is_said_to(typed, said):
    summary = typing_in.expression_derivation(typed).summary
    assert summary.startswith(said), summary
    assert " is defined for " not in summary  # no interval claimed as if it held for every a


def test_the_rules_reasons_name_the_variable_differentiated_by():
    steps = typing_in.expression_derivation("exp(-z)").steps
    chain = next(s for s in steps if s.rule == "chain rule")
    assert "du/dz" in chain.why and "/dx" not in chain.why
    power = typing_in.expression_derivation("ŷ^2").steps[1]
    assert power.rule == "power rule" and power.why == "d/dŷ ŷ^n = n·ŷ^(n - 1)"
    outer = typing_in.expression_derivation("1/(1 + e^-z)").steps[1]
    assert "d/dz uⁿ" in outer.why and "du/dz" in outer.why
    parts = typing_in.expression_derivation("1/(1 + e^-z)").steps[2]
    assert parts.why == "d/dz (1 + e^(-z)) = -e^(-z) (sum rule)"  # as the title writes e^(-z), not exp(-z)


def test_the_power_rule_gives_n_x_to_the_n_minus_1_as_its_reason_says():
    d = typing_in.expression_derivation("x^y", "x")
    assert _same(d.result, y * x ** (y - 1), x)
    assert d.steps[-1].rule == "power rule" and "x**(y - 1)" in str(d.result)  # not y*x**y/x
    assert derive.verify(d) == []


def test_one_variable_is_written_df_dx_and_the_sigmoid_sigma():
    one = typing_in.expression_derivation("x^2 sigma(x)")
    assert {s.lhs for s in one.steps[1:]} == {"df/dx"}
    assert "d/dx σ(x) = (1 - σ(x))·σ(x)" in one.steps[2].why and "sigma" not in one.steps[2].why
    two = typing_in.expression_derivation("-(y log ŷ + (1-y) log(1-ŷ))")
    assert {s.lhs for s in two.steps[1:]} == {"∂f/∂ŷ"}  # beside y, a partial derivative


def test_a_number_under_a_function_without_parentheses_is_said_to_be_read_alone():
    d = typing_in.expression_derivation("ln 1-x")
    assert _same(d.result, sp.Integer(-1), x)  # ln(1) - x, as written
    assert "I read ln 1 without parentheses as ln(1) alone" in d.summary
    assert "I read" not in typing_in.expression_derivation("ln x + 1").summary  # read as everyone reads it


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("sin(x)", "I do not know the function sin"),
        ("|x|", "I cannot differentiate an absolute value"),
        ("x!", "I cannot differentiate a factorial"),
        ("x^2 = 4", "I cannot differentiate an equation"),
        ("x ≥ 2", "I cannot differentiate an inequality"),
        ("__import__('os').system('true')", "I do not know the function __import__"),
        ("ln(-x^2 - 1)", "not defined on any interval"),
        ("0*x", "does not depend on x"),
        ("x/0", "divides by zero"),
        ("x^x^x^x^x", "Powers of powers"),
        ("(" * 300 + "x" + ")" * 300, "too long"),
        ("ln(1 - x)", None),
    ],
)
def test_what_cannot_be_differentiated_is_said_in_one_line(typed, says):
    if says is None:
        typing_in.expression_derivation(typed, "x")
        # d/dq ln(1 - x) = 0: the expression is constant in q
        with pytest.raises(InputError, match=r"does not contain q: .* its derivative with respect to q is 0"):
            typing_in.expression_derivation(typed, "q")
        with pytest.raises(InputError, match="does not contain ŷ"):  # the symbol, not the name y_hat
            typing_in.expression_derivation(typed, "y_hat")
        return
    with pytest.raises(InputError) as err:
        typing_in.expression_derivation(typed)
    assert says in err.value.message and "\n" not in err.value.message


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("derivative of log(1-x)", ("log(1-x)", None)),
        ("What is the derivative of e^x?", ("e^x", None)),
        ("d/dz 1/(1+e^-z)", ("1/(1+e^-z)", "z")),
        ("differentiate x^2 ln x", ("x^2 ln x", None)),
        ("derivative of log ŷ with respect to ŷ", ("log ŷ", "ŷ")),
        ("what's the derivative of x(1-x)?", ("x(1-x)", None)),
        # words, a bare name, or a function the formulas do not know: left to the topics and named derivations
        ("what is the derivative of the sigmoid?", None),
        ("derivative of cross-entropy", None),
        ("derivative of sin(x)", None),
        ("derive the derivative of the loss", None),
        ("derive focal loss", None),
        ("why is the derivative of the loss (y_hat - y)?", None),
        # asked politely, with a superscript (NFKC would make x² the name x2), or as an equation named y or f(x)
        ("can you differentiate ln(1-x) for me?", ("ln(1-x)", None)),
        ("could you please find the derivative of e^-x", ("e^-x", None)),
        ("derivative of x²", ("x^2", None)),
        ("derivative of e⁻ˣ", ("e^(-x)", None)),
        ("derivative of f(x) = ln(1-x) with respect to x", ("f(x) = ln(1-x)", "x")),
        ("derivative of x^2 = 4", None),
        # an absolute value: read, so that the reply says the tutor has none (|x|), rather than a list of topics
        ("derivative of |x|", ("|x|", None)),
        ("derivative of |1 - x| wrt x", ("|1 - x|", "x")),
        # misspelt as learners type them
        ("diferentiate x^2", ("x^2", None)),
        ("derivitive of ln(1-x) wrt x", ("ln(1-x)", "x")),
        ("differenciate x ln x", ("x ln x", None)),
    ],
)
def test_requests_to_differentiate_a_typed_expression_are_read(text, read):
    got = rq.expression_derivative(text)
    assert (None if got is None else (got.expression, got.wrt)) == read


def test_x_squared_is_x_times_x_not_a_variable_named_x2(capsys):
    from tutor import cli

    assert cli.main(["derive", "x²", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert _same(sp.sympify(d["result"], locals={"x": x}), 2 * x, x)


def test_the_tutor_says_it_has_no_absolute_value(tutor):
    reply, _ = tutor.reply("derivative of |x|")
    assert reply.kind == "error" and "I cannot differentiate an absolute value" in reply.markdown


def test_the_tutor_derives_a_typed_expression_and_ask_json_carries_it(tutor):
    reply, _ = tutor.reply("derivative of log(1-x)")
    assert reply.kind == "derive" and reply.derivation is not None
    assert _same(reply.derivation.result, -1 / (1 - x), x)
    assert "ln(1 - x) is defined for x in (-∞, 1)." in reply.markdown


def test_tutor_derive_takes_an_expression(capsys):
    from tutor import cli

    assert cli.main(["derive", "x^2 ln x", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert _same(sp.sympify(d["result"], locals={"x": x}), 2 * x * sp.log(x) + x, x)
    assert cli.main(["derive", "sin(x)"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sin" in err and "Traceback" not in err
    assert cli.main(["derive", "banana"]) == 2
    assert "unknown target 'banana'" in capsys.readouterr().err


def test_reading_a_question_imports_neither_numpy_nor_sympy():
    """`tutor ask` reads the question before it starts loading the model: the recogniser of typed
    expressions must not import NumPy or SymPy for a question that is not one."""
    import subprocess
    import sys

    probe = (
        "import sys; from tutor.dialogue import intents; "
        "assert intents.asks_about_topics('why the minus sign?'); "
        "print(sorted(m for m in ('numpy', 'sympy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_superscripts_reach_the_readers_as_powers(tutor):
    """Unicode normalisation alone would make x² the name x2 (whose derivative by x2 is 1)."""
    reply, _ = tutor.reply("derivative of x²")
    assert reply.kind == "derive" and _same(reply.derivation.result, 2 * x, x)
    reply, _ = tutor.reply("derivative of e⁻ˣ")
    assert reply.kind == "derive" and _same(reply.derivation.result, -sp.exp(-x), x)


def test_a_follow_up_after_a_typed_derivative_says_what_follow_ups_are_for(tutor):
    derived, ctx = tutor.reply("derivative of ln(1-x)")
    assert derived.kind == "derive"
    # "why?" gives the rules of its steps (tests/app/test_learner_walk.py), "an example" its value at a point (below)
    follow, _ = tutor.reply("deeper", ctx)
    assert follow.kind == "fallback" and "follows a topic I have explained" in follow.markdown
    assert "question first" not in follow.markdown  # the learner did ask one


@pytest.mark.parametrize(
    ("text", "want", "says"),
    [
        ("derivative of -ln ŷ at ŷ = 0.9", -1 / 0.9, "falls as ŷ grows"),  # d/dŷ (-ln ŷ) = -1/ŷ
        ("derivative of ln(1-x) at x = 0.5", -1 / (1 - 0.5), "falls as x grows"),
        ("d/dx x^2 at x = 3", 2 * 3, "rises as x grows"),
        ("what is the derivative of x^2 at 3?", 2 * 3, "rises as x grows"),
        ("derivative of x^3 at x = 0", 0.0, "x^3 has a horizontal tangent there"),
    ],
)
def test_the_derivative_at_a_point_is_its_value_there_and_its_sign_is_read(tutor, text, want, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "derive", reply.markdown
    d = reply.derivation
    assert d.steps[-1].rule == "substitute" and abs(float(d.result) - want) < 1e-12
    assert says in d.summary and derive.verify(d) == []


def test_a_parameter_put_in_leaves_the_derivative_in_the_variable(tutor):
    reply, _ = tutor.reply("derivative of -(y ln ŷ + (1-y) ln(1-ŷ)) at y = 1")
    assert reply.kind == "derive" and _same(reply.derivation.result, -1 / yh, yh)  # BCE for y = 1: -1/ŷ


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("derivative of ln(1-x) at x = 1", "not defined at x = 1"),
        ("derivative of sqrt(x) at x = 0", "not defined at x = 0"),  # defined there, its derivative is not
        ("derivative of x^2 at q = 1", "has no variable q"),
    ],
)
def test_a_point_where_the_derivative_is_not_defined_is_said_so(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown


def test_plot_it_after_a_typed_derivative_draws_that_expression_and_its_derivative(tutor):
    derived, ctx = tutor.reply("derivative of ln(1-x)")
    assert derived.kind == "derive"
    plotted, after = tutor.reply("plot it", ctx)
    assert plotted.kind == "plot" and plotted.title == "ln(1 - x) and its derivative"
    assert len(plotted.plot.series) == 2
    # the derivative's curve is the slope of the other: -1/(1 - x), checked at the plot's own points
    xs, ys = plotted.plot.series[1].x, plotted.plot.series[1].y
    assert all(abs(yv - (-1 / (1 - xv))) < 1e-6 * max(1.0, abs(yv)) for xv, yv in zip(xs, ys) if xv < 0.9)
    assert max(xs) < 1  # sampled inside the domain, not past x = 1
    # once the learner asks about something else, "plot it" is that topic's plot again
    _, elsewhere = tutor.reply("why the minus sign?", after)
    again, _ = tutor.reply("plot it", elsewhere)
    assert again.kind == "plot" and "and its derivative" not in again.title


def test_the_plot_chip_under_a_typed_derivative_draws_it(tutor):
    from tutor.dialogue.intents import FollowUp

    derived, ctx = tutor.reply("derivative of x^2 ln x")
    assert derived.followups == ("plot",) and derived.node is None
    plotted, _ = tutor.reply(FollowUp("plot", about=derived.node), ctx)
    assert plotted.kind == "plot" and plotted.title.endswith("and its derivative")


def test_a_sum_is_written_with_its_number_last_as_a_teacher_writes_it():
    """SymPy stores x - 1 as (-1, x); printed in stored order it read "1/(-1 + x)"."""
    d = typing_in.expression_derivation("ln(1-x)")
    assert derive.linear(d.result) == "1/(x - 1)"
    assert "x - 1" in derive.to_latex_expr(d.result) and "-1 + x" not in derive.pretty(d.result)
    assert derive.linear(1 - y) == "1 - y"  # a sum built with a positive term first keeps its order


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("the derivative of ln(1-x) is -1/(1-x), right?", ("ln(1-x)", "-1/(1-x)", None)),
        ("is d/dx x^2 = 2x?", ("x^2", "2x", "x")),
        ("I got 1/(1-x) for the derivative of ln(1-x)", ("ln(1-x)", "1/(1-x)", None)),
        ("is 2x the derivative of x^2?", ("x^2", "2x", None)),
        ("derivative of x ln x with respect to x = ln x + 1, is that correct?", ("x ln x", "ln x + 1", "x")),
        ("d/dz σ(z) = σ(z)(1-σ(z))?", ("σ(z)", "σ(z)(1-σ(z))", "z")),
        # as learners say them: "equal to", "I think", a question after a full stop, "my answer for", d(f)/dx
        ("is the derivative of x^2 equal to 2x?", ("x^2", "2x", None)),
        ("is d/dx of x^2 equal to 2x?", ("x^2", "2x", "x")),
        ("I think the derivative of ln(1-x) is -1/(1-x)", ("ln(1-x)", "-1/(1-x)", None)),
        ("I got -1/(1-x) as the derivative of ln(1-x). is that right?", ("ln(1-x)", "-1/(1-x)", None)),
        ("my answer for the derivative of ln x is 1/x", ("ln x", "1/x", None)),
        ("d(x^2)/dx = 2x?", ("x^2", "2x", "x")),
        ("is d/dx 0.5 x^2 = x?", ("0.5 x^2", "x", "x")),  # one of the expression's variables is an answer
        ("the derivative of ln x is x?", ("ln x", "x", None)),
        # words are not an answer to check: left to the topics
        ("the derivative of the loss is negative, right?", None),
        ("I think the derivative of the loss is negative", None),
        ("is the derivative of the sigmoid at 0 equal to 0.25?", None),
        ("the derivative of the loss with respect to z is ŷ - y, right?", None),
        ("is the derivative of the sigmoid s(1-s)?", None),
        ("derivative of ln(1-x)", None),
    ],
)
def test_a_derivative_the_learner_states_is_read_as_one_to_check(text, read):
    got = rq.claimed_derivative(text)
    assert (None if got is None else (got.expression, got.claim, got.wrt)) == read


@pytest.mark.parametrize(
    ("typed", "claim"),
    [
        ("ln(1-x)", "-1/(1-x)"),
        ("ln(1-x)", "1/(x-1)"),
        ("1/(1+e^-z)", "σ(z)(1-σ(z))"),
        ("1/(1+e^-z)", "e^-z/(1+e^-z)^2"),
        ("1/(1+e^-z)", "e^z/(1+e^z)^2"),  # top and bottom times e^(2z)
        ("σ(2z)", "2σ(2z)(1-σ(2z))"),
        ("log(1+e^-z)", "σ(z) - 1"),  # -e^(-z)/(1 + e^(-z)) = -(1 - σ(z))
        ("e^x/x", "(x e^x - e^x)/x^2"),
        ("sqrt(x)", "0.5 x^(-0.5)"),
        ("-(y ln σ(z) + (1-y) ln(1-σ(z)))", "σ(z) - y"),  # ln σ(z) without parentheses, as texts write BCE
        ("x^2 ln x", "2x ln x + x"),
        ("x^2 ln x", "x(2 ln x + 1)"),
        ("-(y ln ŷ + (1-y) ln(1-ŷ))", "(ŷ-y)/(ŷ(1-ŷ))"),
        ("-(y ln ŷ + (1-y) ln(1-ŷ))", "-y/ŷ + (1-y)/(1-ŷ)"),
    ],
)
def test_every_correct_form_of_a_derivative_is_right(typed, claim):
    checked = claims.check_claim(typed, claim)
    assert checked.right, checked.verdict
    assert checked.verdict.startswith("Yes:")


def _numbers(text: str) -> list[float]:
    import re

    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


@pytest.mark.parametrize(
    ("typed", "claim", "named"),
    [
        ("ln(1-x)", "1/(1-x)", "inner function's derivative, d/dx (1 - x) = -1"),  # the chain rule's -1 left out
        ("(2x+1)^3", "3(2x+1)^2", "inner function's derivative"),
        ("ln x", "-1/x", "The sign is wrong"),
        ("sqrt(x)", "1/sqrt(x)", "Yours is 2 times the derivative"),  # 1/√x = 2 · 1/(2√x)
        ("x^2", "2x + 1", "by the constant 1"),
        ("x ln x", "ln x", "one of the product rule's two terms, without u·v'"),
        ("x ln x", "1/x", "multiplies the two factors' derivatives"),  # (x)'·(ln x)' = 1/x
        # ŷ - y is the derivative by the logit: (ŷ - y)/(ŷ(1 - ŷ)) · ŷ(1 - ŷ)
        ("-(y ln ŷ + (1-y) ln(1-ŷ))", "ŷ - y", "the derivative by the logit z"),
        # one term of a sum: d/dŷ ln(1 - ŷ) is -1/(1 - ŷ); without the inner -1 the second term's sign flips
        ("-(y ln ŷ + (1-y) ln(1-ŷ))", "-y/ŷ - (1-y)/(1-ŷ)", "In the term -(1 - y)·ln(1 - ŷ), the chain rule's inner"),
        ("ln(x) + ln(1-x)", "1/x + 1/(1-x)", "In the term ln(1 - x), the chain rule's inner derivative"),
        ("x^2 + ln x", "2x - 1/x", "The term ln(x) has its derivative's sign wrong"),
        ("x^2 + ln x", "2x", "The derivative of the term ln(x), 1/x, is left out"),
        # the quotient rule (u'v - uv')/v² with u = x, v = 1 + x: (1 + x - x)/(1 + x)² = 1/(1 + x)²
        ("x/(1+x)", "((1+x) + x)/(1+x)^2", "adds u·v' in the numerator"),
        (
            "x/(1+x)",
            "(x - (1+x))/(1+x)^2",
            "the numerator the wrong way round",
        ),  # not "multiplies": -1/(1+x)² is u'·v' by chance
        ("e^x/x", "(x e^x - e^x)/x", "divides by v where the quotient rule divides by v²"),
        ("(x+1)/(x-1)", "1", "divides the two derivatives, u'/v'"),  # (x + 1)' / (x - 1)' = 1
        ("x^3", "3x^3", "keeps the exponent 3"),
        ("(2x+1)^3", "6(2x+1)^3", "keeps the exponent 3"),
        ("1/x", "ln x", "that is an antiderivative"),  # (ln x)' = 1/x
        ("x^2", "x^3/3", "that is an antiderivative"),
        ("5x", "0", "0 is the derivative of a constant"),
        ("x^2 + 5", "2x + 5", "The constant term 5 is kept"),
        ("σ(2z)", "σ(2z)(1-σ(2z))", "d/dz (2·z) = 2"),  # 2σ(2z) read as 2·σ(2z), as 2 ln x is
        # BCE of the logit: ∂L/∂z = σ(z) - y; ∂L/∂ŷ = (ŷ - y)/(ŷ(1 - ŷ)) given for it lacks dŷ/dz = σ(1 - σ)
        ("-(y ln σ(z) + (1-y) ln(1-σ(z)))", "(σ(z) - y)/(σ(z)(1-σ(z)))", "That is the derivative by ŷ = σ(z)"),
        # the power rule where the exponent varies: (x^x)' = x^x(ln x + 1), (e^(x²))' = 2x e^(x²)
        ("x^x", "x x^(x-1)", "holds only for a constant exponent n; here the exponent is x"),
        ("e^(x^2)", "x^2 e^(x^2 - 1)", "the exponent is x^2"),
        # the product rule with the chain rule's -1 left out in v' = ((1 - x)³)' = -3(1 - x)²
        ("x^2 (1-x)^3", "2x(1-x)^3 + 3x^2(1-x)^2", "in v' = d/dx (1 - x)^3 the chain rule's inner derivative"),
        ("x ln(1-x)", "ln(1-x) + x/(1-x)", "in v' = d/dx ln(1 - x) the chain rule's inner derivative"),
    ],
)
def test_a_wrong_derivative_gets_its_mistake_named(typed, claim, named):
    checked = claims.check_claim(typed, claim)
    assert not checked.right
    assert checked.verdict.startswith("Not quite:") and named in checked.verdict, checked.verdict


def test_a_wrong_derivative_with_no_named_slip_is_compared_at_a_point():
    checked = claims.check_claim("ln(1-x)", "-1/(1+x)")
    assert not checked.right and "At x = 1/2, yours gives" in checked.verdict
    mine, truth = _numbers(checked.verdict.split("yours gives")[1])[:2]
    assert mine == pytest.approx(-1 / (1 + 0.5), abs=1e-6) and truth == pytest.approx(-1 / (1 - 0.5), abs=1e-6)


def test_an_answer_right_on_one_part_of_the_domain_only_is_not_right():
    """ln(x²) is defined for x < 0 too, where its derivative 2/x is negative and 2/√(x²) = 2/|x| is not;
    the proofs had sampled x > 0 alone, where SymPy makes √(x²) x, and said "Yes"."""
    checked = claims.check_claim("ln(x^2)", "2/sqrt(x^2)")
    assert not checked.right and "not all: at x = -0.5" in checked.verdict, checked.verdict
    mine, truth = _numbers(checked.verdict.split("yours gives")[1])[:2]
    assert mine == pytest.approx(2 / abs(-0.5)) and truth == pytest.approx(2 / -0.5)
    assert claims.check_claim("ln(x^2)", "2/x").right  # (ln x²)' = 2x/x² on both sides of 0
    assert claims.check_claim("1/x", "-1/sqrt(x^4)").right  # √(x⁴) = x² for every real x


def test_the_derivative_of_a_number_is_zero_and_a_slope_given_for_it_is_named(tutor):
    """d/dx ln 3 = 0: ln 3 is a number. 1/3 is (ln x)' at x = 3, the slip named; no steps to show."""
    assert rq.claimed_derivative("is d/dx ln(3) = 1/3?") is not None
    checked = claims.check_claim("ln(3)", "1/3", "x")
    assert not checked.right and "derivative is 0" in checked.verdict and "slope of ln(x) at x = 3" in checked.verdict
    assert sp.diff(sp.log(x), x).subs(x, 3) == sp.Rational(1, 3)  # the slip named is that slope
    assert claims.check_claim("5", "0", "x").right
    assert not claims.check_claim("5", "5").right
    reply, _ = tutor.reply("is d/dx ln(3) = 1/3?")
    assert reply.kind == "derive" and reply.markdown.startswith("Not quite") and "The steps" not in reply.markdown


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("is d/dx ln(-1) = -1?", "ln(-1) is not a real number"),  # ln(-1) = iπ
        (
            "is d/dx x^2 = 2x + banana?",
            "Your answer uses banana",
        ),  # had been "declare it under vars", an author's message
    ],
)
def test_a_stated_derivative_that_cannot_be_checked_is_told_why(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown, reply.markdown


def test_a_variable_alone_is_an_answer_and_checked():
    assert claims.check_claim("0.5 x^2", "x").right  # (x²/2)' = x
    assert not claims.check_claim("ln x", "x").right  # (ln x)' = 1/x


def test_a_named_slip_is_what_the_answer_is():
    """The slips named above, rebuilt by hand from the rules: each wrong answer is exactly that slip."""
    t = 1 / (1 + x)
    bce = -y / yh + (1 - y) / (1 - yh)
    rebuilt = [
        ("-y/ŷ - (1-y)/(1-ŷ)", -y / yh - (1 - y) / (1 - yh), bce - 2 * (1 - y) / (1 - yh), yh),  # d ln(1-ŷ) as 1/(1-ŷ)
        ("((1+x) + x)/(1+x)^2", (1 + 2 * x) * t**2, (1 * (1 + x) + x * 1) * t**2, x),  # (u'v + uv')/v²
        ("(x - (1+x))/(1+x)^2", -(t**2), (x * 1 - 1 * (1 + x)) * t**2, x),  # (uv' - u'v)/v²
        ("3x^3", 3 * x**3, 3 * x ** (3 - 0), x),  # n·x^n
        # x²(1 - x)³: u'v + u·(3(1 - x)², the chain's -1 left out)
        (
            "2x(1-x)^3 + 3x^2(1-x)^2",
            2 * x * (1 - x) ** 3 + 3 * x**2 * (1 - x) ** 2,
            sp.diff(x**2, x) * (1 - x) ** 3 + x**2 * (sp.diff((1 - x) ** 3, x) / -1),
            x,
        ),
    ]
    for typed_claim, written, slip, var in rebuilt:
        assert _same(written, slip, var), typed_claim
    # -1/(1 + x)² is also (x)'·(1/(1 + x))': the diagnosis is the quotient's order, not the product rule
    assert _same(-(t**2), 1 * sp.diff(t, x), x)


def test_a_wrong_sigmoid_answer_is_compared_at_a_point():
    """σ(z)(1 + σ(z)) for σ(z)(1 - σ(z)): no named slip; compared at z = 1/2 (σ had no value there, so the
    reply had said only that the two differ)."""
    import math

    checked = claims.check_claim("σ(z)", "σ(z)(1+σ(z))")
    assert not checked.right and "At z = 1/2, yours gives" in checked.verdict, checked.verdict
    s_half = 1 / (1 + math.exp(-0.5))
    mine, truth = _numbers(checked.verdict.split("yours gives")[1])[:2]
    assert mine == pytest.approx(s_half * (1 + s_half), abs=1e-5)
    assert truth == pytest.approx(s_half * (1 - s_half), abs=1e-5)


def test_the_tutor_checks_a_stated_derivative_and_shows_the_steps(tutor):
    reply, ctx = tutor.reply("the derivative of ln(1-x) is 1/(1-x), right?")
    assert reply.kind == "derive" and reply.derivation is not None
    assert reply.markdown.count("Not quite") == 1 and "**chain rule**" in reply.markdown
    assert _same(reply.derivation.result, -1 / (1 - x), x)
    plotted, _ = tutor.reply("plot it", ctx)
    assert plotted.kind == "plot"


def test_either_of_two_answers_is_checked_each(tutor):
    """ "is it A or B?": each checked (d/dx ln(1 - x) = -1/(1 - x), so the second), the steps once."""
    reply, _ = tutor.reply("the derivative of ln(1-x) is 1/(1-x) or -1/(1-x)?")
    assert reply.kind == "derive"
    first, second = reply.markdown.split("\n\n")[:2]
    assert first.startswith("1/(1-x): Not quite") and second.startswith("-1/(1-x): Yes")
    assert reply.markdown.count("The steps:") == 1


def test_an_answer_in_another_variable_is_said_to_be(tutor):
    reply, _ = tutor.reply("derivative of ln(1-x) is 1/(1-z), right?")
    assert reply.kind == "error" and "Your answer uses z" in reply.markdown


@pytest.mark.parametrize("name", ["train.tsv", "dev.tsv"])
def test_no_real_learner_question_is_read_as_a_derivative_to_check(name):
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared" / "questions" / name
    if not path.exists():
        pytest.skip(f"../shared/questions/{name} is not beside the checkout")
    rows = [line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.count("\t") >= 2]
    assert len(rows) > 100
    assert [r for r in rows if rq.claimed_derivative(r) is not None] == []


@pytest.mark.parametrize(
    ("claim", "says"),
    [("x^99999", "exponents are limited"), ("1/0", "divides by zero"), ("1/(1-x) sin(x)", "sin")],
)
def test_an_answer_that_cannot_be_read_is_told_why_not_sent_to_a_topic(tutor, claim, says):
    reply, _ = tutor.reply(f"the derivative of ln(1-x) is {claim}, right?")
    assert reply.kind == "error" and "I cannot read your answer" in reply.markdown and says in reply.markdown


def test_a_wrong_answer_with_a_huge_power_is_compared_without_expanding_it():
    checked = claims.check_claim("x^2", "x^10 + (1/2)^9")
    assert not checked.right and "Not quite" in checked.verdict


def test_ask_json_says_which_of_the_learners_answers_are_right(capsys):
    from tutor import cli

    assert cli.main(["ask", "--json", "the derivative of ln(1-x) is 1/(1-x) or -1/(1-x)?"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["kind"] == "derive" and d["verdict"] is None  # verdict is a checkpoint's; this is no checkpoint
    # d/dx ln(1 - x) = -1/(1 - x): the second is right, the first lacks the chain rule's -1
    assert d["derivation"]["checked"] == [{"answer": "1/(1-x)", "right": False}, {"answer": "-1/(1-x)", "right": True}]


@pytest.mark.parametrize(
    ("typed", "claim", "told"),
    [
        # d/dx ln(1 - x) = -1/(1 - x) = 1/(x - 1): said in the form that shows the slip is the sign
        ("ln(1-x)", "1/(1-x)", "but it is -1/(1 - x)."),
        # d/dŷ BCE = (ŷ - y)/(ŷ(1 - ŷ)), the form a teacher writes beside ŷ - y
        ("-(y ln ŷ + (1-y) ln(1-ŷ))", "ŷ - y", "but it is (ŷ - y)/(ŷ·(1 - ŷ))."),
        # d/dx (1 - x)^2 = -2(1 - x) = 2(x - 1): factored as typed, where it had said 2·x - 2
        ("(1-x)^2", "2(1-x)", "but it is 2·(x - 1)."),
    ],
)
def test_the_derivative_is_told_in_the_true_form_nearest_the_learners(typed, claim, told):
    checked = claims.check_claim(typed, claim)
    assert not checked.right and told in checked.verdict, checked.verdict


def test_an_expression_that_overflows_over_most_of_its_domain_is_still_proven():
    """e^(x^10) overflows a float from x ≈ 1.93: the proofs sample nearer the middle of the domain."""
    d = typing_in.expression_derivation("e^(x^10)")
    assert _same(d.result, 10 * x**9 * sp.exp(x**10), x) and derive.verify(d) == []


def test_an_example_after_a_typed_derivative_is_its_value_at_a_simple_point(tutor):
    _, ctx = tutor.reply("derivative of ln(1-x)")
    example, ctx = tutor.reply("an example", ctx)
    assert example.kind == "derive" and example.derivation.steps[-1].rule == "substitute"
    assert float(example.derivation.result) == pytest.approx(-1 / (1 - 0.5))  # d/dx ln(1 - x) at x = 0.5
    assert "falls as x grows" in example.derivation.summary
    # sqrt(x - 3) is defined from 3 on, where none of the simple numbers lies: one past that end, x = 4
    _, ctx = tutor.reply("derivative of sqrt(x - 3)")
    example, _ = tutor.reply("an example", ctx)
    assert example.kind == "derive" and example.derivation.title.endswith("at x = 4")
    assert float(example.derivation.result) == pytest.approx(1 / (2 * math.sqrt(4 - 3)))  # 1/(2√(x - 3))


def test_simpler_after_a_typed_derivative_says_what_follows_one(tutor):
    _, ctx = tutor.reply("derivative of x^2")
    reply, _ = tutor.reply("simpler", ctx)
    assert reply.kind == "fallback" and "an example" in reply.markdown and "is no topic" not in reply.markdown


def test_follow_ups_after_a_typed_derivative_keep_to_it_in_any_order(tutor):
    """'an example' then 'why?', 'simpler', 'plot it': each is still about the derivative typed, not the topic
    before it nor the loss's plot (the example had dropped the expression, so 'plot it' drew BCE)."""
    _, ctx = tutor.reply("derivative of ln(1-x)")
    example, ctx = tutor.reply("an example", ctx)
    assert float(example.derivation.result) == pytest.approx(-1 / (1 - 0.5))
    why, ctx = tutor.reply("why?", ctx)
    assert why.kind == "answer" and "chain rule" in why.markdown
    simpler, ctx = tutor.reply("simpler", ctx)
    assert "Nothing to follow up" not in simpler.title and "an example" in simpler.markdown
    drawn, ctx = tutor.reply("plot it", ctx)
    assert drawn.kind == "plot" and drawn.title.startswith("ln(1 - x)")
    again, ctx = tutor.reply("why?", ctx)  # its rules were given: no second copy, what follows it instead
    assert again.title != why.title and "an example" in again.markdown
    _, ctx = tutor.reply("what does the minus sign mean", ctx)
    after, _ = tutor.reply("plot it", ctx)
    assert not after.title.startswith("ln(1 - x)")  # another question asked: "plot it" is about that


def test_a_name_spelt_from_the_expressions_variables_is_told_how_to_write_the_product():
    """'σ(wx)' for σ(w x): wx is read as one name; the message says how to write w times x."""
    with pytest.raises(InputError) as err:
        claims.check_claim("-ln σ(w x)", "(σ(wx) - 1) x", "w")
    assert "w·x or w x" in err.value.message
    # written as a product it is checked, and right: d/dw -ln σ(wx) = -(1 - σ(wx))·x
    assert claims.check_claim("-ln σ(w x)", "(σ(w x) - 1) x", "w").right


# ------------------------------------------- a value at a point, f′ notation, no "is" between the two

# (as asked, the expression, the value at the point worked out by hand, right?)
AT_POINT = [
    ("the derivative of x^2 at 3 is 6, right?", "x^2", 2 * 3, True),
    ("the derivative of x^2 at x = 3 is 6?", "x^2", 2 * 3, True),
    ("is the derivative of ln x at 1 equal to 1?", "ln x", 1 / 1, True),
    ("the derivative of ln x at 3 is 0.33?", "ln x", 1 / 3, True),  # rounded right, two digits
    ("the derivative of ln x at 3 is 0.3?", "ln x", 1 / 3, False),  # one digit: an estimate
    ("the derivative of ln x at 3 is 1/3?", "ln x", 1 / 3, True),
    ("the derivative of ln x at 3 is -1/3?", "ln x", 1 / 3, False),
    ("the derivative of ln x at 3 is 1.0986?", "ln x", 1 / 3, False),  # ln 3 itself
    ("d/dx x^3 at x = 2 = 12?", "x^3", 3 * 2**2, True),
    ("the derivative of ln x at x = 1/2 is 2?", "ln x", 1 / (1 / 2), True),  # a point typed as a fraction
]


@pytest.mark.parametrize("asked,expression,value,right", AT_POINT)
def test_a_value_stated_at_a_point_is_checked_against_the_exact_slope(asked, expression, value, right):
    claim = rq.claimed_derivative(asked)
    assert claim is not None and claim.expression == expression and claim.at is not None
    checked = claims.check_at_point(claim.expression, claim.claim, claim.wrt, claim.at)
    assert checked.right is right
    assert math.isclose(float(checked.derivation.result), value, rel_tol=1e-12)
    if not right:
        assert checked.verdict.startswith("Not quite")


def test_a_wrong_value_at_a_point_is_named():
    sign = claims.check_at_point("ln x", "-1/3", None, (None, "3"))
    assert "sign" in sign.verdict
    height = claims.check_at_point("ln x", "1.0986", None, (None, "3"))  # ln 3 = 1.098612…: the height
    assert "height" in height.verdict and "sign" not in height.verdict
    estimate = claims.check_at_point("ln x", "0.3", None, (None, "3"))
    assert "one significant digit" in estimate.verdict


def test_a_value_at_a_point_where_there_is_none_is_said():
    with pytest.raises(InputError, match="not defined"):
        claims.check_at_point("ln(x)", "1", None, ("x", "0"))
    with pytest.raises(InputError, match="depends on"):  # ∂/∂x of x²·y at x = 1 is 2y: y is still in it
        claims.check_at_point("x^2*y", "2", "x", ("x", "1"))


def test_a_value_put_in_for_another_variable_is_left_to_the_other_readers():
    # "when y = 1 is -1/ŷ": y put in before differentiating by ŷ, which the checker does not do
    assert rq.claimed_derivative("the derivative of -(y ln ŷ + (1-y) ln(1-ŷ)) when y = 1 is -1/ŷ") is None


# (as asked, expression with its name, variable, learner's answer or None for a request, where or None)
NAMED = [
    ("f(x) = ln(1-x), is f'(x) = -1/(1-x)?", "f(x) = ln(1-x)", "x", "-1/(1-x)", None),
    ("if f(x)=x^2 then f'(x)=2x?", "f(x) = x^2", "x", "2x", None),
    ("let g(z) = z^3; g′(z) = 3z^2, right?", "g(z) = z^3", "z", "3z^2", None),
    ("f(x) = x^2: what is f'(3)?", "f(x) = x^2", "x", None, "3"),
    ("f(x)=x^3, find f'(x)", "f(x) = x^3", "x", None, None),
    ("f(x) = x^2: what is f'(3/4)?", "f(x) = x^2", "x", None, "3/4"),
]


@pytest.mark.parametrize("asked,expression,wrt,claim,at", NAMED)
def test_a_function_named_by_a_letter_and_its_derivative_by_f_prime(asked, expression, wrt, claim, at):
    if claim is not None:
        read = rq.claimed_derivative(asked)
        assert read is not None and (read.expression, read.wrt, read.claim) == (expression, wrt, claim)
        assert claims.check_claim(read.expression, read.claim, read.wrt).right
    else:
        request = rq.expression_derivative(asked)
        assert request is not None and (request.expression, request.wrt) == (expression, wrt)
        assert request.at == ((wrt, at) if at else None)


def test_the_function_s_own_name_in_the_answer_is_its_expression():
    # g(z)(1 - g(z)) for g(z) = 1/(1 + e^(-z)): the sigmoid's derivative, written with g
    read = rq.claimed_derivative("g(z) = 1/(1+e^(-z)), is g'(z) = g(z)(1-g(z))?")
    assert read is not None and "g(" not in read.claim
    assert claims.check_claim(read.expression, read.claim, read.wrt).right


# (as asked, the expression, the answer): only a space between the two
UNSEPARATED = [
    ("is the derivative of σ(z) σ(z)(1-σ(z))?", "σ(z)", "σ(z)(1-σ(z))"),
    ("is the derivative of ln x 1/x?", "ln x", "1/x"),
    ("is the derivative of x^2 2x?", "x^2", "2x"),
]


@pytest.mark.parametrize("asked,expression,claim", UNSEPARATED)
def test_a_stated_derivative_with_only_a_space_before_the_answer(asked, expression, claim):
    read = rq.claimed_derivative(asked)
    assert read is not None and (read.expression, read.claim) == (expression, claim)


@pytest.mark.parametrize(
    "asked",
    [
        "is the derivative of x^2 positive?",
        "is the derivative of log(x) undefined at 0?",
        "is the derivative of the loss ŷ - y?",
    ],
)
def test_words_after_the_expression_are_not_an_answer(asked):
    assert rq.claimed_derivative(asked) is None


# (expression, where, the learner's value, what the verdict names or None); each reason worked out by hand
NAMED_SLIPS = [
    ("ln x", "3", "-0.33", "sign"),  # 1/3 = 0.333…: -0.33 is -(1/3) to two decimals
    ("-ln(ŷ)", "0.9", "1.11", "sign"),  # -1/0.9 = -1.111…
    ("ln x", "3", "-0.34", None),  # -(1/3) rounds to -0.33, not -0.34: no slip named
    ("sigmoid(z)", "0", "0.5", "height"),  # σ(0) = 1/2, its slope 1/4
    ("ln x", "2", "ln 2", "height"),  # ln 2 itself
    ("ln x", "2", "ln 3", None),  # ln 3 = 1.0986… is not ln 2 = 0.693…, though within 0.5 of it
    ("ln x", "3", "1", None),  # ln 3 = 1.0986… to one digit: too few to name it the height
    ("x^3", "1.2", "2", None),  # 1.2³ = 1.728: likewise
    ("x^3", "1.2", "1.73", "height"),  # 1.728 to two decimals
]


@pytest.mark.parametrize("expression,where,value,named", NAMED_SLIPS)
def test_a_slip_at_a_point_is_named_only_when_the_value_is_that_slip(expression, where, value, named):
    checked = claims.check_at_point(expression, value, None, (None, where))
    assert not checked.right
    for reason in ("sign", "height"):
        assert (reason in checked.verdict) is (reason == named), checked.verdict


def test_a_value_at_a_point_is_told_with_e_and_without_hyperbolic_functions():
    at_one = claims.check_at_point("e^x", "2", None, (None, "1"))  # d/dx e^x at 1 is e
    assert f"e = {math.e:.6g}" in at_one.verdict and "E" not in at_one.verdict.replace("The steps", "")
    s2 = 1 / (1 + math.exp(-2))  # σ'(2) = σ(2)(1 - σ(2)) = 0.104993…
    at_two = claims.check_at_point("σ(z)", "0.105", None, (None, "2"))
    assert at_two.right and "cosh" not in at_two.verdict and f"{s2 * (1 - s2):.6g}" in at_two.verdict


# (as asked, the expression, where, the answer): a point, then only a space before the answer
UNSEPARATED_AT = [
    ("is the derivative of x^2 at 3 6?", "x^2", (None, "3"), "6"),
    ("is the derivative of ln x at 2 0.5?", "ln x", (None, "2"), "0.5"),
    ("is the derivative of ln x at x = 2 ln 2?", "ln x", ("x", "2"), "ln 2"),
]


@pytest.mark.parametrize("asked,expression,at,claim", UNSEPARATED_AT)
def test_a_value_at_a_point_with_only_a_space_before_it(asked, expression, at, claim):
    read = rq.claimed_derivative(asked)
    assert read is not None and (read.expression, read.at, read.claim) == (expression, at, claim)


def test_a_function_after_a_point_with_only_a_space_is_not_read_as_a_value():
    assert rq.claimed_derivative("is the derivative of x^2 at x = 3 2x?") is None
    assert rq.claimed_derivative("is the derivative of x^2 at 3 positive?") is None


# ---------------------------------------- the function's own name, a function said at a point, σ at a point


@pytest.mark.parametrize(
    "asked,slope",
    [
        ("g(z) = z^3, is g'(z) = 3z^2?", "dg/dz"),
        ("h(t) = t^2; h'(t) = 2t, right?", "dh/dt"),
        ("L(ŷ) = -ln(ŷ), L'(ŷ) = -1/ŷ?", "dL/dŷ"),
        ("the derivative of f(x) = x^2 is 2x, right?", "df/dx"),
    ],
)
def test_a_named_function_s_derivative_is_written_with_its_name(asked, slope):
    read = rq.claimed_derivative(asked)
    assert read is not None
    checked = claims.check_claim(read.expression, read.claim, read.wrt)
    assert checked.right and checked.verdict.startswith(f"Yes: {slope} = ")


def test_a_definition_is_differentiated_not_taken_for_an_answer():
    # "y = x^2 ln x" names the function; d/dx (x² ln x) = 2x ln x + x
    assert rq.claimed_derivative("the derivative of y = x^2 ln x") is None
    request = rq.expression_derivative("the derivative of y = x^2 ln x")
    assert request is not None
    d = typing_in.expression_derivation(request.expression, request.wrt)
    assert _same(d.result, 2 * x * sp.log(x) + x, x)
    # ŷ = ŷ(1 - ŷ) names ŷ on both sides: an answer to check, as before
    assert rq.claimed_derivative("the derivative of σ(z) = σ(z)(1-σ(z))") is not None


@pytest.mark.parametrize(
    "asked,right,value",
    [
        ("the derivative of x^2 at 3 is 2x", True, 6),
        ("the derivative of x^2 at x = 3 is 2x, right?", True, 6),
        ("the derivative of ln x at 2 is x, right?", False, 1 / 2),
    ],
)
def test_a_function_said_at_a_point_is_checked_and_its_value_there_told(asked, right, value):
    read = rq.claimed_derivative(asked)
    assert read is not None and read.at is not None
    checked = claims.check_at_point(read.expression, read.claim, read.wrt, read.at)
    assert checked.right is right
    assert math.isclose(float(checked.derivation.result), value, rel_tol=1e-12)
    assert "is one number" in checked.verdict


def test_a_point_no_float_can_hold_is_refused_with_a_reason():
    with pytest.raises(InputError, match="too large a number"):
        typing_in.expression_derivation("x^2", None, (None, "1e999999"))


def test_the_sigmoid_named_at_a_point_gives_its_slope_there():
    request = rq.expression_derivative("what is the derivative of sigmoid at 0?")
    assert request is not None and request.at == (None, "0")
    d = typing_in.expression_derivation(request.expression, request.wrt, request.at)
    assert d.result == sp.Rational(1, 4)  # σ'(0) = σ(0)(1 - σ(0)) = 1/2 · 1/2
    # with the value named, the worked example of σ'(z) (it had computed σ(2) itself)
    computed = rq.compute_request("derivative of the sigmoid at z = 2")
    assert computed is not None and computed.function == "dsigmoid" and computed.args == (2.0,)
    assert rq.compute_request("sigmoid at z = 2").function == "sigmoid"


def test_a_stated_derivative_with_only_a_space_may_end_with_right():
    read = rq.claimed_derivative("is the derivative of ln x 1/x, right?")
    assert read is not None and (read.expression, read.claim) == ("ln x", "1/x")


def test_e_is_printed_as_the_learner_writes_it():
    assert derive.linear(sp.E) == "e" and derive.linear(2 * sp.E**2) == "2*e^(2)"
    # the constant kept in x + e is named as that, not as "1 + e times the derivative"
    checked = claims.check_claim("x + e", "1 + e")
    assert not checked.right and "constant term e is kept" in checked.verdict


def test_a_value_asked_at_a_point_is_said_first_with_the_function_s_name():
    d = typing_in.expression_derivation("g(z) = 1/(1+e^-z)", "z", ("z", "0"))
    # σ'(0) = σ(0)(1 - σ(0)) = 1/2 · 1/2: the value first, the domain after
    assert d.result == sp.Rational(1, 4)
    assert d.summary.startswith("At z = 0, dg/dz = 0.25") and "defined" in d.summary.split(". ", 1)[1]


def test_e_alone_is_an_answer_and_0_for_a_tiny_slope_is_told_it_is_not_0():
    read = rq.claimed_derivative("the derivative of e^x at 1 is e")
    assert read is not None and read.claim == "e"
    assert claims.check_at_point(read.expression, read.claim, read.wrt, read.at).right  # d/dx e^x = e^x, e at 1
    # σ'(1000) = e^-1000/(1 + e^-1000)^2 ≈ 10^-434.3: rounds to 0, and is not 0
    tiny = claims.check_at_point("1/(1+e^-z)", "0", None, (None, "1000"))
    assert not tiny.right and "not 0" in tiny.verdict
    assert f"10^{math.floor(-1000 / math.log(10))}" in tiny.verdict
