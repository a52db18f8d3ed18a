"""What lives as long as the process is frozen out of the collector's passes, once."""

from __future__ import annotations

import gc

import pytest

from app.heap import FreezeAfterFirstCall


def test_the_heap_is_frozen_after_the_first_call_only(monkeypatch: pytest.MonkeyPatch) -> None:
    freezes: list[None] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(None))
    settle = FreezeAfterFirstCall()

    assert not freezes
    settle()
    settle()
    settle()

    assert len(freezes) == 1
    settle.rearm()  # after a SnapStart restore
    settle()
    settle()
    assert len(freezes) == 2
