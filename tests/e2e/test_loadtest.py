"""A small load run through the CLI: it must end with nothing lost and nothing duplicated."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(300)
def test_a_small_load_run_loses_and_duplicates_nothing() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.local",
            "loadtest",
            "--orders",
            "30",
            "--concurrency",
            "6",
            "--customers",
            "8",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    report = run.stdout
    assert "lost: 0, duplicated: 0" in report
    assert "messages in DLQs: 0" in report
    assert "placeOrder APPLIED" in report
    assert "API latency" in report
    assert "p99" in report
