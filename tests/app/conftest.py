"""App tests share one built core (content, matchers, model) and give each app its own progress store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tutor.dialogue.engine import Tutor
from tutor.store.progress import open_store
from tutor.ui.app import TutorApp, make_app


@pytest.fixture(scope="session")
def warm_tutor(tutor: Tutor) -> Tutor:
    tutor.topics.warm()
    return tutor


@pytest.fixture
def new_app(warm_tutor: Tutor, tmp_path: Path) -> Callable[..., TutorApp]:
    """``new_app(**make_app_kwargs)``: an app over the shared core, with a progress store in this test's folder
    (or ``store_path``, to reopen it as a restarted app would). Apps with their own ``content`` build their own core."""

    def make(store_path: Path | None = None, **kwargs) -> TutorApp:
        store = open_store(store_path or tmp_path / "p.db")
        if kwargs.get("content") or kwargs.get("builtin") is False:
            return make_app(store=store, **kwargs)
        return make_app(engine=warm_tutor.with_store(store), **kwargs)

    return make
