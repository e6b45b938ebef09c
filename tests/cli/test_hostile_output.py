"""Content and file names are data: no terminal escape or control character from them reaches the terminal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from running import run_cli

ESC = "\x1b]52;c;ZWNobyBoaQ==\x07\x1b]0;pwned\x07\x1b[2J\x9b31m"


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return run_cli(*args, stdin=stdin)  # in-process; conftest gives each test a fresh data folder


def _clean(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    return not any(c in text for c in "\x1b\x07\x9b\x9d")


@pytest.fixture
def pack(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    # Raw escapes in the Markdown body and a TOML-escaped one in the title: both must be removed.
    (pack / "evil.md").write_text(
        '+++\nid = "evil"\ntitle = "Zorblax \\u001b]0;pwned\\u0007 title"\nconcepts = ["bce-formula"]\n'
        f'questions = ["what does the zorblax quuxification do"]\n+++\nBody {ESC} text.\n',
        encoding="utf-8",
    )
    (pack / "lesson.toml").write_text(
        'id = "evil"\ntitle = "Lesson \\u001b]52;c;aGk=\\u0007 title"\n[[steps]]\nnode = "evil"\n', encoding="utf-8"
    )
    return pack


def test_ask_and_plain_chat_print_content_without_escapes(pack, tmp_path):
    res = _run(["ask", "--content", str(pack), "zorblax quuxification"], tmp_path)
    assert b"Zorblax" in res.stdout and b"Body" in res.stdout, res.stdout
    assert _clean(res.stdout) and _clean(res.stderr)
    res = _run(["chat", "--plain", "--content", str(pack)], tmp_path, "zorblax quuxification\nlessons\nquit\n")
    assert b"Zorblax" in res.stdout and _clean(res.stdout) and _clean(res.stderr)


def test_lessons_lists_titles_without_escapes(pack, tmp_path):
    res = _run(["lessons", "--content", str(pack)], tmp_path)
    assert b"Lesson" in res.stdout and _clean(res.stdout) and _clean(res.stderr)


def test_validate_echoes_names_and_fields_without_escapes(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / f"evil{ESC}.md").write_text(
        '+++\nid = "evil"\ntitle = "T"\nconcepts = ["bce-formula", "no\\u001b]52;c;aGk=\\u0007pe"]\n'
        'questions = ["q"]\n"field\\u001b]0;x\\u0007" = 1\n+++\nBody.\n',
        encoding="utf-8",
    )
    res = _run(["validate", str(pack)], tmp_path)
    assert res.returncode == 1
    assert b"unknown key" in res.stdout and b"unknown concept" in res.stdout, res.stdout
    assert _clean(res.stdout) and _clean(res.stderr)


def test_the_sanitiser_removes_whole_sequences_and_keeps_text():
    from tutor.text import safe

    assert safe("a\x1b]52;c;ZWNobyBoaQ==\x07b") == "ab"
    assert safe("t\x1b]0;title\x1b\\x") == "tx"
    assert safe("\x1b[31mred\x1b[0m") == "red"
    assert safe("\x9b2Jx") == "x"
    assert safe("a\u202eb\r\nc\td") == "ab\nc\td"
    assert safe("ŷ = σ(z), ∂L/∂w") == "ŷ = σ(z), ∂L/∂w"
