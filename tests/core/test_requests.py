"""Numeric requests in the learner's words are computed correctly; bad values get the valid range."""

from __future__ import annotations

import math

import pytest

from tutor.dialogue import requests as rq

s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731


@pytest.mark.parametrize(
    "text,name,key,expected",
    [
        ("what is the loss if y = 1 and y_hat = 0.3?", "bce", "loss", -math.log(0.3)),
        ("loss if y=1 and a=0.3", "bce", "loss", -math.log(0.3)),
        ("loss if y = 0 and the prediction is 0.8", "bce", "loss", -math.log(0.2)),
        ("bce with y = 0, p = 0.2", "bce", "loss", -math.log(0.8)),
        (
            "cost for y=[1,0,1] and ŷ=[0.9,0.2,0.6]",
            "cost",
            "cost",
            -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3,
        ),
        ("what's -log(0.99)?", "neglog", "value", -math.log(0.99)),
        ("ln(0.5)", "ln", "value", math.log(0.5)),
        ("log2(0.5)", "log2", "value", -1.0),
        ("sigmoid(2)", "sigmoid", "value", s(2)),
        ("bce from logit z = -5 and y = 1", "bce_logit", "loss", -math.log(s(-5))),
        ("derivative of the loss at y = 1, y_hat = 0.3", "dbce", "dL_dy_hat", (0.3 - 1) / (0.3 * 0.7)),
        ("dL/dz at y = 1, z = 2", "dlogit", "dL_dz", s(2) - 1),
        ("one gradient step with w=0.5, x=2, y=1, lr=0.1", "gd_step", "w_new", 0.5 - 0.1 * (s(1) - 1) * 2),
    ],
)
def test_numeric_requests_from_free_text(tutor, text, name, key, expected):
    reply, _ = tutor.reply(text)
    assert reply.kind == "compute", reply.markdown
    comp = reply.to_json()["computation"]
    assert comp["name"] == name
    assert comp[key] == pytest.approx(expected, rel=1e-9)
    assert len(comp["steps"]) >= 1


def test_a_table_of_logs(tutor):
    reply, _ = tutor.reply("log of 0.99, 0.9, 0.5, 0.1, 0.01")
    values = reply.to_json()["computation"]["ln"]
    assert values == pytest.approx([math.log(x) for x in (0.99, 0.9, 0.5, 0.1, 0.01)])


def test_infinite_loss_is_explained_and_json_says_inf(tutor):
    reply, _ = tutor.reply("loss for y = 1 and y_hat = 0")
    comp = reply.to_json()["computation"]
    assert comp["loss"] == "inf" and "clamp" in comp["note"]


@pytest.mark.parametrize(
    "text,says",
    [
        ("loss if y = 1 and y_hat = 1.7", "between 0 and 1"),
        ("loss if y = 1 and y_hat = -0.3", "between 0 and 1"),
        ("loss if y = 2 and y_hat = 0.5", "y is 0 or 1"),
        ("compute the loss for y = 1 and y_hat = 1e999", "too large"),
        ("compute ln(0)", "positive"),
    ],
)
def test_bad_values_get_the_valid_range(tutor, text, says):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error" and says in reply.markdown


@pytest.mark.parametrize(
    "text,plot",
    [
        ("plot -log(ŷ)", "expression"),
        ("plot the loss for y = 1", "neglog"),
        ("show me the graph of log", "ln"),
        ("plot the loss for y = 0", "bce0"),
        ("plot the sigmoid", "sigmoid"),
        ("plot both branches of the loss", "bce"),
        ("plot mse vs bce", "mse-vs-bce"),
    ],
)
def test_plot_requests(tutor, text, plot):
    reply, _ = tutor.reply(text)
    assert reply.kind == "plot" and reply.plot.name == plot
    assert all(len(s.x) == len(s.y) > 10 for s in reply.plot.series)


def test_show_me_how_to_get_y_hat_minus_y(tutor):
    reply, _ = tutor.reply("show me how to get ŷ - y")
    assert reply.kind == "derive" and reply.derivation.target == "logit"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("simpler pls", "simpler"),
        ("please simpler", "simpler"),
        ("an example please", "example"),
        ("give me an exmaple", "example"),
        ("simpeler", "simpler"),
        ("go deper", "deeper"),
        ("more details thx", "deeper"),
        ("why then", "why"),
    ],
)
def test_politeness_and_misspelt_follow_up_words_are_still_follow_ups(text, kind):
    assert rq.follow_up(text) == kind


@pytest.mark.parametrize("text", ["sample size", "exponent", "give me a sample", "deep learning", "simple question"])
def test_near_words_that_are_not_follow_ups_stay_questions(text):
    assert rq.follow_up(text) is None
