"""Pilot tests: the app answers what the core answers, without blocking."""

from __future__ import annotations

from tutor.ui.app import make_app
from tutor.ui.widgets import TutorTurn


async def ask(pilot, text: str) -> None:
    await pilot.click("#ask")
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_typing_why_the_minus_sign_shows_the_explanation():
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(pilot, "why the minus sign?")
        turns = app.screen.query(TutorTurn)
        assert len(turns) == 1
        reply = turns.first().reply
        assert reply.kind == "answer" and "minus-sign" in reply.concepts
        assert reply.markdown.split("\n")[0] in str(turns.first().query_one("Markdown").source)
