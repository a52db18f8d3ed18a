"""The suite's figures: ours against the baseline measured in the same round, their medians over
the rounds, and the issue's goals read from those medians.

A ratio is taken within its round (both contenders ran minutes apart on the same machine, with
the same emulator and load), and its median is the median of those ratios, not the ratio of
the medians: on a shared, noisy machine the within-round ratio is what holds still.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One measure of one contender in milliseconds, ours and its baseline's."""

    contender: str
    measure: str
    ours_ms: float
    baseline_ms: float
    ratio: float

    @classmethod
    def of(cls, contender: str, measure: str, ours_s: float, baseline_s: float) -> Figure:
        return cls(contender, measure, ours_s * 1000, baseline_s * 1000, ours_s / baseline_s)


def medians(rounds: Sequence[Sequence[Figure]]) -> list[Figure]:
    """Each measure's median over the rounds, in the order the first round gave them."""
    by_measure: dict[tuple[str, str], list[Figure]] = {}
    for figures in rounds:
        for figure in figures:
            by_measure.setdefault((figure.contender, figure.measure), []).append(figure)
    return [
        Figure(
            contender,
            measure,
            statistics.median(figure.ours_ms for figure in taken),
            statistics.median(figure.baseline_ms for figure in taken),
            statistics.median(figure.ratio for figure in taken),
        )
        for (contender, measure), taken in by_measure.items()
    ]


def table(figures: Iterable[Figure], *, markdown: bool = False) -> str:
    header = ("contender", "measure", "ours ms", "baseline ms", "ratio")
    rows = [
        (f.contender, f.measure, f"{f.ours_ms:.2f}", f"{f.baseline_ms:.2f}", f"{f.ratio:.2f}")
        for f in figures
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    )


@dataclass(frozen=True, slots=True)
class Goal:
    """One of issue 13's goals: a figure read from the medians and the most it may be."""

    text: str
    unit: str
    limit: float
    figure: Callable[[dict[tuple[str, str], Figure]], float]

    def verdict(self, by_measure: dict[tuple[str, str], Figure]) -> tuple[float, bool]:
        value = self.figure(by_measure)
        return value, value <= self.limit


def _ratio(contender: str, measure: str) -> Callable[[dict[tuple[str, str], Figure]], float]:
    return lambda by_measure: by_measure[contender, measure].ratio


def _ours(contender: str, measure: str) -> Callable[[dict[tuple[str, str], Figure]], float]:
    return lambda by_measure: by_measure[contender, measure].ours_ms


def _batch_over_record(by_measure: dict[tuple[str, str], Figure]) -> float:
    batch = by_measure["worker", "wall per batch of 10"].ours_ms
    return batch / by_measure["worker", "wall per record"].ours_ms


GOALS = (
    Goal("order(id) CPU per call, x bare", "x", 1.2, _ratio("api", "CPU per call: order(id)")),
    Goal(
        "{ id status total } CPU per call, x bare",
        "x",
        1.1,
        _ratio("api", "CPU per call: order(id) { id status total }"),
    ),
    Goal("API cold process, x bare", "x", 1.1, _ratio("api", "cold process wall")),
    Goal("worker CPU per placed order", "ms", 15, _ours("worker", "CPU per record")),
    Goal("batch of 10 wall, x one placement", "x", 2.0, _batch_over_record),
)


def goals_table(figures: Iterable[Figure], *, markdown: bool = False) -> str:
    by_measure = {(figure.contender, figure.measure): figure for figure in figures}
    rows = []
    for goal in GOALS:
        value, holds = goal.verdict(by_measure)
        limit = f"{goal.limit:g}{' ms' if goal.unit == 'ms' else 'x'}"
        today = f"{value:.2f}{' ms' if goal.unit == 'ms' else 'x'}"
        rows.append((goal.text, f"at most {limit}", today, "holds" if holds else "does not hold"))
    if markdown:
        lines = ["| goal | target | today | verdict |", "|---|---|---:|---|"]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    width = max(len(row[0]) for row in rows)
    return "\n".join(f"{a.ljust(width)}  {b:>13}  {c:>9}  {d}" for a, b, c, d in rows)
