"""The names learners give the quantities of the loss, in one vocabulary.

Learners write ŷ as ``y_hat``, ``yhat``, ``ŷ``, ``y hat``, ``a``, ``p``,
``prediction`` or ``output`` (see the curriculum's notation). Compute requests
read every spelling here; formulas read the ones that can be a variable name.
"""

from __future__ import annotations

import re

#: Every spelling a learner uses, by the canonical name the numeric core takes.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "y_hat": (
        "y_hat",
        "yhat",
        "ŷ",
        "y hat",
        "a",
        "p",
        "q",
        "prediction",
        "predicted",
        "output",
        "pred",
        "y_pred",
        "probability",
        "prob",
        # plural, for lists ("predictions 0.9, 0.2 and 0.6"), and in plain words ("the model says 0.1")
        "predictions",
        "outputs",
        "probabilities",
        "preds",
        "predict",
        "model says",
        "model said",
        "model predicts",
        "model outputs",
        "model gives",
        "model gave",
    ),
    "y": (
        "y",
        "label",
        "target",
        "true label",
        "y_true",
        "truth",
        "labels",
        "targets",
        "true labels",
        "ground truth",
        "true class",
        "answer",
        "correct answer",
        "right answer",
        "actual label",
        "actual class",
    ),
    "z": ("z", "logit"),
    "w": ("w", "weight"),
    "b": ("b", "bias"),
    "x": ("x", "input", "feature"),
    "lr": ("lr", "alpha", "α", "learning rate", "eta", "η", "step size"),
}

#: How a canonical name is written to a learner (in messages; names not here are shown as they are).
SHOWN: dict[str, str] = {"y_hat": "ŷ", "lr": "the learning rate"}


def shown(name: str) -> str:
    """``y_hat`` → ``ŷ``: a quantity named as a learner reads it, never as the code spells it."""
    return SHOWN.get(name, name)


#: Spelling → canonical name.
ALIASES: dict[str, str] = {s: name for name, spellings in SPELLINGS.items() for s in spellings}


def spelling_pattern() -> str:
    """A regular expression for every spelling, longest first, spaces matching any run of spaces."""
    spelt = sorted(ALIASES, key=len, reverse=True)
    return "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in spelt)


#: The spellings a formula may use as variables (``q`` is a distribution there, not ŷ).
FORMULA_SYMBOLS: dict[str, str] = {
    s: ALIASES[s]
    for s in ALIASES
    if re.fullmatch(r"[a-z]|y_?hat", s) and s != "q" and ALIASES[s] in ("y_hat", "y", "z", "x", "w", "b")
}
