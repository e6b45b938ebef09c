"""Generate N synthetic nodes in a folder, to measure the tutor at scale."""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = (
    "gradient loss margin kernel entropy sample batch vector tensor scale shift bias weight layer norm "
    "prior posterior kernel ridge lasso hinge huber focal dice jaccard recall precision logits odds ratio "
    "softplus swish gelu tanh relu dropout pooling stride padding attention token embedding decoder encoder "
    "residual momentum nesterov adagrad rmsprop schedule warmup cosine decay clip variance covariance"
).split()


def write(folder: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        words = rng.sample(WORDS, 6)
        qs = [" ".join(rng.sample(WORDS, 5)) + f" topic{i} q{j}?" for j in range(10)]
        qtext = ",\n".join(f'  "{q}"' for q in qs)
        (folder / f"gen-{i:05d}.md").write_text(
            f'+++\nid = "gen-{i:05d}"\ntitle = "Generated topic {i}: {" ".join(words[:3])}"\n'
            f'concepts = ["bce-formula"]\nquestions = [\n{qtext},\n]\n+++\n'
            f"A generated explanation about {' '.join(words)}.\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    write(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
