"""Hostile input, bounded: every case finishes in a few seconds under a memory cap, with a clean answer or a file:line problem.

Each case runs in a subprocess (so a hang is a failed test, not a stuck run) whose
address space is capped with ``resource.setrlimit``; the child times the hostile
operation itself and the test asserts it took at most ``LIMIT_S`` seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tutor.content.nodes import MAX_FOLDER_DEPTH

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 5.0
MEMORY = 1536 * 1024 * 1024

_PRELUDE = f"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))
sys.path.insert(0, {str(ROOT)!r})
"""


def bounded(code: str, tmp_path: Path, wall: float = 60.0) -> dict:
    """Run ``code`` (which sets ``result``, a JSON-able dict, and ``elapsed``) in a capped subprocess."""
    script = _PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps({'result': result, 'elapsed': elapsed}))\n"
    env = dict(os.environ, TUTOR_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=wall, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["elapsed"] <= LIMIT_S, f"took {out['elapsed']:.1f} s"
    return out["result"]


def node(i: str, body: str = "Body.", extra: str = "") -> str:
    return (
        f'+++\nid = "{i}"\ntitle = "T {i}"\nconcepts = ["bce-formula"]\nquestions = ["question about {i}"]\n{extra}+++\n'
        f"{body}\n"
    )


# ------------------------------------------------------------------ learner text: every pattern linear


HOSTILE_TEXT = {
    "a-spaces-x": "a" + " " * 19_000 + "x",
    "what-about-y-spaces": ("what about y" + " " * 8) * 900,
    "unclosed-brackets": "log([" * 3_900,
    "sigmoid-derivative-gaps": "s ( z ) * ( 1 - " * 1_200,
    "np-prefixes-become-spaces": "a " + "np." * 6_000 + "x",
    "with-respect-to": "with respect to " * 1_200,
    "zero-width": "why\u200b the\u200c minus\u200d sign\u2060?" * 400,
}


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_hostile_learner_text_is_answered_in_bounded_time(tmp_path):
    # One capped process for every text: the model and index load once, then each text is timed on its own.
    for name, text in HOSTILE_TEXT.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    result = bounded(
        f"""
        from tutor.dialogue.engine import Tutor
        from tutor.matching import language
        tutor = Tutor.from_folders()
        tutor.topics.warm()  # the model and index load once per process: not part of the hostile text's cost
        result, elapsed = {{}}, 0.0
        for name in {sorted(HOSTILE_TEXT)!r}:
            text = open(name + ".txt", encoding="utf-8").read()
            t = time.perf_counter()
            reply, _ = tutor.reply(text)
            language.tokens(text)
            took = time.perf_counter() - t
            elapsed = max(elapsed, took)
            result[name] = {{"kind": reply.kind, "title": reply.title, "took": took}}
    """,
        tmp_path,
    )
    assert sorted(result) == sorted(HOSTILE_TEXT)
    for name, got in result.items():
        assert got["title"] != "Something went wrong on my side", name
        assert got["took"] <= LIMIT_S, f"{name} took {got['took']:.1f} s"


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_the_patterns_alone_are_linear_past_the_reply_cap(tmp_path):
    # 100,000 characters straight into the normalisation and the request recognisers, the length cap lifted.
    result = bounded(
        """
        from tutor.dialogue import requests as rq
        from tutor.matching import language
        language.MAX_CHARS = 10 ** 9
        t = time.perf_counter()
        for text in ["a" + " " * 100_000 + "x", "what about y        " * 5_000, "s ( z ) * ( 1 - " * 6_000]:
            language.canonical(text)
            rq.follow_up(text), rq.assignments(text), rq.doubtful(text), rq.compute_request(text)
            rq.plot_request(text), rq.derive_request(text)
        elapsed = time.perf_counter() - t
        result = {}
    """,
        tmp_path,
    )
    assert result == {}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_hostile_learner_text_gets_a_clean_reply(tutor, name):
    # In-process, for the quick suite; the timed run under a memory cap above is marked slow.
    reply, _ = tutor.reply(HOSTILE_TEXT[name])
    assert reply.title != "Something went wrong on my side" and reply.markdown


def test_squeezing_white_space_keeps_what_the_patterns_read():
    from tutor.dialogue import requests as rq
    from tutor.matching import language

    assert language.tokens("sigma(z)   *   (1  -  sigma(z))") == language.tokens("sigma(z) * (1 - sigma(z))")
    assert "sigmoid derivative" in language.canonical("a" + " " * 50 + "(1 - a)")
    assert rq.assignments("y   =   1 and ŷ  =   0.3") == {"y": 1.0, "y_hat": 0.3}
    assert rq.compute_request("-   log( 0.5 )").function == "neglog"


def test_a_question_with_zero_width_characters_is_read_as_text(tutor):
    reply, _ = tutor.reply("why\u200b the\u200c minus\u200d sign\u2060?")
    assert reply.kind == "answer" and reply.node == "minus-sign", reply


# ------------------------------------------------------------------ expressions: bounded by cost


@pytest.mark.parametrize(
    "text,message",
    [
        ("((((((9^9)^9)^9)^9)^9)^9)^9", "too large"),
        ("(((2^10)^10)^10)", "too large"),
        ("9^9^9^9", "Exponents are limited"),
        ("(((y^2)^2)^2)^2", "Powers of powers"),
        ("exp(exp(exp(100)))", "too large"),
        ("0**-1", "divides by zero"),
        ("0^-1", "divides by zero"),
        ("(y - y)^-1", "undefined"),
        ("log(0)", r"log\(0\)"),
        ("+".join(["y"] * 140), "nested too deeply|too long"),
    ],
)
def test_hostile_formulas_are_refused_before_sympy_builds_them(text, message):
    import time

    from tutor.errors import InputError
    from tutor.maths.exprparse import parse

    t = time.perf_counter()
    with pytest.raises(InputError, match=message):
        parse(text)
    assert time.perf_counter() - t < LIMIT_S


def test_the_limits_leave_ordinary_formulas_alone():
    from tutor.maths.exprparse import equivalent, parse

    assert equivalent(parse("ŷ - y"), parse("y_hat - y"))
    assert equivalent(parse("σ(z)(1 - σ(z))"), parse("exp(-z)/(1 + exp(-z))^2"))
    assert equivalent(parse("((y^2)^2)^2"), parse("y^8"))
    assert equivalent(parse("2^0.5 * y"), parse("sqrt2y".replace("sqrt2y", "1.4142135623730951*y")))


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_a_power_tower_at_a_checkpoint_is_feedback_in_bounded_time(tmp_path):
    result = bounded(
        """
        from tutor.dialogue.engine import Tutor
        from tutor.dialogue.reply import Context
        tutor = Tutor.from_folders()
        lesson = next(l for l in tutor.kb.lessons.values() if any(s.checkpoint and s.checkpoint.kind == "expression" for s in l.steps))
        step = next(i for i, s in enumerate(lesson.steps) if s.checkpoint and s.checkpoint.kind == "expression")
        _, ctx = tutor.reply("start lesson " + lesson.id)
        for _ in range(step):
            _, ctx = tutor.reply("next", ctx)
        t = time.perf_counter()
        replies = [tutor.reply(a, ctx)[0] for a in ["((((((9^9)^9)^9)^9)^9)^9)^9", "0**-1", "(((y^10)^10)^10)^10"]]
        elapsed = time.perf_counter() - t
        result = [r.title for r in replies] + [r.markdown for r in replies]
    """,
        tmp_path,
    )
    assert "Something went wrong on my side" not in result[:3]


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_a_power_tower_as_a_lessons_answer_is_a_validation_problem(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "evil.toml").write_text(
        'id = "evil"\ntitle = "Evil"\n[[steps]]\nnode = "minus-sign"\n'
        '[steps.checkpoint]\nkind = "expression"\nprompt = "?"\nanswer = "((((((9^9)^9)^9)^9)^9)^9)^9"\n',
        encoding="utf-8",
    )
    result = bounded(
        """
        from pathlib import Path
        from tutor.content.nodes import load
        t = time.perf_counter()
        kb = load([Path("pack")], deep=True)
        elapsed = time.perf_counter() - t
        result = [str(p) for p in kb.problems]
    """,
        tmp_path,
    )
    assert any(p.startswith(str(Path("pack") / "evil.toml") + ":8:") and "too large" in p for p in result), (
        result
    )  # the answer's line


# ------------------------------------------------------------------ content packs: read with limits


def _load_pack(tmp_path: Path, deep: bool = False) -> list[str]:
    return bounded(
        f"""
        from pathlib import Path
        from tutor.content.nodes import load
        t = time.perf_counter()
        kb = load([Path("pack")], deep={deep!r})
        elapsed = time.perf_counter() - t
        result = [str(p) for p in kb.problems] + ["NODES " + " ".join(sorted(kb.nodes))]
    """,
        tmp_path,
    )


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "good.md").write_text(node("good"), encoding="utf-8")
    return pack


def _problem(result: list[str], name: str, words: str) -> bool:
    return any(p.split(":")[0].endswith(name) and p.split(":")[1].isdigit() and words in p for p in result)


@pytest.mark.parametrize("where", ["node", "lesson", "concepts"])
@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_toml_nested_fifty_thousand_deep_is_a_problem(tmp_path, where):
    pack = _pack(tmp_path)
    deep = "x = " + "[" * 50_000 + "]" * 50_000 + "\n"
    if where == "node":
        (pack / "deep.md").write_text(node("deep", extra=deep), encoding="utf-8")
    elif where == "lesson":
        (pack / "deep.toml").write_text('id = "deep"\n' + deep, encoding="utf-8")
    else:
        (pack / "concepts.toml").write_text("[concepts]\n" + deep, encoding="utf-8")
    result = _load_pack(tmp_path)
    name = {"node": "deep.md", "lesson": "deep.toml", "concepts": "concepts.toml"}[where]
    assert _problem(result, name, "nested more than"), result
    assert "good" in result[-1]


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_a_dotted_key_of_a_hundred_thousand_parts_is_a_problem(tmp_path):
    pack = _pack(tmp_path)
    (pack / "dotted.md").write_text(node("dotted", extra="a" + ".a" * 100_000 + " = 1\n"), encoding="utf-8")
    result = _load_pack(tmp_path)
    assert _problem(result, "dotted.md", "dotted key"), result


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_unbounded_placeholder_and_section_scans(tmp_path):
    pack = _pack(tmp_path)
    (pack / "braces.md").write_text(node("braces", "{{" * 120_000), encoding="utf-8")
    (pack / "heading.md").write_text(node("heading", "Intro.\n## why" + " " * 250_000), encoding="utf-8")
    result = _load_pack(tmp_path)
    assert _problem(result, "braces.md", "never closed"), result
    assert "heading" in result[-1]


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_a_fifo_named_like_content_is_a_problem_not_a_hang(tmp_path):
    pack = _pack(tmp_path)
    os.mkfifo(pack / "evil.md")
    os.mkfifo(pack / "concepts.toml")
    result = _load_pack(tmp_path)
    assert _problem(result, "evil.md", "not a regular file"), result
    assert _problem(result, "concepts.toml", "not a regular file"), result
    assert "good" in result[-1]


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_symlink_loops_and_deep_folders_are_file_problems(tmp_path):
    pack = _pack(tmp_path)
    (pack / "loop.md").symlink_to(pack / "loop.md")
    (pack / "a.md").symlink_to(pack / "b.md")
    (pack / "b.md").symlink_to(pack / "a.md")
    (pack / "dirloop").symlink_to(pack)
    deep = pack
    for _ in range(40):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "lost.md").write_text(node("lost"), encoding="utf-8")
    result = _load_pack(tmp_path)
    assert _problem(result, "loop.md", "loops"), result
    assert _problem(result, "a.md", "loops"), result
    assert any("nested more than" in p for p in result), result
    assert "good" in result[-1].split() and "lost" not in result[-1].split()


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_folders_nested_past_the_path_limit(tmp_path):
    pack = _pack(tmp_path)
    fd = os.open(pack, os.O_RDONLY)
    try:  # built with relative names: the full path is longer than PATH_MAX (4096 on Linux)
        for _ in range(MAX_FOLDER_DEPTH):
            os.mkdir("d" * 255, dir_fd=fd)
            new = os.open("d" * 255, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)
    result = _load_pack(tmp_path)
    assert any("cannot read the folder" in p or "nested more than" in p for p in result), result
    assert "good" in result[-1].split()
    import shutil

    shutil.rmtree(pack)  # fd-based on Linux: the long path is no obstacle


@pytest.mark.slow  # a capped subprocess each (memory cap, hang = failure)
def test_a_long_unknown_key_is_not_echoed_whole(tmp_path):
    pack = _pack(tmp_path)
    (pack / "long.md").write_text(node("long", extra="k" * 50_000 + " = 1\n"), encoding="utf-8")
    result = _load_pack(tmp_path)
    assert _problem(result, "long.md", "unknown key"), result
    assert max(len(p) for p in result[:-1]) < 1000


# ------------------------------------------------------------------ progress: cannot write is not corrupt


def _read_only(monkeypatch, path: Path) -> None:
    """SQLite sees ``path`` as read-only (as in a read-only folder, which root's permissions would not give)."""
    import sqlite3

    from tutor.store import progress

    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        if not kwargs.get("uri") and Path(str(target)) == path:
            return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(progress.sqlite3, "connect", connect)


def test_a_read_only_store_is_kept_shown_and_saved_later(tmp_path, monkeypatch):
    from tutor.store.progress import open_store

    path = tmp_path / "progress.db"
    store = open_store(path)
    store.mark_seen("why-minus", 0)
    store.set_position("why-minus", 0)
    store.close()
    before = path.read_bytes()
    with monkeypatch.context() as m:
        _read_only(m, path)
        store = open_store(path)
        assert "cannot be saved" in store.take_notice()
        assert store.position("why-minus") == 0 and store.summary("why-minus", 3) != "not started"
        store.mark_seen("why-minus", 1)
        store.set_position("why-minus", 1)
        assert store.position("why-minus") == 1  # this session sees its own progress
        assert store.pending() == 2
    assert path.read_bytes() == before and not list(tmp_path.glob("*.unreadable-*"))  # never moved aside
    store.record_answer("why-minus", 1, True, 0)  # the folder is writable again: the queue goes first
    assert store.pending() == 0 and "saved again" in store.take_notice()
    store.close()
    again = open_store(path)
    assert again.position("why-minus") == 1 and again.seen_count("why-minus") == 2 and again.solved("why-minus") == {1}


def test_a_full_disk_during_a_session_queues_and_retries(tmp_path):
    from tutor.store.progress import open_store

    path = tmp_path / "progress.db"
    store = open_store(path)
    store.mark_seen("why-minus", 0)
    (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
    for step in range(1, 40):
        store.mark_seen("x" * 2000, step)
    assert store.pending() > 0
    notice = store.take_notice()
    assert "could not be saved" in notice and "disk is full" in notice
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
    store.set_position("why-minus", 2)
    assert store.pending() == 0
    store.close()
    again = open_store(path)
    assert again.seen_count("x" * 2000) == 39 and again.position("why-minus") == 2


def test_a_newer_or_foreign_schema_is_refused_never_written(tmp_path):
    import sqlite3

    from tutor.store.progress import open_store

    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.execute("CREATE TABLE seen (lesson TEXT, step INTEGER, at REAL, extra TEXT)")
    conn.commit()
    conn.close()
    before = newer.read_bytes()
    store = open_store(newer)
    assert "newer version" in store.notice
    store.mark_seen("why-minus", 0)
    store.close()
    assert newer.read_bytes() == before and not list(tmp_path.glob("*.unreadable-*"))

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE position (lesson TEXT, where_ TEXT)")
    conn.commit()
    conn.close()
    store = open_store(other)
    assert "other columns" in store.notice
    store.close()


def test_a_corrupt_store_is_still_moved_aside(tmp_path):
    from tutor.store.progress import open_store

    path = tmp_path / "progress.db"
    path.write_bytes(b"\x00garbage" * 500)
    store = open_store(path)
    assert "could not be read" in store.notice and list(tmp_path.glob("progress.db.unreadable-*"))
    store.mark_seen("why-minus", 0)
    assert store.seen_count("why-minus") == 1


def test_plain_chat_shows_the_store_notice(tmp_path, monkeypatch):
    import io

    from tutor import cli
    from tutor.store.progress import open_store

    data = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data))
    store = open_store(data / "progress.db")
    store.mark_seen("why-minus", 0)
    store.close()
    _read_only(monkeypatch, data / "progress.db")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"lessons\nquit\n")))
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    cli.main(["chat", "--plain"])
    assert "cannot be saved" in err.getvalue(), err.getvalue()


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 2 MB tmpfs (needs root and a kernel that lets us mount); skipped elsewhere."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.slow
def test_a_real_full_then_read_only_filesystem_loses_nothing(small_tmpfs):
    from tutor.store.progress import open_store

    path = small_tmpfs / "progress.db"
    store = open_store(path)
    store.mark_seen("why-minus", 0)
    filler = small_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last block
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    for step in range(1, 60):
        store.mark_seen("y" * 1000, step)
    assert store.pending() > 0 and "could not be saved" in store.take_notice()
    filler.unlink()
    store.set_position("why-minus", 3)
    assert store.pending() == 0
    store.close()
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], capture_output=True).returncode == 0
    ro = open_store(path)
    assert "cannot be saved" in ro.take_notice()
    assert ro.seen_count("y" * 1000) == 59 and ro.position("why-minus") == 3  # shown, not "not started"
    ro.mark_seen("why-minus", 9)
    assert ro.pending() == 1 and path.exists() and not list(small_tmpfs.glob("*.unreadable-*"))
    ro.close()


# ------------------------------------------------------------------ caches: verified before use, rebuilt when off


def _index_folder():
    from tutor.store import cache

    folders = sorted(cache.cache_dir().glob("index-*"))
    assert len(folders) == 1, folders
    return folders[0]


def _rewrite_meta(folder: Path, **changes) -> None:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _redigest(folder: Path, name: str) -> None:
    from tutor.store import cache

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["files"][name] = cache.file_digest((folder / name).read_bytes())
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _npz(path: Path, **arrays) -> None:
    import numpy as np

    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _truncate(folder):
    data = (folder / "nodes.npz").read_bytes()
    (folder / "nodes.npz").write_bytes(data[: len(data) // 2])


def _nested_json(folder):
    (folder / "meta.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _wrong_type(folder):
    _rewrite_meta(folder, vocab=5, sizes={"nodes": "many"})


def _huge_shape(folder):
    _rewrite_meta(folder, sizes={"nodes": 10**12, "phrasings": 10**12})


def _nan_weights(folder):
    import numpy as np

    with np.load(folder / "nodes.npz") as d:
        arrays = {k: d[k] for k in d.files}
    arrays["weights"] = np.full_like(arrays["weights"], np.nan)
    _npz(folder / "nodes.npz", **arrays)
    _redigest(folder, "nodes.npz")  # a tamperer who recomputes the digest: the values are still checked


def _inconsistent(folder):
    import numpy as np

    with np.load(folder / "nodes.npz") as d:
        arrays = {k: d[k] for k in d.files}
    arrays["doc_ids"] = arrays["doc_ids"] + 10_000
    _npz(folder / "nodes.npz", **arrays)
    _redigest(folder, "nodes.npz")


def _zip_bomb(folder):
    import zipfile

    import numpy as np

    with np.load(folder / "nodes.npz") as d:
        arrays = {k: d[k] for k in d.files}
    with zipfile.ZipFile(folder / "nodes.npz", "w", zipfile.ZIP_DEFLATED) as z:
        for name, arr in arrays.items():
            if name != "doc_ids":
                with z.open(f"{name}.npy", "w") as f:
                    np.lib.format.write_array(f, arr)
        with z.open("doc_ids.npy", "w", force_zip64=True) as f:  # 8 MB of zeros, a few KB packed
            np.lib.format.write_array(f, np.zeros(1024 * 1024, dtype=np.int64))
    _redigest(folder, "nodes.npz")


def _fifo_meta(folder):
    (folder / "meta.json").unlink()
    os.mkfifo(folder / "meta.json")


@pytest.mark.parametrize(
    "tamper",
    [_truncate, _nested_json, _wrong_type, _huge_shape, _nan_weights, _inconsistent, _zip_bomb, _fifo_meta],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_tampered_index_cache_is_rebuilt_not_used(kb, tamper):
    import time

    from tutor.matching.matcher import Matcher

    nodes = list(kb.nodes.values())[:8]  # a small index: the rebuild is quick, the checks are the same
    question = nodes[0].questions[0]
    expected = [m.node for m in Matcher(nodes).rank(question, k=3)]
    folder = _index_folder()
    key = folder.name.removeprefix("index-")
    tamper(folder)
    probe = Matcher.__new__(Matcher)
    probe.ids = [n.id for n in nodes]
    t = time.perf_counter()
    assert probe._load(key) is False  # refused, whatever is wrong with it
    assert time.perf_counter() - t < LIMIT_S
    again = Matcher(nodes)
    assert [m.node for m in again.rank(question, k=3)] == expected
    assert probe._load(key) is True  # the rebuilt entry was saved over the bad one, and verifies


def test_a_tampered_front_matter_cache_never_overrides_a_file(tmp_path, monkeypatch):
    from tutor.content import nodes as content
    from tutor.store import cache

    monkeypatch.setattr(cache, "MIN_ITEMS", 1)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "n.md").write_text(node("honest", "Body."), encoding="utf-8")
    assert content.load([pack]).nodes["honest"].title == "T honest"
    front = cache.read_json("front-matter.json")
    assert front
    for meta in front.values():
        if meta.get("id") == "honest":
            meta["title"] = "Forged title"
            meta["questions"] = ["forged question"]
    cache.write_json("front-matter.json", front)
    kb = content.load([pack])
    assert kb.nodes["honest"].title == "T honest" and kb.nodes["honest"].questions == ("question about honest",)
    assert content.load([pack], deep=True).nodes["honest"].title == "T honest"
