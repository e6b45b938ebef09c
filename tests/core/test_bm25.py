from __future__ import annotations

import math

import pytest

from tutor.matching.bm25 import BM25


def reference(docs, query, k1, b):
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        s = 0.0
        for t in query:
            df = sum(1 for x in docs if t in x)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(t)
            s += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


def test_scores_match_the_textbook_formula():
    docs = [["log", "loss", "loss"], ["minus", "sign", "log"], ["sigmoid"], ["loss", "minus", "minus", "sign"]]
    for query in (["loss"], ["minus", "sign"], ["log", "log"], ["unknown"], []):
        assert list(BM25(docs, 2.0, 0.5).scores(query)) == pytest.approx(reference(docs, query, 2.0, 0.5))


def test_save_and_load_round_trip(tmp_path):
    docs = [["a", "b"], ["b", "c"], ["c", "c", "d"]]
    idx = BM25(docs)
    idx.save(tmp_path / "i.npz")
    again = BM25.load(tmp_path / "i.npz", idx.terms())
    assert list(again.scores(["c", "b"])) == pytest.approx(list(idx.scores(["c", "b"])))
    with pytest.raises(ValueError):
        BM25.load(tmp_path / "i.npz", ["a"])
