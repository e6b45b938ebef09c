"""A small supervised ranker: softmax regression from a phrasing's words to its node.

It is trained on the content itself (every node's title, keywords and example
questions), so it learns which words tell one node from another (*negative*
for the negative-loss node, *bits* for the log base) where BM25 only counts
rarity. It complements BM25; it does not replace it. Full-batch gradient
descent from zeros: deterministic, about 0.1 s for the built-in content, and
cached with the index. Above :data:`MAX_CLASSES` nodes it is not trained (its
weights would grow with vocabulary × nodes) and BM25 ranks alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_CLASSES = 400
ITERATIONS = 300
LEARNING_RATE = 16.0
L2 = 3e-4


class PhraseClassifier:
    def __init__(self, phrasings: Sequence[Sequence[str]], owners: np.ndarray, n_classes: int) -> None:
        self.vocab = {w: j for j, w in enumerate(sorted({w for p in phrasings for w in p}))}
        self.n_classes = n_classes
        X = _SparseRows([sorted({self.vocab[w] for w in p}) for p in phrasings], len(self.vocab))
        Y = np.zeros((len(phrasings), n_classes), dtype=np.float32)
        Y[np.arange(len(phrasings)), owners] = 1.0
        W = np.zeros((len(self.vocab), n_classes), dtype=np.float32)
        b = np.zeros(n_classes, dtype=np.float32)
        m = max(len(phrasings), 1)
        for _ in range(ITERATIONS):
            G = (_softmax(X.dot(W) + b) - Y) / m
            W -= LEARNING_RATE * (X.tdot(G) + L2 * W)
            b -= LEARNING_RATE * G.sum(axis=0)
        self.W, self.b = W.astype(np.float64), b.astype(np.float64)

    def _features(self, words: Sequence[str]) -> np.ndarray:
        v = np.zeros(len(self.vocab))
        for w in words:
            j = self.vocab.get(w)
            if j is not None:
                v[j] = 1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def probabilities(self, words: Sequence[str]) -> np.ndarray:
        return _softmax((self._features(words) @ self.W + self.b)[None, :])[0]

    def save(self, path: Path) -> None:
        np.savez(path, W=self.W, b=self.b)

    @classmethod
    def load(cls, path: Path, vocab: list[str]) -> PhraseClassifier:
        obj = cls.__new__(cls)
        with np.load(path, allow_pickle=False) as data:
            obj.W, obj.b = data["W"], data["b"]
        obj.vocab = {w: j for j, w in enumerate(vocab)}
        obj.n_classes = len(obj.b)
        if obj.W.shape != (len(vocab), obj.n_classes):
            raise ValueError("classifier weights and vocabulary do not match")
        return obj

    def terms(self) -> list[str]:
        return list(self.vocab)  # words were numbered in insertion order


class _SparseRows:
    """The L2-normalised binary bag-of-words matrix, stored by its non-zeros.

    A phrasing has a handful of words among thousands, so the two products of a
    training step are gathers and segment sums over the non-zeros (about 40 times
    less work than the dense matrix, the same sums up to float rounding).
    """

    def __init__(self, rows: Sequence[Sequence[int]], n_cols: int) -> None:
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        self.n_rows, self.n_cols = len(rows), n_cols
        self.cols = np.array([j for r in rows for j in r], dtype=np.int64)
        self.row_of = np.repeat(np.arange(len(rows)), lengths)
        self.vals = np.repeat(np.where(lengths > 0, 1.0 / np.sqrt(np.maximum(lengths, 1)), 0.0), lengths).astype(
            np.float32
        )
        self.rows_present = np.flatnonzero(lengths)
        self.row_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[self.rows_present]
        order = np.argsort(self.cols, kind="stable")
        self.by_col = order
        sorted_cols = self.cols[order]
        self.cols_present, self.col_starts = np.unique(sorted_cols, return_index=True)

    def dot(self, W: np.ndarray) -> np.ndarray:
        """X @ W."""
        out = np.zeros((self.n_rows, W.shape[1]), dtype=W.dtype)
        if len(self.cols):
            out[self.rows_present] = np.add.reduceat(W[self.cols] * self.vals[:, None], self.row_starts, axis=0)
        return out

    def tdot(self, G: np.ndarray) -> np.ndarray:
        """X.T @ G."""
        out = np.zeros((self.n_cols, G.shape[1]), dtype=G.dtype)
        if len(self.cols):
            contrib = G[self.row_of[self.by_col]] * self.vals[self.by_col, None]
            out[self.cols_present] = np.add.reduceat(contrib, self.col_starts, axis=0)
        return out


def _softmax(Z: np.ndarray) -> np.ndarray:
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)
