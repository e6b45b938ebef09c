"""Rank explanation nodes against a learner's text, with a calibrated confidence.

Both sides go through the same domain normalisation (:mod:`tutor.matching.language`).
Each node becomes one BM25 document (its title and keywords twice, its example
questions once), and each of its phrasings is indexed on its own too, so a
close paraphrase of one question counts even in a node with many. A softmax
classifier trained on the same phrasings (:mod:`tutor.matching.classifier`) multiplies
the score by what tells one node from another, and the few best candidates of
a short question are re-scored by fuzzy similarity to their phrasings. Learner
words the index has never seen are corrected to the nearest known word
(rapidfuzz), so ``sigmiod`` still finds the sigmoid.

The confidence combines how much better the best node scores than the rest
(a softmax over scores) with how strong that best score is on its own, so that
one threshold means the same thing for a three-word question and for a pasted
paragraph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from tutor.content.nodes import Node
from tutor.matching import classifier as _classifier
from tutor.matching import language, prebuilt
from tutor.matching.bm25 import BM25
from tutor.matching.classifier import MAX_CLASSES, PhraseClassifier
from tutor.matching.language import tokens
from tutor.store import cache

#: Softmax temperature over BM25 scores, and the score at which evidence is "strong".
TEMPERATURE = 2.5
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
#: Bump when what goes into the index changes, so cached indexes are rebuilt.
INDEX_VERSION = "8"
#: Indexes kept in the cache (one per distinct content set recently used).
KEEP_INDEXES = 4


#: How much the trained classifier's probability for a node multiplies its score (see tutor.matching.classifier).
CLASSIFIER_WEIGHT = 3.0


class Matcher:
    """An index over nodes; :meth:`rank` is pure and cheap.

    The index is saved under the cache folder and reused while the nodes' titles,
    keywords and questions stay the same: building it means tokenising every
    phrasing (about 0.1 s for the built-in content, 15 s for 10,000 nodes).
    """

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.ids = [n.id for n in nodes]
        key = cache.digest(
            INDEX_VERSION,
            language.fingerprint(),
            repr((K1, B, CLASSIFIER_WEIGHT, _classifier.ITERATIONS, _classifier.LEARNING_RATE, _classifier.L2)),
            *(repr((n.id, n.title, n.keywords, n.questions)) for n in nodes),
        )
        use_cache = len(nodes) > 0
        if not (use_cache and self._load(key)):
            self._build(nodes)
            if use_cache:
                self._save(key)
        self._vocab_set = set(self.vocab)

    def _build(self, nodes: Sequence[Node]) -> None:
        docs: list[list[str]] = []
        owners: list[int] = []
        phrasings: list[list[str]] = []
        self.node_phrasings: list[list[str]] = [[] for _ in nodes]
        for i, n in enumerate(nodes):
            doc: list[str] = []
            # Each phrasing on its own too: a close paraphrase of one question should win
            # even when another node's document shares more words in total.
            for text, weight in ((n.title, 2), *((k, 2) for k in n.keywords), *((q, 1) for q in n.questions)):
                toks = tokens(text)
                if not toks:
                    continue
                doc += toks * weight
                owners.append(i)
                phrasings.append(toks)
                self.node_phrasings[i].append(" ".join(sorted(toks)))
            docs.append(doc or ["_empty_"])
        self.owners = np.asarray(owners, dtype=np.int64)
        self.vocab = sorted({t for d in docs for t in d})
        self.index = BM25(docs, K1, B)
        self.q_index = BM25(phrasings, K1, B)
        self.classifier = (
            PhraseClassifier(phrasings, self.owners, len(nodes))
            if CLASSIFIER_WEIGHT and 0 < len(nodes) <= MAX_CLASSES
            else None
        )

    def _save(self, key: str) -> None:
        folder = cache.cache_dir() / f"index-{key}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.index.save(folder / "nodes.npz")
            self.q_index.save(folder / "phrasings.npz")
            np.save(folder / "owners.npy", self.owners, allow_pickle=False)
            names = ["nodes.npz", "phrasings.npz", "owners.npy"]
            if self.classifier is not None:
                self.classifier.save(folder / "classifier.npz")
                names.append("classifier.npz")
            files = {name: cache.file_digest((folder / name).read_bytes()) for name in names}
            cache.write_json(
                f"index-{key}/meta.json",
                {
                    "ids": self.ids,
                    "vocab": self.vocab,
                    "phrasings": self.node_phrasings,
                    "node_terms": self.index.terms(),
                    "phrase_terms": self.q_index.terms(),
                    "classifier_terms": self.classifier.terms() if self.classifier is not None else None,
                    "files": files,
                    "sizes": {"nodes": len(self.index.doc_ids), "phrasings": len(self.q_index.doc_ids)},
                },
            )
            cache.prune("index-*", keep=KEEP_INDEXES)
        except (OSError, ValueError):
            pass

    def _load(self, key: str) -> bool:
        """Whether a verified index was read from the cache; anything off (a missing, truncated, tampered,
        inconsistent or non-finite part) means False, and the index is built afresh and saved over it."""
        for folder in prebuilt.folders():
            try:
                if self._load_checked(folder / f"index-{key}", cache.read_json(f"index-{key}/meta.json", folder)):
                    return True
            except Exception:  # noqa: BLE001 - a cache only saves time: whatever is wrong with it, rebuild
                pass
        return False

    def _load_checked(self, folder, meta) -> bool:
        if not isinstance(meta, dict) or meta.get("ids") != self.ids:
            return False
        n = len(self.ids)
        vocab, node_terms, phrase_terms = (
            _strings(meta["vocab"]),
            _strings(meta["node_terms"]),
            _strings(meta["phrase_terms"]),
        )
        phrasings = meta["phrasings"]
        if not (
            isinstance(phrasings, list) and len(phrasings) == n and all(_strings(p) is not None for p in phrasings)
        ):
            raise ValueError("phrasings")
        files, sizes = meta["files"], meta["sizes"]
        if not (isinstance(files, dict) and isinstance(sizes, dict)):
            raise ValueError("files")
        index = _load_bm25(folder / "nodes.npz", files["nodes.npz"], node_terms, sizes["nodes"], n)
        q_index = _load_bm25(folder / "phrasings.npz", files["phrasings.npz"], phrase_terms, sizes["phrasings"], None)
        owners = cache.load_arrays(folder / "owners.npy", files["owners.npy"], {"": q_index.n_docs})[""]
        if not (
            owners.dtype.kind == "i"
            and owners.shape == (q_index.n_docs,)
            and (owners.size == 0 or (owners.min() >= 0 and owners.max() < n))
        ):
            raise ValueError("owners")
        classifier = None
        terms = meta["classifier_terms"]
        if terms is not None:
            terms = _strings(terms)
            arrays = cache.load_arrays(
                folder / "classifier.npz", files["classifier.npz"], {"W": len(terms) * n, "b": n}
            )
            W, b = arrays["W"], arrays["b"]
            if not (
                W.dtype.kind == "f"
                and b.dtype.kind == "f"
                and W.shape == (len(terms), n)
                and b.shape == (n,)
                and np.isfinite(W).all()
                and np.isfinite(b).all()
            ):
                raise ValueError("classifier")
            classifier = PhraseClassifier.__new__(PhraseClassifier)
            classifier.W, classifier.b, classifier.n_classes = W, b, n
            classifier.vocab = {w: j for j, w in enumerate(terms)}
        self.index, self.q_index, self.owners, self.classifier = index, q_index, owners, classifier
        self.vocab, self.node_phrasings = vocab, phrasings
        return True

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

    def scores(self, text: str) -> np.ndarray | None:
        """Every node's score for ``text`` (None when the text has no usable words)."""
        if not self.ids:
            return None
        q = self.query_tokens(text)
        if not q:
            return None
        scores = self.index.scores(q)
        per_phrase = self.q_index.scores(q)
        best_phrase = np.zeros(len(self.ids))
        np.maximum.at(best_phrase, self.owners, per_phrase)
        scores = scores + PHRASE_WEIGHT * best_phrase
        if self.classifier is not None:
            scores = scores * (1.0 + CLASSIFIER_WEIGHT * self.classifier.probabilities(q))
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
        return scores

    def confidences(self, text: str) -> np.ndarray:
        """Every node's confidence, as :meth:`rank` computes it for the best few (0 where nothing matches)."""
        scores = self.scores(text)
        if scores is None or scores.max() <= 0:
            return np.zeros(len(self.ids))
        order = np.argsort(-scores)[:3]
        best = float(scores[order[0]])
        top = scores[order]
        share = np.exp((scores - best) / TEMPERATURE) / np.exp((top - best) / TEMPERATURE).sum()
        return np.where(scores > 0, share * (1.0 - math.exp(-best / STRONG)), 0.0)

    def rank(self, text: str, k: int = 5) -> list[Match]:
        scores = self.scores(text)
        if scores is None:
            return []
        order = np.argsort(-scores)[: max(k, 3)]
        best = float(scores[order[0]])
        if best <= 0:
            return []
        # The share of the best among the top few: how clearly it beats its rivals
        # (the same three whatever k is, so the confidence does not depend on k).
        top = scores[order[:3]]
        share = np.exp((scores - best) / TEMPERATURE) / np.exp((top - best) / TEMPERATURE).sum()
        strength = 1.0 - math.exp(-best / STRONG)
        return [
            Match(self.ids[i], float(scores[i]), round(float(share[i]) * strength, 4))
            for i in order[:k]
            if scores[i] > 0
        ]


#: The most postings a cached index may declare (8 bytes each): 256 MB.
MAX_POSTINGS = 32 * 1024 * 1024


def _strings(value) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError("expected a list of strings")
    return value


def _load_bm25(path, digest, terms: list[str], nnz, n_docs: int | None) -> BM25:
    """A cached :class:`BM25`, every array checked: types, shapes, ranges, finite weights."""
    if not (isinstance(nnz, int) and 0 <= nnz <= MAX_POSTINGS and isinstance(digest, str)):
        raise ValueError("sizes")
    arrays = cache.load_arrays(path, digest, {"doc_ids": nnz, "indptr": len(terms) + 1, "weights": nnz, "n_docs": 1})
    doc_ids, indptr, weights, count = arrays["doc_ids"], arrays["indptr"], arrays["weights"], arrays["n_docs"]
    if not (count.shape == (1,) and count.dtype.kind == "i" and int(count[0]) >= 0):
        raise ValueError("n_docs")
    docs = int(count[0])
    if n_docs is not None and docs != n_docs:
        raise ValueError("n_docs")
    if not (
        doc_ids.dtype.kind == "i"
        and doc_ids.shape == (nnz,)
        and indptr.dtype.kind == "i"
        and indptr.shape == (len(terms) + 1,)
        and weights.dtype.kind == "f"
        and weights.shape == (nnz,)
    ):
        raise ValueError("shapes")
    if nnz and (doc_ids.min() < 0 or doc_ids.max() >= docs):
        raise ValueError("doc ids")
    if indptr[0] != 0 or indptr[-1] != nnz or (np.diff(indptr) < 0).any() or not np.isfinite(weights).all():
        raise ValueError("postings")
    obj = BM25.__new__(BM25)
    obj.doc_ids, obj.indptr, obj.weights, obj.n_docs = doc_ids, indptr, weights, docs
    obj.vocab = {t: i for i, t in enumerate(terms)}
    return obj
