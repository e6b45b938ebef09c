"""The CLI's exit codes and rendering modes, called in-process through ``tutor.cli.main``."""

from __future__ import annotations

import json
import math
import re
import sys

import pytest
from running import run_cli


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(argv, monkeypatch, stdin: str | None = None, tty_in=False, tty_out=False):
    """``tutor ARGV`` in-process (tests/running.py), as (exit code, stdout, stderr) text."""
    res = run_cli(*argv, stdin=stdin or "", tty_in=tty_in, tty_out=tty_out)
    return res.returncode, res.stdout.decode(), res.stderr.decode()


def test_ask_piped_prints_plain_markdown(monkeypatch):
    code, out, _ = run(["ask", "why the minus sign?"], monkeypatch)
    assert code == 0
    assert out.startswith("# ") and "**negative**" in out and "\x1b[" not in out


def test_ask_on_a_terminal_renders_with_rich(monkeypatch):
    code, out, _ = run(["ask", "why the minus sign?"], monkeypatch, tty_out=True)
    assert code == 0
    assert "**negative**" not in out and "negative" in out  # the emphasis is rendered, not printed
    code, out, _ = run(["ask", "--markdown", "why the minus sign?"], monkeypatch, tty_out=True)
    assert "**negative**" in out


def test_ask_offers_no_numbers_it_cannot_take(monkeypatch):
    code, out, _ = run(["ask", "log"], monkeypatch)
    assert code == 0 and "Did you mean" in out
    assert "number" not in out.lower() and "tutor ask" in out


def test_ask_without_a_question_on_a_terminal_prints_usage(monkeypatch):
    code, out, err = run(["ask"], monkeypatch, tty_in=True)
    assert code == 2 and "usage: tutor ask" in err and out == ""


def test_missing_content_folder_is_a_one_line_error(monkeypatch, tmp_path):
    code, out, err = run(["ask", "--content", str(tmp_path / "nowhere"), "why?"], monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no content folder" in err


def test_one_error_reply_ends_a_batch_with_1_after_every_reply(monkeypatch):
    code, out, _ = run(["ask", "--json"], monkeypatch, stdin="why the minus sign?\n\nloss if y = 1 and y_hat = 0.3\n")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["answer", "error", "compute"] and code == 1
    code, out, _ = run(["ask", "--json"], monkeypatch, stdin="why the minus sign?\n")
    assert code == 0


def test_a_single_error_reply_exits_1(monkeypatch):
    code, _, _ = run(["ask", "plot sin(x)"], monkeypatch)
    assert code == 1


def test_screen_reader_mode_describes_plots_without_braille(monkeypatch):
    code, out, _ = run(["ask", "--screen-reader", "plot ln x and -ln x from 0 to 3"], monkeypatch, tty_out=True)
    assert code == 0
    assert not any(0x2800 <= ord(ch) <= 0x28FF for ch in out)  # no braille cells
    # the table read row by row, each value named: "x 3, ln x 1.099, -ln x -1.099."
    assert f"x 3, ln x {math.log(3):.4g}, -ln x {-math.log(3):.4g}." in out and "rises" in out
    code, out, _ = run(["chat", "--screen-reader"], monkeypatch, stdin="plot -ln ŷ\nquit\n")
    assert code == 0 and "ŷ 1, -ln ŷ 0." in out and not any(0x2800 <= ord(ch) <= 0x28FF for ch in out)


def test_screen_reader_mode_speaks_no_markdown_marks(monkeypatch):
    code, out, _ = run(["ask", "--screen-reader", "why the minus sign?"], monkeypatch)
    assert code == 0 and "negative" in out
    assert "**" not in out and "`" not in out
    assert not any(line.lstrip().startswith(("#", "|", "```")) for line in out.splitlines())


def test_screen_reader_mode_reads_a_derivation_one_line_a_formula(monkeypatch):
    import sympy as sp

    code, out, _ = run(["ask", "--screen-reader", "derive the derivative of the loss"], monkeypatch)
    assert code == 0 and not any(ch in out for ch in "⎛⎜⎝─")  # no 2-D layout
    result = next(line for line in out.splitlines() if line.startswith("Result: "))
    said = result.removeprefix("Result: ").rstrip(".").replace("ŷ", "y_hat").replace("^", "**").replace("ln", "log")
    y, y_hat = sp.symbols("y y_hat")
    assert sp.simplify(sp.sympify(said) - (y_hat - y) / (y_hat * (1 - y_hat))) == 0


def test_no_plots_leaves_the_picture_out(monkeypatch):
    code, out, _ = run(["chat", "--no-plots"], monkeypatch, stdin="plot -ln ŷ\n")
    assert code == 0 and "```" not in out and "-ln ŷ" in out


def test_plots_print_as_a_fenced_block(monkeypatch):
    code, out, _ = run(["ask", "plot -ln ŷ and mark 0.99"], monkeypatch)
    assert code == 0 and "```text" in out and "ŷ = 0.99" in out


def test_chat_on_a_terminal_uses_readline(monkeypatch):
    pytest.importorskip("readline")
    monkeypatch.delitem(sys.modules, "readline", raising=False)
    prompts = []
    answers = iter(["why the minus sign?", "quit"])

    def fake_input(prompt=""):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    code, out, _ = run(["chat"], monkeypatch, tty_in=True)
    assert code == 0 and prompts == ["> ", "> "] and "negative" in out
    assert "readline" in sys.modules


def test_export_writes_a_lesson_summary(monkeypatch, data_dir, tmp_path):
    target = tmp_path / "out.md"
    code, out, _ = run(["export", "why-minus", "-o", str(target)], monkeypatch)
    assert code == 0 and out.strip() == str(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Lesson: Why the minus sign?") and "1. [ ]" in text
    code, out, _ = run(["export"], monkeypatch)
    assert code == 0 and out.strip().startswith(str(data_dir / "exports"))
    code, _, err = run(["export", "no-such-lesson"], monkeypatch)
    assert code == 2 and "tutor lessons" in err


def test_serve_hint_names_this_projects_extra(monkeypatch):
    import tutor.ui.serve as serve

    def missing(*a, **k):
        raise ImportError("textual_serve")

    monkeypatch.setattr(serve, "serve", missing)
    code, _, err = run(["serve"], monkeypatch)
    # The distribution is loss-tutor: a bare "tutor[serve]" would install another project from PyPI.
    assert code == 1 and "'loss-tutor[serve]'" in err and "'.[serve]'" in err
    assert not re.search(r"(?<![-\w])tutor\[serve\]", err)
