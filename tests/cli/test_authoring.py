"""An author's commands: `tutor new`, `tutor validate FILE`, remembered content folders, `tutor eval` for CI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content.nodes import builtin_content_dir

BUILTIN = builtin_content_dir()


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    """Never read the user's config.toml or TUTOR_CONTENT."""
    folder = tmp_path / "config"
    monkeypatch.setenv("TUTOR_CONFIG_DIR", str(folder))
    monkeypatch.delenv("TUTOR_CONTENT", raising=False)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


NODE = """+++
id = "{id}"
title = "{title}"
concepts = ["{concept}"]
questions = [{questions}]
{extra}+++
The body, with {{{{ neglog(0.9) }}}}.
"""


def node(folder: Path, ident: str, concept: str, n: int = 10, extra: str = "", title: str = "A title") -> Path:
    questions = ", ".join(f'"{ident} question number {i}"' for i in range(n))
    path = folder / f"{ident}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        NODE.format(id=ident, title=title, concept=concept, questions=questions, extra=extra), encoding="utf-8"
    )
    return path


def pack(tmp_path: Path) -> Path:
    """An author's folder: its own concept, two nodes that link to each other, a lesson."""
    root = tmp_path / "pack"
    root.mkdir()
    (root / "concepts.toml").write_text('[concepts]\ntversky-loss = "Tversky loss"\n', encoding="utf-8")
    node(root / "nodes", "tversky-loss", "tversky-loss", extra='[links]\nnext = "tversky-gamma"\n')
    node(root / "nodes", "tversky-gamma", "tversky-loss", extra='[links]\nwhy = "tversky-loss"\n')
    (root / "lessons").mkdir()
    (root / "lessons" / "tversky.toml").write_text(
        'id = "tversky-lesson"\ntitle = "Tversky"\n\n[[steps]]\nnode = "tversky-loss"\n', encoding="utf-8"
    )
    return root


# ------------------------------------------------------------------ tutor new


def test_new_node_and_lesson_validate_as_written(tmp_path, capsys):
    target = tmp_path / "mine"
    code, out, _ = run(capsys, "new", "node", "tversky-loss", "--content", target)
    assert code == 0
    assert (target / "tversky-loss.md").is_file() and (target / "concepts.toml").is_file()
    assert str(target / "tversky-loss.md") in out
    code, _, _ = run(capsys, "new", "lesson", "tversky-intro", "--content", target)
    assert code == 0
    lesson = target / "lessons" / "tversky-intro.toml"
    assert 'node = "tversky-loss"' in lesson.read_text(encoding="utf-8")  # the folder's own node
    code, out, err = run(capsys, "validate", "--content", target)
    assert code == 0, out + err
    problems = [line for line in out.splitlines() if ": warning: " not in line]
    assert problems == []
    assert (
        "tversky-loss.md" in out and "warning: node 'tversky-loss' has 3 question(s)" in out
    )  # the scaffold says: write more
    for path in (target / "tversky-loss.md", lesson):
        code, out, err = run(capsys, "validate", path)
        assert code == 0, out + err


def test_new_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "mine"
    assert run(capsys, "new", "node", "tversky-loss", "--content", target)[0] == 0
    before = (target / "tversky-loss.md").read_text(encoding="utf-8")
    code, _, err = run(capsys, "new", "node", "tversky-loss", "--content", target)
    assert code == 2 and "already exists" in err
    assert (target / "tversky-loss.md").read_text(encoding="utf-8") == before


def test_new_refuses_an_id_the_builtin_content_uses(tmp_path, capsys):
    code, _, err = run(capsys, "new", "node", "minus-sign", "--content", tmp_path / "mine")
    assert code == 2 and "already exists" in err
    assert not (tmp_path / "mine" / "minus-sign.md").exists()


@pytest.mark.parametrize("bad, suggestion", [("Tversky_Loss", "tversky-loss"), ("../evil", "evil"), ("a b", "a-b")])
def test_new_refuses_a_bad_id_with_a_suggestion(tmp_path, capsys, bad, suggestion):
    code, _, err = run(capsys, "new", "node", bad, "--content", tmp_path / "mine")
    assert code == 2
    assert "not a valid id" in err and f"'{suggestion}'" in err
    assert not list((tmp_path / "mine").glob("*.md"))


def test_new_node_adds_its_concept_to_an_existing_concepts_file(tmp_path, capsys):
    root = pack(tmp_path)
    assert run(capsys, "new", "node", "label-smoothing", "--content", root)[0] == 0
    text = (root / "concepts.toml").read_text(encoding="utf-8")
    assert 'tversky-loss = "Tversky loss"' in text and 'label-smoothing = "Label smoothing"' in text
    assert run(capsys, "validate", "--content", root)[0] == 0


def test_new_lesson_names_the_node_given(tmp_path, capsys):
    code, _, _ = run(capsys, "new", "lesson", "my-lesson", "--content", tmp_path / "mine", "--node", "sigmoid")
    assert code == 0
    assert 'node = "sigmoid"' in (tmp_path / "mine" / "lessons" / "my-lesson.toml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "new", "lesson", "other", "--content", tmp_path / "mine", "--node", "no-such-node")
    assert code == 2 and "no node 'no-such-node'" in err


def test_new_never_writes_into_the_builtin_content(capsys):
    code, _, err = run(capsys, "new", "node", "brand-new-topic", "--content", BUILTIN)
    assert code == 2 and "built-in" in err
    assert not (BUILTIN / "brand-new-topic.md").exists()


# ------------------------------------------------------------------ tutor validate FILE


def test_validate_one_file_judges_it_with_its_folder(tmp_path, capsys):
    root = pack(tmp_path)
    for path in (root / "nodes" / "tversky-loss.md", root / "lessons" / "tversky.toml", root / "nodes"):
        code, out, err = run(capsys, "validate", path)
        assert code == 0, out + err  # its concept, its links and its ids are known, and not "already used"
        assert out == ""
    code, out, _ = run(capsys, "validate", "--content", root, root / "nodes" / "tversky-loss.md")
    assert code == 0, out


def test_validate_a_builtin_file_reports_no_false_duplicates(capsys):
    code, out, err = run(capsys, "validate", BUILTIN / "concepts" / "minus-sign.md")
    assert code == 0, out + err
    assert "already used" not in out


def test_validate_one_file_reports_only_that_files_problems(tmp_path, capsys):
    root = pack(tmp_path)
    bad = node(root / "nodes", "broken", "tversky-loss", extra='colour = "red"\n')
    code, out, _ = run(capsys, "validate", root / "nodes" / "tversky-loss.md")
    assert code == 0 and out == ""
    code, out, _ = run(capsys, "validate", bad)
    assert code == 1
    assert out.splitlines() == [
        (f"{bad}:6: unknown key 'colour' (known: concepts, derive, id, keywords, links, plot, questions, scope, title)")
    ]


def test_validate_a_missing_file(tmp_path, capsys):
    code, out, _ = run(capsys, "validate", tmp_path / "nope.md")
    assert code == 1 and out.startswith(f"{tmp_path / 'nope.md'}:1: no such file")


def test_few_questions_are_a_warning_not_an_error(tmp_path, capsys):
    root = tmp_path / "pack"
    (root).mkdir()
    path = node(root, "few", "minus-sign", n=9)
    node(root, "enough", "minus-sign", n=10)
    code, out, err = run(capsys, "validate", "--content", root)
    assert code == 0
    assert out.splitlines() == [
        (
            f"{path}:5: warning: node 'few' has 9 question(s); write 10 or more, in varied "
            "registers, so learners' questions reach it"
        )
    ]
    assert "1 warning(s)" in err


def test_unknown_concept_says_how_to_declare_it(tmp_path, capsys):
    root = tmp_path / "pack"
    path = node(root, "tversky-loss", "tversky-loss")
    code, out, _ = run(capsys, "validate", "--content", root)
    assert code == 1
    assert (
        f"{path}:4: unknown concept id 'tversky-loss': declare it: create {root / 'concepts.toml'} holding the two "
        "lines '[concepts]' and 'tversky-loss = \"Tversky loss\"'"
    ) in out.splitlines()
    # with the file there, the message names it and the one line to add; following it fixes the problem
    (root / "concepts.toml").write_text("[concepts]\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", "--content", root)
    assert f"declare it in {root / 'concepts.toml'}: add the line 'tversky-loss = \"Tversky loss\"' under" in out
    (root / "concepts.toml").write_text('[concepts]\ntversky-loss = "Tversky loss"\n', encoding="utf-8")
    assert run(capsys, "validate", "--content", root)[0] == 0


def test_builtin_content_has_no_problems(capsys):
    code, out, err = run(capsys, "validate")
    assert code == 0, out + err
    assert all(": warning: " in line for line in out.splitlines())


# ------------------------------------------------------------------ remembered content folders


def lessons(capsys, *argv) -> tuple[int, set[str], str]:
    code, out, err = run(capsys, *argv, "lessons")
    return code, {line.split()[0] for line in out.splitlines() if line.strip()}, err


def test_config_file_names_content_folders(tmp_path, own_config, capsys):
    root = pack(tmp_path)
    own_config.mkdir()
    (own_config / "config.toml").write_text(f'content = ["{root.as_posix()}"]\n', encoding="utf-8")
    code, ids, _ = lessons(capsys)
    assert code == 0 and "tversky-lesson" in ids and "why-minus" in ids


def test_config_paths_are_relative_to_the_config_folder(tmp_path, own_config, capsys):
    pack(tmp_path)
    own_config.mkdir()
    (own_config / "config.toml").write_text('content = ["../pack"]\nbuiltin = false\n', encoding="utf-8")
    code, ids, _ = lessons(capsys)
    assert code == 0 and ids == {"tversky-lesson"}  # builtin = false: only the folder's lesson


def test_environment_overrides_config_and_flags_override_both(tmp_path, own_config, monkeypatch, capsys):
    root = pack(tmp_path)
    other = tmp_path / "other"
    (other / "lessons").mkdir(parents=True)
    (other / "lessons" / "o.toml").write_text(
        'id = "other-lesson"\ntitle = "O"\n\n[[steps]]\nnode = "sigmoid"\n', encoding="utf-8"
    )
    third = tmp_path / "third"
    (third / "lessons").mkdir(parents=True)
    (third / "lessons" / "t.toml").write_text(
        'id = "third-lesson"\ntitle = "T"\n\n[[steps]]\nnode = "sigmoid"\n', encoding="utf-8"
    )
    own_config.mkdir()
    (own_config / "config.toml").write_text(f'content = ["{other.as_posix()}"]\n', encoding="utf-8")
    _, ids, _ = lessons(capsys)
    assert "other-lesson" in ids and "tversky-lesson" not in ids
    monkeypatch.setenv("TUTOR_CONTENT", os.pathsep.join([str(root), str(third)]))
    _, ids, _ = lessons(capsys)
    assert {"tversky-lesson", "third-lesson"} <= ids and "other-lesson" not in ids
    _, ids, _ = lessons(capsys, "--content", other)
    assert "other-lesson" in ids and not {"tversky-lesson", "third-lesson"} & ids


def test_no_builtin_replaces_the_builtin_content(tmp_path, own_config, capsys):
    root = pack(tmp_path)
    code, ids, _ = lessons(capsys, "--content", root, "--no-builtin")
    assert code == 0 and ids == {"tversky-lesson"}
    own_config.mkdir()
    (own_config / "config.toml").write_text("builtin = false\n", encoding="utf-8")
    _, ids, _ = lessons(capsys, "--content", root, "--builtin")  # the flag wins over the config
    assert {"tversky-lesson", "why-minus"} <= ids
    code, out, err = run(capsys, "validate", "--content", root, "--no-builtin")
    assert code == 0, out + err
    assert "ok: 2 nodes, 1 lessons, 1 concepts" in err


@pytest.mark.parametrize(
    "text, says",
    [
        ("content = [", "not valid TOML"),
        ('content = []\nbuiltin = "no"\n', "'builtin' is true or false"),
        ("content = 3\n", "'content' is a list of folders"),
        ("contents = []\n", "unknown key 'contents' (did you mean 'content'?)"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_broken_config_file_is_named_in_one_line_and_ignored(own_config, capsys, text, says):
    own_config.mkdir()
    path = own_config / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, ids, err = lessons(capsys)
    assert code == 0 and "why-minus" in ids
    lines = [line for line in err.splitlines() if str(path) in line]
    assert len(lines) == 1 and says in lines[0] and lines[0].startswith("tutor: warning: ")


def test_a_remembered_folder_that_is_gone_is_skipped_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_CONTENT", str(tmp_path / "gone"))
    code, ids, err = lessons(capsys)
    assert code == 0 and "why-minus" in ids
    assert f"{tmp_path / 'gone'} (named in TUTOR_CONTENT) does not exist" in err


def test_config_path_honours_the_override(own_config):
    from tutor.store.config import config_path

    assert config_path() == own_config / "config.toml"


def test_new_writes_into_the_remembered_folder(tmp_path, monkeypatch, capsys):
    root = pack(tmp_path)
    monkeypatch.setenv("TUTOR_CONTENT", str(root))
    assert run(capsys, "new", "node", "tversky-alpha")[0] == 0
    assert (root / "tversky-alpha.md").is_file()


# ------------------------------------------------------------------ tutor eval for an author's CI


def tsv(path: Path, rows: list[tuple[str, str]], header: str = "concept\talso\tquestion\n") -> Path:
    path.write_text(header + "".join(f"{c}\t\t{q}\n" for c, q in rows), encoding="utf-8")
    return path


@pytest.fixture
def labelled(tmp_path):
    # One question labelled with a concept no node teaches: it cannot be a top-1 hit, so top-1 is at most 50%.
    return tsv(
        tmp_path / "q.tsv",
        [
            ("minus-sign", "why is there a minus sign in front of the log loss"),
            ("no-such-concept", "what is the tversky loss gamma for"),
        ],
    )


def test_eval_min_top1_exits_1_below_the_threshold(labelled, capsys):
    code, out, err = run(capsys, "eval", labelled, "--min-top1", "60")
    assert code == 1
    assert "is below --min-top1 60%" in err
    assert "no node lists the concept 'no-such-concept'" in err
    assert "confusion (most frequent wrong pairs: expected → given, count):" in out
    assert "no-such-concept → " in out
    assert run(capsys, "eval", labelled, "--min-top1", "0")[0] == 0


def test_eval_json_is_one_object_with_the_figures(labelled, capsys):
    code, out, _ = run(capsys, "eval", labelled, "--json", "--min-top1", "60")
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["in_scope"] == 2 and figures["out_of_scope"] == 0
    assert figures["top1_pct"] <= 50.0 and figures["passed"] is False and figures["min_top1"] == 60
    assert any(c["expected"] == "no-such-concept" and c["count"] == 1 for c in figures["confusion"])


def test_eval_says_when_a_node_id_is_used_as_a_label(tmp_path, capsys):
    root = pack(tmp_path)
    path = tsv(tmp_path / "q.tsv", [("tversky-gamma", "what does gamma do in tversky loss")])
    code, _, err = run(capsys, "eval", path, "--content", root)
    assert code == 0
    assert "'tversky-gamma' is a node id; its concepts are tversky-loss" in err


@pytest.mark.parametrize("percent", ["0.5", "101", "abc"])
def test_eval_min_top1_takes_a_percentage(labelled, capsys, percent):
    with pytest.raises(SystemExit) as exc:
        main(["eval", str(labelled), "--min-top1", percent])
    assert exc.value.code == 2
    assert "--min-top1" in capsys.readouterr().err


def test_eval_without_a_header_says_what_the_first_line_must_be(tmp_path, capsys):
    path = tsv(tmp_path / "q.tsv", [("minus-sign", "why the minus")], header="")
    code, _, err = run(capsys, "eval", path)
    assert code == 2
    assert "the first line must be a header naming the tab-separated columns concept <TAB> also <TAB> question" in err


@pytest.mark.slow
def test_eval_cv_json_and_threshold(capsys):
    forum = Path(__file__).resolve().parent.parent / "data" / "forum.tsv"
    code, out, err = run(capsys, "eval", forum, "--cv", "--json", "--min-top1", "100")
    figures = json.loads(out)
    assert figures["folds"] == 5 and figures["in_scope"] + figures["out_of_scope"] <= 60
    assert 0 <= figures["top1_pct"] <= 100
    if figures["top1_pct"] < 100:
        assert code == 1 and "is below --min-top1 100%" in err
    else:
        assert code == 0
    assert run(capsys, "eval", forum, "--cv", "--min-top1", "0")[0] == 0
    # Another fold split: the same rows answered, each once, by a model that did not see them.
    code, out, _ = run(capsys, "eval", forum, "--cv", "--seed", "3")
    assert code == 0 and "(seed 3)" in out.splitlines()[0]
    # Folds by source: the team's file names one source for every row, one place, too few for five folds
    code, _, err = run(capsys, "eval", forum, "--cv", "--by-source")
    assert code == 2 and "1 place" in err


@pytest.mark.slow
def test_eval_cv_by_source_keeps_each_repository_in_one_fold(tmp_path, capsys):
    forum = Path(__file__).resolve().parent.parent / "data" / "forum.tsv"
    lines = forum.read_text(encoding="utf-8").splitlines()
    rows = [
        line.rsplit("\t", 1)[0] + f"\thttps://github.com/team/repo{i % 12}/issues/{i}"
        for i, line in enumerate(lines[1:])
    ]
    path = tmp_path / "sourced.tsv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", path, "--cv", "--by-source")
    assert code == 0 and "grouped by source: 12 places" in out.splitlines()[0]


def test_eval_by_source_needs_a_source_to_group_by(tmp_path, capsys):
    path = tsv(tmp_path / "q.tsv", [("minus-sign", "why the minus"), ("log-base", "why ln and not log2")] * 6)
    code, _, err = run(capsys, "eval", path, "--cv", "--by-source")
    assert code == 2 and "names no source" in err


def test_names_too_long_for_the_file_system_get_a_message(tmp_path, monkeypatch, capsys):
    long = "x" * 5000  # longer than any file name: stat() raises "File name too long"
    code, out, _ = run(capsys, "validate", long)
    assert code == 1 and out.endswith(":1: no such file or folder\n") and len(out) < 400
    code, _, err = run(capsys, "--content", long, "lessons")
    assert code == 2 and "no content folder at" in err and len(err) < 400
    monkeypatch.setenv("TUTOR_CONTENT", long)
    code, ids, err = lessons(capsys)
    assert code == 0 and "why-minus" in ids and "does not exist; skipped" in err
