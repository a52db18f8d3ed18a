"""The benchmark suite (`make bench`) works end to end, and its baselines read our table as we
do. Speed is never asserted here: one short round only proves every piece runs and reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import EnvVar
from benchmarks import bare_settings
from benchmarks.figures import GOALS
from benchmarks.hot_spots import our_module
from storage.keys import order_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "cold process wall",
    "cold process CPU",
    "import",
    "first call",
    "CPU per call: order(id)",
    "CPU per call: order(id) { id status total }",
    "CPU per call: orders(first: 2)",
    "CPU per call: placeOrder",
    "wall per call: placeOrder",
    "CPU per record",
    "wall per record",
    "CPU per batch of 10",
    "wall per batch of 10",
)


def test_the_bare_baselines_name_the_service_s_variables_and_order_key() -> None:
    assert bare_settings.TABLE_NAME_VARIABLE == EnvVar.TABLE_NAME
    assert bare_settings.ENDPOINT_VARIABLE == EnvVar.AWS_ENDPOINT_URL
    assert bare_settings.REGION_VARIABLE == EnvVar.REGION
    assert bare_settings.order_key("01JBENCH") == order_key("01JBENCH")


def test_only_our_packages_count_as_our_code_in_a_profile() -> None:
    roots = ["/build/lambda-api"]

    assert our_module("/var/task/resolvers/read_store.py", roots) == "resolvers/read_store.py"
    assert our_module("/build/lambda-api/app/asgi.py", roots) == "app/asgi.py"
    assert our_module("/var/task/strawberry/schema/schema.py", roots) is None
    assert our_module("/usr/lib/python3.11/asyncio/events.py", roots) is None


def test_one_short_round_reports_every_figure_and_goal_and_writes_both_profiles(
    tmp_path: Path,
) -> None:
    # Its own process: the suite starts an emulator, and moto's state is one per process.
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.suite",
            "--rounds=1",
            "--listed=2",
            "--calls=1",
            "--records=1",
            "--batches=1",
            "--from-checkout",
            f"--profiles={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    medians = completed.stdout.partition("medians of 1 rounds")[2]
    for figure in FIGURES:
        assert f"  {figure}  " in medians, figure
    for goal in GOALS:
        assert goal.text in medians
    read = (tmp_path / "read.txt").read_text()
    batch = (tmp_path / "worker_batch.txt").read_text()
    assert (tmp_path / "read.prof").stat().st_size > 0
    assert "resolvers/read_store.py" in read.partition("our code")[2]
    assert "workers/command_handlers.py" in batch.partition("our code")[2]
