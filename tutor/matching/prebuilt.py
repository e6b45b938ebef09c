"""Matching indexes for the built-in content, built once and shipped with the package.

Building the indexes the first time costs seconds (embedding about a thousand node
texts, training the word classifier, fitting the head); a learner's first question
on a fresh install should not wait for that. So the same cache entries the tutor
would write on first use are built at release time into ``data/prebuilt/`` and
read from there, read-only, after the learner's own cache folder
(:func:`folders`). Entries are found by the same content keys as any cache entry,
so a shipped entry is used only for exactly the content, rules and model it was
built from; anything else (an author's extra node) is built and cached as before.

``texts.npz`` holds the built-in node texts with their embeddings, so content that
adds a few nodes to the built-in ones embeds only the new texts.

``python -m tutor.matching.prebuild`` rebuilds the folder (after ``python -m
tutor.matching.train``, or with ``--train TSV`` to do both); a test fails when it is
out of date.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tutor.store import cache

PREBUILT = Path(__file__).parent / "data" / "prebuilt"
TEXTS = PREBUILT / "texts.npz"
#: ``texts.npz`` holds at most this many texts (a bound for reading it; the built-in content has about a thousand).
MAX_TEXTS = 100_000


#: False while :func:`tutor.matching.prebuild.build` runs: everything is built from scratch, never read from the entries being replaced.
use_shipped = True


def folders() -> tuple[Path, ...]:
    """Where cache entries are looked for, in order: the learner's cache, then the shipped one."""
    return (cache.cache_dir(), PREBUILT) if use_shipped else (cache.cache_dir(),)


def known_embeddings(dim: int) -> dict[str, np.ndarray]:
    """Shipped embeddings of the built-in node texts, by text (empty when missing or malformed)."""
    try:
        with np.load(TEXTS, allow_pickle=False) as data:
            texts, X = data["texts"], data["X"]
    except cache.BAD_ARRAYS:
        return {}
    if texts.ndim != 1 or X.shape != (len(texts), dim) or len(texts) > MAX_TEXTS:
        return {}
    return {str(t): X[i] for i, t in enumerate(texts)}
