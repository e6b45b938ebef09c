"""Lesson files are read as strictly as nodes: every misspelled key is reported at its line with a suggestion."""

from __future__ import annotations

import math

import pytest

from tutor.content.lessonfile import parse_lesson
from tutor.content.nodes import load

GOOD = """id = "focal"
title = "Focal loss"
summary = "A loss that looks away from easy examples."

[[steps]]
node = "minus-sign"
intro = "Start here."
[steps.checkpoint]
kind = "numeric"
prompt = "What is -ln(0.9)?"
answer = "neglog(0.9)"
tolerance = 0.001
hints = ["A nudge."]
feedback = [
  { when = "negative", say = "Check the sign." },
]

[[steps]]
node = "bce-formula"
[steps.checkpoint]
kind = "choice"
prompt = "Which?"
choices = ["one", "two"]
answer = 2
"""


def problems(text: str, deep: bool = False) -> list[str]:
    found: list = []
    parse_lesson(text, "l.toml", found, deep)
    return [str(p) for p in found]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if fragment in line)


def test_the_good_lesson_has_no_problems():
    assert problems(GOOD) == []


# (the misspelled text, the key reported, the suggestion)
MISTAKES = [
    ('summary = "A loss', "sumary", "summary"),  # lesson level
    ('intro = "Start here."', "intro_text", "intro"),  # step level
    ("tolerance = 0.001", "tolerence", "tolerance"),  # checkpoint level
    ('hints = ["A nudge."]', "hint", "hints"),
    ('say = "Check the sign."', "sya", "say"),  # feedback level
]


@pytest.mark.parametrize("right, wrong, suggestion", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_each_misspelled_key_is_an_error_at_its_line_with_a_suggestion(right, wrong, suggestion):
    key = right.split()[0] if not right.startswith("say") else "say"
    text = GOOD.replace(right, right.replace(key, wrong, 1), 1)
    assert text != GOOD
    found = problems(text)
    line = line_of(text, wrong)
    expected = f"l.toml:{line}:"
    assert any(
        p.startswith(expected) and f"unknown key '{wrong}' (did you mean '{suggestion}'?)" in p for p in found
    ), found


def test_a_misspelled_key_stops_the_lesson_loading(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "focal.toml").write_text(GOOD.replace("tolerance", "tolerence"), encoding="utf-8")
    kb = load([tmp_path])
    assert "focal" not in kb.lessons
    assert any("tolerence" in p.message for p in kb.problems)


def test_a_key_of_another_kind_is_named_as_such():
    text = GOOD.replace("answer = 2\n", "answer = 2\ntolerance = 0.1\n")
    found = problems(text)
    assert any(
        f"l.toml:{line_of(text, 'tolerance = 0.1')}:" in p and "belongs to numeric checkpoints" in p for p in found
    ), found


def test_a_key_far_from_any_known_one_lists_the_known_keys():
    found = problems(
        GOOD.replace('[[steps]]\nnode = "minus-sign"', 'colour = "red"\n\n[[steps]]\nnode = "minus-sign"', 1)
    )
    assert any("unknown key 'colour' (known: id, recap, steps, summary, title)" in p for p in found), found


def test_hints_that_are_not_a_list_of_strings_are_an_error():
    found = problems(GOOD.replace('hints = ["A nudge."]', "hints = 3"))
    assert any("'hints' must be a list of strings" in p for p in found), found


@pytest.mark.parametrize("answer", ["0.10536", '"0.10536"', '"{{ 0.10536 }}"'])
def test_a_numeric_answer_may_be_a_typed_number(answer):
    text = GOOD.replace('answer = "neglog(0.9)"', f"answer = {answer}")
    found: list = []
    lesson = parse_lesson(text, "l.toml", found)
    assert lesson is not None, [str(p) for p in found]
    assert all(p.warning for p in found)
    cp = lesson.steps[0].checkpoint
    right = -math.log(0.9)  # 0.105360...
    assert cp.check(f"{right:.4f}").correct
    assert not cp.check("0.2").correct


def test_a_placeholder_answer_is_read_as_its_computation():
    found: list = []
    lesson = parse_lesson(GOOD.replace('answer = "neglog(0.9)"', 'answer = "{{ neglog(0.9) }}"'), "l.toml", found)
    assert lesson is not None and found == []
    assert lesson.steps[0].checkpoint.check(f"{-math.log(0.9):.5f}").correct


def test_a_typed_answer_warns_and_names_the_computation_that_gives_it():
    text = GOOD.replace('answer = "neglog(0.9)"', f"answer = {-math.log(0.9):.5f}")
    found: list = []
    assert parse_lesson(text, "l.toml", found, deep=True) is not None
    warnings = [str(p) for p in found if p.warning]
    assert len(warnings) == 1 and f"l.toml:{line_of(text, 'answer = 0.1')}: warning:" in warnings[0]
    assert "neglog(0.9)" in warnings[0], warnings


def test_a_typed_answer_no_computation_gives_still_warns_without_a_suggestion():
    found: list = []
    text = GOOD.replace('answer = "neglog(0.9)"', "answer = 0.325").replace("What is -ln(0.9)?", "What is it?")
    assert parse_lesson(text, "l.toml", found, deep=True)
    assert [p.warning for p in found] == [True]
    assert "typed number" in found[0].message and "computes it" not in found[0].message


def test_a_tolerance_looser_than_the_decimals_asked_warns_at_its_line_and_is_tightened():
    """Three decimals asked with tolerance 0.001 would take 0.106 and 0.104 for -ln 0.9 = 0.105360…;
    the validator says so where the tolerance is written, and the grader uses half a unit (0.0005)."""
    text = GOOD.replace("What is -ln(0.9)?", "What is -ln(0.9)? (three decimals)")
    found: list = []
    lesson = parse_lesson(text, "l.toml", found)
    assert lesson is not None and [p.warning for p in found] == [True]
    assert f"l.toml:{line_of(text, 'tolerance = 0.001')}: warning:" in str(found[0])
    assert "write tolerance = 0.0005" in found[0].message
    cp = lesson.steps[0].checkpoint
    right = -math.log(0.9)
    assert abs(0.106 - right) < 0.001 and abs(0.106 - right) > 0.0005  # inside the old tolerance, wrong at 3 decimals
    assert not cp.check("0.106").correct and cp.check(f"{right:.3f}").correct
    assert problems(text.replace("tolerance = 0.001", "tolerance = 0.0005")) == []
    assert problems(text.replace("(three decimals)", "")) == []  # no decimals asked: the author's tolerance stands


def test_a_broken_answer_says_what_a_numeric_answer_may_be():
    found = problems(GOOD.replace('answer = "neglog(0.9)"', 'answer = "about 0.1"'))
    assert any("a number such as 0.325 or a computation" in p for p in found), found


def test_builtin_lessons_have_no_problems_when_read_strictly(kb):
    assert len(kb.lessons) >= 4
    assert not [p for p in kb.problems if p.path.endswith(".toml")]
