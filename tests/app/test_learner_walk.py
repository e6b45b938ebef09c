"""What a new learner read at 80×24: their own derivative checked, and lessons with numeric checkpoints."""

from __future__ import annotations

import pytest
from piloting import ask, settle

from tutor.printing import reply_text
from tutor.ui.lessons import LessonScreen
from tutor.ui.widgets import DerivationView, TutorTurn


def _in_view(app, widget) -> bool:
    """Whether ``widget``'s first line is inside the transcript's visible region."""
    transcript = app.screen.query_one("#transcript")
    return transcript.region.contains_point(widget.region.offset)


@pytest.mark.parametrize(
    ("question", "starts"),
    [
        ("the derivative of ln(1-x) is -1/(1-x), right?", "Yes"),
        ("I got 1/(1-x) for the derivative of ln(1-x)", "Not quite"),
        ("is d/dx x^2 = 2x+1?", "Not quite"),
    ],
)
async def test_a_checked_derivative_shows_its_verdict_first_and_in_view(new_app, question, starts):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        turn = await ask(pilot, question)
        assert turn.reply.kind == "derive" and turn.reply.lead.startswith(starts)
        view = turn.query_one(DerivationView)
        lead = view.query_one(".lead")
        assert lead.content.markup.startswith(starts)
        assert lead is view.children[0]  # before the steps, not after a screenful of them
        assert _in_view(app, lead), "the verdict is scrolled out of view"


async def test_a_typed_derivative_has_no_verdict_line(new_app):
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        turn = await ask(pilot, "derivative of ln(1-x)")
        assert turn.reply.kind == "derive" and turn.reply.lead == ""
        assert not turn.query(".lead")


def test_the_screen_reader_text_keeps_the_verdict(tutor):
    reply, _ = tutor.reply("the derivative of ln(1-x) is 1/(1-x), right?")
    text = reply_text(reply, words=True)
    assert text.count("Not quite") == 1
    assert text.index("Not quite") < text.index("chain rule")


async def test_another_lesson_started_inside_a_lesson_opens_on_its_own_screen(new_app, tutor):
    ids = list(tutor.kb.lessons)
    first, other = ids[0], ids[-1]
    app = new_app(lesson=first)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson_id == first
        await ask(pilot, f"start lesson {len(tutor.kb.lessons)}")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.lesson_id == other
        lesson = tutor.kb.lessons[other]
        header = str(screen.query_one("#lesson-title").render())
        assert header.startswith(f"Step 1/{len(lesson.steps)} · ") and "Paused" not in header
        assert screen.query(TutorTurn).last().reply.lesson.id == other
        assert len(app.screen_stack) == 2  # the chat below it: Esc leads back there, not into the first lesson


async def test_a_numeric_checkpoint_asks_again_without_counting_and_keeps_the_step(new_app):
    from tutor.dialogue.lessons import ASKED_AGAIN

    app = new_app(lesson="reading-loss")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "next")  # step 2: the mean loss of a batch, three decimals
        header = app.screen.query_one("#lesson-title")
        assert str(header.render()).startswith("Step 2/")
        # the batch's mean loss, written out: three -ln 0.9 and one -ln 0.001, over four
        import math

        mean = (3 * -math.log(0.9) - math.log(0.001)) / 4
        for typed in (f"{mean:.1f}", f"{mean:.3f}".replace(".", ","), f"{mean:.3f} or {mean + 0.001:.3f}"):
            turn = await ask(pilot, typed)
            assert turn.reply.title == ASKED_AGAIN and turn.reply.verdict is None, typed
            assert _in_view(app, turn.query_one(".title"))
            assert str(header.render()).startswith("Step 2/")  # still at the same step
        store = app.loaded_tutor().store()
        assert store.conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0  # none of them counted
        turn = await ask(pilot, f"{mean:.3f}")
        assert turn.reply.title == "Correct" and turn.reply.verdict == "right"
        assert store.conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 1
        assert store.first_try("reading-loss") == {1}  # solved at the first counted try


@pytest.mark.parametrize(
    "turns",
    [
        ["why the minus sign?", "I got 1/(1-x) for the derivative of ln(1-x)"],
        ["derivative of x ln x", "plot it"],
    ],
)
def test_why_after_a_typed_derivative_is_about_that_derivative(tutor, turns):
    import re

    ctx = None
    for text in turns:
        _, ctx = tutor.reply(text, ctx) if ctx is not None else tutor.reply(text)
    derived = tutor.reply(next(t for t in turns if "derivative" in t))[0].derivation  # the one it is asked about
    why, after = tutor.reply("why?", ctx)
    assert why.title.startswith("Why d") and why.node is None  # not the topic asked about before
    for step in derived.steps[1:]:
        assert f"**{step.rule}**: {step.why}" in why.markdown
    assert "definition" not in why.markdown
    for suggestion in re.findall(r"ask \*([^*]+)\*", why.markdown):  # every request it suggests is answered
        answered, _ = tutor.reply(suggestion)
        assert answered.kind == "derive", suggestion
    again, _ = tutor.reply("why?", after)  # asked once more: the topic's own why, as before
    assert again.title != why.title


@pytest.mark.parametrize("width", range(40, 81, 4))
def test_a_step_s_reason_keeps_its_formulas_whole_when_wrapped(tutor, width):
    from rich.console import Console

    from tutor.ui.widgets import Glued

    reply, _ = tutor.reply("derivative of -(y ln ŷ + (1-y) ln(1-ŷ)) by ŷ")
    why = next(s.why for s in reply.derivation.steps if "(1 - y)" in s.why and len(s.why) > 40)
    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(Glued(why))
    lines = captured.get().splitlines()
    assert " ".join(line.strip() for line in lines) == why  # nothing lost or cut
    for group in ("(1 - y)", "(1 - ŷ)"):  # each formula's brackets on one line, never "(1" then "- y)"
        assert sum(line.count(group) for line in lines) == why.count(group), lines


def test_plot_it_after_the_loss_typed_out_draws_it_for_y_1(tutor):
    import math

    checked, ctx = tutor.reply("d/dŷ of -(y ln ŷ + (1-y) ln(1-ŷ)) = ŷ - y?")
    assert checked.followups == ("plot",)
    plotted, _ = tutor.reply("plot it", ctx)
    assert plotted.kind == "plot" and plotted.title.endswith("for y = 1")
    loss, slope = plotted.plot.series
    for x, value in zip(loss.x, loss.y, strict=True):  # -ln ŷ, and its slope -1/ŷ, written out here
        assert value == pytest.approx(-math.log(x), rel=1e-6)
    for x, value in zip(slope.x, slope.y, strict=True):
        assert value == pytest.approx(-1 / x, rel=1e-6)


def test_an_expression_in_two_variables_offers_no_plot_and_says_why_on_plot_it(tutor):
    derived, ctx = tutor.reply("derivative of w*x by w")
    assert derived.kind == "derive" and "plot" not in derived.followups
    plotted, _ = tutor.reply("plot it", ctx)
    assert plotted.kind == "error" and "more than one variable" in plotted.markdown and "(w, x)" in plotted.markdown


async def test_a_derivative_at_a_point_says_its_value_first_and_in_view(new_app):
    from tutor.maths.numeric import fmt

    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        turn = await ask(pilot, "derivative of -ln ŷ at ŷ = 0.9")
        view = turn.query_one(DerivationView)
        first = view.children[0]
        assert first.has_class("lead") and _in_view(app, first)
        said = first.content.text.plain
        assert fmt(-1 / 0.9) in said and "falls" in said  # d/dŷ (-ln ŷ) = -1/ŷ, negative: the loss falls
        assert not view.query(".summary")  # said once, not again under the steps
