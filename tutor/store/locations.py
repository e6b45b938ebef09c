"""Where the tutor keeps things on disk: one place that names every folder.

Three folders, each the platform's own unless overridden (nothing is created at import):

- data: progress, exports, the error log. ``$TUTOR_DATA_DIR``, else the user data folder.
- cache: the matching indexes (safe to delete). ``$TUTOR_CACHE_DIR``; else, when
  ``$TUTOR_DATA_DIR`` is set, ``<data>/cache`` (so one variable keeps a portable
  install or a test in one place); else the user cache folder.
- config: ``config.toml`` and ``keymap.toml``. ``$TUTOR_CONFIG_DIR``; else, when
  ``$TUTOR_DATA_DIR`` is set, that folder; else the user config folder.

Earlier versions kept the cache and ``keymap.toml`` in the data folder;
:func:`keymap_path` moves an old keymap once, and :func:`cache_dir` removes an old
cache folder once (it only ever saved time).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

APP_NAME = "tutor"


def _platform(kind: str) -> Path:
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Progress, exports and the error log: ``$TUTOR_DATA_DIR``, else the platform's user data folder."""
    override = os.environ.get("TUTOR_DATA_DIR")
    return Path(override) if override else _platform("data")


def cache_dir() -> Path:
    """Index caches (safe to delete): ``$TUTOR_CACHE_DIR``, ``$TUTOR_DATA_DIR/cache``, or the user cache folder."""
    override = os.environ.get("TUTOR_CACHE_DIR")
    if override:
        return Path(override)
    if os.environ.get("TUTOR_DATA_DIR"):
        return data_dir() / "cache"
    folder = _platform("cache")
    global _old_cache_checked
    if not _old_cache_checked:
        _old_cache_checked = True
        old = data_dir() / "cache"
        if old != folder and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return folder


_old_cache_checked = False


def config_dir() -> Path:
    """``config.toml`` and ``keymap.toml``: ``$TUTOR_CONFIG_DIR``, ``$TUTOR_DATA_DIR``, or the user config folder."""
    override = os.environ.get("TUTOR_CONFIG_DIR") or os.environ.get("TUTOR_DATA_DIR")
    return Path(override) if override else _platform("config")


def config_path() -> Path:
    return config_dir() / "config.toml"


def keymap_path() -> Path:
    """The learner's key bindings; one kept in the data folder by an earlier version is moved here once."""
    path = config_dir() / "keymap.toml"
    old = data_dir() / "keymap.toml"
    if old != path and not path.exists() and old.is_file() and not old.is_symlink():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(old), str(path))
        except OSError:
            return old
    return path
