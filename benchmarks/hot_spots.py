"""Reading a contender's cProfile: the top functions by cumulative time, and our own code's share
of the time the process was busy.

cProfile's clock is wall time, and a warm call spends much of it in the event loop's poll,
waiting for AWS (here the emulator), which costs a Lambda no CPU; shares are of the busy time,
the event loop's thread outside that wait, so they add up as CPU does.

Bundled modules name their sources by where Lambda loads them from (/var/task/<package>/...,
infra/bundle.py), or by the bundle's directory when it was built without bytecode; a function
is ours when the first folder under either root is one of ours.
"""

from __future__ import annotations

import io
import pstats
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.bundle import LAMBDA_TASK_ROOT

OUR_PACKAGES = frozenset({"app", "domain", "storage", "schema", "resolvers", "workers"})
# Where an asyncio loop waits for its sockets, as cProfile names the built-ins.
_LOOP_WAITS = frozenset(
    {
        "<method 'poll' of 'select.epoll' objects>",
        "<method 'poll' of 'select.poll' objects>",
        "<method 'control' of 'select.kqueue' objects>",
        "<built-in method select.select>",
    }
)


@dataclass(frozen=True, slots=True)
class HotSpot:
    """One function of ours: its time with what it calls, and its own, as shares of the busy
    time."""

    function: str
    cumulative_share: float
    own_share: float


@dataclass(frozen=True, slots=True)
class ProfileTimes:
    total_s: float
    waiting_s: float

    @property
    def busy_s(self) -> float:
        return self.total_s - self.waiting_s


def our_module(filename: str, roots: Sequence[str]) -> str | None:
    """`workers/receipts.py` for a file of ours under one of the roots, else None."""
    for root in (LAMBDA_TASK_ROOT, *roots):
        prefix = root.rstrip("/") + "/"
        if filename.startswith(prefix):
            relative = filename[len(prefix) :]
            return relative if relative.split("/", 1)[0] in OUR_PACKAGES else None
    return None


def profile_times(stats: pstats.Stats) -> ProfileTimes:
    entries = stats.stats.items()  # type: ignore[attr-defined]
    waiting = sum(entry[2] for (_, _, name), entry in entries if name in _LOOP_WAITS)
    return ProfileTimes(stats.total_tt, waiting)  # type: ignore[attr-defined]


def hot_spots(profile: Path, roots: Sequence[str], *, by_own: bool = False) -> list[HotSpot]:
    """Our functions, most expensive first (with what they call, or by their own time)."""
    stats = pstats.Stats(str(profile))
    busy = profile_times(stats).busy_s
    spots = []
    for (filename, line, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        module = our_module(filename, roots)
        if module is not None:
            own, cumulative = entry[2], entry[3]
            spots.append(HotSpot(f"{module}:{line} {name}", cumulative / busy, own / busy))
    return sorted(
        spots,
        key=lambda spot: spot.own_share if by_own else spot.cumulative_share,
        reverse=True,
    )


def summary(profile: Path, title: str, roots: Sequence[str], *, top: int = 30) -> str:
    """The text written beside a profile: pstats' top by cumulative time, then ours."""
    listing = io.StringIO()
    stats = pstats.Stats(str(profile), stream=listing)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    text = listing.getvalue()
    for root in roots:  # the bundle's own paths, as Lambda would name them
        text = text.replace(root.rstrip("/") + "/", f"{LAMBDA_TASK_ROOT}/")
    times = profile_times(stats)
    out = io.StringIO()
    out.write(
        f"{title}: {times.total_s * 1000:.1f} ms under cProfile (its overhead included), "
        f"{times.waiting_s * 1000:.1f} ms of it waiting for AWS in the event loop's poll, "
        f"{times.busy_s * 1000:.1f} ms busy (threads' work included)\n{text}"
    )
    headings = {
        False: "with what they call (a handler passes 100%: it holds the waits too)",
        True: "their own time",
    }
    for by_own, heading in headings.items():
        out.write(f"\nour code, {heading}; shares of the busy time\n")
        for spot in hot_spots(profile, roots, by_own=by_own)[:20]:
            share = spot.own_share if by_own else spot.cumulative_share
            out.write(f"{share:7.1%}  {spot.function}\n")
    return out.getvalue()
