"""Labelled learner questions (TSV: ``concept``, ``also``, ``question``, ``source``), read for training and evaluation.

``out-of-scope`` and ``off-topic`` rows are both questions the tutor should refuse; they are read as :data:`OUT`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

OUT = "out-of-scope"
#: Labels that mean "the tutor should refuse this".
REFUSE = {OUT, "off-topic"}


@dataclass(frozen=True)
class Labelled:
    concept: str
    also: tuple[str, ...]
    question: str


def read_tsv(path: Path) -> list[Labelled]:
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row.get("question") or not row.get("concept"):
                continue
            concept = row["concept"].strip()
            also = tuple(a.strip() for a in (row.get("also") or "").split(",") if a.strip())
            rows.append(Labelled(OUT if concept in REFUSE else concept, also, row["question"]))
    return rows
