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
    source: str = ""  # where it was asked (a URL), when the file says


def source_group(source: str) -> str:
    """The place a question was asked, for folds that keep one place's questions together: a GitHub
    repository (``github.com/keras-team/keras``), else the site (``stats.stackexchange.com``); "" if unknown."""
    where = source.strip().split("://", 1)[-1].removeprefix("www.").split("/")
    if not where[0]:
        return ""
    return "/".join(where[:3]).lower() if where[0].lower() == "github.com" and len(where) >= 3 else where[0].lower()


def read_tsv(path: Path) -> list[Labelled]:
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row.get("question") or not row.get("concept"):
                continue
            concept = row["concept"].strip()
            also = tuple(a.strip() for a in (row.get("also") or "").split(",") if a.strip())
            source = (row.get("source") or "").strip()
            rows.append(Labelled(OUT if concept in REFUSE else concept, also, row["question"], source))
    return rows
