"""The operations commands' arguments: `cost` prints its table, and `redrive` and `cost` refuse
what they cannot use with a clear message and exit code 2, before they reach any AWS."""

from __future__ import annotations

import pytest

from app.local import cli


@pytest.fixture(autouse=True)
def no_queue_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("ORDER_DELIVERY_URGENT_QUEUE_URL", "ORDER_DELIVERY_STANDARD_QUEUE_URL"):
        monkeypatch.delenv(variable, raising=False)


def refusal(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What the command line says when it exits 2 on these arguments."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(arguments)
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_cost_prints_the_months_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["cost", "--orders-per-month", "1000000", "--reads-per-order", "2"]) == 0

    printed = capsys.readouterr().out
    assert printed.startswith("Monthly AWS cost of 1,000,000 orders")
    assert "read twice" in printed
    assert "\ntotal " in printed
    assert "Not included: free tiers" in printed


@pytest.mark.parametrize("orders", ["-5", "many", "1.5", ""])
def test_cost_refuses_anything_but_a_whole_number_of_orders(
    orders: str, capsys: pytest.CaptureFixture[str]
) -> None:
    error = refusal(["cost", "--orders-per-month", orders], capsys)

    assert "argument --orders-per-month" in error
    assert "is not a whole number from 0" in error


def test_cost_needs_the_orders_per_month(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--orders-per-month" in refusal(["cost"], capsys)


def test_cost_refuses_a_request_of_no_milliseconds(capsys: pytest.CaptureFixture[str]) -> None:
    error = refusal(["cost", "--orders-per-month", "10", "--api-ms", "0"], capsys)

    assert "is not a whole number from 1" in error


def test_redrive_needs_a_queue(capsys: pytest.CaptureFixture[str]) -> None:
    assert "the following arguments are required: --queue" in refusal(["redrive"], capsys)


def test_redrive_knows_only_the_urgent_and_standard_queues(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error = refusal(["redrive", "--queue", "express"], capsys)

    assert "invalid choice: 'express'" in error


def test_redrive_takes_a_queue_url_or_a_queue_name_not_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = ["redrive", "--queue", "urgent", "--queue-url", "https://q", "--queue-name", "q"]

    assert "not allowed with argument" in refusal(arguments, capsys)


@pytest.mark.parametrize("limit", ["0", "-1", "all"])
def test_redrive_refuses_a_limit_below_one(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    error = refusal(["redrive", "--queue", "urgent", "--limit", limit], capsys)

    assert "is not a whole number from 1" in error


def test_redrive_refuses_an_endpoint_that_is_not_a_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error = refusal(["redrive", "--queue", "urgent", "--endpoint-url", "localhost"], capsys)

    assert "is not an endpoint URL" in error


def test_redrive_with_no_queue_named_anywhere_says_how_to_name_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["redrive", "--queue", "standard"]) == 2

    error = capsys.readouterr().err.strip()
    assert error.startswith("order-delivery redrive: error: which standard queue?")
    assert "--queue-url" in error
    assert "ORDER_DELIVERY_STANDARD_QUEUE_URL" in error
