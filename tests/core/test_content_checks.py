"""The validator's parts an author meets: node keys with suggestions, warnings, content roots, the config file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutor.content.authoring import check_id, content_root, validate
from tutor.content.files import Problem, did_you_mean
from tutor.content.nodes import builtin_content_dir, load
from tutor.errors import InputError
from tutor.store.config import Config, choose_content, read_config

NODE = """+++
id = "{id}"
title = "T"
concepts = ["minus-sign"]
questions = [{questions}]
{extra}+++
Body.
"""


def write_node(folder: Path, ident: str, extra: str = "", n: int = 10) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ident}.md"
    questions = ", ".join(f'"{ident} asked {i} ways"' for i in range(n))
    path.write_text(NODE.format(id=ident, questions=questions, extra=extra), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "extra, line, message",
    [
        ('keywrods = ["x"]\n', 6, "unknown key 'keywrods' (did you mean 'keywords'?)"),
        ('question = ["x"]\n', 6, "unknown key 'question' (did you mean 'questions'?)"),
        ('[links]\nnxet = "minus-sign"\n', 7, "unknown link 'nxet' (did you mean 'next'?)"),
    ],
)
def test_node_keys_get_a_suggestion(tmp_path, extra, line, message):
    path = write_node(tmp_path, "n1", extra)
    found = [str(p) for p in load([tmp_path], builtin=True).problems if p.path == str(path)]
    assert f"{path}:{line}: {message}" in found, found


def test_did_you_mean_lists_the_known_keys_when_nothing_is_close():
    assert did_you_mean("zzz", ["b", "a"]) == " (known: a, b)"
    assert did_you_mean("intro_text", ["node", "intro", "checkpoint"]) == " (did you mean 'intro'?)"


def test_a_warning_is_labelled_and_kept_apart_from_problems(tmp_path):
    path = write_node(tmp_path, "few-questions", n=3)
    kb = load([tmp_path])
    assert "few-questions" in kb.nodes  # a warning does not stop the node loading
    assert not [p for p in kb.problems if p.path == str(path)]
    warnings = [str(w) for w in kb.warnings if w.path == str(path)]
    assert warnings == [
        (
            f"{path}:5: warning: node 'few-questions' has 3 question(s); write 10 or more, in varied "
            "registers, so learners' questions reach it"
        )
    ]
    assert str(Problem("f.md", 3, "m", warning=True)) == "f.md:3: warning: m"


def test_the_content_root_is_the_folder_with_concepts_toml(tmp_path):
    root = tmp_path / "pack"
    (root / "deep" / "er").mkdir(parents=True)
    (root / "concepts.toml").write_text("[concepts]\n", encoding="utf-8")
    node = write_node(root / "deep" / "er", "n2")
    assert content_root(node, []).resolve() == root.resolve()
    assert content_root(node, [root / "deep"]) == root / "deep"  # a folder already read wins
    lonely = tmp_path / "lonely"
    (lonely / "lessons").mkdir(parents=True)
    lesson = lonely / "lessons" / "l.toml"
    lesson.write_text("", encoding="utf-8")
    assert content_root(lesson, []).resolve() == lonely.resolve()
    builtin_node = builtin_content_dir() / "concepts" / "minus-sign.md"
    assert content_root(builtin_node, [builtin_content_dir()]) == builtin_content_dir()


def test_validate_one_file_in_a_folder_of_its_own_finds_its_siblings(tmp_path):
    write_node(tmp_path / "pack", "sibling")
    path = write_node(tmp_path / "pack", "linker", extra='[links]\nnext = "sibling"\n')
    result = validate([path], [])
    assert result.problems == []
    result = validate([tmp_path / "pack" / "missing.md"], [])
    assert [str(p) for p in result.problems] == [f"{tmp_path / 'pack' / 'missing.md'}:1: no such file or folder"]


@pytest.mark.parametrize(
    "text, ok",
    [
        ("focal-loss", True),
        ("a1", True),
        ("Focal", False),
        ("", False),
        ("x" * 90, False),
        ("a/b", False),
        ("-a", False),
    ],
)
def test_ids(text, ok):
    if ok:
        assert check_id(text) == text
    else:
        with pytest.raises(InputError):
            check_id(text)


# ------------------------------------------------------------------ config.toml and TUTOR_CONTENT


def test_read_config_resolves_paths_against_its_folder(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('content = ["rel", "~/home-pack", "/abs/pack"]\nbuiltin = false\n', encoding="utf-8")
    config = read_config(path)
    assert config.content == (tmp_path / "rel", Path("~/home-pack").expanduser(), Path("/abs/pack"))
    assert config.builtin is False and config.notices == ()


def test_read_config_without_a_file_is_empty(tmp_path):
    assert read_config(tmp_path / "none.toml") == Config()


def test_read_config_refuses_a_huge_or_deep_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("x = " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    assert read_config(path).notices and read_config(path).content == ()
    path.write_text("# " + "a" * 70_000, encoding="utf-8")
    assert "larger than" in read_config(path).notices[0]


def test_precedence_flags_then_environment_then_config(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    for folder in (a, b, c):
        folder.mkdir()
    config = Config(content=(c,), builtin=False)
    env = {"TUTOR_CONTENT": os.pathsep.join([str(b), str(a)])}
    assert choose_content([a], None, env, config).folders == [a]
    assert choose_content([], None, env, config).folders == [b, a]
    assert choose_content([], None, {}, config).folders == [c]
    assert choose_content([], None, {"TUTOR_CONTENT": ""}, config).folders == [c]  # empty: not set
    assert choose_content([], None, {}, config).builtin is False
    assert choose_content([], True, {}, config).builtin is True
    assert choose_content([], None, {}, Config()).builtin is True
    assert choose_content([a, a], None, {}, config).folders == [a]  # a folder named twice is read once


def test_tutor_from_folders_without_builtin(tmp_path):
    from tutor.dialogue.engine import Tutor

    (tmp_path / "concepts.toml").write_text('[concepts]\nown = "Own"\n', encoding="utf-8")
    path = write_node(tmp_path, "own-node")
    path.write_text(path.read_text(encoding="utf-8").replace("minus-sign", "own"), encoding="utf-8")
    t = Tutor.from_folders([tmp_path], builtin=False)
    assert set(t.kb.nodes) == {"own-node"} and set(t.kb.concepts) == {"own"}


def test_serve_passes_no_builtin_to_the_served_app(monkeypatch):
    pytest.importorskip("textual_serve")
    from tutor.ui import serve as serving

    seen = {}

    class Fake:
        def serve(self):
            pass

    monkeypatch.setattr(
        serving, "guarded_server", lambda command, host, port: seen.setdefault("cmd", command) and Fake()
    )
    serving.serve([Path("/p a")], "localhost", 8000, builtin=False)
    assert seen["cmd"].endswith("--content '/p a' --no-builtin")


def test_concepts_toml_keys_are_checked(tmp_path):
    path = tmp_path / "concepts.toml"
    path.write_text('[concept]\nfocal-loss = "Focal loss"\n', encoding="utf-8")
    found = [str(p) for p in load([tmp_path]).problems if p.path == str(path)]
    assert f"{path}:1: unknown key 'concept' (did you mean 'concepts'?)" in found, found
