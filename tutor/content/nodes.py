"""Content files: explanation nodes (Markdown + TOML front matter) and lessons (TOML).

:func:`load` reads folders of content into a :class:`KnowledgeBase` and reports
every problem as a :class:`Problem` with a file and a line. A broken file is
left out and everything else still loads; ``tutor validate`` prints the same
problems.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.content import formulafile, template
from tutor.content.curriculum import DERIVATIONS, FOLLOW_UPS, RELATIONS
from tutor.content.files import (
    MAX_FILE_BYTES,
    Problem,
    builtin_content_dir,
    did_you_mean,
    errors,
    key_line,
    parse_toml,
    read_regular,
    read_text,
    strings,
    unknown_key,
)
from tutor.content.files import short as cut
from tutor.content.lessonfile import Checkpoint, Lesson, LessonStep, parse_lesson
from tutor.maths import formulas, plots
from tutor.store import cache

__all__ = ["MAX_FILE_BYTES", "Checkpoint", "KnowledgeBase", "Lesson", "LessonStep", "Node", "Problem", "load"]

MAX_FILES = 20_000
FRONT = "+++"
SECTION_NAMES = {name: name for name in FOLLOW_UPS if name != "next"}
SECTION_NAMES.update(
    {
        "intuition": "simpler",
        "in short": "simpler",
        "going deeper": "deeper",
        "worked example": "example",
        "an example": "example",
    }
)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


@dataclass(frozen=True)
class Node:
    """One explanation a learner can be shown."""

    id: str
    title: str
    concepts: tuple[str, ...]
    questions: tuple[str, ...]
    body: str
    sections: dict[str, str] = field(default_factory=dict)
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    plot: str | None = None
    derive: str | None = None
    outside: bool = False
    path: str = ""
    line: int = 1

    def markdown(self, section: str | None = None) -> str:
        """The body (or one follow-up section) with its computations filled in."""
        raw = self.body if section is None else self.sections[section]
        return template.render(raw)


@dataclass
class KnowledgeBase:
    concepts: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Advice that does not stop a file loading (a node with few questions, a typed numeric answer).
    warnings: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: The formulas this content declares (formulas.toml), by name.
    formulas: dict[str, Any] = field(default_factory=dict)

    def nodes_for(self, concept: str) -> list[Node]:
        return [n for n in self.nodes.values() if concept in n.concepts]

    def inside(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.outside]


# ------------------------------------------------------------------ reading files


def _heading_split(body: str) -> list[str]:
    """``[before, heading, text, heading, text, ...]`` for lines ``## heading``, in one pass.

    What ``re.split(r"^##\\s+(.+?)\\s*$", body, flags=re.M)`` gives for headings on one line,
    without its quadratic time on a heading followed by a long run of spaces.
    """
    heads: list[tuple[int, int, str]] = []  # where the line starts, where it ends, the heading
    pos, n = 0, len(body)
    while pos <= n:
        nl = body.find("\n", pos)
        end = n if nl == -1 else nl
        if body.startswith("##", pos) and end - pos > 2 and body[pos + 2].isspace():
            heading = body[pos + 2 : end].strip()
            if heading:
                heads.append((pos, end, heading))
        if nl == -1:
            break
        pos = nl + 1
    parts = [body[: heads[0][0]] if heads else body]
    for i, (_, end, heading) in enumerate(heads):
        rest = body[end : heads[i + 1][0] if i + 1 < len(heads) else n]
        lead = len(rest) - len(rest.lstrip())
        if lead == len(rest) and i + 1 == len(heads):
            text = ""  # only white space to the end
        else:
            cut = rest.rfind("\n", 0, lead)
            text = rest[cut:] if cut != -1 else rest
        parts += [heading, text]
    return parts


def split_sections(body: str) -> tuple[str, dict[str, str]]:
    """The short explanation, and the follow-up sections (``## Example`` ...)."""
    parts = _heading_split(body)
    main = [parts[0]]
    sections: dict[str, str] = {}
    for heading, text in zip(parts[1::2], parts[2::2]):
        key = SECTION_NAMES.get(heading.strip().lower().rstrip("?:."))
        if key and key not in sections:
            sections[key] = text.strip()
        else:
            main.append(f"## {heading}\n{text}")
    return "".join(main).strip(), sections


def _drawn_from(meta: Any, text: str) -> bool:
    """Whether every key and string in a cached ``meta`` occurs in the front matter ``text``.

    A cache entry is keyed on the digest of the front matter, and beyond that it can
    only repeat what the file says: a tampered entry with a title or a question the
    file does not hold is ignored and the file is read. Linear in the entry's size.
    """
    if not isinstance(meta, dict):
        return False
    stack: list[Any] = [meta]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if not isinstance(k, str) or k not in text:
                    return False
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if item not in text:
                return False
        elif not (item is None or isinstance(item, (int, float, bool))):
            return False
    return True


#: A node with fewer questions than this gets a warning from ``tutor validate``.
MIN_QUESTIONS = 10


def concept_fix(concept: str, concepts_file: str | None) -> str:
    """How to declare an unknown concept id: the file to write and the exact lines to add."""
    if not _ID.match(concept):
        return "concept ids are lowercase letters, digits and '-' (such as focal-loss)"
    title = concept.replace("-", " ").capitalize()
    line = f'{concept} = "{title}"'
    if not concepts_file:
        return f"declare it in a concepts.toml in your content folder, under [concepts]: {line}"
    path = Path(concepts_file)
    try:
        exists = path.is_file()
    except OSError:
        exists = False
    if exists:
        return f"declare it in {path}: add the line '{line}' under its [concepts] heading"
    return f"declare it: create {path} holding the two lines '[concepts]' and '{line}'"


NODE_KEYS = ("id", "title", "concepts", "questions", "keywords", "links", "plot", "derive", "scope")


def parse_node(
    text: str,
    display: str,
    concepts: dict[str, str],
    problems: list[Problem],
    front_cache: dict[str, Any] | None = None,
    concepts_file: str | None = None,
) -> Node | None:
    """One node file; ``concepts_file`` is the concepts.toml of the folder it came from (named in
    the fix for an unknown concept id)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT:
        problems.append(Problem(display, 1, f"a node starts with front matter between '{FRONT}' lines"))
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT)
    except StopIteration:
        problems.append(Problem(display, 1, f"the front matter is never closed with '{FRONT}'"))
        return None
    front_lines = lines[1:end]
    front_text = "\n".join(front_lines)
    key = cache.digest(front_text) if front_cache is not None else ""
    meta = front_cache.get(key) if front_cache is not None else None
    if meta is not None and not _drawn_from(meta, front_text):
        meta = None  # a cache entry that says what the file does not: read the file
    if meta is None:
        meta = parse_toml(front_text, display, 2, problems)
        if meta is None:
            return None
        if front_cache is not None:
            front_cache[key] = meta
    if not isinstance(meta, dict):
        return None
    body_line = end + 2
    body = "\n".join(lines[end + 1 :]).strip()
    at = lambda key: key_line(front_lines, key, 2)  # noqa: E731
    before = errors(problems)

    def need_str(key: str) -> str:
        v = meta.get(key)
        if not isinstance(v, str) or not v.strip():
            problems.append(
                Problem(
                    display, at(key), f"'{key}' must be a non-empty string" if key in meta else f"missing field '{key}'"
                )
            )
            return ""
        return v.strip()

    for key in meta:
        if key not in NODE_KEYS:
            problems.append(Problem(display, at(key), unknown_key(key, NODE_KEYS)))
    node_id = need_str("id")
    if node_id and not _ID.match(node_id):
        problems.append(Problem(display, at("id"), f"id '{node_id}' must be lowercase letters, digits and '-'"))
    title = need_str("title")
    scope = meta.get("scope", "inside")
    if not isinstance(scope, str) or scope not in ("inside", "outside"):
        problems.append(
            Problem(
                display, at("scope"), '\'scope\' is "inside" (default) or "outside" (a topic the tutor does not cover)'
            )
        )
    outside = scope == "outside"
    raw_concepts = meta.get("concepts", [])
    node_concepts = strings(raw_concepts) if isinstance(raw_concepts, list) else None
    if node_concepts is None:
        problems.append(Problem(display, at("concepts"), "'concepts' must be a list of concept ids"))
        node_concepts = ()
    if "concepts" not in meta and not outside:
        problems.append(Problem(display, 2, "missing field 'concepts'"))
    elif not node_concepts and not outside:
        problems.append(Problem(display, at("concepts"), "'concepts' is empty: name at least one concept id"))
    for c in node_concepts:
        if c not in concepts:
            problems.append(
                Problem(display, at("concepts"), f"unknown concept id '{cut(c)}': " + concept_fix(c, concepts_file))
            )
    raw_questions = meta.get("questions")
    questions = strings(raw_questions) if isinstance(raw_questions, list) else None
    if "questions" not in meta:
        problems.append(Problem(display, 2, "missing field 'questions'"))
    if questions is None or (not questions and "questions" in meta):
        if "questions" in meta:
            problems.append(Problem(display, at("questions"), "'questions' must be a non-empty list of strings"))
        questions = ()
    keywords = strings(meta.get("keywords", [])) or ()
    links: dict[str, tuple[str, ...]] = {}
    raw_links = meta.get("links", {})
    if not isinstance(raw_links, dict):
        problems.append(Problem(display, at("links"), "'links' must be a table such as [links] why = \"node-id\""))
        raw_links = {}
    for rel, target in raw_links.items():
        ids = strings(target)
        if rel not in RELATIONS:
            problems.append(
                Problem(display, at(rel), f"unknown link '{cut(str(rel))}'{did_you_mean(str(rel), RELATIONS)}")
            )
        elif ids is None:
            problems.append(Problem(display, at(rel), f"link '{rel}' must be a node id or a list of node ids"))
        else:
            links[rel] = ids
    plot = meta.get("plot")
    if plot is not None and (not isinstance(plot, str) or (plot not in plots.NAMED and not formulas.find(plot))):
        problems.append(
            Problem(
                display, at("plot"), f"unknown plot '{plot}' (known: {', '.join([*plots.NAMED, *formulas.declared()])})"
            )
        )
    derive = meta.get("derive")
    if derive is not None and (
        not isinstance(derive, str) or (derive not in DERIVATIONS and not formulas.find(derive))
    ):
        problems.append(
            Problem(
                display,
                at("derive"),
                f"unknown derivation '{derive}' (known: {', '.join([*DERIVATIONS, *formulas.declared()])})",
            )
        )
    if not body:
        problems.append(Problem(display, body_line, "the body is empty: write the explanation below the front matter"))
    for err in template.check(body):
        problems.append(Problem(display, body_line + body[: err.offset].count("\n"), err.message))
    if errors(problems) > before:
        return None
    if len(questions) < MIN_QUESTIONS:
        problems.append(
            Problem(
                display,
                at("questions"),
                f"node '{node_id}' has {len(questions)} question(s); write "
                f"{MIN_QUESTIONS} or more, in varied registers, so learners' questions reach it",
                warning=True,
            )
        )
    short, sections = split_sections(body)
    return Node(
        node_id,
        title,
        tuple(node_concepts),
        tuple(q.strip() for q in questions),
        short,
        sections,
        links,
        tuple(keywords),
        plot,
        derive,
        outside,
        display,
        1,
    )


# ------------------------------------------------------------------ the whole base


#: Folders inside a content folder, at most this deep, are read.
MAX_FOLDER_DEPTH = 16


def _walk(root: Path, problems: list[Problem]) -> list[Path]:
    """Every visible ``.md`` and ``.toml`` path under ``root``, sorted (listing stops past 4 × ``MAX_FILES``).

    Links to folders are not followed (no loop can be entered); folders deeper than
    :data:`MAX_FOLDER_DEPTH` and folders that cannot be listed are reported, not raised.
    """
    found: list[Path] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as err:
            problems.append(Problem(str(folder), 1, f"cannot read the folder: {err.strerror or err}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if depth + 1 > MAX_FOLDER_DEPTH:
                    problems.append(
                        Problem(str(path), 1, f"folders nested more than {MAX_FOLDER_DEPTH} deep are not read")
                    )
                else:
                    stack.append((path, depth + 1))
            elif path.suffix in (".md", ".toml"):
                found.append(path)
                if len(found) > 4 * MAX_FILES:  # far too many: stop listing (the caller cuts at MAX_FILES)
                    return sorted(found)
    return sorted(found)


def _files(root: Path, problems: list[Problem]) -> Iterable[Path]:
    try:
        root_resolved = root.resolve(strict=True)
    except (OSError, RuntimeError) as err:
        problems.append(Problem(str(root), 1, f"cannot read the folder: {getattr(err, 'strerror', None) or err}"))
        return
    count = 0
    for path in _walk(root, problems):
        if os.path.islink(path):
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                problems.append(Problem(str(path), 1, "a link that loops or leads nowhere"))
                continue
            try:
                target.relative_to(root_resolved)
            except ValueError:
                problems.append(Problem(str(path), 1, "a link to a file outside the content folder is refused"))
                continue
            if target.is_dir():
                continue
        count += 1
        if count > MAX_FILES:
            problems.append(Problem(str(root), 1, f"more than {MAX_FILES} content files; the rest are left out"))
            return
        yield path


def load(dirs: Iterable[Path] | None = None, *, builtin: bool = True, deep: bool = False) -> KnowledgeBase:
    """Read the built-in content and every extra folder into one knowledge base.

    ``deep`` also reads every checkpoint formula with SymPy (``tutor validate`` does;
    start-up does not, to stay quick).
    """
    roots = ([builtin_content_dir()] if builtin else []) + [Path(d) for d in (dirs or [])]
    kb = KnowledgeBase()
    node_files: list[tuple[Path, str, str]] = []  # the file, its name in messages, its folder's concepts.toml
    lesson_files: list[tuple[Path, str]] = []
    formula_files: list[tuple[Path, str]] = []
    for root in roots:
        try:
            is_file, is_dir = root.is_file(), root.is_dir()
        except OSError:
            is_file = is_dir = False
        if is_file:
            files = [root]
        elif is_dir:
            files = list(_files(root, kb.problems))
        else:
            kb.problems.append(Problem(str(root), 1, "no such file or folder"))
            continue
        for path in files:
            kb.files.append(path)
            display = str(path)
            if path.name == "concepts.toml":
                _load_concepts(path, display, kb)
            elif path.name == formulafile.FILE_NAME:
                formula_files.append((path, display))
            elif path.suffix == ".toml":
                lesson_files.append((path, display))
            else:
                node_files.append((path, display, str((root if is_dir else root.parent) / "concepts.toml")))
    _load_formulas(formula_files, kb, deep)  # before nodes and lessons: their templates may use them
    front_cache = None
    if len(node_files) >= cache.MIN_ITEMS and not deep:  # validate reads every file itself
        front_cache = cache.read_json("front-matter.json")
        front_cache = front_cache if isinstance(front_cache, dict) else {}
        known = len(front_cache)
    for path, display, concepts_file in node_files:
        text = read_text(path, display, kb.problems)
        node = (
            parse_node(text, display, kb.concepts, kb.problems, front_cache, concepts_file)
            if text is not None
            else None
        )
        if node is None:
            continue
        assert text is not None  # a node was parsed from it
        if node.id in kb.nodes:
            kb.problems.append(
                Problem(
                    display,
                    key_line(text.split("\n"), "id", 1),
                    f"node id '{node.id}' is already used by {kb.nodes[node.id].path}",
                )
            )
            continue
        kb.nodes[node.id] = node
    if front_cache is not None and len(front_cache) != known:
        _json_safe = {k: v for k, v in front_cache.items() if _plain(v)}
        cache.write_json("front-matter.json", _json_safe)
    for path, display in lesson_files:
        text = read_text(path, display, kb.problems)
        lesson = parse_lesson(text, display, kb.problems, deep) if text is not None else None
        if lesson is None:
            continue
        if lesson.id in kb.lessons:
            kb.problems.append(
                Problem(display, 1, f"lesson id '{lesson.id}' is already used by {kb.lessons[lesson.id].path}")
            )
            continue
        kb.lessons[lesson.id] = lesson
    _check_links(kb)
    kb.warnings = [p for p in kb.problems if p.warning]
    kb.problems = [p for p in kb.problems if not p.warning]
    return kb


def _load_formulas(files: list[tuple[Path, str]], kb: KnowledgeBase, deep: bool) -> None:
    taken: dict[str, str] = {}
    for path, display in files:
        for f in formulafile.read_file(path, display, kb.problems, taken, kb.concepts):
            kb.formulas[f.name] = f
    formulas.register(kb.formulas.values())
    if deep:
        for f in kb.formulas.values():
            formulafile.deep_check(f, kb.problems)


def _plain(value: Any) -> bool:
    """Whether a parsed TOML value survives a JSON round trip unchanged."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _load_concepts(path: Path, display: str, kb: KnowledgeBase) -> None:
    text = read_text(path, display, kb.problems)
    data = parse_toml(text, display, 1, kb.problems) if text is not None else None
    if data is None or text is None:
        return
    for key in data:
        if key != "concepts":
            kb.problems.append(Problem(display, key_line(text.split("\n"), key, 1), unknown_key(key, ["concepts"])))
    table = data.get("concepts")
    if not isinstance(table, dict):
        kb.problems.append(Problem(display, 1, 'concepts.toml holds a [concepts] table: id = "title"'))
        return
    for cid, title in table.items():
        if not _ID.match(cid) or not isinstance(title, str):
            kb.problems.append(
                Problem(
                    display, key_line(text.split("\n"), cid, 1), f"concept '{cid}' needs a lowercase id and a title"
                )
            )
            continue
        kb.concepts[cid] = title


def normalise_question(q: str) -> str:
    q = unicodedata.normalize("NFKC", q).casefold()
    return " ".join(re.findall(r"\w+", q))


def _lines(path: str) -> list[str]:
    try:
        return read_regular(Path(path), MAX_FILE_BYTES).decode("utf-8", errors="replace").split("\n")
    except OSError:
        return []


def _check_links(kb: KnowledgeBase) -> None:
    asked: dict[str, str] = {}
    for node in list(kb.nodes.values()):
        for rel, targets in node.links.items():
            for t in targets:
                if t not in kb.nodes:
                    kb.problems.append(
                        Problem(
                            node.path,
                            key_line(_lines(node.path), rel, 1),
                            f"link '{rel}' names node '{t}', which does not exist",
                        )
                    )
        for q in node.questions:
            key = normalise_question(q)
            other = asked.get(key)
            if other is not None and other != node.id:
                line = next((i + 1 for i, text in enumerate(_lines(node.path)) if q[:40] in text), 1)
                kb.problems.append(Problem(node.path, line, f"question {q!r} is also asked under node '{other}'"))
            asked.setdefault(key, node.id)
    for lesson in kb.lessons.values():
        for step in lesson.steps:
            if step.node not in kb.nodes:
                line = next((i + 1 for i, text in enumerate(_lines(lesson.path)) if f'"{step.node}"' in text), 1)
                kb.problems.append(Problem(lesson.path, line, f"step names node '{step.node}', which does not exist"))
            for concept in step.checkpoint.misconceptions if step.checkpoint else ():
                if concept is not None and not kb.nodes_for(concept):
                    line = next((i + 1 for i, text in enumerate(_lines(lesson.path)) if concept in text), 1)
                    kb.problems.append(
                        Problem(
                            lesson.path,
                            line,
                            f"misconception '{concept}' is not a concept any node "
                            "teaches (use the id of the node that corrects it)",
                        )
                    )
