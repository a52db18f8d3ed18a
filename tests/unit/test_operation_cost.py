"""The monthly cost estimate: its arithmetic checked by hand, and the table it prints."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from app.operations.cost import (
    CostLine,
    UnpricedCallError,
    Workload,
    format_monthly_cost,
    idle_polls_per_month,
    monthly_cost,
    traces_recorded,
)
from app.operations.prices import (
    OPERATION_CALLS,
    PRICES,
    PRICES_AS_OF,
    AwsCalls,
    Meter,
    OperationCalls,
    ShopOperation,
)

# A small table whose figures are easy to follow by hand: placing costs one send, a worker
# message of 10 table and 2 index write units, a receipt and two emails; a read 2 read units, a
# poll half of one; dispatching and completing nothing; a download one S3 GET.
BY_HAND = {
    ShopOperation.PLACE: OperationCalls(
        api=AwsCalls({"SendMessage": 1}),
        worker=AwsCalls(
            {"TransactWriteItems": 1, "PutObject": 1, "SendEmail": 2},
            write_units=10,
            index_write_units=2,
            email_recipients=2,
        ),
    ),
    ShopOperation.READ: OperationCalls(api=AwsCalls({"Query": 1}, read_units=Decimal(2))),
    ShopOperation.POLL: OperationCalls(api=AwsCalls({"GetItem": 1}, read_units=Decimal("0.5"))),
    ShopOperation.DISPATCH: OperationCalls(),
    ShopOperation.COMPLETE: OperationCalls(),
    ShopOperation.DOWNLOAD_RECEIPT: OperationCalls(s3_gets=1),
}
A_MILLION = Workload(orders_per_month=1_000_000)


def line(cost_lines: Sequence[CostLine], meter: Meter) -> tuple[Decimal, Decimal]:
    """The quantity and dollars of a meter's line."""
    (found,) = [
        (entry.quantity, entry.dollars) for entry in cost_lines if entry.item == meter.value
    ]
    return found


def test_a_million_orders_cost_by_hand_what_the_prices_say() -> None:
    cost = monthly_cost(A_MILLION, BY_HAND)

    # 2 emails an order: 2,000,000 emails at $0.10 a thousand.
    assert line(cost.lines, Meter.SES_EMAILS) == (Decimal(2_000_000), Decimal("200.00"))
    # 10 + 2 write units an order: 12 million at $0.625 a million.
    assert line(cost.lines, Meter.DYNAMODB_WRITES) == (Decimal(12_000_000), Decimal("7.50"))
    # 5 reads of 2 units and 3 polls of half a unit: 11.5 million at $0.125 a million, $1.4375.
    assert line(cost.lines, Meter.DYNAMODB_READS) == (Decimal(11_500_000), Decimal("1.44"))
    # Place, 5 reads and 3 polls are 9 API requests: 9 million at $1.00 a million.
    assert line(cost.lines, Meter.API_REQUESTS) == (Decimal(9_000_000), Decimal("9.00"))
    # 9 API invocations of 100 ms and one worker message of 400 ms at 1 GB: 1.3 GB-s an order.
    assert line(cost.lines, Meter.LAMBDA_COMPUTE) == (Decimal(1_300_000), Decimal("17.33"))
    # The send, and the poller's receive and delete.
    assert line(cost.lines, Meter.SQS_REQUESTS) == (Decimal(3_000_000), Decimal("1.50"))


def test_the_lines_add_up_to_the_total() -> None:
    cost = monthly_cost(A_MILLION)

    assert cost.total == sum(entry.dollars for entry in cost.lines)
    assert all(entry.dollars == entry.dollars.quantize(Decimal("0.01")) for entry in cost.lines)


def test_more_reads_cost_more_read_units_and_requests_only() -> None:
    fewer = monthly_cost(Workload(orders_per_month=1000, reads_per_order=1), BY_HAND)
    more = monthly_cost(Workload(orders_per_month=1000, reads_per_order=11), BY_HAND)

    changed = {
        entry.item
        for entry, other in zip(fewer.lines, more.lines, strict=True)
        if entry.quantity != other.quantity
    }
    read_units = [line(cost.lines, Meter.DYNAMODB_READS)[0] for cost in (fewer, more)]
    assert read_units[1] - read_units[0] == 10 * 2 * 1000
    assert changed == {
        Meter.CLOUDFRONT_REQUESTS.value,
        Meter.API_REQUESTS.value,
        Meter.LAMBDA_REQUESTS.value,
        Meter.LAMBDA_COMPUTE.value,
        Meter.DYNAMODB_READS.value,
        Meter.LOG_INGESTION.value,
        Meter.XRAY_TRACES.value,
    }


def test_the_queues_idle_polls_cost_the_same_with_no_orders() -> None:
    cost = monthly_cost(Workload(orders_per_month=0))

    # 5 pollers on each of 2 queues, a long poll every 20 s, for 30 days.
    assert idle_polls_per_month() == 5 * 2 * 30 * 24 * 3600 // 20 == 1_296_000
    assert [entry.dollars for entry in cost.lines if entry.dollars] == [Decimal("0.65")]
    assert cost.total == Decimal("0.65")


def test_xray_records_a_request_a_second_and_a_twentieth_of_the_rest() -> None:
    month = 30 * 24 * 3600

    assert traces_recorded(0) == 0
    assert traces_recorded(1000) == 1000
    assert traces_recorded(month + 2_000_000) == month + 100_000


def test_every_call_the_table_counts_has_a_price() -> None:
    cost = monthly_cost(Workload(orders_per_month=1))

    assert {entry.meter for entry in cost.lines} == set(Meter)
    assert set(PRICES) == set(Meter)
    assert set(OPERATION_CALLS) == set(ShopOperation)


def test_a_call_no_meter_prices_is_refused_rather_than_left_out() -> None:
    unpriced = dict(BY_HAND) | {
        ShopOperation.READ: OperationCalls(api=AwsCalls({"Publish": 1})),
    }

    with pytest.raises(UnpricedCallError, match="Publish"):
        monthly_cost(A_MILLION, unpriced)


def test_a_negative_workload_is_refused() -> None:
    with pytest.raises(ValueError, match="reads_per_order"):
        Workload(orders_per_month=10, reads_per_order=-1)


def test_the_table_names_its_prices_date_and_leaves_free_tiers_out() -> None:
    cost = monthly_cost(A_MILLION)

    printed = format_monthly_cost(cost)

    heading = " ".join(printed.split("\n\n")[0].splitlines())
    assert heading.startswith("Monthly AWS cost of 1,000,000 orders: us-east-1 list prices as of ")
    assert f"as of {PRICES_AS_OF.isoformat()}, no free tier." in heading
    assert "read 5 times, its commands polled 3 times" in heading
    assert "Not included: free tiers" in printed


def test_the_table_has_a_row_per_line_item_and_the_total_last() -> None:
    cost = monthly_cost(A_MILLION)

    rows = format_monthly_cost(cost).split("\n\n")[1].splitlines()

    assert rows[0].split() == ["line", "item", "quantity/month", "$/month"]
    for entry, row in zip(cost.lines, rows[1:-1], strict=True):
        assert row.startswith(entry.item)
        assert row.endswith(f"{entry.dollars:,.2f}")
    assert rows[-1].split() == ["total", f"{cost.total:,.2f}"]
    # Quantities with thousands separators; all rows as wide as the header.
    assert "11,000,000" in rows[1]
    assert len({len(row) for row in rows}) == 1


def test_the_readmes_example_is_what_the_command_prints_today() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    command = "$ uv run order-delivery cost --orders-per-month 1000000\n"

    example = readme.split(command, 1)[1].split("\n```", 1)[0]

    assert example == format_monthly_cost(monthly_cost(A_MILLION))
