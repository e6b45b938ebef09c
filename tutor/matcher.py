"""Rank explanation nodes against a learner's text, with a calibrated confidence.

Each node becomes one BM25 document (bm25s): its title and keywords twice,
its example questions, and the opening of its body. Learner words the index
has never seen are corrected to the nearest known word (rapidfuzz), so
``sigmiod`` still finds the sigmoid.

The confidence combines how much better the best node scores than the rest
(a softmax over scores) with how strong that best score is on its own, so that
one threshold means the same thing for a three-word question and for a pasted
paragraph.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from tutor.content import Node
from tutor.language import tokens

#: Softmax temperature over BM25 scores, and the score at which evidence is "strong".
TEMPERATURE = 0.7
STRONG = 3.0
#: How much the best single matching phrasing of a node adds to its document score.
PHRASE_WEIGHT = 0.5
#: Extra copies of a long question's first sentence (its headline) in the query.
HEADLINE_WEIGHT = 1
#: How a query is compared with one phrasing (both as sorted stemmed tokens).
SIMILARITY = fuzz.ratio
#: Candidates re-scored by fuzzy similarity, and the most that similarity can multiply a score by.
CANDIDATES = 8
FUZZ_BONUS = 1.0


@dataclass(frozen=True)
class Match:
    node: str
    score: float
    confidence: float


#: BM25's term-frequency saturation and length normalisation.
K1 = 2.0
B = 0.5
#: How much of a node's text (answer and follow-up sections) joins its document.
BODY_CHARS = 0
BODY_SECTIONS = False


def node_document(node: Node) -> list[str]:
    doc: list[str] = []
    doc += tokens(node.title) * 2
    for kw in node.keywords:
        doc += tokens(kw) * 2
    for q in node.questions:
        doc += tokens(q)
    doc += tokens(node.body[:BODY_CHARS])
    if BODY_SECTIONS:
        for text in node.sections.values():
            doc += tokens(text[:BODY_CHARS])
    return doc or ["_empty_"]


class Matcher:
    """An index over nodes; :meth:`rank` is pure and cheap."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.ids = [n.id for n in nodes]
        docs = [node_document(n) for n in nodes]
        # Each phrasing on its own too: a close paraphrase of one question should win
        # even when another node's document shares more words in total.
        owners: list[int] = []
        phrasings: list[list[str]] = []
        self.node_phrasings: list[list[str]] = [[] for _ in nodes]
        for i, n in enumerate(nodes):
            for text in (n.title, *n.questions, *n.keywords):
                toks = tokens(text)
                if toks:
                    owners.append(i)
                    phrasings.append(toks)
                    self.node_phrasings[i].append(" ".join(sorted(toks)))
        self.owners = np.asarray(owners, dtype=np.int64)
        self.vocab = sorted({t for d in docs for t in d})
        self._vocab_set = set(self.vocab)
        self.index = bm25s.BM25(k1=K1, b=B)
        self.q_index = bm25s.BM25(k1=K1, b=B)
        if docs:
            self.index.index(docs, show_progress=False)
            self.q_index.index(phrasings, show_progress=False)

    def correct(self, words: list[str]) -> list[str]:
        """Known words as they are; unknown ones replaced by a close known word, if any."""
        out = []
        for w in words:
            if w in self._vocab_set or len(w) < 5:
                out.append(w)
                continue
            hit = process.extractOne(w, self.vocab, scorer=fuzz.ratio, score_cutoff=82)
            if hit:
                out.append(hit[0])
        return out

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of the learner's text; a pasted post's headline counts again."""
        words = self.correct(tokens(text))
        if HEADLINE_WEIGHT and len(words) > 12:
            head = re.split(r"\.\.\.|…|\n|(?<=[.?!:])\s", text, maxsplit=1)[0]
            words += self.correct(tokens(head)) * HEADLINE_WEIGHT
        return words

    def rank(self, text: str, k: int = 5) -> list[Match]:
        if not self.ids:
            return []
        q = self.query_tokens(text)
        if not q:
            return []
        scores = np.asarray(self.index.get_scores(q), dtype=float)
        per_phrase = np.asarray(self.q_index.get_scores(q), dtype=float)
        best_phrase = np.zeros(len(self.ids))
        np.maximum.at(best_phrase, self.owners, per_phrase)
        scores = scores + PHRASE_WEIGHT * best_phrase
        # A near-verbatim paraphrase of one of a node's questions is strong evidence:
        # re-score the few best candidates by fuzzy similarity of their token sets.
        candidates = np.argsort(-scores)[:CANDIDATES]
        if len(q) <= 16:
            joined = " ".join(sorted(q))
            for i in candidates:
                if scores[i] <= 0:
                    continue
                sim = max((SIMILARITY(joined, p) for p in self.node_phrasings[i]), default=0.0)
                scores[i] *= 1.0 + FUZZ_BONUS * max(0.0, (sim - 60.0) / 40.0)
        order = np.argsort(-scores)[:k]
        best = float(scores[order[0]])
        if best <= 0:
            return []
        # The share of the best among the top few: how clearly it beats its rivals.
        top = scores[order[:3]]
        share = np.exp((scores - best) / TEMPERATURE) / np.exp((top - best) / TEMPERATURE).sum()
        strength = 1.0 - math.exp(-best / STRONG)
        return [
            Match(self.ids[i], float(scores[i]), round(float(share[i]) * strength, 4))
            for i in order if scores[i] > 0
        ]
