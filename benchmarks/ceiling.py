"""How far the matcher's ranking can go with the data it has: a learning curve and a blind reader.

    python benchmarks/ceiling.py curve [--fractions 0.25,0.5,0.75,1] [--seeds 8]
    python benchmarks/ceiling.py reader [--seed 0]

``curve``: the cross-validation of ``tutor eval --cv`` (5 folds stratified by concept; node texts
always in training; head, stacker and thresholds refitted inside each outer fold), with each outer
fold's training part cut at random to a fraction of its real questions. At fraction 1 it is
``tutor eval --cv`` itself, seed for seed. Prints top-1, in-scope argmax and out-of-scope refusal
per fraction (means over fold seeds), and a least-squares line of top-1 against log2 of the number
of real training questions, with where that line reaches 85%.

``reader``: a second labelling of train.tsv by a blind reader (``data/blind-labels.tsv``: a
teacher given CURRICULUM.md's concept ids and points, and each question without its label, who
chose one concept or ``none`` and at most one runner-up). Prints how often the reader agrees
with train.tsv's labels (counting the ``also`` column, as ``tutor eval`` does), set beside the
tutor's own held-out decisions on the same rows. Rows whose question changed since the labelling
are skipped (each is keyed by its row number and the SHA-1 of its text).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAIN = ROOT.parent / "shared" / "questions" / "train.tsv"
LABELS = Path(__file__).resolve().parent / "data" / "blind-labels.tsv"
NONE = {"out-of-scope", "off-topic"}


def _dataset(path: Path):
    from tutor.content.nodes import load
    from tutor.matching import train
    from tutor.matching.labelled import read_tsv

    rows = read_tsv(path)
    return rows, train.Dataset.make(list(load([]).nodes.values()), rows)


def _held_out(d, seed: int, fraction: float = 1.0):
    """(kind, best class, argmax over in-scope classes) of each row, from folds that never saw it."""
    from tutor.matching import learn, train

    fold = train.folds(d.labels, train.FOLDS, seed)
    rng = np.random.default_rng(1000 + seed)
    kinds, best, argmax = ["refuse"] * len(d.rows), [-1] * len(d.rows), [-1] * len(d.rows)
    for j in range(train.FOLDS):
        tr, te = np.flatnonzero(fold != j), np.flatnonzero(fold == j)
        if fraction < 1:
            tr = np.sort(rng.choice(tr, round(fraction * len(tr)), replace=False))
        toks = [d.row_toks[i] for i in tr]
        comb = train.fit_combiner(
            d.node_X, d.node_y, d.row_X[tr], d.row_y[tr], d.row_lex[tr],
            [d.labels[i] for i in tr], d.ok[tr], d.outside, d.n_classes, d.node_toks, toks,
        )  # fmt: skip
        f = train.fit(d.node_X, d.node_y, d.row_X[tr], d.row_y[tr], d.n_classes, d.node_toks, toks)
        F = train.features(f, d.row_X[te], d.row_lex[te], [d.row_toks[i] for i in te])
        P = learn.stack(F, comb.weights)
        for r, i in enumerate(te):
            has_words = bool(d.row_lex[i].sum() > 0)
            kinds[i], best[i], _ = train.decide(P[r], F[r, :, 1], d.outside, comb.thresholds, has_words)
            argmax[i] = int(np.argmax(np.where(d.outside, -np.inf, P[r])))
    return kinds, best, argmax


def _split(d):
    inside = [i for i, r in enumerate(d.rows) if r.concept not in NONE]
    outside = [i for i, r in enumerate(d.rows) if r.concept in NONE]
    return inside, outside


def curve(fractions: list[float], seeds: int) -> None:
    rows, d = _dataset(TRAIN)
    inside, outside = _split(d)
    n_train = sum(1 for i in range(len(rows)) if d.row_y[i] >= 0) * (1 - 1 / 5)
    xs, ys = [], []
    print(f"{len(inside)} in scope, {len(outside)} out of scope; fold seeds 0-{seeds - 1}")
    for fraction in fractions:
        figures = []
        for seed in range(seeds):
            kinds, best, argmax = _held_out(d, seed, fraction)
            figures.append(
                (
                    np.mean([kinds[i] in ("answer", "clarify") and d.ok[i][best[i]] for i in inside]),
                    np.mean([d.ok[i][argmax[i]] for i in inside]),
                    np.mean([kinds[i] == "refuse" for i in outside]),
                )
            )
        top1, arg, refused = (100 * np.mean([f[k] for f in figures]) for k in range(3))
        used = fraction * n_train
        xs.append(math.log2(used))
        ys.append(top1)
        print(
            f"fraction {fraction:.3f} (~{used:.0f} real questions a fold): top-1 {top1:.1f}%, "
            f"in-scope argmax {arg:.1f}%, out-of-scope refused {refused:.1f}%",
            flush=True,
        )
    if len(xs) > 1:
        slope, intercept = np.polyfit(xs, ys, 1)
        print(f"top-1 ≈ {intercept:.1f} + {slope:.2f}·log2(real questions): {slope:.1f} points a doubling")
        if slope > 0:
            need = 2 ** ((85 - intercept) / slope)
            print(f"85% top-1 on that line: ~{need:.0f} real questions a fold (~{need / (1 - 1 / 5):.0f} labelled)")


def reader(seed: int) -> None:
    rows, d = _dataset(TRAIN)
    inside, outside = _split(d)
    labels: dict[int, tuple[str, str]] = {}
    skipped = 0
    for line in LABELS.read_text(encoding="utf-8").splitlines()[1:]:
        row, digest, first, second = [*line.split("\t"), ""][:4]
        i = int(row)
        if i >= len(rows) or hashlib.sha1(rows[i].question.encode()).hexdigest()[:10] != digest:
            skipped += 1
            continue
        labels[i] = (first, second)

    def agrees(i: int, concept: str) -> bool:
        return concept in {rows[i].concept, *rows[i].also}

    kinds, best, argmax = _held_out(d, seed)
    ins = [i for i in inside if i in labels]
    outs = [i for i in outside if i in labels]
    committed = [i for i in ins if labels[i][0] != "none"]

    def pct(n: float, m: int) -> str:
        return f"{100 * n / m:.1f}%" if m else "-"

    print(f"{len(labels)} rows read blind ({skipped} skipped: changed since); {len(ins)} in scope, {len(outs)} out")
    tutor_top1 = sum(kinds[i] in ("answer", "clarify") and d.ok[i][best[i]] for i in ins)
    two = sum(agrees(i, labels[i][0]) or agrees(i, labels[i][1]) for i in ins)
    lines = [
        ("top-1 in scope (first choice)", sum(agrees(i, labels[i][0]) for i in ins), tutor_top1, len(ins)),
        ("in scope refused", len(ins) - len(committed), sum(kinds[i] == "refuse" for i in ins), len(ins)),
        (
            "out of scope refused",
            sum(labels[i][0] == "none" for i in outs),
            sum(kinds[i] == "refuse" for i in outs),
            len(outs),
        ),
    ]
    print(f"{'':32} {'reader':>8} {'tutor':>8}   (tutor: held out, fold seed {seed})")
    for what, a, b, m in lines:
        print(f"{what:32} {pct(a, m):>8} {pct(b, m):>8}")
    print(f"reader's first or second choice is the label's: {pct(two, len(ins))} of the in-scope rows")
    right = sum(agrees(i, labels[i][0]) for i in committed)
    print(f"where the reader names a concept, it is the label's: {pct(right, len(committed))} of {len(committed)};")
    print(
        f"  the tutor's in-scope argmax on those rows: {pct(sum(d.ok[i][argmax[i]] for i in committed), len(committed))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("curve")
    c.add_argument("--fractions", default="0.25,0.375,0.5,0.625,0.75,0.875,1")
    c.add_argument("--seeds", type=int, default=8)
    r = sub.add_parser("reader")
    r.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not TRAIN.exists():
        sys.exit(f"ceiling.py: {TRAIN} is not there (the shared questions sit beside the repository)")
    if args.what == "curve":
        curve([float(x) for x in args.fractions.split(",")], args.seeds)
    else:
        reader(args.seed)


if __name__ == "__main__":
    main()
