"""Property-based tests over every path that takes learner text, and over the content loader.

CI runs the "ci" profile (a few hundred examples per property). A long run is opt-in:

    HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py      # thousands of examples each
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.content.nodes import load
from tutor.dialogue import requests as rq
from tutor.dialogue.engine import INTERNAL_ERROR
from tutor.dialogue.reply import KINDS, Context
from tutor.errors import InputError

settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
#: The slower properties (every checkpoint; files on disk) run fewer examples.
#: Property-based fuzzing is the slow tier: `pytest -m "not slow"` skips it.
pytestmark = pytest.mark.slow

SLOW = settings(max_examples=60 if PROFILE == "ci" else 1000)

BOUND_S = 5.0  # every call returns well within this (typical: a few ms; generous for a loaded machine)

# Learner-like text: domain words, numbers, formula characters, unicode and control characters mixed.
WORDS = st.sampled_from(
    [
        "why",
        "the",
        "minus",
        "sign",
        "loss",
        "y",
        "=",
        "ŷ",
        "y_hat",
        "0.3",
        "1",
        "-log(",
        ")",
        "plot",
        "derive",
        "sigmoid",
        "what about",
        "lesson",
        "next",
        "hint",
        "[",
        "]",
        ",",
        "\\hat{y}",
        "?",
        "9**9**9",
        "__import__('os')",
        "\x1b[2J",
        "\x00",
        "1e308",
        "-0",
        "nan",
        "inf",
        "σ",
    ]
)
LEARNER_TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=25).map(" ".join))


def _valid(reply) -> None:
    assert reply.kind in KINDS
    assert reply.title != INTERNAL_ERROR, reply.markdown  # the safety net caught a bug
    assert reply.markdown
    data = json.loads(json.dumps(reply.to_json(), allow_nan=False))
    assert 0.0 <= data["confidence"] <= 1.0


@given(LEARNER_TEXT)
def test_any_text_gets_a_valid_answer_object(tutor, text):
    t = time.perf_counter()
    reply, ctx = tutor.reply(text)
    assert time.perf_counter() - t < BOUND_S
    _valid(reply)
    assert isinstance(ctx, Context)


@given(st.lists(LEARNER_TEXT, min_size=1, max_size=6))
def test_conversations_never_break(tutor, turns):
    ctx = Context()
    for text in turns:
        reply, ctx = tutor.reply(text, ctx)
        _valid(reply)


@given(LEARNER_TEXT)
def test_request_recognisers_raise_only_input_errors(text):
    for fn in (rq.compute_request, rq.plot_request, rq.derive_request, rq.follow_up, rq.assignments):
        try:
            fn(text)
        except InputError as err:
            assert err.message


@given(LEARNER_TEXT)
def test_plot_and_derive_requests_with_junk(tutor, text):
    for prefix in ("plot ", "derive ", "what about y = 0 and ", "loss if y = 1 and y_hat = "):
        _valid(tutor.reply(prefix + text)[0])


@SLOW
@given(st.text(max_size=120))
def test_lesson_answers_of_every_kind(kb, text):
    for lesson in kb.lessons.values():
        for step in lesson.steps:
            if step.checkpoint is not None:
                t = time.perf_counter()
                fb = step.checkpoint.check(text)
                assert time.perf_counter() - t < BOUND_S
                assert fb is None or fb.message


FRONT_KEYS = st.sampled_from(
    ["id", "title", "concepts", "questions", "links", "plot", "derive", "scope", "keywords", "x"]
)
TOML_VALUES = st.one_of(
    st.text(max_size=20).map(json.dumps),
    st.integers().map(str),
    st.lists(st.text(max_size=10), max_size=3).map(json.dumps),
    st.just("[1, 2]"),
    st.just("{ a = 1 }"),
)


@SLOW
@given(st.lists(st.tuples(FRONT_KEYS, TOML_VALUES), max_size=8), st.text(max_size=200), st.binary(max_size=200))
def test_loader_survives_random_content(tmp_path_factory, pairs, body, blob):
    folder = tmp_path_factory.mktemp("fuzz")
    front = "\n".join(f"{k} = {v}" for k, v in pairs)
    (folder / "a.md").write_text(f"+++\n{front}\n+++\n{body}", encoding="utf-8", errors="replace")
    (folder / "b.md").write_bytes(blob)
    (folder / "c.toml").write_bytes(blob)
    kb = load([folder])
    assert "minus-sign" in kb.nodes  # the built-in content is untouched by a broken folder
    for problem in kb.problems:
        assert problem.line >= 1 and problem.message
