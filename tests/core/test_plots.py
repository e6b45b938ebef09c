"""Plots a learner asks for: expressions read by the safe parser, sampled where finite, with marks and round ticks."""

from __future__ import annotations

import math

import pytest

from tutor.dialogue.requests import plot_request
from tutor.errors import InputError
from tutor.maths import plots


def _zero_crossing(xs, ys) -> float:
    """Where the sampled data changes sign, by linear interpolation (independent of the plot's own zero finder)."""
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if y0 == 0:
            return x0
        if y0 * y1 < 0:
            return x0 - y0 * (x1 - x0) / (y1 - y0)
    raise AssertionError("no sign change")


def test_ln_and_minus_ln_from_0_to_3_gives_two_curves_crossing_zero_at_1(tutor):
    reply, _ = tutor.reply("plot ln(x) and -ln(x) from 0 to 3")
    assert reply.kind == "plot"
    ln, neg = reply.plot.series
    assert (ln.label, neg.label) == ("ln(x)", "-ln(x)")
    # Sampled only where finite: x = 0 is left out, and said so.
    assert min(ln.x) > 0 and max(ln.x) == pytest.approx(3)
    assert all(math.isfinite(v) for v in ln.y + neg.y)
    assert any("x = 0" in n for n in reply.plot.notes)
    # The data itself: the values are ln x and -ln x, and ln changes sign at x = 1.
    for x, y in zip(ln.x[::37], ln.y[::37]):
        assert y == pytest.approx(math.log(x), abs=1e-5)
    for x, y in zip(neg.x[::37], neg.y[::37]):
        assert y == pytest.approx(-math.log(x), abs=1e-5)
    assert _zero_crossing(ln.x, ln.y) == pytest.approx(1.0, abs=1e-3)
    assert dict(reply.plot.zeros)["ln(x)"] == pytest.approx(1.0, abs=1e-9)
    assert "0 at x = 1" in reply.markdown


def test_ln_x_and_minus_ln_x_together_without_parentheses(tutor):
    reply, _ = tutor.reply("plot ln x and -ln x together")
    assert [s.label for s in reply.plot.series] == ["ln x", "-ln x"]
    assert min(reply.plot.series[0].x) > 0  # the default range starts where ln is defined
    assert any("x ≤ 0" in n for n in reply.plot.notes)


def test_a_marked_value_is_on_the_curve(tutor):
    reply, _ = tutor.reply("plot -ln ŷ and mark 0.99")
    (mark,) = reply.plot.marks
    assert mark.x == 0.99 and mark.y == pytest.approx(-math.log(0.99), rel=1e-9)
    assert reply.plot.xlabel == "ŷ"
    assert "0.99" in reply.markdown


def test_log_from_0_to_3_is_not_a_fixed_plot(tutor):
    reply, _ = tutor.reply("plot log(x) from 0 to 3")
    (s,) = reply.plot.series
    assert max(s.x) == pytest.approx(3) and s.y[-1] == pytest.approx(math.log(3), abs=1e-5)


@pytest.mark.parametrize("text", ["plot sin(x)", "plot x^100", "plot __import__('os')", "plot y*x"])
def test_a_refused_expression_says_what_is_accepted(tutor, text):
    reply, _ = tutor.reply(text)
    assert reply.kind == "error"
    assert "ln or log, exp, and σ or sigmoid" in reply.markdown and "x, ŷ or z" in reply.markdown


def test_nowhere_defined_and_bad_ranges_are_clear_errors():
    with pytest.raises(InputError, match="not defined anywhere"):
        plots.expression_plot(["ln x"], -3, -1)
    with pytest.raises(InputError, match="from A to B"):
        plots.expression_plot(["x"], 3, 1)


def test_requests_read_ranges_and_marks():
    r = plot_request("plot sigmoid(z) on [-4, 4] and mark 0")
    assert r.expressions == ("sigmoid(z)",) and (r.lo, r.hi) == (-4, 4) and r.marks == (0,)
    assert plot_request("plot the sigmoid").name == "sigmoid"
    assert plot_request("plot it") == plots_request_empty()


def plots_request_empty():
    from tutor.dialogue.requests import PlotRequest

    return PlotRequest()


@pytest.mark.parametrize("lo,hi", [(-1.77, 5.3), (0.0025, 5.99), (-4.9, 4.9), (0, 3), (0.1, 0.13)])
def test_ticks_are_round_and_cover_the_data(lo, hi):
    a, b, ticks = plots.nice_range(lo, hi)
    assert a <= lo and b >= hi and ticks[0] == pytest.approx(a) and ticks[-1] == pytest.approx(b)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(mantissa == pytest.approx(m) for m in (1, 2, 2.5, 5))
    assert 3 <= len(ticks) <= 7


def test_lesson_one_plot_is_ln_and_its_mirror_with_the_learners_y_hat():
    p = plots.make("ln-and-neglog", marks=[0.3])
    assert [s.label for s in p.series] == ["ln x", "-ln x"]
    assert max(p.series[0].x) == pytest.approx(3) and min(p.series[0].x) > 0
    assert [x for _, x in p.zeros] == [pytest.approx(1.0)] * 2
    assert [m.y for m in p.marks] == [pytest.approx(math.log(0.3)), pytest.approx(-math.log(0.3))]


def test_screen_reader_words_and_table():
    p = plots.expression_plot(["-ln ŷ"], 0, 1)
    assert "falls" in p.describe()
    head, *rows = p.table(5)
    assert head == ["ŷ", "-ln ŷ"] and len(rows) == 5
    assert float(rows[-1][1]) == pytest.approx(0, abs=1e-9)


def test_an_earlier_y_hat_is_marked_on_a_learners_curve_in_y_hat_only(tutor):
    _, ctx = tutor.reply("loss if y = 1 and ŷ = 0.3")
    in_x, _ = tutor.reply("plot ln x from 0 to 3", ctx)
    assert in_x.plot is not None and in_x.plot.marks == ()  # nothing asked for, nothing in ŷ to mark
    in_y_hat, _ = tutor.reply("plot -ln ŷ", ctx)
    assert in_y_hat.plot is not None and [m.x for m in in_y_hat.plot.marks] == [0.3]
    assert in_y_hat.plot.marks[0].y == pytest.approx(-math.log(0.3))


@pytest.mark.parametrize(
    ("first", "label", "loss"),
    [
        # the loss worked out for a label, then "plot it": that label's curve, not the older topic's
        (None, 0, lambda p: -math.log(1 - p)),  # first thing asked: no topic behind it
        ("how steep is the sigmoid at 0?", 0, lambda p: -math.log(1 - p)),
        ("why the minus sign?", 0, lambda p: -math.log(1 - p)),
        ("what is the derivative of the sigmoid?", 1, lambda p: -math.log(p)),
    ],
)
def test_plot_it_after_a_computed_loss_draws_the_loss_for_that_label(tutor, first, label, loss):
    ctx = tutor.reply(first)[1] if first else None
    _, ctx = tutor.reply(f"what is the loss if y = {label} and y_hat = 0.2?", ctx)
    plotted, _ = tutor.reply("plot it", ctx)
    assert plotted.kind == "plot"
    (curve,) = plotted.plot.series
    assert plotted.plot.xlabel == "ŷ"
    for x, y in zip(curve.x[::29], curve.y[::29]):
        assert y == pytest.approx(loss(x), rel=1e-6, abs=1e-9)
    assert [m.x for m in plotted.plot.marks] == [pytest.approx(0.2)]  # the learner's ŷ, marked


def test_plot_it_after_what_about_y_0_draws_the_loss_for_y_0(tutor):
    _, ctx = tutor.reply("so is the loss about -1 when y_hat is near 1?")
    _, ctx = tutor.reply("what about y = 0?", ctx)
    plotted, _ = tutor.reply("plot it", ctx)
    (curve,) = plotted.plot.series
    for x, y in zip(curve.x[::29], curve.y[::29]):
        assert y == pytest.approx(-math.log(1 - x), rel=1e-6, abs=1e-9)
