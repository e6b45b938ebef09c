"""Adversarial text: time per size, so that linear (or worse) growth is visible.

    python benchmarks/bench_adversarial.py              # 1k, 10k, 100k characters
    python benchmarks/bench_adversarial.py --sizes 1000 2000 4000

Each family runs in its own subprocess under a time limit (``--timeout``, 20 s)
and an address-space limit (``--memory``, 2 GiB), sizes in increasing order; a
size that does not finish prints ``> limit`` and the larger ones are skipped.
Families through :meth:`Tutor.reply` are learner text (the tutor refuses text
beyond ``language.MAX_CHARS`` up front, so the 100k figure is that refusal);
``patterns:`` families run the same text, cut to nothing, through the
normalisation (``language.canonical``) and every request recogniser directly,
to show the patterns themselves are linear. ``loader:`` families put the text
in a node's body and load the content folder. Uses a temporary data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def text_for(family: str, n: int) -> str:
    """``n`` characters (about) of one adversarial family."""

    def fill(unit: str) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    return {
        "spaces": lambda: "a" + " " * (n - 1),
        "what-about": lambda: fill("what about y" + " " * 8),
        "unclosed-brackets": lambda: fill("log(["),
        "a-spaces-x": lambda: "a" + " " * (n - 2) + "x",
        "braces": lambda: fill("{{"),
        "heading-spaces": lambda: "## why" + " " * (n - 6) + "x",
        "dsigmoid": lambda: fill("s ( z ) * ( 1 - "),
        "with-respect": lambda: fill("with respect to "),
    }[family]()


REPLY = [
    "spaces",
    "what-about",
    "unclosed-brackets",
    "a-spaces-x",
    "braces",
    "heading-spaces",
    "dsigmoid",
    "with-respect",
]
LOADER = ["braces", "heading-spaces", "spaces", "unclosed-brackets"]

NODE = """+++
id = "hostile"
title = "Hostile"
concepts = ["bce"]
questions = ["what is hostile text"]
+++
{body}
"""


def child(kind: str, family: str, sizes: list[int]) -> None:
    sys.path.insert(0, str(ROOT))
    if kind == "reply":
        from tutor.dialogue.engine import Tutor

        tutor = Tutor.from_folders()
        tutor.reply("why the minus sign?")  # warm: index built, caches filled
        run = lambda s: tutor.reply(s)  # noqa: E731
    elif kind == "patterns":
        from tutor.dialogue import requests as rq
        from tutor.matching import language

        def run(s: str) -> None:
            language.MAX_CHARS = 10**9  # the patterns alone, uncapped
            language.canonical(s)
            rq.follow_up(s), rq.choice(s, 3), rq.assignments(s), rq.doubtful(s)
            rq.compute_request(s), rq.plot_request(s), rq.derive_request(s)
    else:
        from tutor.content.nodes import load

        folder = Path(tempfile.mkdtemp())

        def run(s: str) -> None:
            (folder / "hostile.md").write_text(NODE.format(body=s), encoding="utf-8")
            load([folder], builtin=False)

    for n in sizes:
        s = text_for(family, n)
        t = time.perf_counter()
        run(s)
        print(json.dumps([n, time.perf_counter() - t]), flush=True)


def measure(
    kind: str, family: str, sizes: list[int], timeout: float, memory: int, env: dict[str, str]
) -> dict[int, str]:
    code = (
        f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}));"
        f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_adversarial as b;"
        f"b.child({kind!r}, {family!r}, {sizes!r})"
    )
    out: dict[int, str] = {}
    try:
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)
        stdout, failed = proc.stdout, proc.returncode != 0
    except subprocess.TimeoutExpired as err:
        stdout, failed = (err.stdout or b"").decode() if isinstance(err.stdout, bytes) else (err.stdout or ""), True
    for line in stdout.splitlines():
        n, secs = json.loads(line)
        out[n] = f"{secs * 1000:10.1f} ms"
    for n in sizes:
        if n not in out:
            out[n] = f"> {timeout:.0f} s" if failed and not out.get(-1) else "skipped"
            out[-1] = "x"
    out.pop(-1, None)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--memory", type=int, default=2 * 1024**3)
    ap.add_argument("--only", nargs="*", default=None, help="family names to run")
    args = ap.parse_args()
    env = dict(os.environ, TUTOR_DATA_DIR=tempfile.mkdtemp(), PYTHONPATH=str(ROOT))
    print(f"{'':34}" + "".join(f"{n:>14,}" for n in args.sizes))
    for kind, families in (("reply", REPLY), ("patterns", REPLY), ("loader", LOADER)):
        for family in families:
            if args.only and family not in args.only:
                continue
            res = measure(kind, family, args.sizes, args.timeout, args.memory, env)
            print(f"{kind + ': ' + family:34}" + "".join(f"{res[n]:>14}" for n in args.sizes), flush=True)


if __name__ == "__main__":
    main()
