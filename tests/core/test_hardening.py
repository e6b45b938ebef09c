"""Untrusted content, hostile learner input, and crash-safe progress."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.content import nodes as content
from tutor.content.nodes import load
from tutor.dialogue.reply import Context


def node(i: str, body: str = "Body.", extra: str = "") -> str:
    return (
        f'+++\nid = "{i}"\ntitle = "T {i}"\nconcepts = ["bce-formula"]\nquestions = ["question about {i}"]\n{extra}+++\n'
        f"{body}\n"
    )


# ------------------------------------------------------------------ untrusted content


@pytest.mark.parametrize(
    "body,message",
    [
        ("{{ __import__('os').system('touch PWNED') }}", "not of the form"),
        ("{{ exec(1) }}", "unknown computation"),
        ("{{ bce(1, 9**9**9) }}", "only numbers"),
        ("{{ exp(1e308) }}", "too large"),
        ("{{ ln(" + "9" * 5000 + ") }}", "too long"),
        ("{{ log_table([" + ",".join(["0.5"] * 1001) + "]) }}", "at most"),
        ("{{ bce(1, 0.5) }}" * 201, "too many computations"),
    ],
    ids=["import", "exec", "power-tower", "huge-exp", "5000-digits", "1001-items", "201-placeholders"],
)
def test_content_placeholders_cannot_run_code_or_blow_up(tmp_path, body, message):
    (tmp_path / "n.md").write_text(node("evil", body), encoding="utf-8")
    t = time.perf_counter()
    kb = load([tmp_path])
    assert time.perf_counter() - t < 5
    assert any(message in p.message for p in kb.problems), kb.problems
    assert "evil" not in kb.nodes
    assert not Path("PWNED").exists()


def test_symlink_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(node("secret"), encoding="utf-8")
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "link.md").symlink_to(outside)
    kb = load([folder])
    assert "secret" not in kb.nodes
    assert any("outside the content folder" in p.message for p in kb.problems)


def test_oversized_file_is_refused(tmp_path):
    (tmp_path / "big.md").write_text(node("big", "x" * (content.MAX_FILE_BYTES + 10)), encoding="utf-8")
    kb = load([tmp_path])
    assert "big" not in kb.nodes and any("at most" in p.message for p in kb.problems)


def test_too_many_files_are_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(content, "MAX_FILES", 6)
    (tmp_path / "concepts.toml").write_text('[concepts]\nbce-formula = "BCE"\n', encoding="utf-8")
    for i in range(8):
        (tmp_path / f"n{i}.md").write_text(node(f"many-{i}"), encoding="utf-8")
    kb = load([tmp_path], builtin=False)
    assert sum(1 for n in kb.nodes if n.startswith("many-")) == 5
    assert any("more than 6" in p.message for p in kb.problems)


def test_hostile_expression_in_a_lesson_is_a_validation_error(tmp_path):
    (tmp_path / "l.toml").write_text(
        'id = "hostile"\ntitle = "H"\n\n[[steps]]\nnode = "minus-sign"\n[steps.checkpoint]\nkind = "expression"\n'
        'prompt = "p"\nanswer = "__import__(\'os\').getcwd()"\n\n' + '[[steps]]\nnode = "minus-sign"\n' * 5,
        encoding="utf-8",
    )
    kb = load([tmp_path], deep=True)
    assert any("cannot read the formula" in p.message for p in kb.problems)


# ------------------------------------------------------------------ hostile learner input


@pytest.mark.parametrize(
    "text",
    [
        "plot __import__('os').system('touch PWNED')",
        "derive exec('import os; os.system(\"touch PWNED\")')",
        "what is the loss if y = 1 and y_hat = __import__('os')",
        "9**9**9**9",
        "loss if y = 1 and y_hat = 0." + "3" * 5000,
        "((((((((((((((((((((((((((((((((((((((((y))))))))))))))))))))))))))))))))))))))))" * 50,
        "\x1b]0;pwned\x07\x1b[2J why the minus sign?",
        "\r\x08\x08\x08 loss \x7f",
    ],
    ids=[
        "plot-import",
        "derive-exec",
        "compute-import",
        "power-tower",
        "5000-digits",
        "deep-parens",
        "osc-escape",
        "backspaces",
    ],
)
def test_hostile_learner_input_is_answered_cleanly_in_bounded_time(tutor, text):
    t = time.perf_counter()
    reply, _ = tutor.reply(text)
    assert time.perf_counter() - t < 5
    assert reply.markdown
    assert "\x1b" not in reply.markdown and "\x07" not in reply.markdown
    assert not Path("PWNED").exists()


def test_hostile_expression_answers_in_a_lesson(tutor, kb, tmp_path):

    cp = kb.lessons["logistic-gradients"].steps[0].checkpoint
    for text in [
        "__import__('os').system('touch PWNED')",
        "(y+1)**10**10",
        "((y+1)^10)^10",
        "y" * 400,
        "e**e**e**e**e",
    ]:
        t = time.perf_counter()
        fb = cp.check(text)
        assert time.perf_counter() - t < 5
        assert fb is None or not fb.correct
    assert not Path("PWNED").exists()


@pytest.mark.slow
def test_escape_sequences_never_reach_the_terminal_from_the_cli():
    res = subprocess.run([sys.executable, "-m", "tutor", "ask", "start lesson \x1b[31mred\x1b[0m"], capture_output=True)
    assert b"\x1b" not in res.stdout and b"Traceback" not in res.stderr


# ------------------------------------------------------------------ crash-safe progress

WRITER = r"""
import sys
from pathlib import Path
from tutor.store.progress import open_store
store = open_store(Path(sys.argv[1]))
tag, i = sys.argv[2], 0
print("ready", flush=True)
while True:
    store.mark_seen(tag, i)
    store.set_position(tag, i)
    store.record_answer(tag, i % 7, i % 2 == 0, i % 3)
    i += 1
"""


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_while_saving_never_corrupts_the_store(tmp_path):
    from tutor.store.progress import open_store

    path = tmp_path / "progress.db"
    kills = 25
    last_seen = 0
    for k in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "lesson"], stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.02 + (k % 5) * 0.03)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _integrity(path) == "ok"
        store = open_store(path)
        assert store.notice == ""
        seen = store.seen_count("lesson")
        assert seen >= last_seen  # nothing committed is ever lost
        last_seen = seen
        store.close()
    assert last_seen > 0


@pytest.mark.slow
def test_two_processes_writing_at_once_keep_each_others_writes(tmp_path):
    path = tmp_path / "progress.db"
    script = (
        "import sys; from pathlib import Path; from tutor.store.progress import open_store\n"
        "s = open_store(Path(sys.argv[1]))\n"
        "for i in range(200): s.mark_seen(sys.argv[2], i)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), tag]) for tag in ("a", "b")]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    from tutor.store.progress import open_store

    store = open_store(path)
    assert store.seen_count("a") == 200 and store.seen_count("b") == 200


def test_unreadable_store_is_set_aside(tmp_path):
    from tutor.store.progress import open_store

    path = tmp_path / "progress.db"
    path.write_bytes(os.urandom(8192))
    store = open_store(path)
    assert "moved to" in store.notice
    store.set_position("x", 1)
    assert store.position("x") == 1


def test_context_is_plain_data(tutor):
    _, ctx = tutor.reply("why the minus sign?")
    assert isinstance(ctx, Context) and ctx.node == "minus-sign"


def test_a_bug_of_ours_is_a_plain_message_and_a_logged_traceback(kb, monkeypatch, tmp_path):
    from tutor.dialogue.engine import INTERNAL_ERROR, Tutor
    from tutor.store.locations import data_dir

    tutor = Tutor(kb)
    _, ctx = tutor.reply("why the minus sign?")

    def broken(text, context):
        raise KeyError("Exp1")

    monkeypatch.setattr(tutor, "read", broken)
    reply, after = tutor.reply("anything", ctx)
    assert reply.kind == "error" and reply.title == INTERNAL_ERROR
    assert "Traceback" not in reply.markdown
    assert after == ctx  # the conversation is kept
    log = (data_dir() / "errors.log").read_text(encoding="utf-8")
    assert "KeyError: 'Exp1'" in log and "Traceback" in log
