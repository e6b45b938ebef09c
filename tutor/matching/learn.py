"""The learned parts of the semantic matcher: a softmax head over sentence embeddings,
nearest-neighbour evidence, and a small stacker that weighs them with lexical evidence.

Everything here is plain NumPy and deterministic (one linear solve, gradient descent from
zeros), and content-independent in shape: the classes are the knowledge base's
nodes plus one :data:`NONE` class ("nothing I cover"), whatever the nodes are.

Per class ``c`` the stacker sees the features of :func:`class_features`:

- ``head(c)``: the linear head's score (ridge regression onto the class);
- ``knn(c)``: the highest cosine between the question and a training text of ``c``;
- ``knn3(c)``: the mean of the :data:`KNN_K` highest such cosines (one lucky near-duplicate counts less);
- ``lex(c)``, ``log_lex(c)``: the word matcher's confidence share for ``c`` (0 for NONE), and its log (+0.01);
- ``none``: 1 for the NONE class (its bias).

and scores it ``w · f``; the probabilities are a softmax of those scores over the
classes (a conditional-logit model). ``w`` is fitted on predictions for questions
the head did not see (cross-validation), so it learns how far to trust each
source on new questions, not on the head's own training set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

#: Feature names, in order, of :func:`class_features`.
FEATURES = ("head", "knn", "knn3", "lex", "log_lex", "none")
#: How many nearest texts of a class the ``knn3`` feature averages.
KNN_K = 3
#: The head: ridge penalty, and how much more a real learner question weighs than a node's own text.
HEAD_RIDGE = 10.0
ROW_WEIGHT = 6.0
#: Length of the bag-of-words part of the head's input, beside the unit-length embedding.
BAG_WEIGHT = 1.0
#: Above this many classes the head reads the embedding alone (a bag of words would be too large).
MAX_BAG_CLASSES = 400
#: Stacker fitting.
STACK_ITERATIONS = 600
STACK_RATE = 0.5
STACK_L2 = 1e-3


def softmax(Z: np.ndarray) -> np.ndarray:
    Z = Z - Z.max(axis=-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)


@dataclass
class Head:
    """A linear head from a unit vector to one score per class: ridge regression onto one-hot
    targets (one 385 x 385 solve, so refitting it for every fold costs milliseconds)."""

    W: np.ndarray  # (dim + 1, classes): the last row is the bias

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, n_classes: int, weights: np.ndarray | None = None) -> Head:
        """Weighted ridge regression; solved in the smaller of the feature and the sample space."""
        sw = np.ones(len(X)) if weights is None else np.asarray(weights, dtype=np.float64)
        n, d = len(X), X.shape[1] + 1
        if d <= n:  # the normal equations, accumulated a block of rows at a time (memory stays small)
            G = np.zeros((d, d))
            B = np.zeros((n_classes, d))  # (X_w)ᵀ Y, without building the one-hot Y
            for s in range(0, n, 8192):
                Xc = np.hstack([np.asarray(X[s : s + 8192], dtype=np.float64), np.ones((len(X[s : s + 8192]), 1))])
                Xw = Xc * sw[s : s + 8192, None]
                G += Xw.T @ Xc
                np.add.at(B, y[s : s + 8192], Xw)
            W = np.linalg.solve(G + HEAD_RIDGE * np.eye(d), B.T)
        else:  # W = Xᵀ S (X Xᵀ S + λI)⁻¹ Y
            Xb = np.hstack([np.asarray(X, dtype=np.float64), np.ones((n, 1))])
            Y = np.zeros((n, n_classes))
            Y[np.arange(n), y] = 1.0
            K = (Xb @ Xb.T) * sw[None, :]
            W = (Xb * sw[:, None]).T @ np.linalg.solve(K + HEAD_RIDGE * np.eye(n), Y)
        return cls(W.astype(np.float32))

    def scores(self, Q: np.ndarray) -> np.ndarray:
        Q = np.asarray(Q, dtype=np.float32)
        return Q @ self.W[:-1] + self.W[-1]


def token_ids(tokens) -> np.ndarray:
    """Stable 32-bit ids of normalised tokens (:func:`tutor.matching.language.tokens`), as a sorted set."""
    return np.array(
        sorted(
            {
                int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=4).digest(), "little")
                for t in tokens
            }
        ),
        dtype=np.int64,
    )


class Bag:
    """Bag-of-words features over a fixed set of token ids: binary, scaled to length :data:`BAG_WEIGHT`."""

    def __init__(self, ids: np.ndarray) -> None:
        # sorted and distinct; not np.unique, which imports numpy.ma (17 ms of a cold `tutor ask`)
        ids = np.sort(np.asarray(ids, dtype=np.int64).ravel())
        self.ids = ids[np.r_[True, ids[1:] != ids[:-1]]] if len(ids) else ids

    def matrix(self, rows) -> np.ndarray:
        M = np.zeros((len(rows), len(self.ids)), dtype=np.float32)
        for i, r in enumerate(rows):
            r = np.asarray(r, dtype=np.int64)
            if not len(r) or not len(self.ids):
                continue
            pos = np.minimum(np.searchsorted(self.ids, r), len(self.ids) - 1)
            M[i, pos[self.ids[pos] == r]] = 1.0
        norms = np.linalg.norm(M, axis=1, keepdims=True)
        return M * (BAG_WEIGHT / np.where(norms > 0, norms, 1.0))


#: Rows of an int8 index widened to float32 at a time by :func:`dot_rows`: 384 KB of scratch, which
#: stays in cache. At 111,133 rows one question took 12 ms (4,096 rows: 22 ms; a float32 index: 9 ms)
#: and five questions 15 ms (float32: 28 ms).
DOT_CHUNK = 256


def quantize_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row as int8 and its scale (float32): row ``i`` is ``X8[i] * scale[i]`` to within half a
    scale a component. For unit vectors a dot product moves by about 0.001 (a quarter of a float32
    index's memory; benchmarks/bench.py, the 10,000-node run). Done a block of rows at a time, so
    the float temporaries stay small beside the result."""
    X8 = np.empty(X.shape, dtype=np.int8)
    scale = np.ones(len(X), dtype=np.float32)
    for i in range(0, len(X), 16 * DOT_CHUNK):
        block = np.asarray(X[i : i + 16 * DOT_CHUNK], dtype=np.float32)
        peak = np.abs(block).max(axis=1) if block.size else np.zeros(len(block), np.float32)
        scale[i : i + len(block)] = np.where(peak > 0, peak / 127.0, 1.0)
        X8[i : i + len(block)] = np.rint(block / scale[i : i + len(block), None])
    return X8, scale


class CompactHead:
    """A head of more than :data:`MAX_BAG_CLASSES` classes (its input the embedding alone), kept as int8
    weights with a scale per class (:func:`quantize_rows`) and scored with :func:`dot_rows`: at 10,000
    nodes 3.9 MB instead of 15.5 MB of float32. A score moves by at most half the class's scale times
    the question's 1-norm. Smaller heads stay float32 (:func:`compact`)."""

    def __init__(self, head: Head) -> None:
        self.W8, self.scale = quantize_rows(head.W[:-1].T)  # a row per class
        self.bias = np.array(head.W[-1], dtype=np.float32)

    def scores(self, Q: np.ndarray) -> np.ndarray:
        return dot_rows(self.W8, self.scale, Q) + self.bias


def compact(head: Head) -> Head | CompactHead:
    """``head`` as a :class:`CompactHead` when it is large (more than :data:`MAX_BAG_CLASSES` classes), else itself."""
    return CompactHead(head) if head.W.shape[1] > MAX_BAG_CLASSES else head


def dot_rows(X8: np.ndarray, scale: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``Q @ Xᵀ`` (questions, rows) for an index quantised by :func:`quantize_rows`, widening
    :data:`DOT_CHUNK` rows at a time so no float32 copy of the whole index is ever made."""
    Qt = np.ascontiguousarray(np.asarray(Q, dtype=np.float32).T)
    out = np.empty((len(X8), Qt.shape[1]), dtype=np.float32)
    buf = np.empty((min(DOT_CHUNK, len(X8)), X8.shape[1]), dtype=np.float32)
    for i in range(0, len(X8), DOT_CHUNK):
        part = X8[i : i + DOT_CHUNK]
        wide = buf[: len(part)]
        np.copyto(wide, part)
        np.matmul(wide, Qt, out=out[i : i + len(part)])
    out *= scale[:, None]
    return out.T


def knn_grouped(sims: np.ndarray, starts: np.ndarray, k: int = KNN_K) -> tuple[np.ndarray, np.ndarray]:
    """Per group of columns (group g is ``sims[:, starts[g]:starts[g + 1]]``, groups not empty): the
    highest value and the mean of the ``k`` highest, each (rows, groups).

    Linear in the number of columns: ``k`` passes of a per-group maximum, each pass striking out
    one occurrence of the maximum it found, instead of a sort of every row (benchmarks/bench.py
    times both at 10,000 nodes)."""
    sims = np.asarray(sims, dtype=np.float32)
    n = sims.shape[1]
    sizes = np.diff(np.r_[starts, n])
    work = sims.copy()
    cur = np.maximum.reduceat(work, starts, axis=1)
    best, total = cur.copy(), cur.copy()
    cols, rows = np.arange(n), np.arange(len(work))[:, None]
    for _ in range(k - 1):
        # the first column of each group that holds the group's current maximum (a group already
        # struck out entirely holds only -inf, and striking it again changes nothing)
        hit = work == np.repeat(cur, sizes, axis=1)
        first = np.minimum(np.minimum.reduceat(np.where(hit, cols, n), starts, axis=1), n - 1)
        work[rows, first] = -np.inf
        cur = np.maximum.reduceat(work, starts, axis=1)
        total += np.where(np.isfinite(cur), cur, np.float32(0.0))
    return best, (total / np.minimum(sizes, k)).astype(np.float32)


def knn_features(Q: np.ndarray, X: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(questions, classes) twice: the best cosine per class, and the mean of its :data:`KNN_K`
    best (-1 where a class has no text)."""
    order = np.argsort(y, kind="stable")
    ys = np.asarray(y)[order]
    starts = np.flatnonzero(np.r_[True, ys[1:] != ys[:-1]]) if len(ys) else np.zeros(0, np.int64)
    sims = np.asarray(Q, dtype=np.float32) @ np.asarray(X, dtype=np.float32)[order].T
    best = np.full((len(Q), n_classes), -1.0, dtype=np.float32)
    mean = best.copy()
    if len(ys):
        b, m = knn_grouped(sims, starts)
        best[:, ys[starts]], mean[:, ys[starts]] = b, m
    return best, mean


def knn_max(Q: np.ndarray, X: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """(questions, classes): the best cosine per class (-1 where a class has no text)."""
    return knn_features(Q, X, y, n_classes)[0]


def class_features(head: np.ndarray, knn: np.ndarray, knn_k: np.ndarray, lex: np.ndarray) -> np.ndarray:
    """(questions, classes, features); the last class is NONE. ``knn``: best cosine per class;
    ``knn_k``: mean of the :data:`KNN_K` best."""
    n, C = head.shape
    none = np.zeros((n, C), dtype=np.float32)
    none[:, -1] = 1.0
    return np.stack([head, knn, knn_k, lex, np.log(np.asarray(lex) + 0.01), none], axis=-1).astype(np.float32)


def fit_stacker(F: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights of the conditional-logit stacker, from features of questions with known class."""
    w = np.zeros(F.shape[-1], dtype=np.float64)
    w[0] = 10.0  # start from the head alone
    F = F.astype(np.float64)
    n = len(F)
    for _ in range(STACK_ITERATIONS):
        P = softmax(F @ w)
        # gradient of the mean negative log-likelihood
        expected = (P[:, :, None] * F).sum(axis=1)
        chosen = F[np.arange(n), y]
        grad = (expected - chosen).mean(axis=0) + STACK_L2 * w
        w -= STACK_RATE * grad
    return w


def stack(F: np.ndarray, w: np.ndarray) -> np.ndarray:
    return softmax(F.astype(np.float64) @ w)
