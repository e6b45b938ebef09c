from __future__ import annotations

import math

from tutor.content import template


def test_placeholders_are_filled_from_the_numeric_core():
    out = template.render("a {{ bce(1, 0.99) }} b {{ ln(0.5) | 3 }} c {{ gd_step(0.5, 0, 2, 1, 0.1).w_new }}")
    assert f"{-math.log(0.99):.6g}" in out
    assert f"{math.log(0.5):.3g}" in out
    assert "{{" not in out


def test_steps_and_tables_render_as_markdown():
    out = template.render("{{ log_table([0.99, 0.5]) }}\n{{ bce(1, 0.3).steps }}")
    assert "| x | ln x | -ln x |" in out
    assert "1. L = -[y·ln ŷ" in out


def test_check_reports_every_bad_placeholder_with_its_offset():
    body = "x {{ nope(1) }} y {{ bce(2, 0.5) }} z {{ __import__('os') }} {{ bce(1, 0.5).zzz }}"
    problems = template.check(body)
    assert len(problems) == 4
    assert problems[0].offset == body.index("{{ nope")
    assert "unknown computation 'nope'" in problems[0].message
    assert "not a valid label" in problems[1].message


def test_render_never_raises_on_broken_placeholders():
    out = template.render("{{ bce(1) }} {{ 9**9**9 }} {{")
    assert "computation unavailable" in out
