"""Fixtures shared by every layer of tests that needs AWS: the embedded emulator."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest

from app.local.emulator import EmbeddedAwsEmulator


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """moto's server on a free loopback port, for the whole session; tests isolate by prefix."""
    emulator = EmbeddedAwsEmulator()
    yield emulator.start()
    emulator.stop()


@pytest.fixture(scope="module", autouse=True)
def frozen_heaps() -> Iterator[list[None]]:
    """The Lambda handlers freeze the heap after their first invocation (app/heap.py): in the
    test run that would keep whatever the earlier tests left from ever being collected, so the
    freezes are only counted here."""
    freezes: list[None] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gc, "freeze", lambda: freezes.append(None))
        yield freezes


@pytest.fixture(scope="module", autouse=True)
def root_logging_restored() -> Iterator[None]:
    """Importing a Lambda handler module sets the root logger up as Lambda's (Powertools' JSON
    handler in place of the others): each test module leaves it as it found it."""
    root = logging.getLogger()
    handlers = [(handler, list(handler.filters)) for handler in root.handlers]
    level = root.level
    yield
    root.handlers = [handler for handler, _ in handlers]
    for handler, filters in handlers:
        handler.filters = filters
    root.setLevel(level)
