"""The API's round: our handler's reads and placeOrder against the bare one's single read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.contenders import Bench, BenchmarkAnswerError, Contender, Measure, run_pair
from benchmarks.emulated import ORDER_LINES
from benchmarks.figures import Figure
from benchmarks.lambda_events import (
    GraphQLRequest,
    customer_claims,
    order_read,
    order_summary_read,
    orders_page,
    place_order,
)

# The customer whose orders the reads read.
READER = "bench-reader"
API_WARM_UP = 5


def graphql_data(answer: Any) -> dict[str, Any]:
    """The answer's `data`, or BenchmarkAnswerError when it is not a clean 200."""
    body = json.loads(answer["body"]) if answer.get("statusCode") == 200 else None
    if body is None or body.get("errors") or not isinstance(body.get("data"), dict):
        raise BenchmarkAnswerError(f"not a clean GraphQL answer: {str(answer)[:500]}")
    data: dict[str, Any] = body["data"]
    return data


def check_api_answer(name: str, answer: Any, bench: Bench) -> None:
    """The answer a measure meant: the order read, a full page listed, the order accepted."""
    data = graphql_data(answer)
    if name.startswith("order(id)"):
        ok = (data.get("order") or {}).get("id") == bench.order_id
    elif name.startswith("orders("):
        ok = len(data["orders"]["edges"]) == bench.listed
    else:
        ok = data["placeOrder"]["__typename"] == "CommandAccepted"
    if not ok:
        raise BenchmarkAnswerError(f"{name} answered {str(data)[:500]}")


async def api_round(bench: Bench, round_number: int, profile: Path | None) -> list[Figure]:
    """Ours and the bare handler, each in a fresh process: the cold start's figures, then each
    request's CPU and wall per call against the bare one's read; `profile` gets one order(id)."""
    claims = customer_claims(READER, f"{READER}@example.com")
    summary_read = order_summary_read(bench.order_id)
    requests: list[GraphQLRequest] = [
        order_read(bench.order_id),
        summary_read,
        orders_page(bench.listed),
        place_order([(line.sku, line.quantity) for line in ORDER_LINES]),
    ]

    def measure(request: GraphQLRequest) -> Measure:
        event = request.event(claims)
        return Measure(request.name, [event] * API_WARM_UP, [event] * bench.calls)

    cold_event = summary_read.event(claims)
    profiled = None if profile is None else (order_read(bench.order_id).event(claims), profile)
    ours, bare = await run_pair(
        round_number,
        (
            Contender("app.api_lambda", bench.api_bundle),
            cold_event,
            [measure(r) for r in requests],
            profiled,
        ),
        (Contender("benchmarks.bare_api", bench.api_bundle), cold_event, [measure(summary_read)]),
        bench,
    )
    for run in (ours, bare):
        check_api_answer(summary_read.name, run.cold_answer, bench)
        for name, timed in run.measures.items():
            for answer in timed.answers:
                check_api_answer(name, answer, bench)
    if profile is not None:
        check_api_answer("order(id)", ours.profiled_answer, bench)
    baseline = bare.measures[summary_read.name]
    figures = ours.cold_figures("api", bare)
    for kind in ("CPU", "wall"):
        for request in requests:
            timed = ours.measures[request.name]
            figures.append(
                Figure.of(
                    "api",
                    f"{kind} per call: {request.name}",
                    timed.cpu_s if kind == "CPU" else timed.wall_s,
                    baseline.cpu_s if kind == "CPU" else baseline.wall_s,
                )
            )
    return figures
