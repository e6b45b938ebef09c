"""The matcher itself: its saved index (reused while nothing it depends on changes) and its confidence."""

from __future__ import annotations

import re

import pytest

from tutor.matching import language, prebuilt
from tutor.matching.matcher import Matcher
from tutor.store import cache

QUESTIONS = ["why the minus sign?", "derivative of the sigmoid", "I get a negative loss", "log base 2 or ln"]


@pytest.fixture(autouse=True)
def own_cache_only(monkeypatch):
    """These tests are about the learner's cache: the indexes shipped for the built-in content are not read."""
    monkeypatch.setattr(prebuilt, "use_shipped", False)


def _indexes() -> list[str]:
    return sorted(p.name for p in cache.cache_dir().glob("index-*"))


def test_a_second_matcher_reuses_the_saved_index_and_ranks_the_same(kb):
    nodes = list(kb.nodes.values())
    first = Matcher(nodes)
    saved = _indexes()
    assert len(saved) == 1
    second = Matcher(nodes)
    assert _indexes() == saved
    for q in QUESTIONS:
        assert first.rank(q) == second.rank(q)


def test_changed_normalisation_rules_rebuild_the_index(kb, monkeypatch):
    nodes = list(kb.nodes.values())
    Matcher(nodes)
    monkeypatch.setattr(language, "_REWRITES", [*language._REWRITES, (re.compile(r"\bsigmoid\b"), " squashcurve ")])
    language.stem.cache_clear()
    rebuilt = Matcher(nodes)
    assert len(_indexes()) == 2
    assert "squashcurv" in rebuilt.vocab  # built under the new rule, not loaded from the old index


def test_confidence_does_not_depend_on_how_many_matches_are_asked_for(tutor):
    for q in [*QUESTIONS, "log", "loss"]:
        one = tutor.matcher.rank(q, k=1)
        six = tutor.matcher.rank(q, k=6)
        assert len(one) == 1 and one[0] == six[0]
