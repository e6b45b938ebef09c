"""Time to the first painted screen, and from Enter to a rendered explanation.

    python benchmarks/bench_app.py [--paint-only] [--runs N]

First paint: each figure is a fresh ``tutor`` process (``python -m tutor``, the command a learner
types) in a pseudo-terminal of 100×40, timed from just before the process is started to the
moment the welcome line has been written to the terminal. (A headless run cannot say this:
Textual does not render without a terminal, and ``pilot.pause()`` waits for the CPU to go idle,
that is for the loading worker, up to a second.) The load average is printed with the figures:
the machine is shared.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Written on the first screen (the start of the welcome line), found in the terminal's output.
WELCOME_MARK = b"Ask me about"


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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far, from /proc (0.0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(env: dict[str, str], size: tuple[int, int] = (100, 40), timeout: float = 30.0) -> tuple[float, float]:
    """Seconds from starting ``python -m tutor`` in a pseudo-terminal to the welcome line written to it,
    and the CPU seconds the process had used by then (less sensitive to the machine's other load).

    Then ctrl+q, and the process is waited for (it has loaded the content by then or is told to quit).
    """
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**env, "TERM": "xterm-256color"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor"], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    painted = None
    try:
        while painted is None and time.perf_counter() - start < timeout:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                seen = seen[-64:] + chunk
                if WELCOME_MARK in seen:
                    painted = time.perf_counter() - start
                    cpu = cpu_seconds(proc.pid)
        os.write(master, b"\x11")  # ctrl+q
        deadline = time.perf_counter() + 15
        while proc.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    if painted is None:
        raise RuntimeError("the welcome line never reached the terminal")
    return painted, cpu


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def paint_figures(env: dict[str, str], runs: int) -> None:
    first_paint(env)  # warm the index cache and the OS file cache
    before = load()
    runs_ = [first_paint(env) for _ in range(runs)]
    times, cpus = sorted(t for t, _ in runs_), sorted(c for _, c in runs_)
    print(
        f"process start to first painted screen (python -m tutor in a 100x40 pty): median "
        f"{statistics.median(times) * 1000:.0f} ms, range {times[0] * 1000:.0f}-{times[-1] * 1000:.0f} ms "
        f"over {runs} runs; CPU time by then: median {statistics.median(cpus) * 1000:.0f} ms, range "
        f"{cpus[0] * 1000:.0f}-{cpus[-1] * 1000:.0f} ms ({before} before, {load()} after)"
    )


QUESTIONS = [
    "why the minus sign?",
    "why is the log of a probability negative?",
    "what is the sigmoid",
    "I get a negative loss",
    "why not mean squared error?",
    # Long posts, as learners paste them: the matcher scores the post and each question sentence in it.
    "I'm training a small classifier and the loss starts around 0.69 and then barely moves for a few epochs. "
    "Is 0.69 a special number? And why is the loss defined with a log at all, rather than just the error?",
    "My teacher wrote L = -[y log p + (1-y) log(1-p)] on the board and I followed the algebra, but I still "
    "don't get the intuition. Why is there a minus sign in front? What happens when the label is 0? "
    "Could you show what the derivative looks like?",
]
ROUNDS = 4
#: Seconds between an answer and the next question: the answer's reveal (scrolling retried over a few frames) ends.
READING = 0.4


async def enter_to_render() -> tuple[list[float], list[float], list[float]]:
    from textual import events

    from tutor.ui.app import WARM_AFTER, make_app

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        # Steady state: the content loaded, and the background warm-up (SymPy, the matcher's model) done.
        # The first answer after start-up is timed by first_answer() above.
        await app.workers.wait_for_complete()
        await pilot.pause(WARM_AFTER + 0.2)
        await app.workers.wait_for_complete()
        screen = app.screen
        box = screen.query_one("#ask")
        for q in QUESTIONS * ROUNDS:
            box.value = q
            count = len(screen.latencies)
            # Enter as the terminal sends it. Then wait without touching the app: the pilot's pause()
            # walks every widget and waits for the CPU to go idle, which slowed the answer it timed.
            app.post_message(events.Key("enter", None))
            while len(screen.latencies) == count:
                await asyncio.sleep(0.005)
            await asyncio.sleep(READING)
        # The screen stamps Enter and the first refresh after the answer is mounted, and times the core's reply.
        return list(app.screen.latencies), list(app.screen.decisions), list(app.screen.cpu)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paint-only", action="store_true", help="only the first-paint figure")
    parser.add_argument("--runs", type=int, default=9, help="first-paint runs (default 9)")
    parser.add_argument("--enter-only", action="store_true", help="only the Enter-to-answer figures")
    parser.add_argument("--verbose", action="store_true", help="each question's Enter-to-answer time")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tutor-bench-app-")
    os.environ["TUTOR_DATA_DIR"] = data
    env = {**os.environ, "TUTOR_DATA_DIR": data, "PYTHONPATH": str(ROOT)}
    if not args.enter_only:
        paint_figures(env, args.runs)
    if args.paint_only:
        return

    for delay in () if args.enter_only else (0.0, 3.0):
        runs = [first_answer(delay) for _ in range(3)]
        answers = sorted(a for _, a in runs)
        print(
            f"fresh data folder, Enter {delay:.0f} s after first paint: first answer painted in median "
            f"{statistics.median(answers) * 1000:.0f} ms (runs: {', '.join(f'{a * 1000:.0f}' for a in answers)} ms)"
        )
    latencies, decisions, cpu = asyncio.run(enter_to_render())
    ts, ds, cs = sorted(latencies), sorted(decisions), sorted(cpu)
    print(
        f"Enter to rendered explanation: median {statistics.median(ts) * 1000:.0f} ms, "
        f"p95 {ts[int(0.95 * (len(ts) - 1))] * 1000:.0f} ms over {len(ts)} questions (headless); "
        f"of which the core's reply: median {statistics.median(ds) * 1000:.0f} ms, "
        f"p95 {ds[int(0.95 * (len(ds) - 1))] * 1000:.0f} ms; CPU time per answer (event loop + reply): median "
        f"{statistics.median(cs) * 1000:.0f} ms, p95 {cs[int(0.95 * (len(cs) - 1))] * 1000:.0f} ms ({load()})"
    )
    if args.verbose:
        for q, t, d, c in zip(QUESTIONS * ROUNDS, latencies, decisions, cpu, strict=False):
            print(f"  {t * 1000:5.0f} ms (reply {d * 1000:4.0f} ms, CPU {c * 1000:4.0f} ms)  {q}")


if __name__ == "__main__":
    main()
