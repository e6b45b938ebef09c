"""``tutor eval FILE.tsv``: how well the tutor recognises labelled questions.

The file is tab-separated with a header line naming the columns ``concept``,
``also`` (comma-separated, may be empty) and ``question``; further columns (such
as ``source``) are ignored. ``concept`` is a concept id (from a concepts.toml, not
a node id), or ``out-of-scope`` / ``off-topic`` for a question the tutor should
refuse. ``--json`` prints the figures as one object; ``--min-top1 P`` exits 1 when
top-1 is below P percent.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.dialogue.engine import Tutor
from tutor.matching.labelled import OUT, REFUSE, Labelled, read_tsv, source_group

#: The columns a labelled-questions file must name in its header line.
COLUMNS = ("concept", "also", "question")
REFUSED = "(refused)"


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
    #: (expected, shown) -> how many times: the expected concept's node (or the concept) and the node shown.
    confusion: Counter = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        """The figures as plain data (percentages from 0 to 100), for ``--json``."""
        lat = sorted(self.latencies_ms)
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else 0.0
        return {
            "in_scope": self.total_in,
            "out_of_scope": self.total_out,
            "top1_pct": round(self.pct(self.top1, self.total_in), 2),
            "top3_pct": round(self.pct(self.top3, self.total_in), 2),
            "clarify_pct": round(self.pct(self.clarified, self.total_in), 2),
            "wrong_answers_pct": round(self.pct(self.wrong_answers, self.total_in), 2),
            "falsely_refused_pct": round(self.pct(self.falsely_refused, self.total_in), 2),
            "refused_out_pct": round(self.pct(self.refused_out, self.total_out), 2),
            "latency_ms": {"median": round(statistics.median(lat), 3) if lat else 0.0, "p95": round(p95, 3)},
            "misses_by_concept": dict(self.misses.most_common()),
            "confusion": confusion_json(self.confusion),
        }

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
                rep.confusion[(OUT, reply.node or reply.kind)] += 1
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
            shown_node = REFUSED if reply.kind == "fallback" else got + (" ?" if reply.kind == "clarify" else "")
            rep.confusion[(_expected(tutor, row.concept), shown_node)] += 1
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


def _expected(tutor: Tutor, concept: str) -> str:
    """The node a question labelled ``concept`` should reach: its one node, or the concept when several teach it."""
    nodes = [n.id for n in tutor.kb.nodes_for(concept)]
    return nodes[0] if len(nodes) == 1 else concept


def confusion_json(confusion: Counter) -> list[dict[str, Any]]:
    return [{"expected": e, "given": g, "count": n} for (e, g), n in confusion.most_common()]


def confusion_lines(confusion: Counter, limit: int = 15) -> list[str]:
    """The most frequent wrong pairs, ``expected → given  count`` (``?``: offered first in a clarify)."""
    if not confusion:
        return ["confusion: no wrong answers"]
    lines = ["confusion (most frequent wrong pairs: expected → given, count):"]
    width = max(len(f"{e} → {g}") for (e, g), _ in confusion.most_common(limit))
    for (e, g), n in confusion.most_common(limit):
        lines.append(f"  {f'{e} → {g}':{width}}  {n}")
    if len(confusion) > limit:
        lines.append(f"  … and {len(confusion) - limit} more pair(s)")
    return lines


def read_labelled(path: Path) -> tuple[list[Labelled] | None, str]:
    """The rows of ``path``, or None and a one-line reason (no file, no header, not TSV)."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            header = [c.strip().lower() for c in f.readline().rstrip("\r\n").split("\t")]
        if not all(c in header for c in ("concept", "question")):
            return None, (
                f"{path}: the first line must be a header naming the tab-separated columns "
                f"{' <TAB> '.join(COLUMNS)} (found: {' | '.join(header)[:80]})"
            )
        rows = read_tsv(path)
    except (OSError, UnicodeError) as err:
        return None, f"cannot read {path}: {getattr(err, 'strerror', None) or err}"
    except csv.Error as err:
        return None, f"{path} is not a readable TSV file ({err})"
    if not rows:
        return None, f"{path} holds no labelled questions (a header, then rows: concept <TAB> also <TAB> question)"
    return rows, ""


def label_warnings(tutor_or_nodes, rows: list[Labelled], path: Path) -> list[str]:
    """Labels no node lists: most often a node id written where the concept id belongs."""
    nodes = list(tutor_or_nodes.kb.nodes.values()) if hasattr(tutor_or_nodes, "kb") else list(tutor_or_nodes)
    taught = {c for n in nodes for c in n.concepts}
    by_id = {n.id: n for n in nodes}
    unknown = Counter(r.concept for r in rows if r.concept not in REFUSE and r.concept not in taught)
    out = []
    for label, n in unknown.most_common():
        why = (
            f"'{label}' is a node id; its concepts are {', '.join(by_id[label].concepts) or 'none'}"
            if label in by_id
            else f"no node lists the concept '{label}'"
        )
        out.append(
            f"{path}: {why} ({n} row(s), counted as misses); the concept column holds concept ids, or {OUT} / off-topic"
        )
    return out


def _threshold(top1_pct: float, min_top1: float | None, as_json: bool) -> int:
    if min_top1 is None or top1_pct >= min_top1:
        return 0
    print(f"tutor eval: top-1 {top1_pct:.1f}% is below --min-top1 {min_top1:g}%", file=sys.stderr)
    return 1


def run_cli(
    tutor: Tutor, path: Path, misses: bool = False, as_json: bool = False, min_top1: float | None = None
) -> int:
    rows, why = read_labelled(path)
    if rows is None:
        print(f"tutor: {why}", file=sys.stderr)
        return 2
    for line in label_warnings(tutor, rows, path):
        print(f"tutor: warning: {line}", file=sys.stderr)
    rep = evaluate(tutor, rows)
    figures = rep.figures()
    if as_json:
        figures = {
            "file": str(path),
            **figures,
            "min_top1": min_top1,
            "passed": min_top1 is None or figures["top1_pct"] >= min_top1,
        }
        if misses:
            figures["misses"] = rep.miss_lines
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for line in rep.lines():
            print(line)
        print()
        for line in confusion_lines(rep.confusion):
            print(line)
        if misses:
            print()
            for line in rep.miss_lines:
                print(line)
    return _threshold(rep.pct(rep.top1, rep.total_in), min_top1, as_json)


# ---------------------------------------------------------------- cross-validation (tutor eval --cv)


def cv_lines(
    nodes,
    rows: list[Labelled],
    folds: int = 5,
    seed: int = 0,
    confusion: bool = True,
    figures: dict[str, Any] | None = None,
    by_source: bool = False,
) -> list[str]:
    """Cross-validated figures of the semantic matcher on labelled questions: each fold is
    answered by a head, stacker and thresholds fitted without it (node texts always in training).
    ``figures``, when given, is filled with the same figures as plain data (for ``--json``). ``by_source``:
    the questions asked in one place (a GitHub repository, a site) share a fold, so every fold is
    answered as if its places were new, as a learner's question from elsewhere is."""
    from tutor.matching import train

    d = train.Dataset.make(nodes, rows)
    res = d.cross_validate(folds, seed, by_source=by_source)
    places = len({source_group(r.source) or f"row {i}" for i, r in enumerate(rows)})
    inside = [i for i in range(len(rows)) if d.row_y[i] >= 0 and not d.outside[d.row_y[i]]]
    outside = [i for i in range(len(rows)) if d.row_y[i] >= 0 and d.outside[d.row_y[i]]]
    nonode = [i for i in range(len(rows)) if d.row_y[i] < 0]

    def pct(n: int, m: int) -> str:
        return f"{100.0 * n / m:.1f}%" if m else "-"

    kinds, best = res.kinds, res.best
    top1 = sum(kinds[i] in ("answer", "clarify") and d.ok[i][best[i]] for i in inside)
    lines = [
        f"cross-validated over {folds} folds (seed {seed}"
        + (f", grouped by source: {places} places" if by_source else "")
        + f"): in scope {len(inside)}, out of scope {len(outside)}"
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
        lines.append(
            f"no node lists {', '.join(missing)}: those {len(nonode)} questions were refused "
            f"{pct(sum(kinds[i] == 'refuse' for i in nonode), len(nonode))} of the time (not counted above)"
        )
    if figures is not None:

        def share(n, m: int) -> float:  # n may be a NumPy integer or bool: JSON takes only Python numbers
            return round(100.0 * int(n) / m, 2) if m else 0.0

        wrong: Counter = Counter()
        names = [n.id for n in d.nodes]
        for i in inside + outside:
            right = d.ok[i][best[i]] if i in inside else kinds[i] == "refuse"
            if not right:
                shown = REFUSED if kinds[i] == "refuse" else names[best[i]] + (" ?" if kinds[i] == "clarify" else "")
                nodes_of = [n.id for n in d.nodes if rows[i].concept in n.concepts]
                expected = nodes_of[0] if len(nodes_of) == 1 else rows[i].concept
                wrong[(expected, shown)] += 1
        figures.update(
            {
                "folds": folds,
                "seed": seed,
                "by_source": by_source,
                "in_scope": len(inside),
                "out_of_scope": len(outside),
                "no_node": len(nonode),
                "top1_pct": share(top1, len(inside)),
                "top1_exact": 100.0 * int(top1) / len(inside) if inside else 0.0,
                "top3_pct": share(sum(res.top3[i] for i in inside), len(inside)),
                "clarify_pct": share(sum(kinds[i] == "clarify" for i in inside), len(inside)),
                "wrong_answers_pct": share(
                    sum(kinds[i] == "answer" and not d.ok[i][best[i]] for i in inside), len(inside)
                ),
                "falsely_refused_pct": share(sum(kinds[i] == "refuse" for i in inside), len(inside)),
                "refused_out_pct": share(sum(kinds[i] == "refuse" for i in outside), len(outside)),
                "confusion": confusion_json(wrong),
            }
        )
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


def run_cv_cli(
    nodes,
    path: Path,
    folds: int = 5,
    seed: int = 0,
    as_json: bool = False,
    min_top1: float | None = None,
    by_source: bool = False,
) -> int:
    from tutor.matching.embedding import ModelUnavailable

    rows, why = read_labelled(path)
    if rows is None:
        print(f"tutor: {why}", file=sys.stderr)
        return 2
    if len(rows) < folds * 2:
        print(
            f"tutor: {path} holds too few labelled questions for {folds}-fold cross-validation (at least {folds * 2})",
            file=sys.stderr,
        )
        return 2
    places = len({source_group(r.source) or f"row {i}" for i, r in enumerate(rows)})
    unsourced = sum(1 for r in rows if not source_group(r.source))
    if by_source and unsourced == len(rows):
        print(
            f"tutor: {path} names no source for its questions (a source column of URLs): nothing to group by",
            file=sys.stderr,
        )
        return 2
    if by_source and unsourced:
        print(f"tutor: warning: {unsourced} question(s) name no source: each is a place of its own", file=sys.stderr)
    if by_source and places < folds:
        print(
            f"tutor: {path} names {places} place{'' if places == 1 else 's'} in its source column, too few to keep "
            f"each in one of {folds} folds (--by-source groups by GitHub repository or site)",
            file=sys.stderr,
        )
        return 2
    for line in label_warnings(nodes, rows, path):
        print(f"tutor: warning: {line}", file=sys.stderr)
    figures: dict[str, Any] = {}
    try:
        lines = cv_lines(nodes, rows, folds, seed, figures=figures, by_source=by_source)
    except ModelUnavailable as err:
        print(f"tutor: cannot cross-validate the semantic matcher: {err}", file=sys.stderr)
        return 2
    top1 = figures.pop("top1_exact")
    if as_json:
        print(
            json.dumps(
                {"file": str(path), **figures, "min_top1": min_top1, "passed": min_top1 is None or top1 >= min_top1},
                ensure_ascii=False,
            )
        )
    else:
        for line in lines:
            print(line)
    return _threshold(top1, min_top1, as_json)
