"""Where the tutor keeps things on disk: one place that names every folder.

``$TUTOR_DATA_DIR`` puts everything under one folder (tests, portable installs);
otherwise the platform's user data folder. Nothing is created at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tutor"


def data_dir() -> Path:
    """Progress, settings and the error log: ``$TUTOR_DATA_DIR``, else the platform's user data folder."""
    override = os.environ.get("TUTOR_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Index and front-matter caches (safe to delete)."""
    return data_dir() / "cache"


def keymap_path() -> Path:
    return data_dir() / "keymap.toml"
