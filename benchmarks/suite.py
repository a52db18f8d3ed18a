"""Our two Lambda handlers against bare baselines, invoked as Lambda would on one emulator.

    uv run python -m benchmarks.suite [--rounds 3] [--calls 40] [--records 10] [--batches 3]

`make bench` runs it. One embedded emulator runs in this process, with the demo catalogue and a
customer's 20 orders placed through the real worker (the first one modified, so it has items,
transactions and a history). Each round then runs every contender in a fresh process from its
function's bundle for this machine (`python -S -E`, only the standard library and the bundle on
the path, as in Lambda; benchmarks/lambda_process.py): the API's handler and the bare
Strawberry + Mangum + aioboto3 one (benchmarks/bare_api.py) from the API's bundle, the worker's
handler and the one-PutItem consumer (benchmarks/bare_worker.py) from the worker's. Each is
called with `handler(event, context)`: HTTP API payload 2.0 events with the JWT authorizer's
claims, SQS FIFO batches of placeOrder commands as the API publishes them.

Figures, in milliseconds, each with its ratio to the baseline in the same round:
- cold process: from spawning the process to its first answer (interpreter, imports, first
  call); its CPU; the import alone; the first call alone;
- per warm call of the API (after a warm-up): CPU (`time.process_time`, this process's alone,
  not the emulator's) and wall, for `order(id)` with its items, transactions and history,
  `order(id) { id status total }`, `orders(first: 20)` and `placeOrder`, each against the bare
  handler's `order(id) { id status total }` (its only field: one GetItem);
- the worker's CPU and wall per record (one placeOrder per invocation) and per batch of 10
  records in 10 order groups, against the consumer given the same records.

The last round also profiles one `order(id)` read and one worker batch (cProfile) into
benchmarks/profiles/, each with a text summary. Every answer timed is checked afterwards (no
GraphQL errors, the order found, the commands APPLIED), so no figure times a refusal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.api_round import READER, api_round
from benchmarks.contenders import Bench, lambda_environment
from benchmarks.emulated import EmulatedWorker, an_order, emulated_worker
from benchmarks.figures import Figure, goals_table, medians, table
from benchmarks.hot_spots import hot_spots, summary
from benchmarks.worker_round import PLACERS, worker_round
from domain.commands import ModifyOrder
from domain.ids import command_id_for
from domain.orders import Actor, LineRequest
from domain.serialization import utc_now
from infra.bundle import API, WORKER, build_bundle

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "benchmarks" / "profiles"
# The orders the reader has, and lists in one page.
LISTED = 20
ENTRY_POINTS = ("app/api_lambda.py", "app/worker_lambda.py")


async def seed(worker: EmulatedWorker, listed: int) -> str:
    """The reader's orders and the placers' profiles; the id of the order the reads read."""
    for sub in (READER, *PLACERS):
        await worker.register(sub)
    placed = [an_order(READER) for _ in range(listed)]
    for command in placed:
        await worker.handlers.handle(command)
    read = placed[0]
    await worker.handlers.handle(
        ModifyOrder(
            command_id=command_id_for(READER),
            actor=Actor(READER),
            issued_at=utc_now(),
            order_id=read.order_id,
            expected_version=1,
            items=(LineRequest("COFFEE-1KG", 2), LineRequest("CROISSANT", 6)),
        )
    )
    return read.order_id


@dataclass(frozen=True, slots=True)
class Options:
    rounds: int
    listed: int
    calls: int
    records: int
    batches: int
    profiles: Path | None
    markdown: bool
    from_checkout: bool


async def run_suite(options: Options, api_bundle: Path, worker_bundle: Path) -> list[list[Figure]]:
    flags = ("-E",) if options.from_checkout else ("-S", "-E")
    rounds: list[list[Figure]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        workdir = Path(directory)
        (workdir / "benchmarks").symlink_to(ROOT / "benchmarks", target_is_directory=True)
        async with emulated_worker("bench") as worker:
            bench = Bench(
                worker,
                lambda_environment(worker),
                workdir,
                api_bundle,
                worker_bundle,
                flags,
                await seed(worker, options.listed),
                options.listed,
                options.calls,
                options.records,
                options.batches,
            )
            for number in range(1, options.rounds + 1):
                # The last round profiles: its figures, like every round's, come first.
                profiles = options.profiles if number == options.rounds else None
                figures = await api_round(bench, number, profiles and profiles / "read.prof")
                figures += await worker_round(
                    bench, number, profiles and profiles / "worker_batch.prof"
                )
                print(f"\nround {number} of {options.rounds}")
                print(table(figures), flush=True)
                rounds.append(figures)
    return rounds


def write_profile_summaries(profiles: Path, roots: Sequence[str]) -> None:
    for name, title in (("read", "one order(id) read"), ("worker_batch", "one worker batch of 10")):
        profile = profiles / f"{name}.prof"
        (profiles / f"{name}.txt").write_text(summary(profile, title, roots))
        print(f"\n{title}: {profile} (+ {name}.txt); our code's hot spots, with what they call:")
        # The handlers hold everything: below them is what tells.
        below = [s for s in hot_spots(profile, roots) if not s.function.startswith(ENTRY_POINTS)]
        for spot in below[:10]:
            print(f"  {spot.cumulative_share:6.1%} ({spot.own_share:5.1%} own)  {spot.function}")


def parse_options(arguments: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--listed", type=int, default=LISTED, help="the reader's orders")
    parser.add_argument("--calls", type=int, default=40, help="timed calls per API measure")
    parser.add_argument("--records", type=int, default=10, help="timed one-record invocations")
    parser.add_argument("--batches", type=int, default=3, help="timed batches of 10")
    parser.add_argument("--profiles", type=Path, default=PROFILES, help="where profiles go")
    parser.add_argument("--no-profiles", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="the medians as Markdown too")
    parser.add_argument(
        "--from-checkout",
        action="store_true",
        help="load the handlers from the checkout, not the bundles: quicker, not Lambda's figures",
    )
    parsed = parser.parse_args(arguments)
    return Options(
        parsed.rounds,
        parsed.listed,
        parsed.calls,
        parsed.records,
        parsed.batches,
        None if parsed.no_profiles else parsed.profiles,
        parsed.markdown,
        parsed.from_checkout,
    )


def main(arguments: Sequence[str] | None = None) -> None:
    options = parse_options(arguments)
    if options.profiles is not None:
        options.profiles.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    bundles = (
        [ROOT, ROOT]
        if options.from_checkout
        else [build_bundle(bundle, platform.machine(), python) for bundle in (API, WORKER)]
    )
    rounds = asyncio.run(run_suite(options, *bundles))
    result = medians(rounds)
    print(
        f"\nmedians of {len(rounds)} rounds, {date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'from the checkout' if options.from_checkout else 'from the bundles'}, "
        f"{time.monotonic() - started:.0f} s"
    )
    print(table(result))
    print("\nissue 13's goals")
    print(goals_table(result))
    if options.markdown:
        print(f"\n{table(result, markdown=True)}\n\n{goals_table(result, markdown=True)}")
    if options.profiles is not None:
        write_profile_summaries(options.profiles, [str(bundle) for bundle in bundles])


if __name__ == "__main__":
    main()
