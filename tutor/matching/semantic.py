"""Which topic a learner's text is about, and what to do with it: answer, clarify or refuse.

:class:`TopicMatcher` combines a sentence-embedding model (:mod:`tutor.matching.embedding`)
with the word matcher (:mod:`tutor.matching.matcher`); how much each source counts
was learned from real learner questions (:mod:`tutor.matching.train`, docs/matching.md):

- a linear head over embeddings, fitted on every node's own texts and on the
  embeddings of the real questions shipped in ``data/train-embeddings.npz``
  (mapped to nodes through their concept ids, so a new node that lists a concept
  gets its questions with no code change);
- the nearest training text of each class (cosine);
- the word matcher's confidence;

weighed by the stacker in ``data/combiner.json`` into one probability per node and
one for "nothing I cover". :meth:`TopicMatcher.decide` turns those into a
:class:`Decision` with the thresholds of the same file.

The model is loaded on the first :meth:`decide` (or by :func:`warm`, which the app
calls after its first paint), never at import. If it cannot be loaded, the reason
is kept in :attr:`TopicMatcher.notice` (one line) and decisions fall back to the
word matcher alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tutor.content.nodes import Node
from tutor.matching import learn, prebuilt, spelling, train
from tutor.matching.embedding import Shared as _Model
from tutor.matching.matcher import Match, Matcher
from tutor.store import cache

#: Bump when what goes into the embedding index changes.
INDEX_VERSION = "1"
#: How the semantic index stores its texts' vectors (part of its cache key): int8 rows with a scale each.
INDEX_FORMAT = "int8-rows"
#: Embedding indexes kept in the cache.
KEEP_INDEXES = 4
#: A second question of a long post is offered when its best node has at least this probability.
ALSO_AT = 0.5
#: A refused question names an outside-scope topic (dropout, optimisers...) when it is the likeliest
#: node and at least this likely.
OUTSIDE_AT = 0.2
#: At most this many question sentences of a long post are scored on their own.
MAX_SEGMENTS = 4
SEGMENT_CHARS = 300

#: Word-matcher-only decisions (no model): the thresholds the tutor used before the model.
LEXICAL_ANSWER_AT = 0.70
LEXICAL_CLARIFY_SCORE = 1.0
LEXICAL_CLARIFY_AT = 0.15
LEXICAL_RIVAL_AT = 0.05


@dataclass(frozen=True)
class Decision:
    """``kind``: "answer", "clarify" or "refuse". ``matches``: nodes best first (outside
    topics included, each with its probability as ``confidence``). ``outside``: the
    outside-scope node that was best, if any. ``also``: a second question of the same
    post, confidently about another node, to offer next."""

    kind: str
    matches: tuple[Match, ...]
    confidence: float
    outside: str | None = None
    also: Match | None = None
    also_text: str | None = None
    choices: tuple[Match, ...] = ()  # for a clarify: the near-tied in-scope nodes, best first


def warm() -> None:
    """Load the model now (the app calls this in a worker after its first paint)."""
    _Model.get()


def load_combiner() -> train.Combiner:
    return train.Combiner.from_json(json.loads(train.COMBINER.read_text(encoding="utf-8")))


@dataclass
class TrainingRows:
    X: np.ndarray  # float16 embeddings
    concepts: list[str]
    toks: list[np.ndarray] | None  # token ids, None when the word rules changed since they were made
    digest: str  # of the file, for cache keys


def load_training_rows() -> TrainingRows:
    """The shipped embeddings and token ids of real learner questions, and their concept ids."""
    raw = train.TRAIN_EMBEDDINGS.read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        X, concepts = data["X"], [str(c) for c in data["concepts"]]
        toks = None
        if str(data["language"]) == train.language_key():
            toks = np.split(data["token_ids"], np.cumsum(data["token_lengths"])[:-1])
    if len(X) != len(concepts) or (toks is not None and len(toks) != len(X)):
        raise ValueError("train-embeddings.npz is inconsistent")
    return TrainingRows(X, concepts, toks, hashlib.blake2b(raw, digest_size=16).hexdigest())


_SENTENCE = re.compile(r"(?<=[?!.])\s+|\n+|\s*\.\.\.\s*|…")
_ASKING = re.compile(
    r"\?\s*$|^\s*(why|how|what|whats|which|when|where|is|are|does|do|can|could|should|shouldn't|isn't|"
    r"would|will)\b",
    re.I,
)


def question_sentences(text: str) -> list[str]:
    """A long post's question sentences: its headline, then sentences that ask (a "?", or
    opening with why/how/what...), at most :data:`MAX_SEGMENTS`, in order."""
    parts = [p.strip() for p in _SENTENCE.split(text) if p and len(p.strip()) > 12]
    if len(parts) < 2:
        return []
    out = [parts[0]]
    for p in parts[1:]:
        if _ASKING.search(p) and p not in out:
            out.append(p)
    out = [p[:SEGMENT_CHARS] for p in out[:MAX_SEGMENTS]]  # a question sentence is short; a run-on paragraph is cut
    return out if len(out) > 1 else []


#: A cached ``.npz`` larger than this is not read (the index of 10,000 nodes is about 60 MB).
MAX_ARRAYS_BYTES = 1 << 30


@contextlib.contextmanager
def _open_arrays(path):
    """``np.load`` of a cache entry, only when it is a regular file within :data:`MAX_ARRAYS_BYTES` whose
    members declare no more bytes than the file holds (``np.savez`` stores them uncompressed): a FIFO
    would block, a link to a device never end, and a zip bomb inflate to any size. Raises one of
    :data:`cache.BAD_ARRAYS` otherwise."""
    import os
    import stat
    import zipfile

    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ARRAYS_BYTES:
            raise ValueError(f"{path.name}: not a regular file, or too large")
        with zipfile.ZipFile(f) as z:
            if sum(i.file_size for i in z.infolist()) > st.st_size:
                raise ValueError(f"{path.name}: its members declare more than it holds")
        f.seek(0)
        with np.load(f, allow_pickle=False) as data:
            yield data


class TopicMatcher:
    def __init__(self, nodes: Sequence[Node], lexical: Matcher | None = None) -> None:
        self.nodes = list(nodes)
        self.ids = [n.id for n in self.nodes]
        self.lexical = lexical or Matcher(self.nodes)
        self.outside = np.array([n.outside for n in self.nodes] + [True])
        self._ready = False
        self._lock = threading.Lock()
        self.notice: str | None = None
        self._speller: spelling.Speller | None = None

    @property
    def speller(self) -> spelling.Speller:
        """Reads misspelt topic words ("derivitive") as the nodes' words, as training did."""
        if self._speller is None:
            model = getattr(self, "embedder", None)  # its vocabulary is loaded already; else read from the file
            vocab = model.tokenizer.vocab if model is not None else None
            self._speller = spelling.Speller.for_texts(train.node_texts(self.nodes)[0], vocab)
        return self._speller

    # ------------------------------------------------------------ the index

    def _prepare(self) -> bool:
        """Load the model and the index once; False (and :attr:`notice`) when the model is unavailable."""
        with self._lock:
            if self._ready:
                return True
            if self.notice is not None:
                return False
            embedder = _Model.get()
            if embedder is None:
                self.notice = f"semantic matching is off ({_Model.error}); matching by words only"
                return False
            try:
                self.combiner = load_combiner()
                rows = load_training_rows()
            except (TypeError, *cache.BAD_ARRAYS) as err:
                self.notice = (
                    f"semantic matching is off (its trained data cannot be read: {err}); matching by words only"
                )
                return False
            self.embedder = embedder
            if not self._load_index(rows):
                self._build_index(rows)
            self.starts = np.flatnonzero(np.r_[True, self.y[1:] != self.y[:-1]])
            self.start_class = self.y[self.starts]
            self._ready = True
            return True

    def _index_key(self, rows: TrainingRows) -> str:
        from tutor.matching.embedding import MODEL_ID

        texts, _ = train.node_texts(self.nodes)
        return cache.digest(
            INDEX_VERSION,
            INDEX_FORMAT,
            MODEL_ID,
            train.language_key(),
            rows.digest,
            repr((learn.HEAD_RIDGE, learn.ROW_WEIGHT, learn.BAG_WEIGHT, learn.MAX_BAG_CLASSES)),
            *(repr((n.id, n.concepts, n.outside)) for n in self.nodes),
            *texts,
        )

    def _load_index(self, rows: TrainingRows) -> bool:
        name = f"semantic-{self._index_key(rows)}.npz"
        return any(self._load_index_from(folder / name) for folder in prebuilt.folders())

    def _load_index_from(self, path) -> bool:
        try:
            with _open_arrays(path) as data:
                W, X, scale, y, bag = data["W"], data["X"], data["scale"], data["y"], data["bag"]
        except cache.BAD_ARRAYS:
            return False
        C, dim = len(self.nodes) + 1, self.embedder_dim()
        if W.ndim != 2 or X.ndim != 2 or scale.ndim != 1 or y.ndim != 1 or bag.ndim != 1:
            return False
        if W.shape[1] != C or len(X) != len(y) or X.shape[1] != dim or not len(y):
            return False
        if X.dtype != np.int8 or scale.shape != (len(X),) or scale.dtype != np.float32:
            return False
        if W.dtype.kind != "f" or y.dtype.kind not in "iu" or bag.dtype.kind not in "iu":
            return False
        # classes in range and grouped (as written), weights and scales finite: a NaN would decide every question
        if y.min() < 0 or y.max() >= C or np.any(y[1:] < y[:-1]):
            return False
        if not (np.isfinite(W).all() and np.isfinite(scale).all() and (scale > 0).all()):
            return False
        has_bag = bool(len(bag)) or W.shape[0] != dim + 1
        if W.shape[0] != dim + 1 + (len(bag) if has_bag else 0):
            return False
        none = np.zeros((0, X.shape[1]), np.float32), np.zeros(0, y.dtype)
        self.fitted = train.Fitted(learn.compact(learn.Head(W)), learn.Bag(bag) if has_bag else None, *none, C)
        self.X, self.scale, self.y = X, scale, y  # see _knn
        return True

    def _build_index(self, rows: TrainingRows) -> None:
        texts, owners = train.node_texts(self.nodes)
        node_X, node_toks = self._node_embeddings(texts)
        classes = train.concept_classes(self.nodes)
        rows_y = np.array([train.label_class(c, classes) for c in rows.concepts], dtype=np.int64)
        fitted = train.fit(node_X, owners, rows.X, rows_y, len(self.nodes) + 1, node_toks, rows.toks)
        order = np.argsort(fitted.y, kind="stable")  # grouped by class, for one reduceat per question
        (self.X, self.scale), self.y = learn.quantize_rows(fitted.X[order]), fitted.y[order]
        # self.X serves the nearest neighbours; empty arrays, as a view would keep the training copy alive
        fitted.X, fitted.y = np.zeros((0, fitted.X.shape[1]), np.float32), np.zeros(0, fitted.y.dtype)
        self.fitted = fitted
        head = fitted.head
        assert isinstance(head, learn.Head)  # as fitted: float32, compacted below once saved
        path = cache.cache_dir() / f"semantic-{self._index_key(rows)}.npz"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npz")
            np.savez(
                tmp,
                W=head.W,
                X=self.X,
                scale=self.scale,
                y=self.y,
                bag=fitted.bag.ids if fitted.bag is not None else np.zeros(0, np.int64),
            )
            tmp.replace(path)
            cache.prune("semantic-*.npz", keep=KEEP_INDEXES)
        except OSError:
            pass
        fitted.head = learn.compact(head)  # saved whole above; held compactly from now on

    def warm(self) -> None:
        """Load the model and build (or read) the index now, e.g. in a worker after the app's first paint."""
        self._prepare()

    def embeddings_name(self, texts: list[str]) -> str:
        """The cache entry of the node texts' embeddings."""
        from tutor.matching.embedding import MODEL_ID

        with_bag = len(self.nodes) + 1 <= learn.MAX_BAG_CLASSES
        return f"embeddings-{cache.digest(INDEX_VERSION, MODEL_ID, train.language_key(), repr(with_bag), *texts)}.npz"

    def _node_embeddings(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """Embeddings (float16) and token ids of the node texts: from the cache (the learner's or the
        shipped one) when they were built before, else embedded now, reusing the shipped embedding
        of every built-in text among them."""
        from tutor.matching.language import tokens

        with_bag = len(self.nodes) + 1 <= learn.MAX_BAG_CLASSES
        name = self.embeddings_name(texts)
        for folder in prebuilt.folders():
            try:
                with _open_arrays(folder / name) as data:
                    X, tok, lengths = data["X"], data["tok"], data["lengths"]
            except cache.BAD_ARRAYS:
                continue
            if X.shape != (len(texts), self.embedder_dim()) or X.dtype.kind != "f" or not np.isfinite(X).all():
                continue
            if not with_bag:
                return X, None
            # each text's token ids: integers, as many lengths as texts, none negative, adding up to the ids
            if tok.ndim != 1 or lengths.shape != (len(texts),) or tok.dtype.kind not in "iu":
                continue
            if lengths.dtype.kind not in "iu" or (lengths < 0).any() or int(lengths.sum()) != len(tok):
                continue
            return X, np.split(tok, np.cumsum(lengths)[:-1])
        known = prebuilt.known_embeddings(self.embedder_dim()) if prebuilt.use_shipped else {}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed(missing, dtype=np.float16)))
        X = (
            np.stack([known[t] for t in texts]).astype(np.float16)
            if texts
            else np.zeros((0, self.embedder_dim()), np.float16)
        )
        toks = [learn.token_ids(tokens(t)) for t in texts] if with_bag else None
        path = cache.cache_dir() / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npz")
            np.savez(
                tmp,
                X=X,
                tok=np.concatenate(toks) if toks else np.zeros(0, np.int64),
                lengths=np.array([len(t) for t in toks] if toks else [], dtype=np.int64),
            )
            tmp.replace(path)
            cache.prune("embeddings-*.npz", keep=KEEP_INDEXES)
        except OSError:
            pass
        return X, toks

    @staticmethod
    def embedder_dim() -> int:
        from tutor.matching.embedding import DIM

        return DIM

    # ------------------------------------------------------------ scoring

    def _knn(self, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best cosine per class, and the mean of its :data:`learn.KNN_K` best."""
        # The index is int8 rows with a scale each, on disk and in memory: a quarter of float32's
        # memory (43 MB instead of 171 MB at 10,000 nodes, 111,133 texts). Widening it in chunks costs
        # little beside the product (NumPy's float16 conversion, by contrast, took 108-135 ms there);
        # X @ Qᵀ, not Q @ Xᵀ: for a post and its question sentences (5 rows) 25 ms instead of 34.
        sims = learn.dot_rows(self.X, self.scale, Q)
        best = np.full((len(Q), len(self.nodes) + 1), -1.0, dtype=np.float32)
        mean = best.copy()
        best[:, self.start_class], mean[:, self.start_class] = learn.knn_grouped(sims, self.starts)
        return best, mean

    def probabilities(self, texts: Sequence[str], with_words: bool = False):
        """(P, knn) for each text: class probabilities (last class NONE) and best cosines; with
        ``with_words`` also whether the word matcher found any node's word in it."""
        from tutor.matching.language import tokens

        texts = [self.speller.correct(t) for t in texts]
        Q = self.embedder.embed(texts)
        lex = np.stack([self.lexical.confidences(t) for t in texts])
        lex = np.concatenate([lex, np.zeros((len(texts), 1))], axis=1)
        knn, knn_k = self._knn(Q)
        toks = [learn.token_ids(tokens(t)) for t in texts] if self.fitted.bag is not None else None
        head = self.fitted.head.scores(self.fitted.head_input(Q, toks))
        F = learn.class_features(head, knn, knn_k, lex)
        P = learn.stack(F, self.combiner.weights)
        return (P, knn, lex.sum(axis=1) > 0) if with_words else (P, knn)

    def decide(self, text: str) -> Decision:
        if not self._prepare():
            return self._lexical_decision(text)
        segments = question_sentences(text)
        P, knn, words = self.probabilities([text, *segments], with_words=True)
        kind, best, second = train.decide(P[0], knn[0], self.outside, self.combiner.thresholds, bool(words[0]))
        ranked = np.argsort(-P[0])
        ranked = ranked[ranked < len(self.nodes)]  # no NONE
        if (
            kind != "refuse"
        ):  # the answered (or first offered) node leads, topics it does not teach after the taught ones
            ranked = np.concatenate([ranked[~self.outside[ranked]], ranked[self.outside[ranked]]])
        order = [int(i) for i in ranked[:6]]
        matches = tuple(Match(self.ids[i], float(P[0][i]), round(float(P[0][i]), 4)) for i in order)
        outside = None
        if kind == "refuse" and order and self.outside[order[0]] and P[0][order[0]] >= OUTSIDE_AT:
            outside = self.ids[order[0]]
        # Each question sentence of a long post on its own: a second topic asked confidently is
        # offered next; and a clarify between two topics that two sentences ask one each is no tie.
        confident: dict[int, str] = {}
        for seg, p, k, w in zip(segments, P[1:], knn[1:], words[1:]):
            k_kind, k_best, _ = train.decide(p, k, self.outside, self.combiner.thresholds, bool(w))
            if k_kind == "answer" and p[k_best] >= ALSO_AT:
                confident.setdefault(k_best, seg)
        if kind == "clarify" and best in confident and (second in confident or set(confident) - {best}):
            # two sentences ask one each, or the likeliest topic is asked by a sentence and another sentence
            # asks something else while the runner-up is asked by none: the post asks two things, not one unclear one
            kind = "answer"
        also = also_text = None
        if kind == "answer":
            for k_best, seg in confident.items():
                if k_best != best:
                    also, also_text = Match(self.ids[k_best], float(P[0][k_best]), round(float(P[0][k_best]), 4)), seg
                    break
        conf = float(P[0][best]) if kind != "refuse" else 0.0
        choices: tuple[Match, ...] = ()
        if kind == "clarify":
            tie = self.combiner.thresholds.tie_ratio * P[0][best]
            choices = tuple(
                m for m in matches if not self.outside[self.ids.index(m.node)] and P[0][self.ids.index(m.node)] >= tie
            )[:3]
        return Decision(kind, matches, conf, outside, also, also_text, choices)

    def _lexical_decision(self, text: str) -> Decision:
        matches = tuple(self.lexical.rank(self.speller.correct(text), k=6))
        if not matches:
            return Decision("refuse", (), 0.0)
        best = matches[0]
        node = self.nodes[self.ids.index(best.node)]
        if node.outside:
            return Decision("refuse", matches, 0.0, outside=node.id)
        if best.confidence >= LEXICAL_ANSWER_AT:
            return Decision("answer", matches, best.confidence)
        if best.score >= LEXICAL_CLARIFY_SCORE and best.confidence >= LEXICAL_CLARIFY_AT:
            inside = [m for m in matches if not self.nodes[self.ids.index(m.node)].outside]
            rivals = tuple(m for m in inside if m.confidence >= LEXICAL_RIVAL_AT)[:3]
            if len(rivals) >= 2:
                return Decision("clarify", matches, best.confidence, choices=rivals)
        return Decision("refuse", matches, 0.0)
