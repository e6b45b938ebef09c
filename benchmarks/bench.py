"""Speed and memory of the tutor, printed as figures (never asserted in tests).

    python benchmarks/bench.py            # everything
    python benchmarks/bench.py --quick    # skip the 10,000-node run

Uses a temporary data directory, so no cache or progress of yours is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def run(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tutor", *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - t


def cold(label: str, args: list[str], env: dict[str, str], n: int = 7) -> None:
    run(args, env)  # first run builds the index cache, as any first use does
    times = sorted(run(args, env) for _ in range(n))
    print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, min {times[0] * 1000:.0f} ms over {n} runs")


def questions() -> list[str]:
    from tutor.matching.labelled import read_tsv

    files = [ROOT / "tests" / "data" / "questions.tsv", ROOT.parent / "shared" / "questions" / "dev.tsv"]
    return [r.question for f in files if f.exists() for r in read_tsv(f)]


def warm(tutor, qs: list[str], label: str) -> None:
    times_match, times_reply = [], []
    for q in qs:
        t = time.perf_counter()
        tutor.topics.decide(q)  # the semantic matcher (embedding, head, neighbours, word matcher, decision)
        times_match.append(time.perf_counter() - t)
        t = time.perf_counter()
        tutor.reply(q)
        times_reply.append(time.perf_counter() - t)
    for name, ts in (("matching", times_match), ("whole reply", times_reply)):
        ts.sort()
        print(
            f"{label} {name}: median {statistics.median(ts) * 1000:.2f} ms, p95 {ts[int(0.95 * (len(ts) - 1))] * 1000:.2f} ms "
            f"over {len(ts)} questions"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only-10k", action="store_true", help="only the 10,000-node run")
    ap.add_argument("--sample", type=int, default=2000, help="texts embedded to measure indexing speed at scale")
    ap.add_argument("--answer-10k", type=Path, help=argparse.SUPPRESS)  # the fresh answering process
    opts = ap.parse_args()
    if opts.answer_10k:
        answer_10k(opts.answer_10k)
        return
    data = tempfile.mkdtemp(prefix="tutor-bench-")
    os.environ["TUTOR_DATA_DIR"] = data
    env = {**os.environ, "TUTOR_DATA_DIR": data}

    if not opts.only_10k:
        cold('cold `tutor ask "why the minus sign?"`', ["ask", "why the minus sign?"], env)
        fresh = sorted(
            run(["ask", "why the minus sign?"], {**env, "TUTOR_DATA_DIR": tempfile.mkdtemp(prefix="tutor-fresh-")})
            for _ in range(3)
        )
        print(
            f"first `tutor ask` on a fresh data folder (the model's optimised copy saved): median {statistics.median(fresh) * 1000:.0f} ms, "
            f"min {fresh[0] * 1000:.0f} ms over 3 runs"
        )
        cold("cold `tutor ask --json` (numeric answer)", ["ask", "--json", "loss if y = 1 and y_hat = 0.3"], env)
        probe = (
            "import sys, json; from tutor.dialogue.engine import Tutor; t = Tutor.from_folders(); "
            "t.reply('why the minus sign?'); t.reply('loss if y = 1 and y_hat = 0.3'); "
            "print(json.dumps({m: m in sys.modules for m in ('sympy', 'textual', 'rich')}))"
        )
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
        print(f"modules imported by an explanation and a numeric answer: {json.loads(out)}")

        from tutor.dialogue.engine import Tutor
        from tutor.matching import embedding

        # the cold runs above saved the optimised copy in this data folder; a path given opens the shipped model
        for level, path in (
            ("off", None),
            ("basic", embedding.model_path()),
            ("basic", None),
            ("all", None),
        ):
            os.environ["TUTOR_ORT_OPT"] = level
            t = time.perf_counter()
            e = embedding.Embedder(path)
            made = time.perf_counter() - t
            e.embed(["warm up"])
            ts = []
            for q in (
                "why the minus sign?",
                "What is the derivative of the sigmoid with respect to z, and why does it matter for BCE?",
            ) * 5:
                t = time.perf_counter()
                e.embed([q])
                ts.append(time.perf_counter() - t)
            print(
                f"onnxruntime graph optimisation {level!r}, {e.source}: checks + session {made * 1000:.0f} ms, "
                f"one question embedded: median {statistics.median(ts) * 1000:.1f} ms"
            )
        os.environ.pop("TUTOR_ORT_OPT")
        from tutor.matching import semantic

        semantic.warm()  # the process-wide model, as the app loads it after first paint
        tutor = Tutor.from_folders()
        t = time.perf_counter()
        tutor.topics.warm()
        print(
            f"semantic index of the built-in content (cached by the cold runs above): {(time.perf_counter() - t) * 1000:.0f} ms"
        )
        warm(tutor, questions(), "warm, built-in content,")
        short = [
            "why the minus sign?",
            "why is the log of a probability negative?",
            "what is a logit?",
            "how do I install numpy?",
        ]
        warm(tutor, short * 5, "warm, short questions,")
        # Misspelt topic words (tutor.matching.spelling): building the corrector once, then each question.
        t = time.perf_counter()
        tutor.topics._speller = None
        speller = tutor.topics.speller
        built = time.perf_counter() - t
        typos = [
            "whats the derivitive of the sigmod",
            "why is crossentrophy bigger than entrophy",
            "the loss is negitive after a few epocks",
        ]
        t = time.perf_counter()
        for q in typos:
            speller.correct(q)
        first = time.perf_counter() - t
        t = time.perf_counter()
        for q in typos * 10:
            speller.correct(q)
        again = (time.perf_counter() - t) / 10
        print(
            f"spelling: corrector built in {built * 1000:.1f} ms; three misspelt questions corrected in "
            f"{first * 1000:.1f} ms the first time, {again * 1000:.2f} ms again"
        )

        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tutor", "derive", "bce"], env=env, capture_output=True, check=True)
        print(f"cold `tutor derive bce`: {(time.perf_counter() - t) * 1000:.0f} ms")
        t = time.perf_counter()
        from tutor.maths import derive

        print(f"import tutor.maths.derive (SymPy): {(time.perf_counter() - t) * 1000:.0f} ms")
        for target in derive.BUILDERS:
            runs = []
            for _ in range(2):
                t = time.perf_counter()
                d = derive.BUILDERS[target]()  # built afresh (derive() itself caches)
                derive.to_markdown(d)
                d.to_json()
                runs.append(time.perf_counter() - t)
            print(
                f"derivation '{target}' built and printed: first {runs[0] * 1000:.1f} ms, warm {runs[1] * 1000:.1f} ms"
            )

    if not opts.quick:
        import gen_nodes

        from tutor.dialogue.engine import Tutor
        from tutor.matching import embedding, semantic
        from tutor.store import cache

        folder = Path(data) / "gen10k"
        gen_nodes.write(folder, 10_000)
        t = time.perf_counter()
        big = Tutor.from_folders([folder])
        print(f"10,000 extra nodes, load + word index (first, builds its cache): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        big = Tutor.from_folders([folder])
        print(f"10,000 extra nodes, load + word index (cached): {time.perf_counter() - t:.2f} s")
        from tutor.matching import train

        texts, _ = train.node_texts(big.topics.nodes)
        model = semantic._Model.get()
        sample = texts[-opts.sample :]
        t = time.perf_counter()
        model.embed(sample, dtype=np.float16)
        rate = len(sample) / (time.perf_counter() - t)
        print(
            f"batched embedding: {rate:.0f} texts/s on one thread ({len(sample)} texts); the first semantic index of "
            f"these {len(texts)} texts would take about {len(texts) / rate / 60:.1f} min (built once, then cached)"
        )
        # Measure the cached case without spending that time: the embedding cache is filled with
        # random unit vectors of the same shape (the figures below do not depend on the values).
        rng = np.random.default_rng(0)
        X = rng.normal(size=(len(texts), embedding.DIM)).astype(np.float32)
        X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float16)
        path = cache.cache_dir() / big.topics.embeddings_name(texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, X=X, tok=np.zeros(0, np.int64), lengths=np.zeros(0, np.int64))
        del X
        for attempt in ("first (fits the head)", "second (cached)"):
            big = Tutor.from_folders([folder])
            t = time.perf_counter()
            big.topics.warm()
            print(
                f"10,000 extra nodes, semantic index from cached embeddings, {attempt}: {time.perf_counter() - t:.2f} s"
            )
        warm(big, questions()[:200], "10,000 extra nodes,")
        print(
            f"peak RSS of this process (word index and semantic index built in it): "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        # What a learner's process does once both indexes are cached: load, answer, and its own peak.
        out = subprocess.run(
            [sys.executable, str(Path(__file__)), "--answer-10k", str(folder)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(out, end="")


def answer_10k(folder: Path) -> None:
    """In a process of its own: load the 10,000-node content with both indexes cached, answer 200
    questions, print the time per decision and this process's peak resident memory."""
    from tutor.dialogue.engine import Tutor

    t = time.perf_counter()
    big = Tutor.from_folders([folder])
    big.topics.warm()
    loaded = time.perf_counter() - t
    qs = questions()[:200]
    big.topics.decide(qs[0])
    ts = []
    for q in qs:
        t = time.perf_counter()
        big.topics.decide(q)
        ts.append(time.perf_counter() - t)
    ts.sort()
    print(
        f"10,000 extra nodes, a fresh process with both indexes cached: loaded in {loaded:.2f} s; a decision: "
        f"median {statistics.median(ts) * 1000:.1f} ms, p95 {ts[int(0.95 * (len(ts) - 1))] * 1000:.1f} ms over "
        f"{len(ts)} questions; peak RSS {peak_rss_mb():.0f} MB"
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: on Linux a child started by
    fork and exec inherits its parent's peak there."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
