"""BERT's uncased WordPiece tokenizer, as all-MiniLM-L6-v2 was trained with it.

Basic tokenisation first (the ``BertNormalizer`` + ``BertPreTokenizer`` of the
model's ``tokenizer.json``): control characters dropped, whitespace unified,
CJK ideographs split apart, lowercased, accents stripped (NFD, combining marks
removed), then split on whitespace and around every punctuation character.
Each word is then cut greedily into the longest pieces found in the vocabulary
(``##`` marks a piece inside a word); a word that cannot be cut, or is longer
than 100 characters, becomes ``[UNK]``.

The vocabulary ships in ``tutor/matching/data/vocab.txt`` (see the NOTICE there).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

VOCAB_PATH = Path(__file__).parent / "data" / "vocab.txt"
MAX_WORD_CHARS = 100
CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    # ASCII symbols such as ^ $ ` count as punctuation in BERT though Unicode calls them symbols.
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def basic_tokens(text: str) -> list[str]:
    """Normalise and split ``text`` into words and single punctuation marks."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            out.append(" ")
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    text = unicodedata.normalize("NFD", "".join(out).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    words: list[str] = []
    for chunk in text.split():
        current: list[str] = []
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


class WordPiece:
    def __init__(self, vocab_path: Path = VOCAB_PATH) -> None:
        words = vocab_path.read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        self.vocab = {w: i for i, w in enumerate(words)}
        for special in (CLS, SEP, UNK):
            if special not in self.vocab:
                raise ValueError(f"{vocab_path.name} has no {special} entry")
        self._pieces = lru_cache(maxsize=50_000)(self._word_pieces)

    def _word_pieces(self, word: str) -> tuple[str, ...]:
        if len(word) > MAX_WORD_CHARS:
            return (UNK,)
        pieces = []
        start = 0
        while start < len(word):
            end = len(word)
            piece = None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.vocab:
                    piece = sub
                    break
                end -= 1
            if piece is None:
                return (UNK,)
            pieces.append(piece)
            start = end
        return tuple(pieces)

    def tokenize(self, text: str) -> list[str]:
        return [p for w in basic_tokens(text) for p in self._pieces(w)]

    def encode(self, text: str, max_length: int = 256) -> list[int]:
        """``[CLS] pieces [SEP]`` as ids, the pieces cut so the whole is at most ``max_length``."""
        pieces = self.tokenize(text)[: max_length - 2]
        return [self.vocab[CLS], *(self.vocab[p] for p in pieces), self.vocab[SEP]]
