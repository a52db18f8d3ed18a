"""Fixtures shared by every layer of tests that needs AWS: the embedded emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.local.emulator import EmbeddedAwsEmulator


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """moto's server on a free loopback port, for the whole session; tests isolate by prefix."""
    emulator = EmbeddedAwsEmulator()
    yield emulator.start()
    emulator.stop()
