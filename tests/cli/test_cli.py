"""The command line as ../shared/INTERFACE.md specifies it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from running import run_cli


def tutor(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """``tutor ARGS`` in-process (``tests/cli/running.py``); ``test_version_and_help`` starts the real entry point."""
    return run_cli(*args, stdin=stdin)


def test_ask_json_answers_the_minus_sign():
    res = tutor("ask", "--json", "why the minus sign?")
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    assert obj["kind"] == "answer"
    assert "minus-sign" in obj["concepts"]
    assert 0 <= obj["confidence"] <= 1
    for key in ("node", "title", "markdown", "alternatives", "computation", "derivation"):
        assert key in obj


def test_ask_plain_prints_the_explanation():
    res = tutor("ask", "why the minus sign?")
    assert res.returncode == 0
    out = res.stdout.decode()
    assert out.startswith("# ")
    assert "negative" in out


def test_ask_json_reads_one_question_a_line_from_stdin():
    questions = "why the minus sign?\nwhat is the loss if y = 1 and y_hat = 0.3?\n\nwhy?\n"
    res = tutor("ask", "--json", stdin=questions.encode())
    assert res.returncode == 1  # the blank line is an error reply: every reply printed, then exit 1
    objs = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert len(objs) == 4
    assert objs[0]["kind"] == "answer"
    assert objs[1]["kind"] == "compute"
    assert objs[2]["kind"] == "error"
    # no context between lines: a bare "why?" has nothing to follow
    assert objs[3]["kind"] in ("fallback", "error")


@pytest.mark.parametrize(
    "junk",
    [b"", b"   ", b"\x00\x01\x02\x03\x04\x05\x06\x07", b"\xff\xfe\xfa" * 50, b"x" * 1_000_000, b"\x1b[2J\x1b[31m"],
    ids=["empty", "blank", "control", "invalid-utf8", "1MB", "escapes"],
)
def test_junk_gets_a_clean_object_never_a_traceback(junk):
    res = tutor("ask", "--json", stdin=junk + b"\n")
    assert b"Traceback" not in res.stderr
    for line in res.stdout.decode().splitlines():
        obj = json.loads(line)
        assert obj["kind"] in ("error", "fallback") and obj["markdown"]
        assert "\x1b" not in obj["markdown"]


def test_out_of_range_value_gets_the_valid_range():
    res = tutor("ask", "--json", "loss if y = 1 and y_hat = 1.7")
    obj = json.loads(res.stdout)
    assert obj["kind"] == "error"
    assert "between 0 and 1" in obj["markdown"]


def test_version_and_help():
    # The installed entry point itself, in a process of its own.
    run = lambda *a: subprocess.run([sys.executable, "-m", "tutor", *a], capture_output=True, timeout=60)
    assert run("--version").returncode == 0
    assert b"ask" in run("--help").stdout


def test_extra_content_folder_adds_a_topic(tmp_path):
    (tmp_path / "hinge.md").write_text(
        '+++\nid = "zebra-topic"\ntitle = "Zebra striping of losses"\nconcepts = ["bce-formula"]\n'
        'questions = ["what is zebra striping of a loss", "explain zebra stripes in losses"]\n+++\nZebra body.\n',
        encoding="utf-8",
    )
    res = tutor("ask", "--json", "--content", str(tmp_path), "what is zebra striping of a loss?")
    obj = json.loads(res.stdout)
    assert obj["node"] == "zebra-topic"


def test_chat_plain_keeps_context_between_turns():
    res = tutor(
        "chat",
        "--json",
        stdin=b"why the minus sign?\nwhy?\nwhat is the loss if y = 1 and y_hat = 0.3?\nwhat about y = 0?\n",
    )
    objs = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [o["kind"] for o in objs] == ["answer", "answer", "compute", "compute"]
    assert objs[1]["node"] == objs[0]["node"] and objs[1]["section"] == "why"
    assert objs[3]["computation"]["y"] == 0


def test_chat_plain_text_mode():
    res = tutor("chat", "--plain", stdin=b"why the minus sign?\nquit\n")
    out = res.stdout.decode()
    assert res.returncode == 0 and "# Why the minus sign?" in out


def test_lessons_command_lists_progress():
    res = tutor("lessons")  # a fresh data folder per test (conftest.isolated_data)
    assert res.returncode == 0
    out = res.stdout.decode()
    assert "why-minus" in out and "not started" in out


def test_content_option_before_or_after_the_subcommand(tmp_path):
    (tmp_path / "z.md").write_text(
        '+++\nid = "zebra-topic"\ntitle = "Zebra striping of losses"\nconcepts = ["bce-formula"]\n'
        'questions = ["what is zebra striping of a loss", "explain zebra stripes in losses"]\n+++\nZebra body.\n',
        encoding="utf-8",
    )
    for args in (["--content", str(tmp_path), "ask", "--json"], ["ask", "--content", str(tmp_path), "--json"]):
        obj = json.loads(tutor(*args, "what is zebra striping of a loss?").stdout)
        assert obj["node"] == "zebra-topic"
