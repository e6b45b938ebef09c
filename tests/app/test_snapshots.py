"""Snapshot tests of the main screens at a fixed terminal size, with the cursor blink frozen.

Update them deliberately after a visual change: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest


def typing(*questions: str):
    async def run_before(pilot) -> None:
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        box = pilot.app.screen.query_one("#ask")
        box.cursor_blink = False
        for q in questions:
            box.value = q
            box.focus()
            await pilot.press("enter")
            for _ in range(3):
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
        await pilot.pause(0.2)
        # Pin the scroll position: the newest turn, from its top (as the app itself scrolls).
        screen = pilot.app.screen
        turns = screen.query("TutorTurn")
        if turns:
            screen.query_one("#transcript").scroll_to_widget(turns.last(), top=True, animate=False)
        await pilot.pause()

    return run_before


@pytest.fixture
def app_with_store(new_app):
    return new_app


def test_chat_answer_with_plot(snap_compare, app_with_store):
    assert snap_compare(app_with_store(), terminal_size=(100, 48), run_before=typing("plot the loss for y = 0"))


def test_chat_explanation(snap_compare, app_with_store):
    assert snap_compare(app_with_store(), terminal_size=(80, 24), run_before=typing("the minus sign is the direction"))


def test_derivation(snap_compare, app_with_store):
    assert snap_compare(app_with_store(), terminal_size=(100, 48), run_before=typing("how do you get ŷ - y?"))


def test_lesson_checkpoint(snap_compare, app_with_store):
    assert snap_compare(
        app_with_store(lesson="why-minus"),
        terminal_size=(100, 40),
        run_before=typing("next", "next", "next", "it goes to -1"),
    )


def test_help_screen(snap_compare, app_with_store):
    assert snap_compare(app_with_store(), terminal_size=(80, 24), press=["f1"])


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]


@pytest.mark.parametrize("size", SIZES)
def test_small_chat(snap_compare, app_with_store, size):
    assert snap_compare(app_with_store(), terminal_size=size, run_before=typing("why the minus sign?"))


@pytest.mark.parametrize("size", SIZES)
def test_small_plot_with_a_marked_value(snap_compare, app_with_store, size):
    assert snap_compare(app_with_store(), terminal_size=size, run_before=typing("plot -ln ŷ and mark 0.99"))


@pytest.mark.parametrize("size", SIZES)
def test_small_lesson_step(snap_compare, app_with_store, size):
    assert snap_compare(app_with_store(lesson="why-minus"), terminal_size=size, run_before=typing("next", "next"))


@pytest.mark.parametrize("size", SIZES)
def test_small_help(snap_compare, app_with_store, size):
    assert snap_compare(app_with_store(), terminal_size=size, press=["f1"])
