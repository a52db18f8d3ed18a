"""One contender in a fresh process, invoked as Lambda invokes a function: its cold start, then
the CPU and wall time of warm invocations.

    python -S -E -c "<put the bundle on sys.path>; from benchmarks.lambda_process import main;
                     main()" PLAN.json

Run by benchmarks/suite.py, never imported by it: this module and what it loads are the
process's whole content, so it uses the standard library alone (the bundle holds no more), and
what a contender imports or caches never leaks into another's figures. The plan (JSON) names
the handler, the cold invocation's event and a second file holding each measure's warm-up and
timed events, read only after the cold invocation so its size never counts in the cold start.
The result (JSON) goes to the path the plan gives, with each measure's first and last answers
so the suite can check they were the answers it meant to time.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name = "order-delivery-benchmark"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:order-delivery-benchmark"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/order-delivery-benchmark"
    log_stream_name = "2026/12/01/[$LATEST]benchmark"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def run(plan: dict[str, Any]) -> dict[str, Any]:
    """Import the handler and answer the cold event (timed), then each measure's events."""
    context = LambdaContext()
    started = time.perf_counter()
    module = importlib.import_module(plan["module"])
    handler: Handler = getattr(module, plan["handler"])
    imported = time.perf_counter()
    cold_answer = handler(plan["cold_event"], context)
    # CLOCK_MONOTONIC is the machine's, so the suite can subtract the moment it spawned us.
    answered_at = time.monotonic()
    result: dict[str, Any] = {
        "import_seconds": imported - started,
        "first_call_seconds": time.perf_counter() - imported,
        "first_answered_at": answered_at,
        "cold_cpu_seconds": time.process_time(),
        "cold_answer": cold_answer,
        "measures": {},
    }
    with open(plan["measures_path"], encoding="utf-8") as measures_file:
        measures = json.load(measures_file)
    for measure in measures:
        for event in measure["warm_up"]:
            handler(event, context)
        answers = []
        cpu, wall = time.process_time(), time.perf_counter()
        for event in measure["events"]:
            answers.append(handler(event, context))
        result["measures"][measure["name"]] = {
            "cpu_seconds": time.process_time() - cpu,
            "wall_seconds": time.perf_counter() - wall,
            "calls": len(answers),
            "answers": [answers[0], answers[-1]],
        }
    profile = plan.get("profile")
    if profile is not None:
        result["profiled_answer"] = profiled(handler, profile["event"], context, profile["path"])
    return result


def profiled(handler: Handler, event: dict[str, Any], context: LambdaContext, path: str) -> Any:
    """One invocation under cProfile, written to `path`.

    It is timed by cProfile's own clock, wall time (a CPU clock is a system call per event,
    which would swamp what it measures); the wait for AWS shows as the event loop's poll, which
    benchmarks/hot_spots.py leaves out. Nothing the handlers run goes to a thread (the receipt
    is drawn on the event loop). cProfile's cost per call still inflates code of many small
    calls (reportlab's drawing).
    """
    # Here, not at the top: the cold start must not load what the handler would not.
    import cProfile

    profiler = cProfile.Profile()
    answer = profiler.runcall(handler, event, context)
    profiler.dump_stats(path)
    return answer


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as plan_file:
        plan = json.load(plan_file)
    result = run(plan)
    with open(plan["result_path"], "w", encoding="utf-8") as result_file:
        json.dump(result, result_file)


if __name__ == "__main__":
    main()
