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

``python -m tutor.matching.prebuilt`` rebuilds the folder (``python -m
tutor.matching.train`` runs it at its end); a test fails when it is out of date.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from tutor.store import cache

PREBUILT = Path(__file__).parent / "data" / "prebuilt"
TEXTS = PREBUILT / "texts.npz"
#: ``texts.npz`` holds at most this many texts (a bound for reading it; the built-in content has about a thousand).
MAX_TEXTS = 100_000


#: False while :func:`build` runs: everything is built from scratch, never read from the entries being replaced.
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


def build(target: Path = PREBUILT) -> list[str]:
    """Build the built-in content's indexes in a fresh cache folder and copy them to ``target``."""
    from tutor.content.nodes import load
    from tutor.dialogue.core import Core
    from tutor.matching import train

    global use_shipped
    with tempfile.TemporaryDirectory() as tmp:
        saved = os.environ.get("TUTOR_CACHE_DIR")
        os.environ["TUTOR_CACHE_DIR"] = tmp
        use_shipped = False
        try:
            topics = Core(load()).topics
            if not topics._prepare():
                raise SystemExit(f"cannot build the semantic index: {topics.notice}")
            texts, _ = train.node_texts(topics.nodes)
            X, _ = topics._node_embeddings(texts)
        finally:
            use_shipped = True
            if saved is None:
                os.environ.pop("TUTOR_CACHE_DIR", None)
            else:
                os.environ["TUTOR_CACHE_DIR"] = saved
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        written = []
        for entry in sorted(Path(tmp).iterdir()):
            if entry.name.startswith(("index-", "semantic-")) and ".tmp" not in entry.name:
                (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, target / entry.name)
                written.append(entry.name)
        np.savez_compressed(target / TEXTS.name, texts=np.array(texts, dtype=str), X=X)
        written.append(TEXTS.name)
    return written


def main(argv: list[str] | None = None) -> int:
    written = build()
    print(f"wrote {len(written)} entries to {PREBUILT}:", *written, sep="\n  ", file=sys.stdout)
    return 0


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: the matchers read the imported module's use_shipped.
    from tutor.matching import prebuilt as _module

    raise SystemExit(_module.main())
