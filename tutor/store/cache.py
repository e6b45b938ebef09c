"""A small on-disk cache for large content folders (parsed front matter, the matching index).

Entries are plain JSON and NumPy arrays (never pickle), keyed by a hash of
what they were built from, under ``<data dir>/cache``. A cache that cannot be
read or written is ignored: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tutor.store.locations import cache_dir

#: Content smaller than this is parsed and indexed afresh every time (it is quick).
MIN_ITEMS = 500




def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def read_json(name: str) -> Any:
    try:
        return json.loads((cache_dir() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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


def prune(pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently written entries matching ``pattern``."""
    try:
        entries = sorted(cache_dir().glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
