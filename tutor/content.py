"""Content files: explanation nodes (Markdown + TOML front matter) and lessons (TOML).

:func:`load` reads folders of content into a :class:`KnowledgeBase` and reports
every problem as a :class:`Problem` with a file and a line. A broken file is
left out and everything else still loads; ``tutor validate`` prints the same
problems.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from tutor import cache, template
from tutor.curriculum import DERIVATIONS, FOLLOW_UPS, PLOTS, RELATIONS

MAX_FILE_BYTES = 256 * 1024
MAX_FILES = 20_000
FRONT = "+++"
SECTION_NAMES = {name: name for name in FOLLOW_UPS if name != "next"}
SECTION_NAMES.update({"intuition": "simpler", "in short": "simpler", "going deeper": "deeper",
                      "worked example": "example", "an example": "example"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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


@dataclass(frozen=True)
class Checkpoint:
    kind: str  # numeric | choice | expression | text
    prompt: str
    answer: Any
    tolerance: float = 1e-3
    choices: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    feedback: tuple[tuple[Any, str], ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class LessonStep:
    node: str
    intro: str = ""
    checkpoint: Checkpoint | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[LessonStep, ...]
    path: str = ""


@dataclass
class KnowledgeBase:
    concepts: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def nodes_for(self, concept: str) -> list[Node]:
        return [n for n in self.nodes.values() if concept in n.concepts]

    def inside(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.outside]


# ------------------------------------------------------------------ reading files


def builtin_content_dir() -> Path:
    """The shipped content: inside the wheel, or the repository's ``content/``."""
    here = Path(__file__).resolve().parent
    packaged = here / "_content"
    return packaged if packaged.is_dir() else here.parent / "content"


def _read_text(path: Path, display: str, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(display, 1, f"file is {size} bytes; content files are at most {MAX_FILE_BYTES}"))
            return None
        data = path.read_bytes()
    except OSError as err:
        problems.append(Problem(display, 1, f"cannot read the file: {err.strerror or err}"))
        return None
    if b"\x00" in data:
        problems.append(Problem(display, 1, "not a text file (it contains NUL bytes)"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(Problem(display, line, "not a text file: invalid UTF-8"))
        return None
    return text.replace("\r\n", "\n")


def _toml(text: str, display: str, first_line: int, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+)", str(err))
        line = first_line + (int(m.group(1)) - 1 if m else 0)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err)) or "malformed TOML"
        problems.append(Problem(display, line, f"malformed front matter: {msg}"))
        return None


def _key_line(text_lines: list[str], key: str, first_line: int) -> int:
    pat = re.compile(rf"^\s*(\[\s*)?{re.escape(key)}\s*(=|\])")
    for i, line in enumerate(text_lines):
        if pat.match(line):
            return first_line + i
    return max(first_line - 1, 1)


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def split_sections(body: str) -> tuple[str, dict[str, str]]:
    """The short explanation, and the follow-up sections (``## Example`` ...)."""
    parts = re.split(r"^##\s+(.+?)\s*$", body, flags=re.M)
    main = [parts[0]]
    sections: dict[str, str] = {}
    for heading, text in zip(parts[1::2], parts[2::2]):
        key = SECTION_NAMES.get(heading.strip().lower().rstrip("?:."))
        if key and key not in sections:
            sections[key] = text.strip()
        else:
            main.append(f"## {heading}\n{text}")
    return "".join(main).strip(), sections


def parse_node(text: str, display: str, concepts: dict[str, str], problems: list[Problem],
               front_cache: dict[str, Any] | None = None) -> Node | None:
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
    if meta is None:
        meta = _toml(front_text, display, 2, problems)
        if meta is None:
            return None
        if front_cache is not None:
            front_cache[key] = meta
    if not isinstance(meta, dict):
        return None
    body_line = end + 2
    body = "\n".join(lines[end + 1:]).strip()
    at = lambda key: _key_line(front_lines, key, 2)  # noqa: E731
    before = len(problems)

    def need_str(key: str) -> str:
        v = meta.get(key)
        if not isinstance(v, str) or not v.strip():
            problems.append(Problem(display, at(key), f"'{key}' must be a non-empty string" if key in meta
                                    else f"missing field '{key}'"))
            return ""
        return v.strip()

    known = {"id", "title", "concepts", "questions", "keywords", "links", "plot", "derive", "scope"}
    for key in meta:
        if key not in known:
            problems.append(Problem(display, at(key), f"unknown field '{key}' (known: {', '.join(sorted(known))})"))
    node_id = need_str("id")
    if node_id and not _ID.match(node_id):
        problems.append(Problem(display, at("id"), f"id '{node_id}' must be lowercase letters, digits and '-'"))
    title = need_str("title")
    scope = meta.get("scope", "inside")
    if not isinstance(scope, str) or scope not in ("inside", "outside"):
        problems.append(Problem(display, at("scope"), "'scope' is \"inside\" (default) or \"outside\" (a topic the tutor does not cover)"))
    outside = scope == "outside"
    raw_concepts = meta.get("concepts", [])
    node_concepts = _strings(raw_concepts) if isinstance(raw_concepts, list) else None
    if node_concepts is None:
        problems.append(Problem(display, at("concepts"), "'concepts' must be a list of concept ids"))
        node_concepts = ()
    if "concepts" not in meta and not outside:
        problems.append(Problem(display, 2, "missing field 'concepts'"))
    elif not node_concepts and not outside:
        problems.append(Problem(display, at("concepts"), "'concepts' is empty: name at least one concept id"))
    for c in node_concepts:
        if c not in concepts:
            problems.append(Problem(display, at("concepts"), f"unknown concept id '{c}'"))
    raw_questions = meta.get("questions")
    questions = _strings(raw_questions) if isinstance(raw_questions, list) else None
    if "questions" not in meta:
        problems.append(Problem(display, 2, "missing field 'questions'"))
    if questions is None or (not questions and "questions" in meta):
        if "questions" in meta:
            problems.append(Problem(display, at("questions"), "'questions' must be a non-empty list of strings"))
        questions = ()
    keywords = _strings(meta.get("keywords", [])) or ()
    links: dict[str, tuple[str, ...]] = {}
    raw_links = meta.get("links", {})
    if not isinstance(raw_links, dict):
        problems.append(Problem(display, at("links"), "'links' must be a table such as [links] why = \"node-id\""))
        raw_links = {}
    for rel, target in raw_links.items():
        ids = _strings(target)
        if rel not in RELATIONS:
            problems.append(Problem(display, at(rel), f"unknown link '{rel}' (known: {', '.join(RELATIONS)})"))
        elif ids is None:
            problems.append(Problem(display, at(rel), f"link '{rel}' must be a node id or a list of node ids"))
        else:
            links[rel] = ids
    plot = meta.get("plot")
    if plot is not None and (not isinstance(plot, str) or plot not in PLOTS):
        problems.append(Problem(display, at("plot"), f"unknown plot '{plot}' (known: {', '.join(PLOTS)})"))
    derive = meta.get("derive")
    if derive is not None and (not isinstance(derive, str) or derive not in DERIVATIONS):
        problems.append(Problem(display, at("derive"), f"unknown derivation '{derive}' (known: {', '.join(DERIVATIONS)})"))
    if not body:
        problems.append(Problem(display, body_line, "the body is empty: write the explanation below the front matter"))
    for err in template.check(body):
        problems.append(Problem(display, body_line + body[: err.offset].count("\n"), err.message))
    if len(problems) > before:
        return None
    short, sections = split_sections(body)
    return Node(node_id, title, tuple(node_concepts), tuple(q.strip() for q in questions), short, sections,
                links, tuple(keywords), plot, derive, outside, display, 1)


def parse_lesson(text: str, display: str, problems: list[Problem], deep: bool = False) -> Lesson | None:
    data = _toml(text, display, 1, problems)
    if data is None:
        return None
    lines = text.split("\n")
    before = len(problems)
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(display, _key_line(lines, key, 1), f"missing field '{key}'"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(Problem(display, _key_line(lines, "[[steps]]", 1), "a lesson needs [[steps]], each naming a node"))
        return None
    step_lines = [i + 1 for i, line in enumerate(lines) if line.strip() == "[[steps]]"]
    steps: list[LessonStep] = []
    for n, raw in enumerate(raw_steps):
        line = step_lines[n] if n < len(step_lines) else 1
        if not isinstance(raw, dict) or not isinstance(raw.get("node"), str):
            problems.append(Problem(display, line, f"step {n + 1} must name a node: node = \"node-id\""))
            continue
        cp = None
        if "checkpoint" in raw:
            cp = _checkpoint(raw["checkpoint"], display, line, n + 1, problems, deep)
        steps.append(LessonStep(raw["node"], str(raw.get("intro", "")), cp))
    if len(problems) > before:
        return None
    return Lesson(data["id"].strip(), data["title"].strip(), str(data.get("summary", "")), tuple(steps), display)


CHECKPOINT_KINDS = ("numeric", "choice", "expression", "text")


def _checkpoint(raw: Any, display: str, line: int, n: int, problems: list[Problem], deep: bool) -> Checkpoint | None:
    where = f"step {n}'s checkpoint"
    if not isinstance(raw, dict):
        problems.append(Problem(display, line, f"{where} must be a table"))
        return None
    kind = raw.get("kind")
    if kind not in CHECKPOINT_KINDS:
        problems.append(Problem(display, line, f"{where}: 'kind' is one of {', '.join(CHECKPOINT_KINDS)}"))
        return None
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(Problem(display, line, f"{where}: missing 'prompt'"))
        return None
    answer = raw.get("answer")
    choices = _strings(raw.get("choices", [])) or ()
    if kind == "numeric":
        if not isinstance(answer, str):
            problems.append(Problem(display, line, f"{where}: a numeric answer is a computation such as \"neglog(0.99)\""))
            return None
        try:
            template.evaluate(template.parse_call(answer))
        except Exception as err:  # a TutorError with a message
            problems.append(Problem(display, line, f"{where}: {getattr(err, 'message', err)}"))
            return None
    elif kind == "choice":
        if len(choices) < 2 or not isinstance(answer, int) or not 1 <= answer <= len(choices):
            problems.append(Problem(display, line, f"{where}: give 'choices' and 'answer' as the number of the right one"))
            return None
    elif kind == "expression":
        if not isinstance(answer, str) or not answer.strip():
            problems.append(Problem(display, line, f"{where}: 'answer' is an expression such as \"y_hat - y\""))
            return None
    elif kind == "text":
        if _strings(answer) is None:
            problems.append(Problem(display, line, f"{where}: 'answer' lists words a right answer contains"))
            return None
        answer = _strings(answer)
    hints = _strings(raw.get("hints", [])) or ()
    feedback: list[tuple[Any, str]] = []
    for item in raw.get("feedback", []):
        if not isinstance(item, dict) or "when" not in item or not isinstance(item.get("say"), str):
            problems.append(Problem(display, line, f"{where}: each feedback is {{ when = ..., say = \"...\" }}"))
            return None
        feedback.append((item["when"], item["say"]))
    texts = [prompt, str(raw.get("explanation", "")), *hints, *choices]
    for text in texts:
        for err in template.check(text):
            problems.append(Problem(display, line, f"{where}: {err.message}"))
    for when, _ in feedback:
        if kind == "numeric" and isinstance(when, str) and when != "negative":
            try:
                template.evaluate(template.parse_call(when))
            except Exception as err:
                problems.append(Problem(display, line, f"{where}: feedback 'when' {when!r}: {getattr(err, 'message', err)}"))
        if kind == "choice" and not (isinstance(when, int) and 1 <= when <= len(choices)):
            problems.append(Problem(display, line, f"{where}: feedback 'when' must be a choice number from 1 to {len(choices)}"))
    if kind == "expression" and deep:
        from tutor.exprparse import parse  # SymPy: only when `tutor validate` checks formulas

        for expr in [answer, *(w for w, _ in feedback)]:
            try:
                parse(str(expr))
            except Exception as err:
                problems.append(Problem(display, line, f"{where}: cannot read the formula {expr!r}: {getattr(err, 'message', err)}"))
    tol = raw.get("tolerance", 1e-3)
    if not isinstance(tol, (int, float)) or tol < 0:
        problems.append(Problem(display, line, f"{where}: 'tolerance' must be a non-negative number"))
        return None
    return Checkpoint(kind, prompt.strip(), answer, float(tol), choices, hints, tuple(feedback),
                      str(raw.get("explanation", "")))


# ------------------------------------------------------------------ the whole base


def _files(root: Path, problems: list[Problem]) -> Iterable[Path]:
    root_resolved = root.resolve()
    count = 0
    for path in sorted(root.rglob("*")):
        if path.name.startswith(".") or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        if path.suffix not in (".md", ".toml") or path.is_dir():
            continue
        if path.is_symlink():
            try:
                path.resolve().relative_to(root_resolved)
            except ValueError:
                problems.append(Problem(str(path), 1, "a link to a file outside the content folder is refused"))
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
    node_files: list[tuple[Path, str]] = []
    lesson_files: list[tuple[Path, str]] = []
    for root in roots:
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = list(_files(root, kb.problems))
        else:
            kb.problems.append(Problem(str(root), 1, "no such file or folder"))
            continue
        for path in files:
            kb.files.append(path)
            display = str(path)
            if path.name == "concepts.toml":
                _load_concepts(path, display, kb)
            elif path.suffix == ".toml":
                lesson_files.append((path, display))
            else:
                node_files.append((path, display))
    front_cache = None
    if len(node_files) >= cache.MIN_ITEMS:
        front_cache = cache.read_json("front-matter.json")
        front_cache = front_cache if isinstance(front_cache, dict) else {}
        known = len(front_cache)
    for path, display in node_files:
        text = _read_text(path, display, kb.problems)
        node = parse_node(text, display, kb.concepts, kb.problems, front_cache) if text is not None else None
        if node is None:
            continue
        if node.id in kb.nodes:
            kb.problems.append(Problem(display, _key_line(text.split("\n"), "id", 1),
                                       f"node id '{node.id}' is already used by {kb.nodes[node.id].path}"))
            continue
        kb.nodes[node.id] = node
    if front_cache is not None and len(front_cache) != known:
        _json_safe = {k: v for k, v in front_cache.items() if _plain(v)}
        cache.write_json("front-matter.json", _json_safe)
    for path, display in lesson_files:
        text = _read_text(path, display, kb.problems)
        lesson = parse_lesson(text, display, kb.problems, deep) if text is not None else None
        if lesson is None:
            continue
        if lesson.id in kb.lessons:
            kb.problems.append(Problem(display, 1, f"lesson id '{lesson.id}' is already used by {kb.lessons[lesson.id].path}"))
            continue
        kb.lessons[lesson.id] = lesson
    _check_links(kb)
    return kb


def _plain(value: Any) -> bool:
    """Whether a parsed TOML value survives a JSON round trip unchanged."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _load_concepts(path: Path, display: str, kb: KnowledgeBase) -> None:
    text = _read_text(path, display, kb.problems)
    data = _toml(text, display, 1, kb.problems) if text is not None else None
    if data is None:
        return
    table = data.get("concepts")
    if not isinstance(table, dict):
        kb.problems.append(Problem(display, 1, "concepts.toml holds a [concepts] table: id = \"title\""))
        return
    for cid, title in table.items():
        if not _ID.match(cid) or not isinstance(title, str):
            kb.problems.append(Problem(display, _key_line(text.split("\n"), cid, 1), f"concept '{cid}' needs a lowercase id and a title"))
            continue
        kb.concepts[cid] = title


def normalise_question(q: str) -> str:
    q = unicodedata.normalize("NFKC", q).casefold()
    return " ".join(re.findall(r"\w+", q))


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return []


def _check_links(kb: KnowledgeBase) -> None:
    asked: dict[str, str] = {}
    for node in list(kb.nodes.values()):
        for rel, targets in node.links.items():
            for t in targets:
                if t not in kb.nodes:
                    kb.problems.append(Problem(node.path, _key_line(_lines(node.path), rel, 1),
                                               f"link '{rel}' names node '{t}', which does not exist"))
        for q in node.questions:
            key = normalise_question(q)
            other = asked.get(key)
            if other is not None and other != node.id:
                line = next((i + 1 for i, l in enumerate(_lines(node.path)) if q[:40] in l), 1)
                kb.problems.append(Problem(node.path, line, f"question {q!r} is also asked under node '{other}'"))
            asked.setdefault(key, node.id)
    for lesson in kb.lessons.values():
        for step in lesson.steps:
            if step.node not in kb.nodes:
                line = next((i + 1 for i, l in enumerate(_lines(lesson.path)) if f'"{step.node}"' in l), 1)
                kb.problems.append(Problem(lesson.path, line, f"step names node '{step.node}', which does not exist"))
