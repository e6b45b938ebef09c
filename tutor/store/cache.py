"""A small on-disk cache for large content folders (parsed front matter, the matching index).

Entries are plain JSON and NumPy arrays (never pickle), keyed by a hash of
what they were built from, under the cache folder (:func:`tutor.store.locations.cache_dir`); entries built for the
built-in content ship read-only with the package (:mod:`tutor.matching.prebuilt`). A cache that cannot be
read or written is ignored: it only ever saves time.

Nothing in the cache is trusted: files are read only when they are regular files
within a size cap (:func:`read_capped`), JSON too deeply nested is refused, arrays
are checked against a digest recorded when they were written (:func:`file_digest`)
and their ``.npz`` members' declared sizes are checked before NumPy inflates them
(:func:`load_arrays`), so a truncated, tampered or zip-bomb entry is rebuilt, never
used and never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from tutor.store.locations import cache_dir

#: A cached JSON file larger than this is not read.
MAX_JSON_BYTES = 256 * 1024 * 1024

#: What reading a damaged ``.npz``/``.npy`` can raise (a cache entry that raises it is rebuilt).
BAD_ARRAYS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)

#: Content smaller than this is parsed and indexed afresh every time (it is quick).
MIN_ITEMS = 500


def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes, or None (missing, a FIFO, too big, unreadable)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read(limit + 1)
        finally:
            os.close(fd)
    except OSError:
        return None
    return data if len(data) <= limit else None


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_json(name: str, folder: Path | None = None) -> Any:
    """A cached JSON entry (from ``folder``, by default the cache folder), or None."""
    data = read_capped((folder or cache_dir()) / name, MAX_JSON_BYTES)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError, MemoryError):
        return None


def load_arrays(path: Path, digest: str, members: dict[str, int]) -> dict[str, Any]:
    """The arrays of an ``.npz`` (or one ``.npy``, member ``""``) whose bytes have ``digest``.

    ``members`` names every array it must hold with its largest allowed size in
    elements; the zip directory's uncompressed sizes are checked against it before
    anything is inflated. ``ValueError`` when anything is off.
    """
    import numpy as np

    budget = sum(8 * n + 4096 for n in members.values())
    data = read_capped(path, budget)
    if data is None or file_digest(data) != digest:
        raise ValueError(f"{path.name}: missing, too large or changed since it was written")
    if list(members) == [""]:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
        return {"": arr}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        names = {i.filename for i in infos}
        if names != {f"{m}.npy" for m in members}:
            raise ValueError(f"{path.name}: holds {sorted(names)[:5]}")
        for info in infos:
            if info.file_size > 8 * members[info.filename[:-4]] + 4096:
                raise ValueError(f"{path.name}: {info.filename} declares {info.file_size} bytes")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {m: npz[m] for m in members}


def write_json(name: str, data: Any) -> None:
    """Write atomically (temp file, then rename), so a crash never leaves half a file."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, folder / name)
    except OSError:
        pass


def remove(path: Path) -> None:
    """Delete a cache entry: a folder with what is in it, or a file or link itself (never what it points to)."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


def prune(pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently written entries matching ``pattern``."""
    try:
        entries = sorted(cache_dir().glob(pattern), key=lambda p: p.lstat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[keep:]:
        remove(old)
