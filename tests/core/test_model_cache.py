"""The saved copy of the embedding model in the cache folder, attacked: links, files in the wrong place,
oversized manifests and weights, folders left by killed or concurrent processes. Each case ends with a
right answer and, afterwards, one good copy that the next load opens."""

from __future__ import annotations

import json
import os
import shutil
import time
import tracemalloc

import numpy as np
import pytest

from tutor.matching import embedding

TEXT = ["why the minus sign?"]


@pytest.fixture(scope="module")
def want():
    return embedding.Embedder(embedding.model_path()).embed(TEXT)  # the shipped model, nothing saved


def _folder():
    import onnxruntime

    return embedding._saved.folder(onnxruntime)


def _remade_then_used(want):
    """The next load does not use what is there but makes a good copy, which the load after opens."""
    e = embedding.Embedder()
    assert e.source == "shipped model (copy saved)"
    assert np.array_equal(e.embed(TEXT), want)
    folder = _folder()
    assert folder.is_dir() and not folder.is_symlink()
    again = embedding.Embedder()
    assert again.source == "saved copy" and np.array_equal(again.embed(TEXT), want)


@pytest.mark.parametrize("part", ["model.onnx", "model.data", "the whole copy"])
def test_a_link_to_a_good_copy_outside_the_cache_folder_is_never_followed(part, tmp_path, want):
    embedding.Embedder()
    folder = _folder()
    outside = tmp_path / "outside"
    shutil.copytree(folder, outside)  # byte for byte the good copy, manifest included
    if part == "the whole copy":
        shutil.rmtree(folder)
        folder.symlink_to(outside, target_is_directory=True)
    else:
        (folder / part).unlink()
        (folder / part).symlink_to(outside / part)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    _remade_then_used(want)
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before  # untouched, and not deleted


@pytest.mark.parametrize(
    "damage", ["a file in the copy's place", "a link to itself in its place", "no manifest", "a dangling manifest"]
)
def test_a_copy_that_cannot_be_checked_is_replaced_not_remade_on_every_load(damage, want):
    embedding.Embedder()
    folder = _folder()
    if damage == "a file in the copy's place":
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    elif damage == "a link to itself in its place":
        shutil.rmtree(folder)
        folder.symlink_to(folder.name)
    elif damage == "no manifest":
        (folder / "manifest.json").unlink()
    else:
        (folder / "manifest.json").unlink()
        (folder / "manifest.json").symlink_to(folder.parent / "nowhere.json")
    _remade_then_used(want)


def test_a_huge_manifest_is_not_read(want):
    embedding.Embedder()
    folder = _folder()
    with (folder / "manifest.json").open("w") as f:  # 20 MB: parsed, a list of ten million numbers
        f.write("[" + "0," * 10_000_000 + "0]")
    tracemalloc.start()
    try:
        e = embedding.Embedder()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert e.source == "shipped model (copy saved)"
    assert peak < 20_000_000, peak  # less than the file itself: it was never read whole
    assert embedding.Embedder().source == "saved copy"


def test_weights_larger_than_the_limit_are_not_read_even_with_a_matching_manifest(want):
    embedding.Embedder()
    folder = _folder()
    size = embedding._SavedCopy.DATA_LIMIT + 8
    with (folder / "model.data").open("r+b") as f:
        f.truncate(size)  # sparse: no disk used, but summing it would map and read 256 MB of zeros
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(data_size=size, data_sum=0)  # the sum a reader of all those zeros would find
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert embedding._saved.words_sum(folder / "model.data") is None
    _remade_then_used(want)


def test_words_sum_is_the_wrapping_sum_of_little_endian_words(tmp_path):
    rng = np.random.default_rng(5)
    for n in (0, 7, 8, 4099, (16 << 20) + 13):  # the last one crosses a 16 MB window
        raw = rng.integers(0, 256, size=n, dtype=np.uint8).tobytes()
        path = tmp_path / f"w{n}"
        path.write_bytes(raw)
        padded = raw + b"\0" * (-n % 8)
        expected = sum(int.from_bytes(padded[i : i + 8], "little") for i in range(0, len(padded), 8)) % 2**64
        assert embedding._saved.words_sum(path) == expected
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "w8")
    assert embedding._saved.words_sum(link) is None
    os.mkfifo(tmp_path / "fifo")
    assert embedding._saved.words_sum(tmp_path / "fifo") is None  # and no hang


def test_folders_left_by_killed_processes_go_and_those_in_use_stay(want):
    folder = _folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    gone = os.fork()  # a process id that is certainly no longer running
    if gone == 0:
        os._exit(0)
    os.waitpid(gone, 0)
    killed = folder.parent / f"{folder.name}.{gone}.x1.tmp"  # its maker is gone
    old = folder.parent / f"{folder.name}.{os.getpid()}.x2.tmp"  # an hour old: its maker was killed long ago
    busy = [folder.parent / f"{folder.name}.{os.getpid()}.b{i}.tmp" for i in range(2)]  # being filled now
    others = [folder.parent / f"model-{i}" for i in range(3)]  # copies for other onnxruntime versions
    now = time.time()
    for p in [killed, old, *busy, *others]:
        p.mkdir()
        (p / "model.data").write_bytes(b"\0" * 1024)
    os.utime(old, (now - 3600, now - 3600))
    for p in busy:
        os.utime(p, (now + 60, now + 60))  # newer than the copy about to be made
    for i, p in enumerate(others):
        os.utime(p, (now - 100 + i, now - 100 + i))
    _remade_then_used(want)
    assert not killed.exists() and not old.exists()
    assert all(p.is_dir() for p in busy)
    assert [p.exists() for p in others] == [False, False, True]  # the newest other copy is kept


def test_a_copy_left_half_made_by_a_killed_process_is_cleared_by_the_next_load(want):
    """A process killed (SIGKILL) while making the copy leaves its .tmp folder; the next load still
    answers from a good copy, and the leftover goes even when that load finds a copy already made."""
    embedding.Embedder()
    folder = _folder()
    gone = os.fork()
    if gone == 0:
        os._exit(0)
    os.waitpid(gone, 0)
    left = folder.parent / f"{folder.name}.{gone}.zz.tmp"
    shutil.copytree(folder, left)
    (left / "manifest.json").unlink()
    assert embedding.Embedder().source == "saved copy"
    assert not left.exists()


def test_a_good_copy_put_in_place_while_a_damaged_one_was_being_checked_stays(monkeypatch, want):
    """Two processes find the same damaged copy; one replaces it while the other is still checking it:
    the second must not delete the first one's good copy (it did: the next load made it again)."""
    import onnxruntime

    embedding.Embedder()
    folder = _folder()
    good = folder.with_name("spare")
    shutil.copytree(folder, good)
    (folder / "manifest.json").write_text("{}")

    def replaced_meanwhile(self, checked, want=None):
        shutil.rmtree(checked)
        os.rename(good, checked)  # what the other process's os.replace does
        return None  # the damaged copy this process read did not match

    with monkeypatch.context() as m:
        m.setattr(embedding._SavedCopy, "_manifest", replaced_meanwhile)
        assert embedding._saved.open(onnxruntime) is None
    assert folder.is_dir()
    again = embedding.Embedder()
    assert again.source == "saved copy" and np.array_equal(again.embed(TEXT), want)


#: Small ONNX graphs with the model's three inputs, serialised (base64) by this onnx 1.x script, run once:
#:     from onnx import helper, TensorProto as T
#:     inputs = [helper.make_tensor_value_info(n, T.INT64, ["b", "s"]) for n in ("input_ids", "attention_mask", "token_type_ids")]
#:     nodes = [helper.make_node("Cast", ["input_ids"], ["f"], to=T.FLOAT), helper.make_node("Unsqueeze", ["f", "ax"], ["u"])]
#:     init = [helper.make_tensor("ax", T.INT64, [1], [2])]
#:     nan:    + Neg(u) -> n, Log(n) -> l, Expand(l, w=[1, 1, 384]) -> h     (log of a negative number, 384 wide)
#:     narrow: + Concat(u, u, axis=2) -> h                                    (hidden states two wide)
#:     huge:   only ConstantOfShape(shp=[2**20, 2**20, 384], value 1.0) -> h (a buffer of 2**50 floats at run time)
#:     graph "g", output h (float), opset 17, ir_version 8, producer_name "t"; model.SerializeToString()
CRAFTED = {
    "hidden states NaN": "CAgSAXQ69gEKHwoJaW5wdXRfaWRzEgFmIgRDYXN0KgkKAnRvGAGgAQIKFQoBZgoCYXgSAXUiCVVuc3F1ZWV6ZQoLCgF1EgFuIgNOZWcKCwoBbhIBbCIDTG9nChEKAWwKAXcSAWgiBkV4cGFuZBIBZyoLCAEQBzoBAkICYXgqDQgDEAc6BAEBgANCAXdaHQoJaW5wdXRfaWRzEhAKDggHEgoKAxIBYgoDEgFzWiIKDmF0dGVudGlvbl9tYXNrEhAKDggHEgoKAxIBYgoDEgFzWiIKDnRva2VuX3R5cGVfaWRzEhAKDggHEgoKAxIBYgoDEgFzYgkKAWgSBAoCCAFCBAoAEBE=",
    "hidden states two wide": "CAgSAXQ62gEKHwoJaW5wdXRfaWRzEgFmIgRDYXN0KgkKAnRvGAGgAQIKFQoBZgoCYXgSAXUiCVVuc3F1ZWV6ZQoeCgF1CgF1EgFoIgZDb25jYXQqCwoEYXhpcxgCoAECEgFnKgsIARAHOgECQgJheFodCglpbnB1dF9pZHMSEAoOCAcSCgoDEgFiCgMSAXNaIgoOYXR0ZW50aW9uX21hc2sSEAoOCAcSCgoDEgFiCgMSAXNaIgoOdG9rZW5fdHlwZV9pZHMSEAoOCAcSCgoDEgFiCgMSAXNiCQoBaBIECgIIAUIECgAQEQ==",
    "a run that cannot allocate": "CAgSAXQ6wAEKNAoDc2hwEgFoIg9Db25zdGFudE9mU2hhcGUqGQoFdmFsdWUqDQgBEAEiBAAAgD9CAXagAQQSAWcqEwgDEAc6CICAQICAQIADQgNzaHBaHQoJaW5wdXRfaWRzEhAKDggHEgoKAxIBYgoDEgFzWiIKDmF0dGVudGlvbl9tYXNrEhAKDggHEgoKAxIBYgoDEgFzWiIKDnRva2VuX3R5cGVfaWRzEhAKDggHEgoKAxIBYgoDEgFzYgkKAWgSBAoCCAFCBAoAEBE=",
}


@pytest.mark.parametrize("graph", list(CRAFTED))
def test_a_graph_whose_manifest_was_rewritten_to_match_it_is_still_not_used_when_it_fails(graph, want, capfd):
    """An attacker who recomputes the manifest passes the file checks; a graph that fails to run, gives
    NaN or hidden states of another width must not break every later question (it did: "Something went
    wrong" each time, or a NaN ranking)."""
    import base64

    embedding.Embedder()
    folder = _folder()
    (folder / "model.onnx").write_bytes(base64.b64decode(CRAFTED[graph]))
    manifest = embedding._saved._manifest(folder)
    assert manifest is not None
    (folder / "manifest.json").write_text(json.dumps(manifest))
    capfd.readouterr()
    _remade_then_used(want)
    assert "onnxruntime" not in capfd.readouterr().err  # its error log is not printed on the learner's terminal


# ------------------------------------------------------------------ the semantic index (int8 rows) in the cache


def _tampered(A, case):
    """The built-in index's arrays, changed as ``case`` says."""
    A = dict(A)
    if case == "weights 1-D":
        A["W"] = A["W"].ravel()
    elif case == "weights NaN":
        A["W"] = np.full_like(A["W"], np.nan)
    elif case == "scales infinite":
        A["scale"] = np.full_like(A["scale"], np.inf)
    elif case == "classes as floats":
        A["y"] = A["y"].astype(np.float64)
    elif case == "classes 2-D":
        A["y"] = A["y"][:, None]
    elif case == "classes negative":
        A["y"] = A["y"] - 5
    elif case == "no rows":
        A["X"], A["y"], A["scale"] = A["X"][:0], A["y"][:0], A["scale"][:0]
    elif case == "rows 0-D":
        A["X"] = np.int8(3)
    elif case == "weights 3-D":
        A["W"] = A["W"][:, :, None]
    return A


@pytest.fixture(scope="module")
def index_name(kb):
    from tutor.matching import semantic

    return f"semantic-{semantic.TopicMatcher(list(kb.nodes.values()))._index_key(semantic.load_training_rows())}.npz"


def _decide_in_time(kb, seconds=60):
    import threading

    from tutor.matching import semantic

    out = []
    worker = threading.Thread(
        target=lambda: out.append(semantic.TopicMatcher(list(kb.nodes.values())).decide(TEXT[0])), daemon=True
    )
    worker.start()
    worker.join(seconds)
    assert out, "no decision: the index was never read to its end"
    return out[0]


@pytest.mark.parametrize(
    "case",
    [
        "weights 1-D",
        "weights NaN",
        "scales infinite",
        "classes as floats",
        "classes 2-D",
        "classes negative",
        "no rows",
        "rows 0-D",
        "weights 3-D",
    ],
)
def test_a_tampered_index_in_the_cache_is_not_used(case, kb, index_name):
    from tutor.matching import prebuilt

    with np.load(prebuilt.PREBUILT / index_name, allow_pickle=False) as data:
        A = {k: data[k] for k in data.files}
    path = prebuilt.folders()[0] / index_name  # the learner's cache folder, read first
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **_tampered(A, case))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN in the products would warn on the learner's terminal
        d = _decide_in_time(kb)
    assert d.kind == "answer" and d.matches[0].node == "minus-sign"


def test_a_fifo_or_a_device_in_place_of_the_index_is_not_waited_on(kb, index_name):
    from tutor.store import cache

    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / index_name)  # opening it to read would wait for a writer for ever
    (folder / index_name.replace("semantic-", "embeddings-")).symlink_to("/dev/zero")
    d = _decide_in_time(kb)
    assert d.kind == "answer" and d.matches[0].node == "minus-sign"


def test_an_index_that_inflates_beyond_its_file_is_not_inflated(kb, index_name):
    import io
    import zipfile

    from tutor.matching import prebuilt
    from tutor.store import cache

    path = cache.cache_dir() / index_name
    path.parent.mkdir(parents=True, exist_ok=True)
    with np.load(prebuilt.PREBUILT / index_name, allow_pickle=False) as data:
        A = {k: data[k] for k in data.files}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:  # rows declared as 300 MB, a few KB on disk
        for k, v in A.items():
            if k != "X":
                b = io.BytesIO()
                np.save(b, v)
                z.writestr(k + ".npy", b.getvalue())
        with z.open("X.npy", "w", force_zip64=True) as f:
            b = io.BytesIO()
            np.lib.format.write_array_header_1_0(b, {"descr": "|i1", "fortran_order": False, "shape": (781_250, 384)})
            f.write(b.getvalue())
            for _ in range(300):
                f.write(b"\0" * 1_000_000)
    assert path.stat().st_size < 2_000_000
    from tutor.matching import semantic

    m = semantic.TopicMatcher(list(kb.nodes.values()))
    m.embedder = embedding.Shared.get()
    tracemalloc.start()
    try:
        loaded = m._load_index_from(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not loaded and peak < 50_000_000, peak


@pytest.mark.parametrize(
    "case",
    [
        "lengths as floats",
        "embeddings NaN",
        pytest.param("token ids as text", marks=pytest.mark.slow),  # each case fits an index: 3-5 s
        pytest.param("lengths 2-D", marks=pytest.mark.slow),
    ],
)
def test_tampered_node_embeddings_in_the_cache_are_embedded_again(case, kb):
    """Content with a node of its own (here: all but one built-in node) embeds its texts once and caches
    them; a damaged cache entry is embedded again, never a crash (it raised TypeError or ValueError)."""
    import warnings

    from tutor.matching import semantic, train
    from tutor.store import cache

    nodes = list(kb.nodes.values())[:-1]
    texts = train.node_texts(nodes)[0]
    m = semantic.TopicMatcher(nodes)
    path = cache.cache_dir() / m.embeddings_name(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(texts)
    X, tok, lengths = np.zeros((n, embedding.DIM), np.float16), np.arange(n), np.ones(n, np.int64)
    if case == "lengths as floats":
        lengths = lengths * 0.5
    elif case == "token ids as text":
        tok = tok.astype(str)
        tok[0] = "a"
    elif case == "embeddings NaN":
        X[:] = np.nan
    else:
        lengths = np.ones((n, 2), np.int64)
    np.savez(path, X=X, tok=tok, lengths=lengths)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = m.decide(TEXT[0])
    assert d.kind == "answer" and d.matches[0].node == "minus-sign"
