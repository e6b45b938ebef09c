"""Training data, cross-validation and the shipped parameters of the semantic matcher.

Classes are the knowledge base's nodes plus NONE. A node's own texts (title,
keywords, questions) are always training data. Labelled real questions (the
project's ``train.tsv``) map to classes through their concept id: the node that
lists the concept (first in its ``concepts`` if several do), NONE for
``out-of-scope`` and ``off-topic``; a concept no node covers yet is left out of
training and reported on its own, and becomes reachable as soon as a node lists it.

``python -m tutor.matching.train ../shared/questions/train.tsv`` fits the stacker and
the decision thresholds on cross-validated predictions, and writes the package data
the tutor ships: ``data/train-embeddings.npz`` (the questions' embeddings, float16,
with their concept ids; not the questions) and ``data/combiner.json``. The
shipped indexes depend on them: rebuild those next (``python -m tutor.matching.prebuild``,
or ``python -m tutor.matching.prebuild --train TSV`` to do both).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tutor.content.nodes import Node
from tutor.matching import language, learn, spelling

NONE = "(none)"
OUTSIDE_LABELS = ("out-of-scope", "off-topic")
DATA = Path(__file__).parent / "data"
TRAIN_EMBEDDINGS = DATA / "train-embeddings.npz"
COMBINER = DATA / "combiner.json"
FOLDS = 5
SEED = 0


def language_key() -> str:
    """A digest of the word normalisation rules: shipped token ids are only valid under the same rules."""
    from tutor.store.cache import digest

    return digest(language.fingerprint(), spelling.fingerprint())


def node_texts(nodes: Sequence[Node]) -> tuple[list[str], np.ndarray]:
    texts, owners = [], []
    for i, n in enumerate(nodes):
        for t in (n.title, *n.keywords, *n.questions):
            if t.strip():
                texts.append(t)
                owners.append(i)
    return texts, np.asarray(owners, dtype=np.int64)


def concept_classes(nodes: Sequence[Node]) -> dict[str, int]:
    """Concept id -> class index: a node whose first concept it is wins over one that also lists it."""
    out: dict[str, int] = {}
    for rank in range(8):
        for i, n in enumerate(nodes):
            if len(n.concepts) > rank:
                out.setdefault(n.concepts[rank], i)
    none = len(nodes)
    for label in OUTSIDE_LABELS:
        out[label] = none
    return out


def label_class(concept: str, classes: dict[str, int]) -> int:
    """The class of a labelled question, -1 when no node covers its concept yet."""
    return classes.get(concept, -1)


@dataclass
class Fitted:
    """Everything a prediction needs, fitted on one training set."""

    head: learn.Head | learn.CompactHead
    bag: learn.Bag | None  # the head's bag-of-words vocabulary (None: embedding only)
    X: np.ndarray  # training embeddings (texts of every class), for the nearest-neighbour evidence
    y: np.ndarray
    n_classes: int

    def head_input(self, Q: np.ndarray, toks) -> np.ndarray:
        Q = np.asarray(Q, dtype=np.float32)
        return Q if self.bag is None else np.hstack([Q, self.bag.matrix(toks)])


def fit(node_X, node_y, row_X, row_y, n_classes: int, node_toks=None, row_toks=None) -> Fitted:
    """The head (ridge over embedding + bag of words) and the nearest-neighbour memory.
    ``*_toks``: token ids of each text (:func:`learn.token_ids`); None for an embedding-only head."""
    keep = np.flatnonzero(row_y >= 0)
    X = np.concatenate([node_X, row_X[keep]]).astype(np.float32)
    y = np.concatenate([node_y, row_y[keep]])
    weights = np.concatenate([np.ones(len(node_X)), np.full(len(keep), learn.ROW_WEIGHT)])
    bag = None
    if node_toks is not None and n_classes <= learn.MAX_BAG_CLASSES:
        # Rows without token ids (shipped under other word rules) count by their embedding alone.
        row_part = [row_toks[i] for i in keep] if row_toks is not None else [np.zeros(0, np.int64)] * len(keep)
        toks = list(node_toks) + row_part
        bag = learn.Bag(np.concatenate(toks) if toks else np.zeros(0))
        A = np.hstack([X, bag.matrix(toks)])
    else:
        A = X
    return Fitted(learn.Head.fit(A, y, n_classes, weights), bag, X, y, n_classes)


def features(f: Fitted, Q: np.ndarray, lex: np.ndarray, toks=None) -> np.ndarray:
    """``lex``: (questions, nodes) word-matcher confidences; NONE gets 0."""
    lex_all = np.concatenate([lex, np.zeros((len(lex), 1))], axis=1)
    head = f.head.scores(f.head_input(Q, toks if toks is not None else [np.zeros(0)] * len(Q)))
    return learn.class_features(head, *learn.knn_features(Q, f.X, f.y, f.n_classes), lex_all)


def folds(labels: Sequence[str], k: int = FOLDS, seed: int = SEED, groups: Sequence[str] | None = None) -> np.ndarray:
    """Fold number of each row, stratified by label, deterministic. With ``groups`` (a name per row, ""
    for a row of its own), the rows of one group share a fold: the groups, shuffled by the seed, largest
    first, each go to the fold with fewest rows so far (the labels are then only roughly balanced)."""
    if groups is not None:
        return _grouped_folds(groups, k, seed)
    rng = np.random.default_rng(seed)
    out = np.zeros(len(labels), dtype=np.int64)
    by_label: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    start = 0
    for lab in sorted(by_label):
        idx = np.array(by_label[lab])
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[i] = (start + j) % k
        start += len(idx)
    return out


def _grouped_folds(groups: Sequence[str], k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    names = [g or f"\0row {i}" for i, g in enumerate(groups)]  # a row with no group is a group of its own
    size: dict[str, int] = {}
    for g in names:
        size[g] = size.get(g, 0) + 1
    order = list(size)
    rng.shuffle(order)
    order.sort(key=lambda g: -size[g])  # stable: equal sizes stay in the shuffled order
    load, fold_of = [0] * k, {}
    for g in order:
        j = int(np.argmin(load))
        fold_of[g], load[j] = j, load[j] + size[g]
    return np.array([fold_of[g] for g in names], dtype=np.int64)


def _take(toks, idx):
    return None if toks is None else [toks[i] for i in idx]


def out_of_fold(
    node_X, node_y, row_X, row_y, row_lex, row_labels, n_classes, k=FOLDS, seed=SEED, node_toks=None, row_toks=None
) -> np.ndarray:
    """Stacker features of every row, each from a head that did not see it."""
    F = np.zeros((len(row_X), n_classes, len(learn.FEATURES)), dtype=np.float32)
    fold = folds(row_labels, k, seed)
    for j in range(k):
        tr, te = np.flatnonzero(fold != j), np.flatnonzero(fold == j)
        f = fit(node_X, node_y, row_X[tr], row_y[tr], n_classes, node_toks, _take(row_toks, tr))
        F[te] = features(f, row_X[te], row_lex[te], _take(row_toks, te))
    return F


# ---------------------------------------------------------------- the decision


@dataclass(frozen=True)
class Thresholds:
    refuse_below: float  # the best in-scope class's probability below which the tutor says it does not cover it
    tie_ratio: float  # clarify when the second in-scope class has at least this share of the best's probability
    min_cosine: float  # refuse when no in-scope training text is at least this close
    outside_at: float = (
        0.5  # refuse when the classes it does not teach (NONE, outside nodes) hold this much probability
    )


def decide(
    P: np.ndarray, knn: np.ndarray, outside: np.ndarray, t: Thresholds, words: bool = True
) -> tuple[str, int, int]:
    """(kind, best class, second class) for one question; ``outside[c]``: class c is not taught (NONE included).
    ``words``: the word matcher found a word of some node in the text; without one the text is refused
    (junk, escape sequences, another language: the embedding of such text lands anywhere).
    A refusal's best class is the likeliest of all; otherwise best and second are the likeliest in-scope classes."""
    order = np.argsort(-P)
    inside = order[~outside[order]]  # in-scope classes, likeliest first
    inside_knn = knn[~outside]
    if (
        not words
        or not inside.size
        or P[outside].sum() >= t.outside_at
        or P[inside[0]] < t.refuse_below
        or (inside_knn.size and inside_knn.max() < t.min_cosine)
    ):
        return "refuse", int(order[0]), int(order[1]) if len(order) > 1 else -1
    best, second = int(inside[0]), int(inside[1]) if len(inside) > 1 else -1
    if second >= 0 and P[second] >= t.tie_ratio * P[best]:
        return "clarify", best, second
    return "answer", best, second


#: What a decision is worth when choosing thresholds (higher is better). Answering the wrong
#: topic or answering out-of-scope text costs more than a refusal or a clarify.
UTILITY = {
    ("in", "answer", True): 1.0,
    ("in", "answer", False): -2.0,
    ("in", "clarify", True): 0.5,
    ("in", "clarify", False): -0.5,
    ("in", "refuse", None): -1.5,
    ("out", "refuse", None): 1.0,
    ("out", "clarify", None): -1.0,
    ("out", "answer", None): -2.0,
}
GRID = Thresholds  # for readability below
REFUSE_GRID = tuple(np.round(np.arange(0.0, 0.6, 0.03), 3))
#: A clarify is for a real near-tie: the second topic holds at least 40% of the first one's probability.
TIE_GRID = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
COSINE_GRID = tuple(np.round(np.arange(0.0, 0.56, 0.05), 3))
OUTSIDE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def choose_thresholds(P, knn, y, ok, outside, words=None) -> Thresholds:
    """The thresholds with the highest total :data:`UTILITY` over these (held-out) predictions.
    ``words``: per row, whether the word matcher found any node's word (see :func:`decide`)."""
    rows = np.arange(len(P))
    Pin = np.where(outside[None, :], -1.0, P)
    order = np.argsort(-Pin, axis=1)
    best, second = order[:, 0], order[:, 1]
    p1, p2 = P[rows, best], P[rows, second]
    p_out = P[:, outside].sum(axis=1)
    no_words = np.zeros(len(P), dtype=bool) if words is None else ~np.asarray(words, dtype=bool)
    inside_knn = np.where(outside[None, :], -1.0, knn).max(axis=1)
    is_out = outside[y]
    right = ok[rows, best]
    u_ans = np.where(
        is_out,
        UTILITY[("out", "answer", None)],
        np.where(right, UTILITY[("in", "answer", True)], UTILITY[("in", "answer", False)]),
    )
    u_cla = np.where(
        is_out,
        UTILITY[("out", "clarify", None)],
        np.where(right, UTILITY[("in", "clarify", True)], UTILITY[("in", "clarify", False)]),
    )
    u_ref = np.where(is_out, UTILITY[("out", "refuse", None)], UTILITY[("in", "refuse", None)])
    best_t, best_u = None, -np.inf
    for o in OUTSIDE_GRID:
        for r in REFUSE_GRID:
            for c in COSINE_GRID:
                refuse = no_words | (p_out >= o) | (p1 < r) | (inside_knn < c)
                for tie in TIE_GRID:
                    clarify = ~refuse & (p2 >= tie * p1)
                    u = np.where(refuse, u_ref, np.where(clarify, u_cla, u_ans)).sum()
                    if u > best_u + 1e-9:
                        best_t, best_u = Thresholds(float(r), float(tie), float(c), float(o)), u
    assert best_t is not None  # the grids are not empty, so some setting was best
    return best_t


@dataclass
class Combiner:
    weights: np.ndarray
    thresholds: Thresholds

    def to_json(self) -> dict:
        return {
            "features": list(learn.FEATURES),
            "weights": [round(float(w), 6) for w in self.weights],
            "refuse_below": self.thresholds.refuse_below,
            "tie_ratio": self.thresholds.tie_ratio,
            "min_cosine": self.thresholds.min_cosine,
            "outside_at": self.thresholds.outside_at,
        }

    @classmethod
    def from_json(cls, data: dict) -> Combiner:
        if data.get("features") != list(learn.FEATURES):
            raise ValueError("combiner features do not match this version of the tutor")
        return cls(
            np.asarray(data["weights"], dtype=np.float64),
            Thresholds(
                float(data["refuse_below"]),
                float(data["tie_ratio"]),
                float(data["min_cosine"]),
                float(data.get("outside_at", 0.5)),
            ),
        )


def ok_matrix(nodes: Sequence[Node], concepts: Sequence[str], also: Sequence[Sequence[str]]) -> np.ndarray:
    """ok[i, c]: class c is an acceptable answer to row i (NONE for out-of-scope rows)."""
    ok = np.zeros((len(concepts), len(nodes) + 1), dtype=bool)
    for i, (c, a) in enumerate(zip(concepts, also)):
        good = {c, *a}
        if c in OUTSIDE_LABELS:
            ok[i, -1] = True
        for j, n in enumerate(nodes):
            if good & set(n.concepts):
                ok[i, j] = True
    return ok


def fit_combiner(
    node_X, node_y, row_X, row_y, row_lex, row_labels, ok, outside, n_classes, node_toks=None, row_toks=None
) -> Combiner:
    """Stacker weights and thresholds from out-of-fold predictions over the given rows."""
    keep = np.flatnonzero(row_y >= 0)
    F = out_of_fold(
        node_X,
        node_y,
        row_X[keep],
        row_y[keep],
        row_lex[keep],
        [row_labels[i] for i in keep],
        n_classes,
        node_toks=node_toks,
        row_toks=_take(row_toks, keep),
    )
    w = learn.fit_stacker(F, row_y[keep])
    P = learn.stack(F, w)
    t = choose_thresholds(P, F[:, :, 1], row_y[keep], ok[keep], outside, row_lex[keep].sum(axis=1) > 0)
    return Combiner(w, t)


# ---------------------------------------------------------------- cross-validation


@dataclass
class CVResult:
    kinds: list[str] = field(default_factory=list)
    best: list[int] = field(default_factory=list)
    second: list[int] = field(default_factory=list)
    top3: list[bool] = field(default_factory=list)
    combiners: list[Combiner] = field(default_factory=list)


def cross_validate(
    node_X,
    node_y,
    row_X,
    row_y,
    row_lex,
    row_labels,
    ok,
    outside,
    n_classes,
    k: int = FOLDS,
    seed: int = SEED,
    log=None,
    node_toks=None,
    row_toks=None,
    groups=None,
) -> CVResult:
    """Outer folds over the rows; within each, stacker and thresholds come from inner folds of
    the training part only, so nothing fitted or tuned ever sees the held-out fold. ``groups``: a name
    per row (where it was asked) whose rows share an outer fold (:func:`folds`)."""
    fold = folds(row_labels, k, seed, groups)
    res = CVResult(["refuse"] * len(row_X), [-1] * len(row_X), [-1] * len(row_X), [False] * len(row_X))
    for j in range(k):
        tr, te = np.flatnonzero(fold != j), np.flatnonzero(fold == j)
        comb = fit_combiner(
            node_X,
            node_y,
            row_X[tr],
            row_y[tr],
            row_lex[tr],
            [row_labels[i] for i in tr],
            ok[tr],
            outside,
            n_classes,
            node_toks,
            _take(row_toks, tr),
        )
        res.combiners.append(comb)
        f = fit(node_X, node_y, row_X[tr], row_y[tr], n_classes, node_toks, _take(row_toks, tr))
        F = features(f, row_X[te], row_lex[te], _take(row_toks, te))
        P = learn.stack(F, comb.weights)
        for r, i in enumerate(te):
            kind, b, s = decide(P[r], F[r, :, 1], outside, comb.thresholds, bool(row_lex[i].sum() > 0))
            res.kinds[i], res.best[i], res.second[i] = kind, b, s
            res.top3[i] = bool(ok[i][np.argsort(-P[r])[:3]].any())
        if log:
            log(f"fold {j + 1}/{k}: weights {np.round(comb.weights, 3).tolist()}, {comb.thresholds}")
    return res


# ---------------------------------------------------------------- the shipped parameters


@dataclass
class Dataset:
    """Node texts and labelled questions, embedded, with the word matcher's confidences."""

    nodes: list
    rows: list
    node_X: np.ndarray
    node_y: np.ndarray
    row_X: np.ndarray
    row_y: np.ndarray
    row_lex: np.ndarray
    labels: list[str]
    ok: np.ndarray
    outside: np.ndarray
    node_toks: list
    row_toks: list

    def cross_validate(self, k: int = FOLDS, seed: int = SEED, log=None, by_source: bool = False) -> CVResult:
        from tutor.matching.labelled import source_group

        groups = [source_group(getattr(r, "source", "")) for r in self.rows] if by_source else None
        return cross_validate(
            self.node_X,
            self.node_y,
            self.row_X,
            self.row_y,
            self.row_lex,
            self.labels,
            self.ok,
            self.outside,
            self.n_classes,
            k,
            seed,
            log,
            self.node_toks,
            self.row_toks,
            groups,
        )

    def combiner(self) -> Combiner:
        return fit_combiner(
            self.node_X,
            self.node_y,
            self.row_X,
            self.row_y,
            self.row_lex,
            self.labels,
            self.ok,
            self.outside,
            self.n_classes,
            self.node_toks,
            self.row_toks,
        )

    @property
    def n_classes(self) -> int:
        return len(self.nodes) + 1

    @classmethod
    def make(cls, nodes: Sequence[Node], rows: Sequence) -> Dataset:
        from tutor.matching.embedding import Embedder
        from tutor.matching.language import tokens
        from tutor.matching.matcher import Matcher

        nodes = list(nodes)
        embedder = Embedder()
        texts, node_y = node_texts(nodes)
        node_X = embedder.embed(texts)
        # Misspelt topic words read as the nodes' words, as when a learner asks (TopicMatcher.probabilities).
        speller = spelling.Speller.for_texts(texts, embedder.tokenizer.vocab)
        questions = [speller.correct(r.question) for r in rows]
        row_X = embedder.embed(questions)
        classes = concept_classes(nodes)
        row_y = np.array([label_class(r.concept, classes) for r in rows], dtype=np.int64)
        lexical = Matcher(nodes)
        row_lex = np.stack([lexical.confidences(q) for q in questions]) if rows else np.zeros((0, len(nodes)))
        ok = ok_matrix(nodes, [r.concept for r in rows], [r.also for r in rows])
        outside = np.array([n.outside for n in nodes] + [True])
        node_toks = [learn.token_ids(tokens(t)) for t in texts]
        row_toks = [learn.token_ids(tokens(q)) for q in questions]
        return cls(
            nodes,
            list(rows),
            node_X,
            node_y,
            row_X,
            row_y,
            row_lex,
            [r.concept for r in rows],
            ok,
            outside,
            node_toks,
            row_toks,
        )


def build(tsv: Path, extra: Sequence[Path] = (), log=print) -> Combiner:
    """Embed the labelled questions of ``tsv``, fit the combiner on the built-in content (and
    ``extra`` folders), and write both into the package data."""
    from tutor.content.nodes import load
    from tutor.matching.labelled import read_tsv

    rows = read_tsv(tsv)
    nodes = list(load(list(extra)).nodes.values())
    d = Dataset.make(nodes, rows)
    comb = d.combiner()
    DATA.mkdir(parents=True, exist_ok=True)
    lengths = np.array([len(t) for t in d.row_toks], dtype=np.int64)
    np.savez_compressed(
        TRAIN_EMBEDDINGS,
        X=d.row_X.astype(np.float16),
        concepts=np.array([r.concept for r in rows]),
        token_ids=np.concatenate(d.row_toks) if d.row_toks else np.zeros(0, np.int64),
        token_lengths=lengths,
        language=np.array(language_key()),
    )
    COMBINER.write_text(json.dumps(comb.to_json(), indent=1) + "\n", encoding="utf-8")
    log(f"wrote {TRAIN_EMBEDDINGS.name} ({len(rows)} questions) and {COMBINER.name}: {comb.to_json()}")
    return comb


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m tutor.matching.train TRAIN.tsv [EXTRA_CONTENT_FOLDER...]", file=sys.stderr)
        return 2
    build(Path(args[0]), [Path(a) for a in args[1:]])
    print("now rebuild the shipped indexes: python -m tutor.matching.prebuild")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
