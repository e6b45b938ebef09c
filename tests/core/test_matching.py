"""Recognising what learners ask: misconceptions, clarify, follow-ups, noisy text, and a floor on real questions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tutor.dialogue.reply import Context
from tutor.matching.evaluate import evaluate
from tutor.matching.labelled import read_tsv
from tutor.matching.language import tokens

SHARED_DEV = Path(__file__).resolve().parents[3] / "shared" / "questions" / "dev.tsv"
OWN = Path(__file__).resolve().parents[1] / "data" / "questions.tsv"
FORUM = Path(__file__).resolve().parents[1] / "data" / "forum.tsv"


@pytest.mark.parametrize(
    "text,concept",
    [
        (
            "So if we have y_hat close to 1, then our loss function will be approximately -1. But this is bad no?",
            "loss-near-one",
        ),
        ("the minus sign is the direction", "sign-is-not-direction"),
        ("the minus sign means we move in the opposite direction, like a force", "sign-is-not-direction"),
        ("I get a negative loss", "loss-near-one"),
        # a misconception with numbers in it is a question, not new values to compute with
        ("if y = 1 and ŷ = 0.999, isn't the loss about -1?", "loss-near-one"),
        ("the loss can't be more than 1", "confident-wrong-penalty"),
        ("why the minus sign?", "minus-sign"),
    ],
)
def test_seed_misconceptions_are_recognised(tutor, text, concept):
    reply, _ = tutor.reply(text)
    assert reply.kind == "answer", reply
    assert concept in reply.concepts


@pytest.mark.parametrize(
    "a,b",
    [
        ("ŷ", "y_hat"),
        ("y hat", "yhat"),
        (r"\hat{y}", "y_hat"),
        ("binary cross entropy", "BCE"),
        ("log loss", "bce"),
        ("σ", "sigmoid"),
        (r"\log", "log"),
        ("binary_crossentropy", "BCELoss"),
        # code: module prefixes and method calls
        ("-np.log(p)", "-log(p)"),
        ("torch.log(y_hat)", "log ŷ"),
        ("x.log().mean()", "log x mean"),
        # the error signal ŷ - y, however it is spelt
        ("preds - labels", "ŷ - y"),
        ("(output - target)", "a - y"),
        ("y - t", "y_true - y_pred"),
        # derivatives named by what they are taken with respect to
        ("with respect to z", "dL/dz"),
        ("w.r.t. the logits", "dz"),
        # the sigmoid's derivative
        ("da/dz", "σ'(z)"),
        ("a(1-a)", "σ(z)(1 - σ(z))"),
        ("sigma_prime", "s * (1 - s)"),
        # log base and log 0
        ("math.log(2)", "log2"),
        ("log(0)", "ln 0"),
        ("log of zero", "log 0"),
        # code in backticks and quoted words, dJ/dw notation, CE
        ("`-np.log(p)`", "-log(p)"),
        ('"prediction" - "label"', "ŷ - y"),
        ("dJ/dw", "∂L/∂w"),
        ("dL/dŷ", "with respect to the output"),
        ("1/(1+np.exp(-z))", "σ"),
        ("CE loss", "cross-entropy"),
        # the leading minus of a formula, a dash named as a symbol, negating
        ("L = - y log p", "L = -log p"),
        ("the - in the loss", "the minus in the loss"),
        ("negate", "minus"),
        ("calculation", "compute"),
    ],
)
def test_domain_normalisation_maps_spellings_together(a, b):
    assert tokens(a) == tokens(b)


@pytest.mark.parametrize("text", ["y log ŷ + (1-y) log(1-ŷ)", "-[y ln a + (1 - y) ln(1 - a)]", "log 0.5", "ln 0.01"])
def test_normalisation_leaves_the_formula_and_other_numbers_alone(text):
    assert not {"residu", "nan", "sigmoid", "log2"} & set(tokens(text))


@pytest.mark.parametrize("text", ["y log ŷ + (1-y) log(1-ŷ)", "a = -3", "w = w - lr * dw", "1 - ŷ"])
def test_a_subtraction_or_a_negative_number_is_not_the_minus_sign(text):
    assert "minus" not in tokens(text)


def test_clarify_then_a_number_answers_that_choice(tutor):
    from dataclasses import replace

    from tutor.dialogue.topics import clarify
    from tutor.matching.matcher import Match

    rivals = [Match("why-log", 0.4, 0.4), Match("log-on-unit-interval", 0.35, 0.35)]
    reply, ctx = clarify(tutor, rivals, Context())
    ctx = replace(ctx, choices=tuple(c.intent for c in reply.choices))  # what the engine carries to the next turn
    assert reply.kind == "clarify"
    second = reply.alternatives[1].node
    reply2, _ = tutor.reply("2", ctx)
    assert reply2.kind == "answer" and reply2.node == second


def test_clarify_is_offered_when_torn(tutor):
    from dataclasses import replace

    from tutor.dialogue.topics import clarify
    from tutor.matching.matcher import Match

    ranked = [
        Match("minus-sign", 5.0, 0.45),
        Match("sign-is-not-direction", 4.9, 0.40),
        Match("bce-formula", 1.0, 0.02),
    ]
    reply, ctx = clarify(tutor, ranked[:2], Context())
    assert reply.kind == "clarify" and len(reply.choices) == 2
    ctx = replace(ctx, choices=tuple(c.intent for c in reply.choices))  # what the engine carries to the next turn
    reply2, _ = tutor.reply("the second one", ctx)
    assert reply2.node == "sign-is-not-direction"


def test_why_after_an_answer_goes_deeper_on_the_same_topic(tutor):
    first, ctx = tutor.reply("why the minus sign?")
    why, ctx = tutor.reply("why?", ctx)
    assert why.kind == "answer"
    assert why.node == first.node and why.section == "why"
    assert why.markdown != first.markdown
    again, _ = tutor.reply("why?", ctx)  # the next "why" follows the node's link one level deeper
    assert again.node == "negative-log-likelihood" or again.section == "deeper"


@pytest.mark.parametrize(
    "follow,section",
    [
        ("an example please", "example"),
        ("simpler please", "simpler"),
        ("I still don't get it", "simpler"),
        ("go deeper", "deeper"),
    ],
)
def test_follow_ups(tutor, follow, section):
    _, ctx = tutor.reply("why is the log of a probability negative?")
    reply, _ = tutor.reply(follow, ctx)
    assert reply.section == section or reply.node != ctx.node


def test_what_about_y_equals_zero_reuses_the_context(tutor):
    _, ctx = tutor.reply("what is the loss if y = 1 and y_hat = 0.3?")
    reply, _ = tutor.reply("what about y = 0?", ctx)
    assert reply.kind == "compute"
    assert reply.computation.inputs["y"] == 0 and reply.computation.inputs["y_hat"] == 0.3


@pytest.mark.parametrize(
    ("node", "y", "title", "expected"),
    [  # each derivative written out here, not taken from the tutor
        ("bce-derivative", 0.0, "∂L/∂ŷ when y = 0", lambda p, y: 1 / (1 - p)),
        ("bce-derivative", 1.0, "∂L/∂ŷ when y = 1", lambda p, y: -1 / p),
        ("bce-derivative", 0.3, "∂L/∂ŷ when y = 0.3", lambda p, y: -y / p + (1 - y) / (1 - p)),
        ("logit-gradient", 0.0, "∂L/∂z when y = 0", lambda p, y: p),
        ("logit-gradient", 1.0, "∂L/∂z when y = 1", lambda p, y: p - 1),
        ("minus-sign", 0.0, "The loss when y = 0", lambda p, y: -math.log(1 - p)),
        ("minus-sign", 0.9, "The loss when y = 0.9", lambda p, y: -(y * math.log(p) + (1 - y) * math.log(1 - p))),
    ],
)
def test_what_about_a_label_under_a_derivative_shows_that_derivative(tutor, node, y, title, expected):
    # found by a learner: after the derivative topic, "what about y = 0?" showed the loss instead
    from tutor.dialogue.intents import Show, WhatAbout

    _, ctx = tutor.reply(Show(node))
    reply, _ = tutor.reply(WhatAbout({"y": y}), ctx)
    assert reply.kind == "compute" and reply.title == title, reply.title
    rows = reply.computation.table[1:]
    assert len(rows) >= 3
    for p_text, value_text in rows:
        p = float(p_text)
        assert float(value_text) == pytest.approx(expected(p, y), rel=1e-5)
    if 0 < y < 1 and node == "minus-sign":  # a soft label's least loss is its entropy, not 0 (a teacher's read)
        least = -(y * math.log(y) + (1 - y) * math.log(1 - y))
        assert f"{least:.6g}" in reply.markdown and "not 0" in reply.markdown


def test_context_survives_a_fallback(tutor):
    _, ctx = tutor.reply("why the minus sign?")
    off, ctx = tutor.reply("how do I exit vim?", ctx)
    assert off.kind == "fallback"
    back, _ = tutor.reply("go deeper", ctx)
    assert back.kind == "answer" and back.node in ("minus-sign", "negative-log-likelihood")


@pytest.mark.parametrize(
    "text",
    [
        "whats teh derivtive of the sigmiod functoin",
        r"why is $L = -\log \hat{y}$ positive when $\hat{y} \in (0,1)$?",
        "loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()  # why the minus here??",
        "why " * 2500,
        "é" * 3000 + " why the minus sign",
    ],
)
def test_noisy_text_gets_an_answer_or_a_clean_refusal(tutor, text):
    reply, _ = tutor.reply(text)
    assert reply.kind in ("answer", "clarify", "fallback", "error", "compute")
    assert reply.markdown


def test_invalid_utf8_and_huge_input(tutor):
    junk = b"\xff\xfe\x80 why minus \xc3\x28".decode("utf-8", errors="replace")
    assert tutor.reply(junk)[0].markdown
    huge, _ = tutor.reply("x" * 1_000_000)
    assert huge.kind == "error" and "characters" in huge.markdown


def test_out_of_scope_is_refused_plainly_with_nearest_topics(tutor):
    reply, _ = tutor.reply("should I use Adam or SGD as my optimizer?")
    assert reply.kind == "fallback" and reply.node is None
    assert "outside what I cover" in reply.markdown
    assert reply.alternatives


@pytest.mark.parametrize(
    "path,top1,top3,refused_in",
    [
        # Floors a little below the semantic matcher's measured figures (issue 12, second round: knn3 feature,
        # outside-mass refusal, refusing an in-scope question weighs -1.5, tie ratio >= 0.4; retrained on train.tsv):
        # dev top-1 76.7% top-3 98.0% in-scope refused 2.7% out-of-scope refused 85.0%; own 87.8% / 97.8% / 0.0% / 95%;
        # forum 82.0% / 98.0% / 0.0% / 90%. Third round (misspelt words corrected, retrained): dev 75.3% / 98.0% /
        # 4.0% / 85.0%, own 87.8% / 96.7% / 0.0% / 95%, forum 82.0% / 98.0% / 0.0% / 90%; floors not raised.
        # dev's top-1 is below the 85% target: no rule was written from its misses.
        pytest.param(
            SHARED_DEV,
            0.75,
            0.96,
            0.04,
            id="dev",
            marks=pytest.mark.skipif(
                not SHARED_DEV.exists(), reason="../shared/questions/dev.tsv is not beside the checkout"
            ),
        ),
        pytest.param(OWN, 0.86, 0.95, 0.02, id="own"),
        pytest.param(FORUM, 0.80, 0.95, 0.02, id="forum"),
    ],
)
@pytest.mark.slow
def test_question_set_floor(tutor, path, top1, top3, refused_in):
    rep = evaluate(tutor, read_tsv(path))
    assert rep.top1 / rep.total_in >= top1
    assert rep.top3 / rep.total_in >= top3
    assert rep.refused_out / rep.total_out >= 0.85  # dev 85.0%, own 95%, forum 90% measured
    assert rep.falsely_refused / rep.total_in <= refused_in


def test_typo_correction_fixes_typos_not_other_words(tutor):
    m = tutor.matcher
    assert m.query_tokens("sigmiod") == m.query_tokens("sigmoid")
    assert m.query_tokens("likelihod") == m.query_tokens("likelihood")
    # "calculate" is a word, not a misspelt "calculus" (the sigmoid node's word)
    assert "calculus" not in m.query_tokens("how do I calculate the loss for a batch")
