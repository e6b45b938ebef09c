"""Inline formulas kept on one line when Rich wraps an answer's Markdown.

Rich breaks lines at any whitespace, the no-break space included (Python's ``\\s`` matches it), so
"d(ln u)/du" could end one line at "d(ln" and start the next at "u)/du". Before the Markdown is laid
out, the spaces inside a formula are replaced by :data:`GLUE`, a private-use character one cell wide
that no content uses; once laid out, each is turned back into a space (:func:`unglue`).

What counts as a formula, by its shape rather than by a list of formulas:

- a bracketed group, ``(1 - ŷ)`` or ``[y ln ŷ + (1 - y) ln(1 - ŷ)]``, of at most :data:`MAX_GROUP`
  characters whose words are all short (``ln``, ``y``; prose such as "(the learning rate)" is left alone);
- a binary operator between two tokens: ``ŷ - y``, ``w := w - α · ∂J/∂w``, ``ŷ(1 - ŷ) > 0``;
- an interval, ``(0, 1]``;
- a function and its argument: ``-ln 0.99``, ``ln ŷ`` (not "the log of a probability");
- a short inline code span: ```w += lr * grad```.

A formula longer than the line still breaks (Rich folds it): "where possible", never text cut off.
"""

from __future__ import annotations

import re

from rich.segment import Segment

#: A private-use character: one cell wide, not whitespace, so Rich never breaks a line at it.
GLUE = "\ue000"
#: The longest bracketed group or code span kept whole.
MAX_GROUP = 36
#: The longest word in a bracketed group that still reads as a formula ("ln", "exp", "log", "max").
MAX_WORD = 3

#: An interval, closed or open at either end: "(0, 1]", "[0, ∞)", "(-∞, 0)".
_INTERVAL = re.compile(r"[(\[][-−]?[\w.∞⁺⁻]+, [-−]?[\w.∞⁺⁻]+[)\]]")
_GROUP = re.compile(r"\((?:[^()\n]|\([^()\n]*\))*\)|\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]")
_WORD = re.compile(r"[^\W\d_]+")
_OPERATOR = re.compile(r"(?<=\S) (:=|=|\+|-|−|·|×|/|<|>|≤|≥|≈|→) (?=\S)")
_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
#: A list item's marker and the spaces after it: "2. ", "  - ", "3) ".
_MARKER = re.compile(r"[ ]{0,3}(?:\d{1,9}[.)]|[-*+])[ ]+")
#: A function name and its argument: "ln 0.99", "-ln ŷ", "log (1 - ŷ)"; not "the log of a probability".
_CALL = re.compile(r"(?<![^\W\d_])(ln|log|exp|σ) (?=\d|[^\W\d_](?![^\W\d_])|\(|-)")


def _mathlike(group: str) -> bool:
    return len(group) <= MAX_GROUP and all(len(w) <= MAX_WORD for w in _WORD.findall(group))


def glue(markdown: str) -> str:
    """``markdown`` with the spaces inside inline formulas replaced by :data:`GLUE`."""
    if GLUE in markdown:  # never expected in content; left as it is rather than turned into spaces
        return markdown
    lines, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            lines.append(line)
        elif fenced or line.startswith(("    ", "\t")):
            # A displayed formula, a line of its own: its brackets kept whole, but it may break at an
            # operator (= or +) rather than be folded mid-term when it is wider than the screen.
            lines.append(_glue_groups(line))
        else:
            lines.append(_glue_inline(line))
    return "\n".join(lines)


def _glue_groups(text: str) -> str:
    out = _GROUP.sub(lambda m: m.group(0).replace(" ", GLUE) if _mathlike(m.group(0)) else m.group(0), text)
    out = _INTERVAL.sub(lambda m: m.group(0).replace(" ", GLUE), out)
    return _CALL.sub(lambda m: m.group(1) + GLUE, out)


def _glue_inline(text: str) -> str:
    marker = _MARKER.match(text)  # a list item's marker stays apart from its text: "2. = -3.3" is still item 2
    if marker:
        return marker.group(0) + _glue_inline(text[marker.end() :])
    out = _CODE.sub(lambda m: m.group(0).replace(" ", GLUE) if len(m.group(1)) <= MAX_GROUP else m.group(0), text)
    out = _glue_groups(out)
    return _OPERATOR.sub(lambda m: f"{GLUE}{m.group(1)}{GLUE}", out)


def unglue(segments: list[Segment]) -> list[Segment]:
    """The laid-out segments with each :data:`GLUE` a space again."""
    return [Segment(s.text.replace(GLUE, " "), s.style, s.control) if GLUE in s.text else s for s in segments]
