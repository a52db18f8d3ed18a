"""The worker's round: placeOrder records one at a time and ten at a time, against the
one-PutItem consumer given as many."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.contenders import Bench, BenchmarkAnswerError, Contender, Measure, run_pair
from benchmarks.emulated import an_order
from benchmarks.figures import Figure
from benchmarks.lambda_events import Event, sqs_event
from domain.commands import CommandState, PlaceOrder
from domain.orders import DeliveryPriority
from resolvers.read_store import DynamoReadStore
from storage.table import Table

# One customer per record of a batch: ten order groups, none waiting on another's.
BATCH_SIZE = 10
PLACERS = tuple(f"bench-placer-{index}" for index in range(BATCH_SIZE))
WORKER_WARM_UP_RECORDS = 2


class Placements:
    """placeOrder commands as the API publishes them, for the placers in turn."""

    def __init__(self) -> None:
        self.issued: list[PlaceOrder] = []

    def next(self, count: int) -> list[PlaceOrder]:
        commands = []
        for _ in range(count):
            sub = PLACERS[len(self.issued) % len(PLACERS)]
            command = dataclasses.replace(an_order(sub), customer_email=f"{sub}@example.com")
            self.issued.append(command)
            commands.append(command)
        return commands


def worker_plan(
    bench: Bench, placements: Placements
) -> tuple[Event, list[Measure], list[PlaceOrder]]:
    """The cold record, the measures, and the commands the measures carry."""
    settings = bench.worker.settings

    def batch(count: int) -> Event:
        return sqs_event(
            placements.next(count), settings.queue_urls[DeliveryPriority.STANDARD], settings.region
        )

    cold = batch(1)
    warm_up = [batch(1) for _ in range(WORKER_WARM_UP_RECORDS)]
    timed_from = len(placements.issued)
    measures = [
        Measure("record", warm_up, [batch(1) for _ in range(bench.records)]),
        Measure(
            "batch of 10", [batch(BATCH_SIZE)], [batch(BATCH_SIZE) for _ in range(bench.batches)]
        ),
    ]
    return cold, measures, placements.issued[timed_from:]


async def check_applied(bench: Bench, commands: Sequence[PlaceOrder]) -> None:
    """Each placement the worker was timed on was applied, not rejected."""
    store = DynamoReadStore(
        Table(await bench.worker.clients.dynamodb(), bench.worker.settings.table_name)
    )
    for command in commands:
        outcome = await store.command_outcome(command.command_id)
        if outcome is None or outcome.state is not CommandState.APPLIED:
            raise BenchmarkAnswerError(f"placement {command.command_id}: {outcome}")


def check_batch_answer(answer: Any) -> None:
    """No record failed (a rejected placement shows in check_applied instead)."""
    if answer != {"batchItemFailures": []}:
        raise BenchmarkAnswerError(f"the batch failed in part: {str(answer)[:500]}")


async def worker_round(bench: Bench, round_number: int, profile: Path | None) -> list[Figure]:
    """Our worker and the consumer, each in a fresh process: the cold start's figures, then CPU
    and wall per record and per batch of 10; `profile` gets one more batch of ours."""
    ours_placements, bare_placements = Placements(), Placements()
    ours_cold, ours_measures, carried = worker_plan(bench, ours_placements)
    bare_cold, bare_measures, _ = worker_plan(bench, bare_placements)
    settings = bench.worker.settings
    profiled = None
    if profile is not None:
        commands = ours_placements.next(BATCH_SIZE)
        queue = settings.queue_urls[DeliveryPriority.STANDARD]
        profiled = (sqs_event(commands, queue, settings.region), profile)
    ours, bare = await run_pair(
        round_number,
        (Contender("app.worker_lambda", bench.worker_bundle), ours_cold, ours_measures, profiled),
        (Contender("benchmarks.bare_worker", bench.worker_bundle), bare_cold, bare_measures),
        bench,
    )
    for run in (ours, bare):
        check_batch_answer(run.cold_answer)
        for timed_measure in run.measures.values():
            for answer in timed_measure.answers:
                check_batch_answer(answer)
    await check_applied(bench, carried)
    figures = ours.cold_figures("worker", bare)
    for name in ("record", "batch of 10"):
        mine, theirs = ours.measures[name], bare.measures[name]
        figures.append(Figure.of("worker", f"CPU per {name}", mine.cpu_s, theirs.cpu_s))
        figures.append(Figure.of("worker", f"wall per {name}", mine.wall_s, theirs.wall_s))
    return figures
