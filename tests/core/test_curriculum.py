"""The curriculum contract: every concept taught, lessons that resolve, a connected map, no typed results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.content.template import blank

CURRICULUM = Path(__file__).resolve().parents[3] / "shared" / "CURRICULUM.md"
IDS = [
    "log-on-unit-interval",
    "minus-sign",
    "sign-is-not-direction",
    "loss-near-one",
    "prediction-range",
    "bce-formula",
    "zero-loss-ideal",
    "loss-vs-cost",
    "gradient-sign-direction",
    "bce-derivative",
    "sigmoid",
    "logit-gradient",
    "negative-log-likelihood",
    "why-log",
    "why-not-mse",
    "confident-wrong-penalty",
    "numerical-stability",
    "log-base",
    "entropy-kl",
    "categorical-cross-entropy",
    "baseline-loss",
    "weighted-bce",
    "logits-log-odds",
    "soft-labels",
    "framework-losses",
    "convexity",
]


def test_the_id_list_matches_the_contract():
    if not CURRICULUM.exists():
        pytest.skip("../shared/CURRICULUM.md is not beside the checkout")
    table_ids = re.findall(r"^\| `([a-z-]+)` \|", CURRICULUM.read_text(encoding="utf-8"), re.M)
    assert sorted(table_ids) == sorted(IDS)


@pytest.mark.parametrize("concept", IDS)
def test_every_concept_has_a_node_with_follow_ups_and_ten_questions(kb, concept):
    nodes = kb.nodes_for(concept)
    assert nodes, f"no node declares {concept}"
    primary = max(nodes, key=lambda n: (n.concepts[0] == concept, len(n.questions)))
    assert len(primary.questions) >= 10
    assert primary.sections or primary.links, "a node needs follow-ups"


def test_every_node_has_ten_questions(kb):
    for node in kb.inside():
        assert len(node.questions) >= 10, node.id


def test_misconception_nodes_exist(kb):
    for node_id in ("sign-is-not-direction", "loss-near-one", "negative-loss", "loss-above-one"):
        assert node_id in kb.nodes


def test_the_map_is_connected_no_orphans_no_dead_ends(kb):
    inside = {n.id for n in kb.inside()}
    linked_to = {t for n in kb.inside() for targets in n.links.values() for t in targets}
    in_lessons = {s.node for lesson in kb.lessons.values() for s in lesson.steps}
    for node in kb.inside():
        out = {t for targets in node.links.values() for t in targets}
        assert out & inside, f"{node.id} is a dead end (links nowhere)"
        assert node.id in linked_to | in_lessons, f"{node.id} is an orphan (nothing leads to it)"


def test_every_lesson_step_resolves_and_lessons_have_checkpoints(kb):
    assert len(kb.lessons) >= 3
    for lesson in kb.lessons.values():
        assert 6 <= len(lesson.steps) <= 12
        for step in lesson.steps:
            assert step.node in kb.nodes
        kinds = {s.checkpoint.kind for s in lesson.steps if s.checkpoint}
        assert kinds


def test_all_four_checkpoint_kinds_are_used(kb):
    kinds = {s.checkpoint.kind for lesson in kb.lessons.values() for s in lesson.steps if s.checkpoint}
    assert kinds == {"numeric", "choice", "expression", "text"}


def test_no_result_is_typed_by_hand_in_a_body(kb):
    # A computed result shows several decimals; one typed by hand would drift from the mathematics.
    for node in kb.nodes.values():
        for text in (node.body, *node.sections.values()):
            outside = blank(text)
            typed = re.findall(r"(?<![\w.])\d+\.\d{4,}", outside)
            assert not typed, f"{node.id}: typed numbers {typed}"


@pytest.mark.parametrize(
    "node_id,needle",
    [
        ("minus-sign", "0.0100503"),
        ("loss-near-one", "0.0010005"),
        ("confident-wrong-penalty", "4.60517"),
        ("confident-wrong-penalty", "6.90776"),
        ("sigmoid", "0.25"),
    ],
)
def test_curriculum_numbers_appear_computed(kb, node_id, needle):
    node = kb.nodes[node_id]
    rendered = node.markdown() + "".join(node.markdown(s) for s in node.sections)
    assert needle in rendered


def test_every_plot_computation_and_derivation_names_concepts_the_content_declares(kb):
    # Each registry sits beside its code; what it says it teaches must be a concept content declares.
    from tutor.content.curriculum import DERIVATION_CONCEPTS, DERIVATIONS
    from tutor.maths import computations, plots

    assert set(computations.CONCEPTS) == set(computations.BUILTIN)  # no computation without its concepts
    named = {f"plot {n}": p.concepts for n, p in plots.NAMED.items()}
    comps = {f"computation {n}": c for n, c in computations.CONCEPTS.items()}
    derivs = {f"derivation {n}": DERIVATION_CONCEPTS[n] for n in DERIVATIONS}
    for where, concepts in {**named, **comps, **derivs}.items():
        assert concepts, where
        unknown = [c for c in concepts if c not in kb.concepts]
        assert not unknown, f"{where}: {unknown}"
