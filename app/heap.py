"""Keeping the garbage collector's full passes off what lives as long as the process."""

from __future__ import annotations

import gc


class FreezeAfterFirstCall:
    """Moves everything alive after the first invocation out of the collector's sight.

    By then the process holds most of what it keeps for its whole life: the imported modules,
    the schema, the clients that invocation opened with their service models (a client opened
    later stays in sight). A full collection walks every object it tracks, and with those
    tracked one took about 50 ms, landing on whichever request tripped it (`make bench` showed
    it as a read 1.5 ms dearer per call in one measure of 40, not in the next); frozen, a full
    collection walks only what requests leave behind. What the first invocation left in cycles
    is frozen with it, kept for good: a collection first would cost that invocation tens of
    milliseconds (the API's SnapStart warm-up collects before it freezes, at no request's cost).
    """

    def __init__(self) -> None:
        self._frozen = False

    def __call__(self) -> None:
        if not self._frozen:
            self._frozen = True
            gc.freeze()

    def rearm(self) -> None:
        """Freeze again after the next invocation: after a SnapStart restore, whose renewed
        clients are new objects."""
        self._frozen = False
