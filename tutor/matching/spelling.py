"""Misspelt topic words read as the word the learner meant ("derivitive", "sigmod", "entrophy").

A word of five letters or more that neither the embedding model's vocabulary (its whole
words) nor the knowledge base's own texts know is replaced by the nearest word of the
nodes' titles, keywords and questions: same first letter, at most one edit away (two for
words of eight letters or more), an edit being an insertion, a deletion, a substitution or
a swap of two neighbouring letters. Words inside code (next to ``.``, ``_``, ``(``,
a digit or a backslash) and words in capitals are left alone: they are identifiers and
acronyms, not misspellings.

Corrected text goes to the embedding, the bag of words and the word matcher alike, at
training time (the labelled questions) and when a learner asks, so both sides match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable
from functools import lru_cache

from tutor.matching.wordpiece import VOCAB_PATH

#: Part of the word rules' fingerprint: shipped token ids were made with this corrector.
VERSION = "spelling-1"
MIN_LENGTH = 5
LONG_WORD = 8  # from this length two edits are allowed
_WORD = re.compile(r"(?<![\w.\\/])[A-Za-z]{5,}(?![\w(/])")
_NODE_WORD = re.compile(r"[a-z]{4,}")
#: Endings of English inflections and derivations: a known word with one of them is a word, not a typo
#: ("learner", "effected", "squashed"), and a word with one is not corrected two edits away.
SUFFIXES = (
    "s",
    "es",
    "ed",
    "d",
    "er",
    "ers",
    "ing",
    "ings",
    "ly",
    "ness",
    "ion",
    "ions",
    "ation",
    "ations",
    "or",
    "ors",
    "ment",
    "ments",
)


@lru_cache(maxsize=1)
def model_words() -> frozenset[str]:
    """The embedding model's vocabulary read from its file (when the model itself is not loaded)."""
    try:
        return frozenset(VOCAB_PATH.read_text(encoding="utf-8").split("\n"))
    except OSError:
        return frozenset()


def node_words(texts: Iterable[str]) -> Counter:
    """How often each word (four letters or more) occurs in the nodes' own texts."""
    return Counter(w for t in texts for w in _NODE_WORD.findall(t.lower()))


class Speller:
    """Corrects misspelt words towards a vocabulary (the nodes' words, with their counts)."""

    def __init__(self, vocabulary: Counter, model_vocab: Container[str] | None = None) -> None:
        """``model_vocab``: the embedding model's vocabulary (its ``##`` pieces never equal a word);
        read from the shipped file when not given."""
        self.counts = vocabulary
        self.model_vocab = model_words() if model_vocab is None else model_vocab
        self.by_first: dict[str, list[str]] = {}
        for w in sorted(vocabulary):
            if len(w) >= MIN_LENGTH - 1:
                self.by_first.setdefault(w[0], []).append(w)
        self._fix = lru_cache(maxsize=20_000)(self._nearest)

    @classmethod
    def for_texts(cls, texts: Iterable[str], model_vocab: Container[str] | None = None) -> Speller:
        return cls(node_words(texts), model_vocab)

    def known(self, word: str) -> bool:
        return word in self.counts or word in self.model_vocab

    def _nearest(self, word: str) -> str | None:
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        most = 2 if len(word) >= LONG_WORD and not word.endswith(SUFFIXES) else 1
        pool = [w for w in self.by_first.get(word[0], ()) if abs(len(w) - len(word)) <= most]
        if not pool:
            return None
        hits = extract(word, pool, scorer=OSA.distance, score_cutoff=most, limit=None)
        if not hits:
            return None
        least = min(h[1] for h in hits)
        # Of the nearest words, the one the content uses most (then the first in order: deterministic).
        return max((h[0] for h in hits if h[1] == least), key=lambda w: (self.counts[w], -pool.index(w)))

    def is_word(self, word: str) -> bool:
        """Known, or a known word with an English ending (its final e dropped, or its last consonant doubled)."""
        if self.known(word):
            return True
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 5:
                base = word[: -len(suffix)]
                if self.known(base) or self.known(base + "e") or (base[-1] == base[-2] and self.known(base[:-1])):
                    return True
        return False

    def correct_word(self, word: str) -> str:
        low = word.lower()
        if len(low) < MIN_LENGTH or not (word.islower() or word[1:].islower()) or self.is_word(low):
            return word
        return self._fix(low) or word

    def correct(self, text: str) -> str:
        """``text`` with its misspelt words replaced (everything else unchanged)."""
        return _WORD.sub(lambda m: self.correct_word(m.group(0)), text)


def fingerprint() -> str:
    return VERSION
