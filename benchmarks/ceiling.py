"""How far the matcher's ranking can go with the data it has: a learning curve and a blind reader.

    python benchmarks/ceiling.py curve [--fractions 0.25,0.5,0.75,1] [--seeds 8]
    python benchmarks/ceiling.py reader [--seed 0]

``curve``: the cross-validation of ``tutor eval --cv`` (5 folds stratified by concept; node texts
always in training; head, stacker and thresholds refitted inside each outer fold), with each outer
fold's training part cut at random to a fraction of its real questions. At fraction 1 it is
``tutor eval --cv`` itself, seed for seed. Prints top-1, in-scope argmax and out-of-scope refusal
per fraction (means over fold seeds), and a least-squares line of top-1 against log2 of the number
of real training questions, with where that line reaches 85%.

``reader``: train.tsv labelled again by blind readers (``data/blind-labels.tsv``: each a
teacher given CURRICULUM.md's concept ids and points, and each question without its label, who
chose one concept or ``none`` and at most one runner-up). Prints how often each reader agrees
with train.tsv's labels (counting the ``also`` column, as ``tutor eval`` does), set beside the
tutor's own held-out decisions on the same rows, and how often the readers agree with each other. Rows whose question changed since the labelling
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


def _blind_labels(rows) -> tuple[dict[str, dict[int, tuple[str, str]]], int]:
    """Each reader's (first, second) choice by row; rows whose question changed since are left out."""
    readers: dict[str, dict[int, tuple[str, str]]] = {}
    skipped = 0
    for line in LABELS.read_text(encoding="utf-8").splitlines()[1:]:
        row, digest, name, first, second = [*line.split("\t"), ""][:5]
        i = int(row)
        if i >= len(rows) or hashlib.sha1(rows[i].question.encode()).hexdigest()[:10] != digest:
            skipped += 1
            continue
        readers.setdefault(name, {})[i] = (first, second)
    return readers, skipped


def reader(seed: int) -> None:
    rows, d = _dataset(TRAIN)
    inside, outside = _split(d)
    readers, skipped = _blind_labels(rows)
    names = sorted(readers)

    def agrees(i: int, concept: str) -> bool:
        return concept in {rows[i].concept, *rows[i].also}

    def pct(n: float, m: int) -> str:
        return f"{100 * n / m:.1f}%" if m else "-"

    kinds, best, argmax = _held_out(d, seed)
    shared = set.intersection(*(set(r) for r in readers.values()))
    ins = [i for i in inside if i in shared]
    outs = [i for i in outside if i in shared]
    print(f"readers {', '.join(names)}; {len(shared)} rows read by each ({skipped} labels skipped: changed since)")
    print(
        f"{'':34}"
        + "".join(f"{'reader ' + n:>10}" for n in names)
        + f"{'tutor':>10}   (tutor: held out, fold seed {seed})"
    )
    figures = [
        (
            "top-1 in scope (first choice)",
            lambda L, i: agrees(i, L[i][0]),
            lambda i: kinds[i] != "refuse" and d.ok[i][best[i]],
            ins,
        ),
        ("in scope refused", lambda L, i: L[i][0] == "none", lambda i: kinds[i] == "refuse", ins),
        ("out of scope refused", lambda L, i: L[i][0] == "none", lambda i: kinds[i] == "refuse", outs),
    ]
    for what, by_reader, by_tutor, among in figures:
        cells = [pct(sum(by_reader(readers[n], i) for i in among), len(among)) for n in names]
        print(
            f"{what:34}"
            + "".join(f"{c:>10}" for c in cells)
            + f"{pct(sum(by_tutor(i) for i in among), len(among)):>10}"
        )
    for n in names:
        L = readers[n]
        named = [i for i in ins if L[i][0] != "none"]
        print(
            f"reader {n}: names a concept for {len(named)} in-scope rows, the label's {pct(sum(agrees(i, L[i][0]) for i in named), len(named))}"
            f" (first or second {pct(sum(agrees(i, L[i][0]) or agrees(i, L[i][1]) for i in named), len(named))});"
            f" the tutor's in-scope argmax on those rows {pct(sum(d.ok[i][argmax[i]] for i in named), len(named))}"
        )
    if len(names) == 2:
        a, b = (readers[n] for n in names)
        rows_all = sorted(shared)
        both = [i for i in rows_all if a[i][0] != "none" and b[i][0] != "none"]
        scope = sum((a[i][0] == "none") == (b[i][0] == "none") for i in rows_all)
        print(
            f"the two readers: same first choice {pct(sum(a[i][0] == b[i][0] for i in rows_all), len(rows_all))};"
            f" same side of the scope {pct(scope, len(rows_all))}; where both name a concept, the same one"
            f" {pct(sum(a[i][0] == b[i][0] for i in both), len(both))} of {len(both)}"
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
