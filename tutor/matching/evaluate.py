"""``tutor eval FILE.tsv``: how well the tutor recognises labelled questions.

The file has a header and the columns ``concept``, ``also`` (comma-separated,
may be empty) and ``question``; further columns are ignored. ``concept`` is a
curriculum id or ``out-of-scope``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tutor.dialogue.engine import Tutor
from tutor.matching.labelled import OUT, Labelled, read_tsv

@dataclass
class Report:
    total_in: int = 0
    total_out: int = 0
    top1: int = 0
    top3: int = 0
    clarified: int = 0
    falsely_refused: int = 0
    refused_out: int = 0
    wrong_answers: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: Counter = field(default_factory=Counter)
    miss_lines: list[str] = field(default_factory=list)

    def pct(self, n: int, d: int) -> float:
        return 100.0 * n / d if d else 0.0

    def lines(self) -> list[str]:
        lat = sorted(self.latencies_ms)
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else 0.0
        return [
            f"in scope: {self.total_in}, out of scope: {self.total_out}",
            f"top-1 (counting also): {self.pct(self.top1, self.total_in):.1f}%",
            f"top-3: {self.pct(self.top3, self.total_in):.1f}%",
            f"clarify rate (in scope): {self.pct(self.clarified, self.total_in):.1f}%",
            f"wrong confident answers (in scope): {self.pct(self.wrong_answers, self.total_in):.1f}%",
            f"in scope falsely refused: {self.pct(self.falsely_refused, self.total_in):.1f}%",
            f"out of scope correctly refused: {self.pct(self.refused_out, self.total_out):.1f}%",
            f"latency per question: median {statistics.median(lat) if lat else 0:.2f} ms, p95 {p95:.2f} ms",
            "misses by concept: " + (", ".join(f"{c} {n}" for c, n in self.misses.most_common()) or "none"),
        ]


def evaluate(tutor: Tutor, rows: list[Labelled]) -> Report:
    rep = Report()
    for row in rows:
        t0 = time.perf_counter()
        reply, _ = tutor.reply(row.question)
        ranked = tutor.topics.decide(row.question).matches[:3]
        rep.latencies_ms.append((time.perf_counter() - t0) * 1000)
        ok = {row.concept, *row.also}
        if row.concept == OUT:
            rep.total_out += 1
            if reply.kind in ("fallback", "error", "clarify"):
                rep.refused_out += 1
            else:
                rep.miss_lines.append(f"OUT  answered {reply.node or reply.kind}: {row.question[:90]}")
            continue
        rep.total_in += 1
        # top-1 counts what the tutor *shows*: an answer's node, or a clarify's first choice
        shown = reply.concepts if reply.kind != "clarify" else tutor.kb.nodes[reply.alternatives[0].node].concepts
        if reply.kind in ("answer", "clarify", "compute", "derive", "plot") and ok & set(shown):
            rep.top1 += 1
        else:
            rep.misses[row.concept] += 1
            got = reply.node or (reply.alternatives[0].node if reply.alternatives else "-")
            rep.miss_lines.append(f"MISS {row.concept:26} {reply.kind:8} {got:26} {row.question[:80]}")
            if reply.kind == "answer":
                rep.wrong_answers += 1
        ranked_concepts = {c for m in ranked for c in tutor.kb.nodes[m.node].concepts}
        if ok & (ranked_concepts | set(shown)):
            rep.top3 += 1
        if reply.kind == "clarify":
            rep.clarified += 1
        if reply.kind == "fallback":
            rep.falsely_refused += 1
    return rep


def run_cli(tutor: Tutor, path: Path, misses: bool = False) -> int:
    try:
        rows = read_tsv(path)
    except OSError as err:
        print(f"tutor: cannot read {path}: {err.strerror}", file=sys.stderr)
        return 2
    if not rows:
        print(f"tutor: {path} holds no labelled questions (columns: concept, also, question)", file=sys.stderr)
        return 2
    rep = evaluate(tutor, rows)
    for line in rep.lines():
        print(line)
    if misses:
        print()
        for line in rep.miss_lines:
            print(line)
    return 0


# ---------------------------------------------------------------- cross-validation (tutor eval --cv)


def cv_lines(nodes, rows: list[Labelled], folds: int = 5, seed: int = 0, confusion: bool = True) -> list[str]:
    """Cross-validated figures of the semantic matcher on labelled questions: each fold is
    answered by a head, stacker and thresholds fitted without it (node texts always in training)."""
    from tutor.matching import train

    d = train.Dataset.make(nodes, rows)
    res = d.cross_validate(folds, seed)
    C = d.n_classes
    inside = [i for i in range(len(rows)) if d.row_y[i] >= 0 and not d.outside[d.row_y[i]]]
    outside = [i for i in range(len(rows)) if d.row_y[i] >= 0 and d.outside[d.row_y[i]]]
    nonode = [i for i in range(len(rows)) if d.row_y[i] < 0]

    def pct(n: int, m: int) -> str:
        return f"{100.0 * n / m:.1f}%" if m else "-"

    kinds, best = res.kinds, res.best
    top1 = sum(kinds[i] in ("answer", "clarify") and d.ok[i][best[i]] for i in inside)
    lines = [
        f"cross-validated over {folds} folds: in scope {len(inside)}, out of scope {len(outside)}"
        + (f", concepts with no node yet {len(nonode)}" if nonode else ""),
        f"top-1 (counting also; a clarify's first choice): {pct(top1, len(inside))}",
        f"top-3: {pct(sum(res.top3[i] for i in inside), len(inside))}",
        f"clarify rate (in scope): {pct(sum(kinds[i] == 'clarify' for i in inside), len(inside))}",
        f"wrong confident answers (in scope): {pct(sum(kinds[i] == 'answer' and not d.ok[i][best[i]] for i in inside), len(inside))}",
        f"in scope falsely refused: {pct(sum(kinds[i] == 'refuse' for i in inside), len(inside))}",
        f"out of scope correctly refused: {pct(sum(kinds[i] == 'refuse' for i in outside), len(outside))}",
    ]
    if nonode:
        missing = sorted({rows[i].concept for i in nonode})
        lines.append(f"no node lists {', '.join(missing)}: those {len(nonode)} questions were refused "
                     f"{pct(sum(kinds[i] == 'refuse' for i in nonode), len(nonode))} of the time (not counted above)")
    if confusion:
        lines += ["", "confusion (true concept: what was shown, count):"]
        names = [n.id for n in d.nodes] + ["(refused)"]
        by: dict[str, Counter] = {}
        for i in range(len(rows)):
            shown = "(refused)" if kinds[i] == "refuse" else names[best[i]] + (" ?" if kinds[i] == "clarify" else "")
            by.setdefault(rows[i].concept, Counter())[shown] += 1
        for concept in sorted(by):
            total = sum(by[concept].values())
            lines.append(f"  {concept:26} {total:3}  " + ", ".join(f"{k} {v}" for k, v in by[concept].most_common(4)))
    return lines


def run_cv_cli(nodes, path: Path, folds: int = 5) -> int:
    from tutor.matching.embedding import ModelUnavailable

    try:
        rows = read_tsv(path)
    except OSError as err:
        print(f"tutor: cannot read {path}: {err.strerror}", file=sys.stderr)
        return 2
    if len(rows) < folds * 2:
        print(f"tutor: {path} holds too few labelled questions for {folds}-fold cross-validation", file=sys.stderr)
        return 2
    try:
        for line in cv_lines(nodes, rows, folds):
            print(line)
    except ModelUnavailable as err:
        print(f"tutor: cannot cross-validate the semantic matcher: {err}", file=sys.stderr)
        return 2
    return 0
