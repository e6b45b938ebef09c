"""Grading as a teacher would: every correct form accepted, the mistake named, no keyword or prefix deciding.

Each row is (lesson, step number as the learner sees it, what the learner typed, verdict, words the
feedback must contain). Verdicts: "right", "wrong", or None when the text cannot be read as an answer
(the learner is told what is accepted). The expected values are the mathematics, not the code's output.
"""

from __future__ import annotations

import math

import pytest

W = "wrong"
R = "right"

CASES = [
    # lesson 1, step 1: ln(0.5) = -ln 2
    ("why-minus", 1, "-0.693", R, ""),
    ("why-minus", 1, "-0.6931", R, ""),
    ("why-minus", 1, "-0.69", R, ""),  # rounded to the decimals given
    ("why-minus", 1, "-ln(2)", R, ""),
    ("why-minus", 1, "-ln 2", R, ""),
    ("why-minus", 1, "−ln 2", R, ""),
    ("why-minus", 1, "ln(0.5) = -0.693", R, ""),
    ("why-minus", 1, "ln(1/2)", R, ""),
    ("why-minus", 1, "it's about -0.693", R, ""),
    ("why-minus", 1, "0.693", W, "sign"),
    ("why-minus", 1, "ln(0.5) = 0.693", W, "sign"),
    ("why-minus", 1, "-0.301", W, "base 10"),
    ("why-minus", 1, "-1", W, ""),
    ("why-minus", 1, "0.5", W, "x itself"),
    ("why-minus", 1, "-0.7", W, ""),  # one significant digit is not three decimals
    ("why-minus", 1, "banana", None, "number"),
    # step 2: choice, strictly between 0 and 1
    ("why-minus", 2, "2", R, ""),
    ("why-minus", 2, "b", R, ""),
    ("why-minus", 2, "(b)", R, ""),
    ("why-minus", 2, "B.", R, ""),
    ("why-minus", 2, "the second one", R, ""),
    ("why-minus", 2, "strictly between 0 and 1", R, ""),
    ("why-minus", 2, "between 0 and 1", R, ""),
    ("why-minus", 2, "3", W, "labels"),
    ("why-minus", 2, "exactly 0 or 1", W, "labels"),
    ("why-minus", 2, "c", W, "labels"),
    ("why-minus", 2, "4", W, "tanh"),
    ("why-minus", 2, "any real number", W, "squeezes"),
    ("why-minus", 2, "9", W, "1 to 4"),
    ("why-minus", 2, "purple", None, "number"),
    # step 3: -ln 0.99 = 0.01005
    ("why-minus", 3, "0.01005", R, ""),
    ("why-minus", 3, "0.0101", R, ""),
    ("why-minus", 3, "-ln(0.99)", R, ""),
    ("why-minus", 3, "-0.01005", W, "ln 0.99 itself"),
    ("why-minus", 3, "-1", W, "log comes first"),
    ("why-minus", 3, "-0.99", W, "-ŷ"),
    ("why-minus", 3, "0.01", W, "approximation"),
    ("why-minus", 3, "0.0044", W, "base 10"),
    # step 4: the loss approaches 0 as ŷ → 1
    ("why-minus", 4, "0", R, ""),
    ("why-minus", 4, "zero", R, ""),
    ("why-minus", 4, "zero, not -1", R, ""),
    ("why-minus", 4, "0, never negative", R, ""),
    ("why-minus", 4, "it goes to 0", R, ""),
    ("why-minus", 4, "0.5", W, ""),
    ("why-minus", 4, "-1", W, "misconception"),
    ("why-minus", 4, "it goes to -1", W, "misconception"),
    ("why-minus", 4, "minus one", W, "misconception"),
    ("why-minus", 4, "1", W, "ln 1 = 0"),
    ("why-minus", 4, "infinity", W, "ŷ → 0"),
    # step 5: a model stuck at ŷ = 0.5 pays ln 2
    ("why-minus", 5, "0.693", R, ""),
    ("why-minus", 5, "ln 2", R, ""),
    ("why-minus", 5, "ln(2)", R, ""),
    ("why-minus", 5, "-ln(0.5)", R, ""),
    ("why-minus", 5, "1.386", W, "both branches"),
    ("why-minus", 5, "2 ln 2", W, "both branches"),
    ("why-minus", 5, "0", W, "neither"),
    ("why-minus", 5, "0.5", W, "ŷ itself"),
    ("why-minus", 5, "-0.693", W, "never negative"),
    # step 6: what tells gradient descent which way to move
    ("why-minus", 6, "the derivative", R, ""),
    ("why-minus", 6, "the derivative of the loss", R, ""),
    ("why-minus", 6, "the gradient of the loss", R, ""),
    ("why-minus", 6, "its slope", R, ""),
    ("why-minus", 6, "dL/dw", R, ""),
    ("why-minus", 6, "the sign of the gradient", R, ""),
    ("why-minus", 6, "the partial derivatives", R, ""),
    ("why-minus", 6, "the minus sign", W, "no direction"),
    ("why-minus", 6, "the sign of the loss", W, "always ≥ 0"),
    ("why-minus", 6, "the loss", W, "how bad"),
    ("why-minus", 6, "gradual", W, ""),  # a prefix of "gradient" is not the word
    ("why-minus", 6, "not the gradient", W, ""),  # negated
    # step 7: one gradient step
    ("why-minus", 7, "0.5538", R, ""),
    ("why-minus", 7, "0.4462", W, "uphill"),
    ("why-minus", 7, "-0.5379", W, "gradient"),
    # lesson 2
    ("likelihood", 1, "2", R, ""),
    ("likelihood", 1, "-ln(1 - ŷ)", R, ""),
    ("likelihood", 1, "1", W, "y = 1 branch"),
    ("likelihood", 2, "0.2798", R, ""),
    ("likelihood", 2, "-0.2798", W, "flip the sign"),
    ("likelihood", 2, "0.8393", W, "mean"),
    ("likelihood", 3, "3", R, ""),
    ("likelihood", 3, "it changes where the maximum is", R, ""),
    ("likelihood", 4, "it turns maximising the likelihood into minimising a cost", R, ""),
    ("likelihood", 4, "so the loss is positive", R, ""),
    ("likelihood", 4, "to make it non-negative", R, ""),
    ("likelihood", 4, "it tells gradient descent which direction to go", W, "not a direction"),
    ("likelihood", 4, "so we go the opposite way", W, "not a direction"),
    ("likelihood", 4, "it has nothing to do with direction, it makes the loss positive", R, ""),
    ("likelihood", 6, "2", R, ""),
    ("likelihood", 7, "1", R, ""),
    ("likelihood", 7, "KL(p‖q)", R, ""),
    # lesson 3
    ("logistic-gradients", 1, "(y_hat - y)/(y_hat*(1 - y_hat))", R, ""),
    ("logistic-gradients", 1, "-y/y_hat + (1 - y)/(1 - y_hat)", R, ""),
    ("logistic-gradients", 1, "(ŷ - y)/(ŷ(1 - ŷ))", R, ""),
    ("logistic-gradients", 1, "y_hat - y", W, "∂L/∂z"),
    ("logistic-gradients", 1, "(y - y_hat)/(y_hat*(1 - y_hat))", W, "sign"),
    ("logistic-gradients", 2, "sigma(z)*(1 - sigma(z))", R, ""),
    ("logistic-gradients", 2, "σ(z)(1 - σ(z))", R, ""),
    ("logistic-gradients", 2, "z*(1 - z)", W, "output"),
    ("logistic-gradients", 3, "y_hat - y", R, ""),
    ("logistic-gradients", 3, "ŷ - y", R, ""),
    ("logistic-gradients", 3, "sigma(z) - y", R, ""),
    ("logistic-gradients", 3, "dL/dz = ŷ - y", R, ""),
    ("logistic-gradients", 3, "y - y_hat", W, "flipped"),
    ("logistic-gradients", 3, "(y_hat - y)*y_hat*(1 - y_hat)", W, "squared-error"),
    ("logistic-gradients", 4, "0.0269", R, ""),
    ("logistic-gradients", 4, "-0.0269", W, "uphill"),
    ("logistic-gradients", 5, "-0.9933", R, ""),
    ("logistic-gradients", 5, "0.9933", W, "negative"),
    ("logistic-gradients", 6, "2", R, ""),
    ("logistic-gradients", 6, "BCEWithLogitsLoss on z", R, ""),
    ("logistic-gradients", 6, "3", W, "twice"),
]


def _checkpoint(kb, lesson: str, step: int):
    cp = kb.lessons[lesson].steps[step - 1].checkpoint
    assert cp is not None, (lesson, step)
    return cp


@pytest.mark.parametrize(("lesson", "step", "text", "verdict", "says"), CASES,
                         ids=[f"{c[0]}-{c[1]}:{c[2][:28]}" for c in CASES])
def test_grading_table(kb, lesson, step, text, verdict, says):
    cp = _checkpoint(kb, lesson, step)
    fb = cp.check(text)
    if verdict is None:
        assert fb is None
        assert says in cp.unreadable()
        return
    assert fb is not None, f"{text!r} was not read as an answer"
    assert fb.correct == (verdict == R), fb.message
    assert says in fb.message


def test_the_table_is_large():
    assert len(CASES) >= 80


def test_the_expected_values_are_the_mathematics(kb):
    """The right answers above, computed independently of the tutor's numeric code."""
    sigma = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert round(math.log(0.5), 3) == -0.693
    assert round(-math.log(0.99), 4) == 0.0101
    assert round(-(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3, 4) == 0.2798
    assert round(-(math.log(0.9) + math.log(0.8) + math.log(0.6)), 4) == 0.8393
    g = (sigma(1.0) - 1) * 2
    assert round(0.5 - 0.1 * g, 4) == 0.5538 and round(0.5 + 0.1 * g, 4) == 0.4462
    assert round(0 - 0.1 * (sigma(1.0) - 1), 4) == 0.0269
    assert round(sigma(-5) - 1, 4) == -0.9933
    assert round(math.log10(0.5), 3) == -0.301


def test_every_checkpoint_has_three_graded_hints_the_last_a_worked_answer(kb):
    for lesson in kb.lessons.values():
        for i, step in enumerate(lesson.steps, 1):
            if step.checkpoint is not None:
                assert len(step.checkpoint.hints) >= 3, (lesson.id, i)


def test_a_checkpoint_comes_before_the_text_that_answers_it(kb, tmp_path):
    """Predict, then reveal: the step shows the question, and the node's explanation only after the answer."""
    from tutor.dialogue.context import Context
    from tutor.dialogue.engine import Tutor
    from tutor.store.progress import open_store

    tutor = Tutor(kb, store=open_store(tmp_path / "p.db"))
    for lesson in kb.lessons.values():
        ctx = Context()
        reply, ctx = tutor.reply(f"start lesson {lesson.id}", ctx)
        for i, step in enumerate(lesson.steps):
            node = kb.nodes[step.node]
            first_paragraph = node.markdown().split("\n\n")[0]
            if step.checkpoint is not None:
                assert "Checkpoint" in reply.markdown
                assert first_paragraph not in reply.markdown, (lesson.id, i + 1)
            else:
                assert first_paragraph in reply.markdown
            reply, ctx = tutor.reply("next", ctx)
