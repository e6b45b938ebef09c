"""What the Pilot tests share: wait for the app to settle, and ask a question as a learner types it."""

from __future__ import annotations

from tutor.ui.chat import ChatScreen
from tutor.ui.widgets import TutorTurn

#: A reveal that has not settled after this long is a failure the test's own assertion will show.
REVEAL_WAIT_S = 2.0
_STEP_S = 0.01


async def settle(pilot) -> None:
    """Wait on the workers, then on the latest reply being scrolled into view: never a fixed sleep."""
    for _ in range(5):  # a finished worker's message may start another (an answer that opens a lesson)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
    waited = 0.0
    while waited < REVEAL_WAIT_S and any(
        isinstance(screen, ChatScreen) and screen.revealing for screen in pilot.app.screen_stack
    ):
        await pilot.pause(_STEP_S)
        waited += _STEP_S
    await pilot.pause()


async def until(pilot, ready, timeout: float = REVEAL_WAIT_S) -> None:
    """Pause frame by frame until ``ready()`` holds (at most ``timeout`` s; the test's assertion says the rest)."""
    waited = 0.0
    while waited < timeout and not ready():
        await pilot.pause(_STEP_S)
        waited += _STEP_S


async def ask(pilot, text: str) -> TutorTurn:
    box = pilot.app.screen.query_one("#ask")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    return pilot.app.screen.query(TutorTurn).last()


async def follow(pilot, turn: TutorTurn, label: str) -> TutorTurn:
    """Press the follow-up chip labelled ``label`` under ``turn``; the turn that answers it."""
    from tutor.ui.widgets import Chip

    next(c for c in turn.query(Chip) if c.label_text == label).press()
    await settle(pilot)
    return pilot.app.screen.query(TutorTurn).last()
