"""What ``tutor validate`` and ``tutor new`` do for an author, without the command line around them.

:func:`validate` judges files in the context of the content folder each belongs to;
:func:`scaffold` writes a node or a lesson that validates as written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tutor.content.files import Problem, exists, is_dir, is_file, short
from tutor.content.nodes import _ID, KnowledgeBase, builtin_content_dir, load
from tutor.errors import InputError


@dataclass
class Validation:
    kb: KnowledgeBase
    problems: list[Problem]
    warnings: list[Problem]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def content_root(path: Path, roots: list[Path]) -> Path:
    """The content folder ``path`` belongs to: a folder already read (``roots``) that holds it, else the
    nearest folder above it holding a ``concepts.toml``, else its folder (the one above ``lessons/``)."""
    here = _resolved(path)
    for root in roots:
        if _within(here, _resolved(root)):
            return root
    start = here if is_dir(here) else here.parent
    for folder in [start, *start.parents]:
        if is_file(folder / "concepts.toml"):
            return _display(folder)
    return _display(start.parent if start.name == "lessons" else start)


def _display(folder: Path) -> Path:
    """``folder`` relative to the current folder when it is inside it (messages then name files as typed)."""
    try:
        rel = os.path.relpath(folder)
    except ValueError:  # another drive on Windows
        return folder
    return Path(rel) if not rel.startswith("..") else folder


def validate(paths: list[Path], folders: list[Path], builtin: bool = True) -> Validation:
    """Every problem and warning of the content (``paths`` empty), or of the files and folders in ``paths``,
    each read together with the content folder it belongs to (so its concepts, links and ids are known)."""
    if not paths:
        kb = load(folders, builtin=builtin, deep=True)
        judged = [_resolved(f) for f in folders] or [_resolved(builtin_content_dir())]
        warnings = [w for w in kb.warnings if any(_within(_resolved(Path(w.path)), f) for f in judged)]
        return Validation(kb, list(kb.problems), warnings)
    missing = [Problem(short(str(p), 200), 1, "no such file or folder") for p in paths if not exists(p)]
    paths = [p for p in paths if exists(p)]
    read = ([builtin_content_dir()] if builtin else []) + list(folders)
    extra: list[Path] = []
    for path in paths:
        root = content_root(path, read + extra)
        if all(_resolved(root) != _resolved(r) for r in read + extra):
            extra.append(root)
    kb = load([*folders, *extra], builtin=builtin, deep=True)
    targets = [_resolved(p) for p in paths]

    def mine(problem: Problem) -> bool:
        return any(_within(_resolved(Path(problem.path)), t) for t in targets)

    return Validation(kb, missing + [p for p in kb.problems if mine(p)], [w for w in kb.warnings if mine(w)])


# ------------------------------------------------------------------ tutor new


def check_id(text: str) -> str:
    """``text`` when it is a valid id; otherwise an :class:`InputError` saying what an id is, with a suggestion."""
    if _ID.match(text):
        return text
    import re

    suggestion = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
    hint = f" (for example '{suggestion}')" if suggestion and _ID.match(suggestion) else " (for example 'focal-loss')"
    raise InputError(
        f"'{text[:60]}' is not a valid id: use lowercase letters, digits and '-', starting with a letter or digit{hint}"
    )


def _title(ident: str) -> str:
    return ident.replace("-", " ").capitalize()


NODE_TEMPLATE = """+++
id = "{id}"
title = "{title}"
concepts = ["{concept}"]                # curriculum ids: declared in concepts.toml
keywords = []                           # optional: phrases that mark the topic
# How learners ask for it: write 10 or more, in varied registers (a terse one, a confused
# paragraph, one in notation, one stating the misconception). `tutor validate` warns below 10.
questions = [
  "what is {words}?",
  "can you explain {words} simply",
  "i don't get {words}, why is it used?",
]
+++
The short explanation of {words}: what a learner reads in twenty seconds.
Numbers are computed, never typed: for y = 1 and ŷ = 0.9 the loss is {{{{ bce(1, 0.9) }}}}.

## Why
Shown when the learner asks "why?".

## Example
{{{{ bce(1, 0.9).steps }}}}

## Simpler
Shown for "simpler" or "I still don't get it".

## Deeper
Shown for "go deeper".
"""

LESSON_TEMPLATE = """id = "{id}"
title = "{title}"
summary = "One sentence on what the learner will be able to do."
recap = ["The takeaway, shown when the lesson ends."]

[[steps]]
# The node this step shows (a node id); the checkpoint below is asked after it.
node = "{node}"
intro = "A line shown before the node."
[steps.checkpoint]
kind = "numeric"                        # numeric | choice | expression | text
prompt = "For y = 1 and ŷ = 0.9, what is the loss -ln ŷ? (three decimals)"
answer = "bce(1, 0.9)"                  # a computation (or a typed number, which validate warns about)
tolerance = 0.0005                      # at most half a unit in the last decimal the prompt asks for
hints = [
  "A nudge.",
  "A bigger hint.",
  "The worked answer: -ln 0.9 = {{{{ neglog(0.9) }}}}.",
]
feedback = [
  {{ when = "negative", say = "The log of a number below 1 is negative; the minus sign makes the loss positive." }},
]
"""


def scaffold(
    what: str,
    ident: str,
    folder: Path,
    *,
    builtin: bool = True,
    extra: list[Path] | None = None,
    step_node: str | None = None,
) -> list[tuple[Path, str]]:
    """Write a new node (``folder/ID.md``, and its concept in ``folder/concepts.toml``) or lesson
    (``folder/lessons/ID.toml``); the files written, each with "wrote" or "added to". Never overwrites."""
    check_id(ident)
    if exists(folder) and not is_dir(folder):
        raise InputError(f"{folder} is a file; name the content folder to write into")
    if _within(_resolved(folder), _resolved(builtin_content_dir())):
        raise InputError(f"{folder} is the built-in content; write into a folder of your own with --content DIR")
    folders = list(dict.fromkeys([*(extra or []), folder]))
    kb = load([f for f in folders if is_dir(f)], builtin=builtin)
    if what == "node":
        return _new_node(ident, folder, kb)
    return _new_lesson(ident, folder, kb, step_node)


def _refuse_existing(path: Path) -> None:
    if exists(path):
        raise InputError(f"{path} already exists; it is left as it is (choose another id, or edit that file)")


def _new_node(ident: str, folder: Path, kb: KnowledgeBase) -> list[tuple[Path, str]]:
    path = folder / f"{ident}.md"
    _refuse_existing(path)
    if ident in kb.nodes:
        raise InputError(f"a node '{ident}' already exists ({kb.nodes[ident].path}); choose another id")
    words = ident.replace("-", " ")
    text = NODE_TEMPLATE.format(id=ident, title=_title(ident), concept=ident, words=words)
    from tutor.content.nodes import normalise_question

    taken = {normalise_question(q) for n in kb.nodes.values() for q in n.questions}
    mine = [line.strip().strip('",') for line in text.split("questions = [", 1)[1].split("]", 1)[0].splitlines()]
    if any(normalise_question(q) in taken for q in mine if q):
        raise InputError(f"another node already asks 'what is {words}?'; choose another id")
    written: list[tuple[Path, str]] = []
    folder.mkdir(parents=True, exist_ok=True)
    if ident not in kb.concepts:
        written.append(_declare_concept(folder / "concepts.toml", ident))
    with path.open("x", encoding="utf-8") as f:  # "x": never replaces a file made in the meantime
        f.write(text)
    return [(path, "wrote"), *written]


def _declare_concept(path: Path, ident: str) -> tuple[Path, str]:
    """Add ``ident = "Title"`` to the folder's concepts.toml (made when missing), checked by reading it back."""
    import tomllib

    line = f'{ident} = "{_title(ident)}"\n'
    if not exists(path):
        with path.open("x", encoding="utf-8") as f:
            f.write('# Concepts this folder\'s nodes teach: id = "title".\n[concepts]\n' + line)
        return path, "wrote"
    try:
        old = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; fix it first") from None
    try:
        data = tomllib.loads(old)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path} is not valid TOML ({err}); fix it first") from None
    last_table = [ln.strip() for ln in old.splitlines() if ln.strip().startswith("[")]
    if not isinstance(data.get("concepts"), dict) or (last_table and last_table[-1] != "[concepts]"):
        raise InputError(
            f"{path} does not end with its [concepts] table; add the line {line.strip()!r} under [concepts] yourself"
        )
    new = old + ("" if old.endswith("\n") or not old else "\n") + line
    try:
        if tomllib.loads(new).get("concepts", {}).get(ident) != _title(ident):
            raise InputError(f"could not add {line.strip()!r} to {path}; add it under [concepts] yourself")
    except tomllib.TOMLDecodeError:
        raise InputError(f"could not add {line.strip()!r} to {path}; add it under [concepts] yourself") from None
    path.write_text(new, encoding="utf-8")
    return path, "added to"


def _new_lesson(ident: str, folder: Path, kb: KnowledgeBase, step_node: str | None) -> list[tuple[Path, str]]:
    path = folder / "lessons" / f"{ident}.toml"
    _refuse_existing(path)
    if ident in kb.lessons:
        raise InputError(f"a lesson '{ident}' already exists ({kb.lessons[ident].path}); choose another id")
    if step_node is not None:
        if step_node not in kb.nodes:
            raise InputError(f"no node '{step_node[:60]}' (write it first: tutor new node {step_node[:60]})")
        node = step_node
    else:
        here = _resolved(folder)
        own = sorted(n.id for n in kb.inside() if _within(_resolved(Path(n.path)), here))
        anywhere = sorted(n.id for n in kb.inside())
        if not (own or anywhere):
            raise InputError(
                "a lesson's steps show nodes, and there is none yet: write one first "
                "(tutor new node ID), or name one with --node"
            )
        node = (own or anywhere)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:
        f.write(LESSON_TEMPLATE.format(id=ident, title=_title(ident), node=node))
    return [(path, "wrote")]
