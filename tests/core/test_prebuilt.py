"""The indexes shipped for the built-in content, and the folders the tutor writes to."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tutor.content.nodes import load
from tutor.dialogue.core import Core
from tutor.matching import classifier, prebuilt, train
from tutor.store import locations


def _written(folder):
    """What was written under ``folder``, leaving out the embedding model's saved copy (``model-*``, made
    on a process's first model load, whichever test that falls in): it is no index."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.rglob("*") if not p.relative_to(folder).parts[0].startswith("model-"))


def test_the_built_in_content_needs_no_index_building(isolated_data):
    """Fails when content, normalisation or training data changed and the shipped indexes were
    not rebuilt: run ``python -m tutor.matching.prebuild`` (with ``--train TSV`` after retraining)."""
    core = Core(load())
    assert core.topics._prepare(), core.topics.notice
    assert _written(locations.cache_dir()) == [], "shipped indexes are stale: run python -m tutor.matching.prebuild"
    decision = core.topics.decide("why is there a minus sign in front of the log?")
    assert decision.matches[0].node == "minus-sign"


def test_extra_content_embeds_only_its_own_texts(isolated_data, tmp_path, monkeypatch):
    kb = load()
    extra = next(iter(kb.nodes.values()))
    new = dataclasses.replace(
        extra,
        id="extra-node",
        title="An extra node about focal loss",
        keywords=["focal loss"],
        questions=["what is the gamma in focal loss?", "why focal loss"],
    )
    nodes = [*kb.nodes.values(), new]
    core = Core(dataclasses.replace(kb, nodes={n.id: n for n in nodes}))
    from tutor.matching import semantic

    embedder = semantic._Model.get()
    assert embedder is not None
    seen: list[str] = []
    real = type(embedder).embed

    def counting(self, texts, dtype=np.float32):
        seen.extend(texts)
        return real(self, texts, dtype=dtype)

    monkeypatch.setattr(type(embedder), "embed", counting)
    assert core.topics._prepare()
    texts, _ = train.node_texts(nodes)
    built_in = set(train.node_texts(list(kb.nodes.values()))[0])
    assert seen and set(seen) == set(texts) - built_in  # the new node's texts, nothing shipped
    assert any(p.name.startswith("semantic-") for p in locations.cache_dir().iterdir())


def test_a_damaged_shipped_text_table_means_embedding_everything_not_a_crash(tmp_path, monkeypatch):
    bad = tmp_path / "texts.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setattr(prebuilt, "TEXTS", bad)
    assert prebuilt.known_embeddings(384) == {}


def test_the_sparse_classifier_trains_the_dense_model():
    """Same gradient steps as the dense bag-of-words matrix, written out here with NumPy."""
    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(60)]
    phrasings = [list(rng.choice(vocab, size=rng.integers(1, 7))) for _ in range(90)]
    owners = rng.integers(0, 5, size=90)
    model = classifier.PhraseClassifier(phrasings, owners, 5)
    index = {w: j for j, w in enumerate(sorted(set(w for p in phrasings for w in p)))}
    X = np.zeros((90, len(index)), dtype=np.float32)
    for i, p in enumerate(phrasings):
        for w in p:
            X[i, index[w]] = 1.0
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Y = np.eye(5, dtype=np.float32)[owners]
    W = np.zeros((len(index), 5), dtype=np.float32)
    b = np.zeros(5, dtype=np.float32)
    for _ in range(classifier.ITERATIONS):
        Z = X @ W + b
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        G = (E / E.sum(axis=1, keepdims=True) - Y) / 90
        W -= classifier.LEARNING_RATE * (X.T @ G + classifier.L2 * W)
        b -= classifier.LEARNING_RATE * G.sum(axis=0)
    assert np.allclose(model.W, W, atol=1e-4) and np.allclose(model.b, b, atol=1e-4)


# ------------------------------------------------------------------ folders


@pytest.fixture
def bare_env(monkeypatch):
    for name in ("TUTOR_DATA_DIR", "TUTOR_CACHE_DIR", "TUTOR_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_each_folder_has_its_override_and_data_dir_keeps_a_portable_install_together(bare_env, tmp_path):
    bare_env.setenv("TUTOR_DATA_DIR", str(tmp_path / "d"))
    assert locations.cache_dir() == tmp_path / "d" / "cache"
    assert locations.config_dir() == tmp_path / "d"
    bare_env.setenv("TUTOR_CACHE_DIR", str(tmp_path / "c"))
    bare_env.setenv("TUTOR_CONFIG_DIR", str(tmp_path / "k"))
    assert locations.cache_dir() == tmp_path / "c"
    assert locations.config_path() == tmp_path / "k" / "config.toml"
    assert locations.keymap_path() == tmp_path / "k" / "keymap.toml"


def test_without_overrides_the_platform_folders_are_used(bare_env, tmp_path):
    import platformdirs

    bare_env.setattr(locations, "_old_cache_checked", True)
    assert locations.cache_dir() == locations.Path(platformdirs.user_cache_dir("tutor", appauthor=False))
    assert locations.config_dir() == locations.Path(platformdirs.user_config_dir("tutor", appauthor=False))
    assert locations.data_dir() == locations.Path(platformdirs.user_data_dir("tutor", appauthor=False))


def test_an_old_keymap_in_the_data_folder_moves_to_the_config_folder_once(bare_env, tmp_path):
    bare_env.setenv("TUTOR_DATA_DIR", str(tmp_path / "d"))
    bare_env.setenv("TUTOR_CONFIG_DIR", str(tmp_path / "k"))
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "keymap.toml").write_text('quit = "ctrl+q"\n', encoding="utf-8")
    path = locations.keymap_path()
    assert path == tmp_path / "k" / "keymap.toml"
    assert path.read_text(encoding="utf-8") == 'quit = "ctrl+q"\n'
    assert not (tmp_path / "d" / "keymap.toml").exists()
    (tmp_path / "d" / "keymap.toml").write_text("stale = 1\n", encoding="utf-8")
    assert locations.keymap_path().read_text(encoding="utf-8") == 'quit = "ctrl+q"\n'  # never moved over a newer one


def test_an_old_cache_in_the_data_folder_is_removed_once(bare_env, tmp_path):
    bare_env.setenv("TUTOR_DATA_DIR", str(tmp_path / "d"))
    old = tmp_path / "d" / "cache"
    old.mkdir(parents=True)
    (old / "index-x").mkdir()
    bare_env.delenv("TUTOR_DATA_DIR")
    bare_env.setattr(locations, "data_dir", lambda: tmp_path / "d")
    bare_env.setattr(locations, "_platform", lambda kind: tmp_path / kind)
    bare_env.setattr(locations, "_old_cache_checked", False)
    assert locations.cache_dir() == tmp_path / "cache"
    assert not old.exists()


def test_damaged_semantic_cache_entries_are_rebuilt_not_a_traceback(isolated_data, monkeypatch):
    monkeypatch.setattr(prebuilt, "use_shipped", False)
    kb = load()
    nodes = list(kb.nodes.values())[:6]
    first = Core(dataclasses.replace(kb, nodes={n.id: n for n in nodes}))
    assert first.topics._prepare()
    expected = first.topics.decide(nodes[0].questions[0]).matches[0].node
    entries = [p for p in locations.cache_dir().iterdir() if p.name.startswith(("semantic-", "embeddings-"))]
    assert len(entries) == 2
    for p in entries:
        p.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # starts like a zip, is not one
    again = Core(dataclasses.replace(kb, nodes={n.id: n for n in nodes}))
    assert again.topics._prepare(), again.topics.notice
    assert again.topics.decide(nodes[0].questions[0]).matches[0].node == expected
    assert all(p.read_bytes()[:4] == b"PK\x03\x04" and p.stat().st_size > 1000 for p in entries)  # rewritten whole
