"""The app never loses the learner's place: replies scrolled into view, a working state, Esc, keys, focus."""

from __future__ import annotations

import re
import threading

from piloting import ask, settle, until
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from tutor.ui.chat import ChatScreen, History
from tutor.ui.help import KEYS, HelpScreen
from tutor.ui.lessons import LessonScreen
from tutor.ui.widgets import Chip, PlotView, TutorTurn


def first_line_visible(screen, turn) -> bool:
    transcript = screen.query_one("#transcript")
    top = turn.virtual_region.y
    return transcript.scroll_y <= top < transcript.scroll_y + transcript.scrollable_content_region.height


async def test_lesson_next_and_back_show_the_new_step_from_its_first_line(new_app, tmp_path):
    a = new_app(lesson="why-minus")
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, step in [("ctrl+n", 2), ("ctrl+n", 3), ("ctrl+n", 4), ("ctrl+b", 3)]:
            await pilot.press(key)
            await settle(pilot)
            turn = a.screen.query(TutorTurn).last()
            assert (turn.reply.lesson.step, turn.reply.lesson.of) == (step, 7)
            assert first_line_visible(a.screen, turn), (key, step)
            assert a.focused is a.screen.query_one("#ask")


async def test_a_derivation_and_a_plot_land_in_view_after_a_long_answer(new_app, tmp_path):
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "why the minus sign?")
        turn = await ask(pilot, "derive the derivative of the loss")
        assert turn.reply.kind == "derive" and first_line_visible(a.screen, turn)
        turn = await ask(pilot, "plot -ln ŷ and mark 0.99")
        assert turn.reply.kind == "plot" and first_line_visible(a.screen, turn)
        turn = await ask(pilot, "plot ln(x) and -ln(x) from 0 to 3")  # two curves, two colours in the legend
        assert len(turn.reply.plot.series) == 2 and turn.query(PlotView) and first_line_visible(a.screen, turn)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not a.screen.query(TutorTurn)
        turn = await ask(pilot, "why the minus sign?")
        assert first_line_visible(a.screen, turn)


async def test_a_slow_answer_shows_working_then_the_answer(new_app, tmp_path):
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tutor = a.tutor()
        release = threading.Event()
        real = tutor.reply

        def slow(text, ctx=None):
            release.wait(5)
            return real(text, ctx)

        tutor.reply = slow
        box = a.screen.query_one("#ask")
        box.value = "why the minus sign?"
        await pilot.press("enter")
        await until(pilot, lambda: bool(a.screen.query("#working")))  # shown after 150 ms of work
        assert a.screen.query("#working") and "working" in str(a.screen.query_one("#working").render())
        release.set()
        await settle(pilot)
        assert not a.screen.query("#working")
        assert a.screen.query(TutorTurn).last().reply.kind == "answer"


async def test_esc_leaves_a_lesson_and_closes_help(new_app, tmp_path):
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        a.open_lesson("why-minus")
        await settle(pilot)
        assert isinstance(a.screen, LessonScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(a.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(a.screen, LessonScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert type(a.screen) is ChatScreen and a.focused is a.screen.query_one("#ask")


async def test_quitting_a_lesson_says_paused_at_its_step(new_app, tmp_path):
    a = new_app(lesson="why-minus")
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await ask(pilot, "quit lesson")
        header = str(a.screen.query_one("#lesson-title").render())
        assert "Paused at step 2/7" in header and "done" not in header.lower()
        bar = a.screen.query_one("#lesson-progress")
        assert bar.progress == 2 and bar.total == 7
        assert "paused" in a.screen.query_one("#ask").placeholder.lower()
        # The bar is drawn whole, so 2 of 7 looks like 2 of 7 (its inner bar was once clipped to half).
        from textual.widgets._progress_bar import Bar

        inner = bar.query_one(Bar)
        assert 0 < inner.region.width <= bar.region.width


def _help_keys() -> list[str]:
    """The keys the help table lists, as Textual names them."""
    names = {
        "Enter": "enter",
        "Tab": "tab",
        "F1": "f1",
        "F2": "f2",
        "Esc": "escape",
        "↑ / ↓": "up,down",
        "PageUp / PageDown": "pageup,pagedown",
    }
    keys = []
    for cell in re.findall(r"^\| ([^|]+?) \|", KEYS, re.M)[2:]:
        for part in cell.split(" / ") if cell not in names else [cell]:
            keys += names.get(part.strip(), part.strip()).split(",")
    return keys


async def test_every_key_in_help_is_bound_and_not_taken_by_the_input(new_app, tmp_path):
    a = new_app(lesson="why-minus")
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = a.screen
        bound = set()
        for b in [*a.BINDINGS, *LessonScreen.BINDINGS, *ChatScreen.BINDINGS, *History.BINDINGS]:
            bound.update(k.strip() for k in b.key.split(","))
        taken = {k.strip() for b in Input.BINDINGS for k in b.key.split(",")} - {"enter"}
        keys = _help_keys()
        assert "ctrl+w" not in keys and "escape" in keys and "ctrl+s" in keys
        for key in keys:
            assert key in bound | {"ctrl+p"}, key
            assert key not in taken, f"{key} is listed in help but the input uses it"
        # And they do what the help says, pressed with the input focused.
        assert a.focused is screen.query_one("#ask")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert a.screen.query(TutorTurn).last().reply.lesson.step == 2
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert a.screen.query(TutorTurn).last().reply.title == "Hint"
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert a.screen.query(TutorTurn).last().reply.lesson.step == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert a.screen.__class__.__name__ == "LessonListScreen"


async def test_focus_returns_to_the_input_after_a_chip_and_the_palette(new_app, tmp_path):
    a = new_app()
    async with a.run_test(size=(100, 40)) as pilot:
        turn = await ask(pilot, "why the minus sign?")
        chip = next(c for c in turn.query(Chip) if c.label_text == "why?")
        chip.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert a.focused is a.screen.query_one("#ask")
        assert a.screen.query(TutorTurn).last().reply.section == "why"
        # Focus left on the transcript (shift+Tab): typed letters still reach the input.
        a.screen.query_one("#transcript").focus()
        await pilot.press("h", "i")
        assert a.focused is a.screen.query_one("#ask") and a.screen.query_one("#ask").value == "hi"
        a.screen.query_one("#ask").value = ""
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(a.screen, CommandPalette))
        await pilot.press(*"Topic: Zero is")

        def found() -> bool:
            results = a.screen.query(OptionList)
            return (
                bool(results)
                and results.first().highlighted is not None
                and "Zero is" in str(results.first().get_option_at_index(results.first().highlighted).prompt)
            )

        await until(pilot, found)  # the palette searches as it is typed into, a moment later
        await pilot.press("enter")
        await settle(pilot)
        assert a.focused is a.screen.query_one("#ask")
        assert "zero" in a.screen.query(TutorTurn).last().reply.title.lower()


async def test_keys_typed_before_the_first_paint_are_kept(new_app, tmp_path):
    from textual import events

    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        # Keys typed while Python was starting reach the app before anything has focus: the app
        # forwards them to the screen, and focus lands on the input before the screen reads them.
        assert a.focused is a.screen.query_one("#ask")
        for ch in "why":
            a.screen.on_key(events.Key(ch, ch))  # what the screen's handler does with such a key
        await pilot.pause()
        await pilot.press("space", "l", "o", "g")  # then typed normally
        assert a.screen.query_one("#ask").value == "why log"


async def test_ctrl_s_saves_the_conversation_as_markdown(new_app, tmp_path, isolated_data):
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "why the minus sign?")
        await pilot.press("ctrl+s")
        await settle(pilot)
    (saved,) = (isolated_data / "exports").glob("conversation-*.md")
    text = saved.read_text(encoding="utf-8")
    assert "> why the minus sign?" in text and "**Tutor: Why the minus sign?**" in text


async def test_a_lesson_started_in_the_chat_opens_on_the_lesson_screen(new_app, tmp_path):
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "start lesson why-minus")
        await settle(pilot)
        assert isinstance(a.screen, LessonScreen) and a.screen.lesson_id == "why-minus"
        assert "Step 1/7" in str(a.screen.query_one("#lesson-title").render())
        await pilot.press("escape")
        await settle(pilot)
        assert type(a.screen) is ChatScreen and a.screen.context.lesson is None  # the chat is not left inside it


async def test_one_lesson_at_a_time_esc_never_returns_to_a_lesson_already_left(new_app, tmp_path):
    a = new_app(lesson="logistic-gradients")
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        a.screen.query_one("#lesson-list").action_first()
        await pilot.press("enter")  # the first lesson, from the list opened over a lesson
        await settle(pilot)
        assert isinstance(a.screen, LessonScreen) and a.screen.lesson_id != "logistic-gradients"
        assert [type(s).__name__ for s in a.screen_stack] == ["ChatScreen", "LessonScreen"]
        await pilot.press("escape")
        await settle(pilot)
        assert type(a.screen) is ChatScreen


async def test_tab_from_the_input_goes_to_the_latest_answers_chips(new_app, tmp_path):
    """Found walking the app: Tab went to the top of the conversation, many presses from the chips just read."""
    a = new_app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "why the minus sign?")
        latest = await ask(pilot, "what is the sigmoid function?")
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(a.focused, Chip) and a.focused in latest.query(Chip)
        await pilot.press("enter")
        await settle(pilot)
        assert a.screen.query(TutorTurn).last().reply.node == latest.reply.node  # it followed up that answer
