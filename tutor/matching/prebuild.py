"""``python -m tutor.matching.prebuild [--train TSV]``: rebuild the indexes shipped for the built-in content.

Builds the word index and the semantic index of the built-in content in an empty
cache folder, exactly as a learner's first question would, and copies them into
``data/prebuilt/`` with the node texts' embeddings (:mod:`tutor.matching.prebuilt`
reads them). With ``--train TSV`` it first retrains the matcher on the labelled
questions (:func:`tutor.matching.train.build`), whose output the indexes depend on.
Run it after any change to content, normalisation rules or training data; a test
fails until you do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from tutor.matching import prebuilt, train
from tutor.matching.matcher import Matcher
from tutor.matching.semantic import TopicMatcher


def build(target: Path = prebuilt.PREBUILT) -> list[str]:
    """Build the built-in content's indexes in a fresh cache folder and copy them to ``target``."""
    from tutor.content.nodes import load

    with tempfile.TemporaryDirectory() as tmp:
        saved = os.environ.get("TUTOR_CACHE_DIR")
        os.environ["TUTOR_CACHE_DIR"] = tmp
        prebuilt.use_shipped = False  # from scratch, never from the entries being replaced
        try:
            nodes = list(load().nodes.values())
            topics = TopicMatcher(nodes, lexical=Matcher(nodes))  # as tutor.dialogue.core.Core builds them
            if not topics._prepare():
                raise SystemExit(f"cannot build the semantic index: {topics.notice}")
            texts, _ = train.node_texts(nodes)
            X, _ = topics._node_embeddings(texts)
        finally:
            prebuilt.use_shipped = True
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
        np.savez_compressed(target / prebuilt.TEXTS.name, texts=np.array(texts, dtype=str), X=X)
        written.append(prebuilt.TEXTS.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.matching.prebuild", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--train", metavar="TSV", type=Path, help="retrain the matcher on these labelled questions first"
    )
    args = parser.parse_args(argv)
    if args.train:
        train.build(args.train)
    written = build()
    print(f"wrote {len(written)} entries to {prebuilt.PREBUILT}:", *written, sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
