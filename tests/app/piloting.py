"""What the Pilot tests share: wait for the app to settle, and ask a question as a learner types it."""

from __future__ import annotations

from tutor.ui.widgets import TutorTurn


async def settle(pilot, reveal: float = 0.0) -> None:
    """Wait on the workers (never a fixed sleep), then ``reveal`` seconds for scrolling retried over frames."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    if reveal:
        await pilot.pause(reveal)


async def ask(pilot, text: str, reveal: float = 0.0) -> TutorTurn:
    box = pilot.app.screen.query_one("#ask")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await settle(pilot, reveal)
    return pilot.app.screen.query(TutorTurn).last()
