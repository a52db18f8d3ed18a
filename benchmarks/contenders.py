"""Contenders in fresh processes: what the benchmark suite hands each (its handler, bundle,
events) and what it reads back (benchmarks/lambda_process.py's measures)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.emulated import EmulatedWorker
from benchmarks.figures import Figure
from benchmarks.lambda_events import Event

# The process's first lines: the bundle ahead of everything (as /var/task is in Lambda), then
# its working directory, which holds only the plans and a link to benchmarks/.
_BOOT = (
    "import sys; sys.path.insert(0, {bundle!r}); from benchmarks.lambda_process import main; main()"
)


class BenchmarkAnswerError(Exception):
    """A contender answered something other than what the suite meant to time."""


@dataclass(frozen=True, slots=True)
class Contender:
    """A handler and the bundle its process loads it from."""

    module: str
    bundle: Path


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    warm_up: list[Event]
    events: list[Event]


@dataclass(frozen=True, slots=True)
class Timed:
    cpu_s: float
    wall_s: float
    answers: list[Any]


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """What one contender's process measured."""

    cold_process_s: float
    cold_cpu_s: float
    import_s: float
    first_call_s: float
    cold_answer: Any
    measures: dict[str, Timed]
    profiled_answer: Any

    def cold_figures(self, contender: str, baseline: ProcessRun) -> list[Figure]:
        return [
            Figure.of(contender, "cold process wall", self.cold_process_s, baseline.cold_process_s),
            Figure.of(contender, "cold process CPU", self.cold_cpu_s, baseline.cold_cpu_s),
            Figure.of(contender, "import", self.import_s, baseline.import_s),
            Figure.of(contender, "first call", self.first_call_s, baseline.first_call_s),
        ]


@dataclass(frozen=True, slots=True)
class Bench:
    """What every round shares: the emulator's data, the environment, the bundles."""

    worker: EmulatedWorker
    environment: dict[str, str]
    workdir: Path
    api_bundle: Path
    worker_bundle: Path
    # `-S -E` from a bundle: the standard library and the bundle alone. From the checkout
    # (--from-checkout) the project's environment supplies the rest.
    interpreter_flags: tuple[str, ...]
    order_id: str
    listed: int
    calls: int
    records: int
    batches: int


async def run_process(
    bench: Bench,
    contender: Contender,
    cold_event: Event,
    measures: Sequence[Measure],
    profile: tuple[Event, Path] | None = None,
) -> ProcessRun:
    """Run one contender in a fresh process and read what it measured."""
    plan_path, measures_path = bench.workdir / "plan.json", bench.workdir / "measures.json"
    result_path = bench.workdir / "result.json"
    result_path.unlink(missing_ok=True)
    measures_path.write_text(json.dumps([dataclasses.asdict(m) for m in measures]))
    plan = {
        "module": contender.module,
        "handler": "handler",
        "cold_event": cold_event,
        "measures_path": str(measures_path),
        "result_path": str(result_path),
        "profile": None if profile is None else {"event": profile[0], "path": str(profile[1])},
    }
    plan_path.write_text(json.dumps(plan))
    spawned = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *bench.interpreter_flags,
        "-c",
        _BOOT.format(bundle=str(contender.bundle)),
        str(plan_path),
        cwd=bench.workdir,
        env=bench.environment,
        # What the handlers log goes where Lambda's runtime would take it: written, not kept.
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BenchmarkAnswerError(
            f"{contender.module} exited {process.returncode}:\n{errors.decode()[-3000:]}"
        )
    result = json.loads(result_path.read_text())
    return ProcessRun(
        cold_process_s=result["first_answered_at"] - spawned,
        cold_cpu_s=result["cold_cpu_seconds"],
        import_s=result["import_seconds"],
        first_call_s=result["first_call_seconds"],
        cold_answer=result["cold_answer"],
        measures={
            name: Timed(
                measured["cpu_seconds"] / measured["calls"],
                measured["wall_seconds"] / measured["calls"],
                measured["answers"],
            )
            for name, measured in result["measures"].items()
        },
        profiled_answer=result.get("profiled_answer"),
    )


async def run_pair(
    round_number: int,
    ours: tuple[Contender, Event, Sequence[Measure], tuple[Event, Path] | None],
    baseline: tuple[Contender, Event, Sequence[Measure]],
    bench: Bench,
) -> tuple[ProcessRun, ProcessRun]:
    """Ours and its baseline, each first in every other round, so neither always runs on a
    machine the other has just warmed (file cache, CPU frequency)."""
    if round_number % 2:
        theirs = await run_process(bench, *baseline)
        return await run_process(bench, *ours), theirs
    mine = await run_process(bench, *ours)
    return mine, await run_process(bench, *baseline)


def lambda_environment(worker: EmulatedWorker) -> dict[str, str]:
    """What the functions' environment holds, pointed at the emulator; nothing of this
    machine's AWS configuration or Python settings."""
    return {
        **worker.settings.to_environ(),
        "AWS_ACCESS_KEY_ID": "benchmark",
        "AWS_SECRET_ACCESS_KEY": "benchmark",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
