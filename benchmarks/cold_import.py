"""Cold import time of each Lambda handler module, in fresh processes, against baselines.

    uv run python -m benchmarks.cold_import [--runs 15]

Each figure is the median wall time of a fresh `python -c "import <module>"`, once from the
project's environment and once from each function's Lambda bundle built for this machine (only
the standard library and the bundle on the path, as in Lambda): the API's handler from the API's
bundle, the worker's from the worker's. Ratios compare with baselines measured in the same run
(the bare interpreter, and the AWS SDK alone, imported from the same bundle), so they mean
something on a shared, noisy machine. Sizes are printed for the deployable (arm64) bundles.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from app.settings import EnvVar
from infra.bundle import (
    API,
    LAMBDA_PLATFORM,
    LAMBDA_PYTHON,
    WORKER,
    FunctionBundle,
    build_bundle,
    directory_size,
)

# Settings the handler modules validate at import; no AWS call is made at import time.
ENVIRONMENT = {
    EnvVar.TABLE_NAME: "bench-orders",
    EnvVar.URGENT_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/u.fifo",
    EnvVar.STANDARD_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/s.fifo",
    EnvVar.BUCKET_NAME: "bench-receipts",
    EnvVar.REGION: "us-east-1",
    EnvVar.BUSINESS_NAME: "Bench Shop",
    EnvVar.BUSINESS_EMAIL: "orders@example.com",
    EnvVar.SENDER_EMAIL: "no-reply@example.com",
}
BASELINES = {"python (baseline)": "pass", "aioboto3 (SDK baseline)": "import aioboto3"}
HANDLERS = {API: "app.api_lambda", WORKER: "app.worker_lambda"}
SUBJECTS = {**BASELINES, **{module: f"import {module}" for module in HANDLERS.values()}}


def median_seconds(command: list[str], runs: int) -> float:
    environment = {**os.environ, **ENVIRONMENT}
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, env=environment)  # noqa: S603
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(title: str, results: dict[str, float]) -> None:
    interpreter, sdk = results["python (baseline)"], results["aioboto3 (SDK baseline)"]
    print(f"\n{title}")
    print(f"{'module':26} {'seconds':>8} {'x python':>9} {'x aioboto3':>11}")
    for name, seconds in results.items():
        print(f"{name:26} {seconds:8.3f} {seconds / interpreter:9.1f} {seconds / sdk:11.2f}")


def zipped_size(path: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(path))
    return len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"median of {runs} fresh processes each")
    report(
        "from the project's environment",
        {
            name: median_seconds([sys.executable, "-c", code], runs)
            for name, code in SUBJECTS.items()
        },
    )
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    for bundle, module in HANDLERS.items():
        local = build_bundle(bundle, platform.machine(), python)
        prefix = f"import sys; sys.path.insert(0, {str(local)!r}); "
        subjects = {**BASELINES, module: f"import {module}"}
        report(
            f"from the {bundle.name} bundle for this machine ({local.name}), python -S -E",
            {
                name: median_seconds([sys.executable, "-S", "-E", "-c", prefix + code], runs)
                for name, code in subjects.items()
            },
        )
    for bundle in HANDLERS:
        deployable = build_bundle(bundle, LAMBDA_PLATFORM, LAMBDA_PYTHON)
        print(_size_line(bundle, deployable))


def _size_line(bundle: FunctionBundle, deployable: Path) -> str:
    return (
        f"deployable {bundle.name} bundle {deployable.name}: "
        f"{directory_size(deployable) / 1e6:.1f} MB unzipped, "
        f"{zipped_size(deployable) / 1e6:.1f} MB zipped"
    )


if __name__ == "__main__":
    main()
