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

from pathlib import Path
from typing import Sequence

import numpy as np

MAX_CLASSES = 400
ITERATIONS = 300
LEARNING_RATE = 16.0
L2 = 3e-4


class PhraseClassifier:
    def __init__(self, phrasings: Sequence[Sequence[str]], owners: np.ndarray, n_classes: int) -> None:
        self.vocab = {w: j for j, w in enumerate(sorted({w for p in phrasings for w in p}))}
        self.n_classes = n_classes
        # float32 halves the cost of the two products an iteration; the result is then kept in float64.
        X = (np.stack([self._features(p) for p in phrasings]) if len(phrasings)
             else np.zeros((0, len(self.vocab)))).astype(np.float32)
        XT = np.ascontiguousarray(X.T)
        Y = np.zeros((len(phrasings), n_classes), dtype=np.float32)
        Y[np.arange(len(phrasings)), owners] = 1.0
        W = np.zeros((len(self.vocab), n_classes), dtype=np.float32)
        b = np.zeros(n_classes, dtype=np.float32)
        m = max(len(phrasings), 1)
        for _ in range(ITERATIONS):
            G = (_softmax(X @ W + b) - Y) / m
            W -= LEARNING_RATE * (XT @ G + L2 * W)
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
    def load(cls, path: Path, vocab: list[str]) -> "PhraseClassifier":
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


def _softmax(Z: np.ndarray) -> np.ndarray:
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)
