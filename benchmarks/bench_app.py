"""Time to the first painted screen, and from Enter to a rendered explanation.

    python benchmarks/bench_app.py

Each first-paint figure is a fresh process (headless), measured from the moment
the interpreter starts to the first screen refresh after mount.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIRST_PAINT = r"""
import time, sys
from tutor.ui.app import make_app
app = make_app()

async def auto(pilot):
    await pilot.pause()
    print(f"{time.time() - START:.4f}")
    sys.stdout.flush()
    modules = [m for m in ("sympy",) if m in sys.modules]
    print("sympy imported before first paint" if modules else "sympy not imported before first paint")
    await pilot.app.workers.wait_for_complete()
    app.exit()

app.run(headless=True, auto_pilot=auto, size=(100, 40))
"""


FIRST_ANSWER = r"""
import time, sys
from tutor.ui.app import make_app
from tutor.ui.widgets import TutorTurn
app = make_app()

async def auto(pilot):
    await pilot.pause()
    paint = time.time() - START
    await pilot.pause(DELAY)  # the learner typing
    box = app.screen.query_one("#ask")
    box.value = "why the minus sign?"
    t = time.perf_counter()
    await pilot.press("enter")
    while not app.screen.query(TutorTurn):
        await pilot.pause(0.005)
    await pilot.pause()
    print(f"{paint:.4f} {time.perf_counter() - t:.4f}")
    sys.stdout.flush()
    app.exit()

app.run(headless=True, auto_pilot=auto, size=(100, 40))
"""


def first_answer(delay: float) -> tuple[float, float]:
    """A fresh data folder (no index cache): first paint, then Enter to the painted answer after ``delay`` s of typing."""
    data = tempfile.mkdtemp(prefix="tutor-bench-fresh-")
    env = {**os.environ, "TUTOR_DATA_DIR": data, "PYTHONPATH": str(ROOT)}
    code = f"START = {time.time()!r}\nDELAY = {delay!r}\n" + FIRST_ANSWER
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    paint, answer = (float(v) for v in out.split()[:2])
    return paint, answer


def first_paint(env: dict[str, str]) -> tuple[float, str]:
    start = time.time()
    code = f"START = {start!r}\n" + FIRST_PAINT
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    return float(lines[0]), lines[1]


async def enter_to_render() -> list[float]:
    from tutor.ui.app import make_app
    from tutor.ui.widgets import TutorTurn

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        for q in [
            "why the minus sign?",
            "why is the log of a probability negative?",
            "what is the sigmoid",
            "I get a negative loss",
            "why not mean squared error?",
        ] * 4:
            box = app.screen.query_one("#ask")
            box.value = q
            count = len(app.screen.query(TutorTurn))
            await pilot.press("enter")
            while len(app.screen.query(TutorTurn)) == count:
                await pilot.pause(0.005)
            await pilot.pause(0.05)
        # The screen stamps Enter and the first refresh after the answer is mounted.
        return list(app.screen.latencies)


def main() -> None:
    data = tempfile.mkdtemp(prefix="tutor-bench-app-")
    os.environ["TUTOR_DATA_DIR"] = data
    env = {**os.environ, "TUTOR_DATA_DIR": data, "PYTHONPATH": str(ROOT)}
    first_paint(env)  # warm the index cache and the OS file cache
    runs = [first_paint(env) for _ in range(5)]
    times = sorted(t for t, _ in runs)
    print(
        f"process start to first painted screen: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {times[0] * 1000:.0f} ms over {len(times)} runs ({runs[0][1]})"
    )
    import asyncio

    for delay in (0.0, 3.0):
        runs = [first_answer(delay) for _ in range(3)]
        answers = sorted(a for _, a in runs)
        print(
            f"fresh data folder, Enter {delay:.0f} s after first paint: first answer painted in median "
            f"{statistics.median(answers) * 1000:.0f} ms (runs: {', '.join(f'{a * 1000:.0f}' for a in answers)} ms)"
        )
    ts = sorted(asyncio.run(enter_to_render()))
    print(
        f"Enter to rendered explanation: median {statistics.median(ts) * 1000:.0f} ms, "
        f"p95 {ts[int(0.95 * (len(ts) - 1))] * 1000:.0f} ms over {len(ts)} questions (headless)"
    )


if __name__ == "__main__":
    main()
