"""Pilot tests: the app's main flows, driven like a learner would, waiting on workers rather than sleeping."""

from __future__ import annotations

from piloting import ask, follow, settle

from tutor.dialogue.intents import Show
from tutor.ui.app import make_app
from tutor.ui.help import HelpScreen
from tutor.ui.lessons import LessonListScreen, LessonScreen
from tutor.ui.widgets import Chip, DerivationView, LazyPlot, PlotView, TutorTurn


async def test_typing_why_the_minus_sign_shows_the_explanation():
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#ask")
        for ch in "why the minus sign?":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("enter")
        await settle(pilot)
        turns = app.screen.query(TutorTurn)
        assert len(turns) == 1
        reply = turns.first().reply
        assert reply.kind == "answer" and "minus-sign" in reply.concepts
        assert "negative" in reply.markdown
        assert turns.first().query(LazyPlot)  # the node's plot comes with it, drawn when opened


async def test_follow_up_chip_asks_why(new_app):
    app = new_app()
    async with app.run_test(size=(100, 40)) as pilot:
        turn = await ask(pilot, "why the minus sign?")
        why = (await follow(pilot, turn, "why?")).reply
        assert why.node == "minus-sign" and why.section == "why"


async def test_clarify_then_choose_two(new_app):
    app = new_app()
    async with app.run_test(size=(100, 40)) as pilot:
        turn = await ask(pilot, "log")
        assert turn.reply.kind == "clarify"
        second = turn.reply.alternatives[1].node
        chosen = await ask(pilot, "2")
        assert chosen.reply.node == second


async def test_choices_are_whole_buttons_not_listed_twice(new_app):
    app = new_app()
    async with app.run_test(size=(80, 40)) as pilot:
        turn = await ask(pilot, "how do I pick adam's beta2?")
        assert turn.reply.kind == "fallback"
        chips = list(turn.query(Chip))
        titles = [a.title for a in turn.reply.alternatives]
        # each chip carries the intent that opens its topic: nothing is typed and parsed back
        assert [c.intent for c in chips] == [Show(a.node) for a in turn.reply.alternatives]
        for chip, title in zip(chips, titles):
            assert title in str(chip.label)
            assert chip.region.right <= 80  # the whole title is on screen, not cut at the edge
        body = turn.query_one(".body").content.markup  # the Markdown source shown
        assert titles[-1] not in body  # the buttons are the list; the text does not repeat it

        await pilot.click(chips[0])
        await pilot.pause()
        turns = list(app.screen.query(TutorTurn))
        assert turns[-1].reply.node == turn.reply.alternatives[0].node


async def test_plot_and_derivation_render(new_app):
    app = new_app()
    async with app.run_test(size=(120, 50)) as pilot:
        plot = await ask(pilot, "plot the loss for y = 0")
        assert plot.reply.kind == "plot" and plot.query(PlotView)
        d = await ask(pilot, "derive the derivative of the loss")
        assert d.reply.kind == "derive" and d.query(DerivationView)


async def test_lesson_checkpoint_wrong_feedback_hint_right_next(new_app):
    app = new_app(lesson="why-minus")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        wrong = await ask(pilot, "0.693")
        assert "wrong sign" in wrong.reply.markdown
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Hint 1" in app.screen.query(TutorTurn).last().reply.markdown
        right = await ask(pilot, "-0.6931")
        assert right.reply.title == "Correct"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.query(TutorTurn).last().reply.node == "prediction-range"
        assert "Step 2/7" in str(app.screen.query_one("#lesson-title").render())


async def test_lesson_resumes_after_restart(new_app, tmp_path):
    path = tmp_path / "p.db"
    app = new_app(path, lesson="likelihood")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
    again = new_app(path, lesson="likelihood")
    async with again.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        first = again.screen.query(TutorTurn).first().reply
        assert "resuming at step 3" in first.markdown


async def test_corrupted_progress_file_still_opens(isolated_data):
    (isolated_data / "progress.db").write_bytes(b"\x00garbage" * 500)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert any("could not be read" in n.message for n in app._notifications)
        turn = await ask(pilot, "lessons")
        assert turn.reply.kind == "lesson"


async def test_help_and_lesson_list_screens(new_app):
    app = new_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LessonListScreen)
        from tutor.content.nodes import load

        assert app.screen.query_one("#lesson-list").option_count == len(load().lessons)  # one row a lesson
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)


async def test_theme_is_saved_between_runs(new_app, tmp_path):
    path = tmp_path / "p.db"
    app = new_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    again = new_app(path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_keys_can_be_remapped(isolated_data):
    (isolated_data / "keymap.toml").write_text('[keys]\n"app.help" = "f5"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        assert isinstance(app.screen, HelpScreen)
