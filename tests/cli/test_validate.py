"""`tutor validate` reports each kind of broken content with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from running import run_cli

from tutor.content.nodes import load

GOOD = """+++
id = "{id}"
title = "A title"
concepts = ["minus-sign"]
questions = ["{q}"]
+++
Body with {{{{ bce(1, 0.9) }}}}.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_for(folder: Path) -> list[str]:
    kb = load([folder])
    return [str(p) for p in kb.problems if str(folder) in p.path]


def test_builtin_content_is_valid(kb):
    assert kb.problems == []
    assert len(kb.nodes) >= 20


def test_builtin_content_validates_from_the_command_line():
    res = run_cli("validate")
    out = res.stdout.decode()
    assert res.returncode == 0, out + res.stderr.decode()
    assert all(": warning: " in line for line in out.splitlines())  # advice only, never a problem


CASES = {
    "malformed front matter": ('+++\nid = "x\ntitle = "t"\n+++\nbody\n', 2, "malformed front matter"),
    "missing field": (
        '+++\nid = "x1"\nconcepts = ["minus-sign"]\nquestions = ["q one"]\n+++\nbody\n',
        1,
        "missing field 'title'",
    ),
    "mistyped field": (
        '+++\nid = "x2"\ntitle = "t"\nconcepts = "minus-sign"\nquestions = ["q two"]\n+++\nbody\n',
        4,
        "'concepts' must be a list",
    ),
    "unknown concept": (
        '+++\nid = "x3"\ntitle = "t"\nconcepts = ["minus-sing"]\nquestions = ["q three"]\n+++\nbody\n',
        4,
        "unknown concept id 'minus-sing'",
    ),
    "unknown computation": (
        '+++\nid = "x4"\ntitle = "t"\nconcepts = ["minus-sign"]\nquestions = ["q four"]\n+++\nline one\n\nsee {{ blah(1) }}\n',
        9,
        "unknown computation 'blah'",
    ),
    "dead link": (
        '+++\nid = "x5"\ntitle = "t"\nconcepts = ["minus-sign"]\nquestions = ["q five"]\n[links]\nwhy = "no-such-node"\n+++\nbody\n',
        7,
        "names node 'no-such-node'",
    ),
    "unknown field": (
        '+++\nid = "x6"\ntitle = "t"\nconcepts = ["minus-sign"]\nquestions = ["q six"]\ncolour = "red"\n+++\nbody\n',
        6,
        "unknown key 'colour'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_broken_case_is_reported_with_its_line(tmp_path, case):
    text, line, message = CASES[case]
    path = write(tmp_path, "node.md", text)
    found = problems_for(tmp_path)
    assert any(p.startswith(f"{path}:{line}:") and message in p for p in found), found


def test_duplicate_node_id(tmp_path):
    write(tmp_path, "a.md", GOOD.format(id="dup", q="first question"))
    b = write(tmp_path, "b.md", GOOD.format(id="dup", q="second question"))
    found = problems_for(tmp_path)
    assert any(p.startswith(f"{b}:2:") and "already used" in p for p in found), found


def test_same_question_under_two_nodes(tmp_path):
    write(tmp_path, "a.md", GOOD.format(id="aa", q="why the minus sign?"))
    found = [str(p) for p in load([tmp_path]).problems]
    assert any("also asked under node" in p for p in found), found


def test_not_text(tmp_path):
    path = write(tmp_path, "bin.md", b"\x89PNG\x00\x00\xff\xfe")
    bad = write(tmp_path, "latin.md", "+++\nid = 'l'\n+++\ncaf\xe9".encode("latin-1"))
    found = problems_for(tmp_path)
    assert any(p.startswith(f"{path}:1:") and "not a text file" in p for p in found)
    assert any(p.startswith(f"{bad}:") and "invalid UTF-8" in p for p in found)


def test_lesson_step_naming_a_missing_node(tmp_path):
    path = write(
        tmp_path,
        "lessons/l.toml",
        'id = "l1"\ntitle = "L"\n\n[[steps]]\nnode = "minus-sign"\n\n[[steps]]\nnode = "ghost"\n',
    )
    found = problems_for(tmp_path)
    assert any(p.startswith(f"{path}:8:") and "'ghost'" in p for p in found), found


def test_broken_file_is_skipped_and_the_rest_still_loads(tmp_path):
    write(tmp_path, "bad.md", "+++\nid = \n+++\n")
    write(tmp_path, "good.md", GOOD.format(id="extra-topic", q="an extra question about a new topic"))
    kb = load([tmp_path])
    assert "extra-topic" in kb.nodes
    assert "minus-sign" in kb.nodes
    assert kb.problems


def test_validate_command_exit_codes_and_format(tmp_path):
    write(tmp_path, "bad.md", CASES["unknown concept"][0])
    res = run_cli("validate", str(tmp_path))
    assert res.returncode == 1
    lines = res.stdout.decode().strip().splitlines()
    assert lines and all(line.split(":")[1].isdigit() for line in lines)
    assert "Traceback" not in res.stderr.decode()
