from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tutor.content.nodes import load
from tutor.dialogue.engine import Tutor

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every test process would compile every
# module it imports, and pytest would rewrite every test module, from source again: about 4 s of each
# xdist worker's start. The tests keep that bytecode apart, in pytest's cache folder, not beside the code.
if sys.dont_write_bytecode:
    sys.pycache_prefix = str(ROOT / ".pytest_cache" / "pycache")
    sys.dont_write_bytecode = False


#: Settings of the developer's own that a test must never see (the cache and config folders follow TUTOR_DATA_DIR).
FOREIGN_SETTINGS = ("TUTOR_CACHE_DIR", "TUTOR_CONFIG_DIR", "TUTOR_CONTENT")


@pytest.fixture(autouse=True)
def isolated_data(tmp_path_factory, monkeypatch):
    """Never read or write the learner's real data directory."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data))  # the cache and config folders follow it (store/locations.py)
    for name in FOREIGN_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture(scope="session")
def kb():
    return load()


@pytest.fixture(scope="session")
def tutor(kb):
    return Tutor(kb)


def env_without_home(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TUTOR_DATA_DIR"] = str(tmp)
    for name in FOREIGN_SETTINGS:
        env.pop(name, None)
    return env
