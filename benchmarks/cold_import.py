"""Cold import time of each Lambda handler module, in fresh processes, against baselines.

    uv run python benchmarks/cold_import.py [--runs 15]

Each figure is the median wall time of a fresh `python -c "import <module>"`; ratios compare
with baselines measured in the same run (the bare interpreter, and the AWS SDK alone), so the
numbers mean something on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from app.settings import EnvVar

# Settings the handler modules validate at import; no AWS call is made at import time.
ENVIRONMENT = {
    EnvVar.TABLE_NAME: "bench-orders",
    EnvVar.URGENT_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/u.fifo",
    EnvVar.STANDARD_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/s.fifo",
    EnvVar.BUCKET_NAME: "bench-receipts",
    EnvVar.REGION: "us-east-1",
}
SUBJECTS = {
    "python (baseline)": "pass",
    "aioboto3 (SDK baseline)": "import aioboto3",
    "app.api_lambda": "import app.api_lambda",
    "app.worker_lambda": "import app.worker_lambda",
}


def median_seconds(code: str, runs: int) -> float:
    environment = {**os.environ, **ENVIRONMENT, "PYTHONDONTWRITEBYTECODE": "1"}
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=environment)  # noqa: S603
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    results = {name: median_seconds(code, runs) for name, code in SUBJECTS.items()}
    interpreter, sdk = results["python (baseline)"], results["aioboto3 (SDK baseline)"]
    print(f"median of {runs} fresh processes each")
    print(f"{'module':26} {'seconds':>8} {'x python':>9} {'x aioboto3':>11}")
    for name, seconds in results.items():
        print(f"{name:26} {seconds:8.3f} {seconds / interpreter:9.1f} {seconds / sdk:11.2f}")


if __name__ == "__main__":
    main()
