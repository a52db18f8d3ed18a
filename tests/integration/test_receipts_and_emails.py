"""Receipts in S3 and emails through SES: one of each per change, even across failures."""

from __future__ import annotations

import asyncio
import io
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pypdf import PdfReader

from domain.commands import CommandState, ModifyOrder, encode_command
from domain.ids import command_id_for
from domain.notifications import order_number
from domain.orders import Actor, DeliveryPriority, LineRequest
from domain.serialization import utc_now
from schema.graphql_schema import build_schema
from tests.integration.conftest import (
    BUSINESS,
    Stack,
    cancel_command,
    dispatch_command,
    identity,
    place_command,
    register_command,
)

pytestmark = pytest.mark.integration

SCHEMA = build_schema()
RECEIPT = "query($id: ID!) { order(id: $id) { version receipt { url version issuedAt } } }"


async def receipt_text(stack: Stack, key: str) -> str:
    s3 = await stack.clients.s3()
    body = await (await s3.get_object(Bucket=stack.settings.bucket_name, Key=key))["Body"].read()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


async def receipt_keys(stack: Stack, order_id: str) -> list[str]:
    s3 = await stack.clients.s3()
    listed = await s3.list_objects_v2(
        Bucket=stack.settings.bucket_name, Prefix=f"receipts/{order_id}/"
    )
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


@contextmanager
def failing_once(client: Any, operation: str, code: str, *, call: int = 1) -> Iterator[list[str]]:
    """Make the `call`-th call of `operation` fail as the service would, once."""
    failures: list[str] = []
    calls: list[int] = []

    def fail(**_: Any) -> None:
        calls.append(1)
        if not failures and len(calls) == call:
            failures.append(operation)
            raise ClientError({"Error": {"Code": code, "Message": "injected outage"}}, operation)

    event = f"before-call.{client.meta.service_model.service_name}.{operation}"
    client.meta.events.register(event, fail)
    try:
        yield failures
    finally:
        client.meta.events.unregister(event, fail)


async def test_a_placed_order_gets_a_receipt_and_two_emails(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 2), ("CAKE", 1)], priority=DeliveryPriority.URGENT)

    await stack.apply(placed)

    assert await receipt_keys(stack, placed.order_id) == [f"receipts/{placed.order_id}/v1.pdf"]
    text = await receipt_text(stack, f"receipts/{placed.order_id}/v1.pdf")
    assert placed.order_id in text
    assert "Green tea" in text
    assert "Carrot cake" in text
    assert "URGENT" in text
    emails = {email.to: email for email in await stack.emails(placed.order_id)}
    assert set(emails) == {"ann@example.com", BUSINESS.orders_email}
    assert emails[BUSINESS.orders_email].subject.startswith("URGENT")
    customer = emails["ann@example.com"]
    assert f"https://shop.example/orders/{placed.order_id}" in customer.text
    assert customer.html.startswith("<!doctype html>")


async def test_every_change_adds_a_receipt_version_and_the_right_emails(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann", [("TEA", 1)])
    await stack.apply(placed)
    modify = ModifyOrder(
        command_id=command_id_for("ann"),
        actor=Actor("ann"),
        issued_at=utc_now(),
        order_id=placed.order_id,
        items=(LineRequest("TEA", 4),),
    )

    assert (await stack.apply(modify)).state is CommandState.APPLIED
    assert (await stack.apply(cancel_command(Actor("ann"), placed.order_id))).state is (
        CommandState.APPLIED
    )

    keys = await receipt_keys(stack, placed.order_id)
    assert keys == [f"receipts/{placed.order_id}/v{version}.pdf" for version in (1, 2, 3)]
    assert "Receipt - order cancelled" in await receipt_text(stack, keys[-1])
    assert "cancelled" not in (await receipt_text(stack, keys[0])).lower()
    sent = [(email.to, email.subject) for email in reversed(await stack.emails(placed.order_id))]
    # Each change's emails go out together, in either order; the changes', one after the other.
    placing, modifying, cancelling = sorted(sent[:2]), sent[2], sorted(sent[3:])
    assert [to for to, _ in placing] == ["ann@example.com", BUSINESS.orders_email]
    assert modifying[0] == "ann@example.com"
    assert "updated" in modifying[1]
    assert [to for to, _ in cancelling] == ["ann@example.com", BUSINESS.orders_email]
    assert "cancelled" in cancelling[0][1]
    assert "refund" in cancelling[1][1]


async def test_dispatch_and_delivery_each_tell_the_customer(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)
    dispatched = await stack.apply(dispatch_command(placed.order_id))
    assert dispatched.state is CommandState.APPLIED

    subjects = [email.subject for email in await stack.emails(placed.order_id)]

    assert subjects[0] == f"Your order {order_number(placed.order_id)} is on its way"
    assert len(await receipt_keys(stack, placed.order_id)) == 2


async def test_the_receipt_url_is_short_lived_and_only_for_who_may_read_the_order(
    stack: Stack,
) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    await stack.apply(placed)

    async def ask(who: str, staff: bool = False) -> Any:
        context = await stack.context(identity(who, staff=staff))
        result = await SCHEMA.execute(
            RECEIPT, variable_values={"id": placed.order_id}, context_value=context
        )
        assert result.errors is None, result.errors
        return result.data

    own, other, staff = await ask("ann"), await ask("bob"), await ask("boss", staff=True)

    assert other == {"order": None}
    receipt = own["order"]["receipt"]
    assert receipt["version"] == 1
    query = urllib.parse.parse_qs(urllib.parse.urlparse(receipt["url"]).query)
    assert int(query["X-Amz-Expires"][0]) == stack.settings.receipt_url_ttl_seconds <= 3600
    pdf = await asyncio.to_thread(lambda: urllib.request.urlopen(receipt["url"]).read())  # noqa: S310
    assert pdf.startswith(b"%PDF")
    assert staff["order"]["receipt"]["version"] == 1


async def _deliver_through_the_queue(
    stack: Stack, command: Any, settled: Callable[[], Awaitable[bool]]
) -> None:
    """Send a command to its queue and run the worker loop until `settled()` holds."""
    sqs = await stack.clients.sqs()
    await sqs.send_message(
        QueueUrl=stack.settings.queue_urls[DeliveryPriority.STANDARD],
        MessageBody=encode_command(command),
        MessageGroupId=command.message_group(),
        MessageDeduplicationId=command.command_id,
    )
    await stack.run_worker_until(settled, what="the command's effects")


async def test_an_ses_outage_delays_the_emails_and_sends_each_once(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    ses = await stack.clients.sesv2()

    async def both_emails_sent() -> bool:
        return len(await stack.emails(placed.order_id)) >= 2

    with failing_once(ses, "SendEmail", "ServiceUnavailable") as failures:
        await _deliver_through_the_queue(stack, placed, both_emails_sent)

    assert failures == ["SendEmail"]
    assert sorted(email.to for email in await stack.emails(placed.order_id)) == [
        "ann@example.com",
        BUSINESS.orders_email,
    ]
    details = await (await stack.context_for_staff()).reads.order_details(placed.order_id)
    assert details is not None
    assert len(details.transactions) == 1
    kinds = [event.kind for event in details.history]
    assert kinds.count("EMAIL_SENT") == 2
    assert kinds.count("RECEIPT_ISSUED") == 1


async def test_a_delivery_cut_short_leaves_the_rest_to_the_next_and_nothing_twice(
    stack: Stack,
) -> None:
    """No claim guards effects: the next delivery of a message (SQS hands a FIFO group's
    message to one worker at a time) reads what was recorded and performs only the rest."""
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    ses = await stack.clients.sesv2()

    with (
        failing_once(ses, "SendEmail", "ServiceUnavailable") as failures,
        pytest.raises(ClientError),
    ):
        await stack.apply(placed)
    redelivered = await stack.apply(placed)

    assert failures == ["SendEmail"]
    assert redelivered.state is CommandState.APPLIED
    details = await (await stack.context_for_staff()).reads.order_details(placed.order_id)
    assert details is not None
    assert len(details.transactions) == 1
    kinds = [event.kind for event in details.history]
    assert (kinds.count("ORDER_PLACED"), kinds.count("RECEIPT_ISSUED")) == (1, 1)
    assert kinds.count("EMAIL_SENT") == 2
    assert await receipt_keys(stack, placed.order_id) == [f"receipts/{placed.order_id}/v1.pdf"]
    assert sorted(email.to for email in await stack.emails(placed.order_id)) == [
        "ann@example.com",
        BUSINESS.orders_email,
    ]


async def test_an_s3_outage_delays_the_receipt_and_loses_nothing(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    s3 = await stack.clients.s3()

    async def receipt_and_emails_done() -> bool:
        return len(await stack.emails(placed.order_id)) >= 2

    with failing_once(s3, "PutObject", "SlowDown") as failures:
        await _deliver_through_the_queue(stack, placed, receipt_and_emails_done)

    assert failures == ["PutObject"]
    assert await receipt_keys(stack, placed.order_id) == [f"receipts/{placed.order_id}/v1.pdf"]
    details = await (await stack.context_for_staff()).reads.order_details(placed.order_id)
    assert details is not None
    assert [receipt.version for receipt in details.receipts] == [1]
    assert len(await stack.emails(placed.order_id)) == 2


async def test_markup_in_a_customers_input_arrives_as_text(stack: Stack) -> None:
    sub = "mallory"
    registration = register_command(sub)
    await stack.apply(
        type(registration)(
            command_id=registration.command_id,
            actor=registration.actor,
            issued_at=registration.issued_at,
            name="<script>alert('name')</script>",
            email=registration.email,
            default_address=registration.default_address,
        )
    )
    placed = place_command(sub, notes="<img src=x onerror=alert(1)>")
    await stack.apply(placed)

    for email in await stack.emails(placed.order_id):
        assert "<script>" not in email.html
        assert "<img src=x" not in email.html
        assert "&lt;img src=x onerror=alert(1)&gt;" in email.html


async def test_a_throttled_record_of_a_sent_receipt_is_retried_not_dropped(stack: Stack) -> None:
    await stack.apply(register_command("ann"))
    placed = place_command("ann")
    dynamodb = await stack.clients.dynamodb()

    # The order's own transaction comes first; the receipt and emails are recorded in one batch.
    with failing_once(dynamodb, "BatchWriteItem", "ThrottlingException") as failures:
        outcome = await stack.apply(placed)

    assert failures == ["BatchWriteItem"]
    assert outcome.state is CommandState.APPLIED
    details = await (await stack.context_for_staff()).reads.order_details(placed.order_id)
    assert details is not None
    assert [receipt.version for receipt in details.receipts] == [1]
    assert [event.kind for event in details.history].count("RECEIPT_ISSUED") == 1
    assert len(await stack.emails(placed.order_id)) == 2
