"""Which receipt and emails each applied change calls for, and where receipts and links live."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.notifications import (
    EMAIL_RECIPIENTS,
    Effect,
    Recipient,
    effects_of,
    email_sent,
    receipt_issued,
)
from domain.orders import EventKind, Order, OrderChange
from tests.factories import (
    KETTLE,
    a_business,
    a_cancellation,
    a_delivery,
    a_dispatch,
    a_line,
    a_modification,
    a_placed_order,
    an_address,
    an_order_placement,
)

RECEIPT_AND_BOTH_EMAILS = (Effect.RECEIPT, Effect.EMAIL_CUSTOMER, Effect.EMAIL_BUSINESS)
RECEIPT_AND_CUSTOMER_EMAIL = (Effect.RECEIPT, Effect.EMAIL_CUSTOMER)


def test_a_placed_order_calls_for_a_receipt_then_emails_to_customer_and_business() -> None:
    assert effects_of(an_order_placement()) == RECEIPT_AND_BOTH_EMAILS


def test_a_cancelled_order_calls_for_a_receipt_then_emails_to_customer_and_business() -> None:
    assert effects_of(a_cancellation(a_placed_order())) == RECEIPT_AND_BOTH_EMAILS


@pytest.mark.parametrize("advance", [a_dispatch, a_delivery], ids=["dispatched", "delivered"])
def test_a_delivery_status_change_calls_for_a_receipt_and_a_customer_email(
    advance: Callable[[Order], OrderChange],
) -> None:
    assert effects_of(advance(a_placed_order())) == RECEIPT_AND_CUSTOMER_EMAIL


def test_a_change_of_lines_reissues_the_receipt_and_emails_the_customer() -> None:
    change = a_modification(a_placed_order(), items=(a_line(KETTLE, 1),))

    assert effects_of(change) == RECEIPT_AND_CUSTOMER_EMAIL


def test_a_change_of_address_reissues_the_receipt_and_emails_the_customer() -> None:
    change = a_modification(a_placed_order(), delivery_address=an_address(line1="7 Engine Lane"))

    assert effects_of(change) == RECEIPT_AND_CUSTOMER_EMAIL


def test_a_change_of_notes_alone_emails_the_customer_without_a_new_receipt() -> None:
    change = a_modification(a_placed_order(), notes="Leave it with the neighbour")

    assert effects_of(change) == (Effect.EMAIL_CUSTOMER,)


def test_each_email_effect_is_addressed_to_its_own_recipient() -> None:
    assert EMAIL_RECIPIENTS == {
        Effect.EMAIL_CUSTOMER: Recipient.CUSTOMER,
        Effect.EMAIL_BUSINESS: Recipient.BUSINESS,
    }


def test_the_receipt_link_fills_the_order_id_into_the_business_template() -> None:
    business = a_business(receipt_link_template="https://shop.example/orders/{order_id}")

    assert business.receipt_link("01JORDER") == "https://shop.example/orders/01JORDER"


def test_a_business_without_a_receipt_link_template_links_to_no_receipt() -> None:
    assert a_business(receipt_link_template="").receipt_link("01JORDER") is None


@pytest.mark.parametrize(
    ("recipient", "detail"),
    [
        (Recipient.CUSTOMER, "Email sent to you."),
        (Recipient.BUSINESS, "Email sent to the business."),
    ],
)
def test_an_email_event_says_to_whom_and_keeps_its_message_id_out_of_sight(
    recipient: Recipient, detail: str
) -> None:
    event = email_sent(recipient, "0100018f-ses-message-id", 3)

    assert (event.kind, event.detail, event.version) == (EventKind.EMAIL_SENT, detail, 3)
    assert event.reference == "0100018f-ses-message-id"
    assert "0100018f" not in (event.detail or "")


@pytest.mark.parametrize(
    ("version", "detail"), [(1, "Receipt issued."), (2, "Updated receipt issued.")]
)
def test_a_receipt_event_belongs_to_its_order_version(version: int, detail: str) -> None:
    event = receipt_issued(version)

    assert (event.kind, event.detail, event.version) == (EventKind.RECEIPT_ISSUED, detail, version)
