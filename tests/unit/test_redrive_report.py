"""Redrive without a queue: which queue is meant, what a dead letter says, and the report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.operations.redrive import (
    DeadLetter,
    QueueChoice,
    RedriveError,
    RedriveReport,
    choose_queue,
    describe,
    format_redrive_report,
    region_of_queue_url,
)
from domain.commands import encode_command
from domain.orders import DeliveryPriority
from tests.factories import a_place_order_command, a_register_customer_command

URGENT = DeliveryPriority.URGENT
QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/Shop-Urgent.fifo"
DLQ = "https://sqs.eu-west-1.amazonaws.com/123456789012/Shop-UrgentDeadLetters.fifo"


def a_dead_letter_message(body: str, group: str | None = "order-1") -> Any:
    attributes = {"MessageGroupId": group} if group else {}
    return {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body, "Attributes": attributes}


def a_report(*letters: DeadLetter, dry_run: bool = False, waiting: int = 0) -> RedriveReport:
    return RedriveReport(
        queue_url=QUEUE,
        dead_letter_queue_url=DLQ,
        dry_run=dry_run,
        letters=letters,
        waiting_before=waiting,
        waiting_after=0 if not dry_run else waiting,
    )


def a_letter(group: str, command_type: str | None, command_id: str | None) -> DeadLetter:
    return DeadLetter("m", group, command_type, command_id, None)


def test_the_queue_named_on_the_command_line_comes_first() -> None:
    environ = {"ORDER_DELIVERY_URGENT_QUEUE_URL": "https://from-environment"}

    by_url = choose_queue(
        URGENT, queue_url=QUEUE, queue_name=None, environ=environ, fallback_name="local"
    )
    by_name = choose_queue(
        URGENT, queue_url=None, queue_name="Shop-Urgent.fifo", environ=environ, fallback_name=None
    )

    assert by_url == QueueChoice(url=QUEUE)
    assert by_name == QueueChoice(name="Shop-Urgent.fifo")


def test_else_the_services_environment_names_the_queue_then_the_fallback() -> None:
    environ = {"ORDER_DELIVERY_STANDARD_QUEUE_URL": "https://standard"}

    standard = choose_queue(
        DeliveryPriority.STANDARD,
        queue_url=None,
        queue_name=None,
        environ=environ,
        fallback_name="local",
    )
    urgent = choose_queue(
        URGENT, queue_url=None, queue_name=None, environ=environ, fallback_name="local"
    )

    assert standard == QueueChoice(url="https://standard")
    assert urgent == QueueChoice(name="local")


def test_no_queue_named_anywhere_says_how_to_name_one() -> None:
    with pytest.raises(RedriveError) as refused:
        choose_queue(URGENT, queue_url=None, queue_name=None, environ={}, fallback_name=None)

    for hint in ("--queue-url", "--queue-name", "UrgentQueueName", "ORDER_DELIVERY_URGENT"):
        assert hint in str(refused.value)


@pytest.mark.parametrize(
    ("url", "region"),
    [
        (QUEUE, "eu-west-1"),
        ("https://sqs.us-east-1.amazonaws.com/1/q.fifo", "us-east-1"),
        ("http://127.0.0.1:5000/123456789012/q.fifo", None),
        ("", None),
    ],
)
def test_a_queue_url_names_its_region(url: str, region: str | None) -> None:
    assert region_of_queue_url(url) == region


def test_a_dead_letter_names_its_command_as_the_worker_reads_it() -> None:
    placed = a_place_order_command()

    letter = describe(a_dead_letter_message(encode_command(placed), placed.message_group()))

    assert letter == DeadLetter(
        "m-1", placed.message_group(), "PlaceOrder", placed.command_id, placed.order_id
    )


def test_a_command_of_no_order_has_no_order_id() -> None:
    registered = a_register_customer_command()

    letter = describe(a_dead_letter_message(encode_command(registered)))

    assert (letter.command_type, letter.order_id) == ("RegisterCustomer", None)


def test_an_undecodable_dead_letter_still_names_its_command_when_it_can() -> None:
    placed = a_place_order_command()
    envelope = json.loads(encode_command(placed))
    envelope["schema"] = 99  # a newer API's message, say

    letter = describe(a_dead_letter_message(json.dumps(envelope)))
    garbage = describe(a_dead_letter_message("not json", group=None))

    assert (letter.command_type, letter.command_id) == (None, placed.command_id)
    assert garbage == DeadLetter("m-1", None, None, None, None)


def test_an_empty_dead_letter_queue_is_one_plain_line() -> None:
    assert format_redrive_report(a_report()) == (
        "Shop-UrgentDeadLetters.fifo is empty: nothing to move back to Shop-Urgent.fifo."
    )


def test_the_report_lists_each_letter_with_its_group_and_command() -> None:
    report = a_report(
        a_letter("order-A", "PlaceOrder", "c-1"),
        a_letter("order-A", "CancelOrder", "c-2"),
        a_letter("order-B", None, None),
    )

    lines = format_redrive_report(report).splitlines()

    assert lines[0] == (
        "3 dead letters of Shop-UrgentDeadLetters.fifo moved back to Shop-Urgent.fifo, "
        "in 2 message groups."
    )
    assert [line.split() for line in lines[2:6]] == [
        ["message", "group", "command", "command", "id"],
        ["order-A", "PlaceOrder", "c-1"],
        ["order-A", "CancelOrder", "c-2"],
        ["order-B", "(undecodable)", "-"],
    ]
    assert lines[-1] == "Left in Shop-UrgentDeadLetters.fifo: about 0."


def test_a_dry_run_says_nothing_moved_and_when_a_group_hid_some_letters() -> None:
    report = a_report(a_letter("order-A", "PlaceOrder", "c-1"), dry_run=True, waiting=12)

    printed = format_redrive_report(report)

    assert printed.splitlines()[0] == (
        "1 dead letter of Shop-UrgentDeadLetters.fifo would move back to Shop-Urgent.fifo, "
        "in 1 message group (dry run: nothing moved)."
    )
    assert "holds about 12: a FIFO queue shows a group's later messages" in printed
