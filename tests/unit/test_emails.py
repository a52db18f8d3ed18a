"""The emails each order change sends, and how they leave through SES as one MIME message."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest

from domain.delivery import DeliveryPromise
from domain.notifications import (
    EMAIL_RECIPIENTS,
    BusinessProfile,
    Recipient,
    effects_of,
    order_number,
)
from domain.orders import DeliveryPriority, OrderChange
from tests.factories import (
    MUG,
    TEA,
    a_business,
    a_cancellation,
    a_delivery,
    a_dispatch,
    a_line,
    a_modification,
    a_profile,
    a_snapshot,
    an_address,
    an_order_placement,
)
from workers.emails import Email, compose_email
from workers.ses_mailer import SesMailer, UnsendableAddressError

CUSTOMER_EMAIL = "zoe@example.com"
ORDERS_EMAIL = "orders@teacake.example"
RECEIPT_PAGE = "https://shop.teacake.example/orders/"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

History = tuple[OrderChange, ...]


def _business() -> BusinessProfile:
    return a_business(
        name="Tea & Cake Co",
        orders_email=ORDERS_EMAIL,
        receipt_link_template=RECEIPT_PAGE + "{order_id}",
    )


def _placed(
    priority: DeliveryPriority = DeliveryPriority.STANDARD,
    *,
    name: str = "Zoë Adams",
    notes: str | None = None,
) -> History:
    """An order of two teas ($9.00 + $4.99 standard delivery = $13.99)."""
    customer = a_profile(name=name, email=CUSTOMER_EMAIL)
    placement = an_order_placement(
        customer=customer, items=(a_line(TEA, 2),), priority=priority, notes=notes
    )
    return (placement,)


def _lines_modified() -> History:
    """Two teas, then a mug added: $13.99 becomes $26.98."""
    (placement,) = _placed()
    return placement, a_modification(placement.order, items=(a_line(TEA, 2), a_line(MUG, 1)))


def _address_modified() -> History:
    (placement,) = _placed()
    address = an_address(line1="7 Engine Lane")
    return placement, a_modification(placement.order, delivery_address=address)


def _cancelled(priority: DeliveryPriority = DeliveryPriority.STANDARD) -> History:
    (placement,) = _placed(priority)
    return placement, a_cancellation(placement.order, reason="Ordered twice")


def _dispatched() -> History:
    (placement,) = _placed()
    return placement, a_dispatch(placement.order)


def _delivered() -> History:
    (placement,) = _placed()
    return placement, a_delivery(placement.order)


def _email(recipient: Recipient, history: History) -> Email:
    return compose_email(recipient, a_snapshot(*history), _business())


def _emails_sent_for(history: History) -> list[Email]:
    """What the worker sends for the last change: one email per email effect it calls for."""
    snapshot = a_snapshot(*history)
    return [
        compose_email(EMAIL_RECIPIENTS[effect], snapshot, _business())
        for effect in effects_of(history[-1])
        if effect in EMAIL_RECIPIENTS
    ]


# --- who hears of what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "addressees"),
    [
        (_placed, [CUSTOMER_EMAIL, ORDERS_EMAIL]),
        (_lines_modified, [CUSTOMER_EMAIL]),
        (_cancelled, [CUSTOMER_EMAIL, ORDERS_EMAIL]),
        (_dispatched, [CUSTOMER_EMAIL]),
        (_delivered, [CUSTOMER_EMAIL]),
    ],
    ids=["placed", "modified", "cancelled", "dispatched", "delivered"],
)
def test_each_change_emails_the_customer_and_only_new_or_cancelled_orders_reach_the_business(
    history: Callable[[], History], addressees: list[str]
) -> None:
    assert [sent.to for sent in _emails_sent_for(history())] == addressees


@pytest.mark.parametrize(
    ("history", "subject_says"),
    [
        (_placed, "is confirmed"),
        (_lines_modified, "was updated"),
        (_cancelled, "is cancelled"),
        (_dispatched, "is on its way"),
        (_delivered, "was delivered"),
    ],
    ids=["placed", "modified", "cancelled", "dispatched", "delivered"],
)
def test_the_customer_subject_names_the_order_and_what_happened_to_it(
    history: Callable[[], History], subject_says: str
) -> None:
    changes = history()

    sent = _email(Recipient.CUSTOMER, changes)

    assert sent.subject == f"Your order {order_number(changes[0].order.id)} {subject_says}"
    assert sent.order_id == changes[0].order.id


# --- order placed ----------------------------------------------------------------------------


def test_the_order_confirmation_summarises_the_order_and_links_to_its_receipt() -> None:
    history = _placed()
    order_id = history[0].order.id

    sent = _email(Recipient.CUSTOMER, history)

    for part in (sent.text, sent.html):
        assert "Green tea" in part
        assert "$13.99" in part
        assert RECEIPT_PAGE + order_id in part
    assert f'href="{RECEIPT_PAGE}{order_id}"' in sent.html


def test_a_new_order_is_announced_to_the_business_address() -> None:
    history = _placed()

    sent = _email(Recipient.BUSINESS, history)

    assert sent.to == ORDERS_EMAIL
    assert sent.subject.startswith(f"New order {order_number(history[0].order.id)}")
    assert CUSTOMER_EMAIL in sent.text


def test_the_business_email_carries_no_receipt_link() -> None:
    sent = _email(Recipient.BUSINESS, _placed())

    assert RECEIPT_PAGE not in sent.text
    assert RECEIPT_PAGE not in sent.html


@pytest.mark.parametrize(
    ("priority", "leads_with_urgent"),
    [(DeliveryPriority.URGENT, True), (DeliveryPriority.STANDARD, False)],
)
def test_urgent_leads_the_subject_of_the_business_email_of_an_urgent_order(
    priority: DeliveryPriority, leads_with_urgent: bool
) -> None:
    new_order = _email(Recipient.BUSINESS, _placed(priority))
    cancellation = _email(Recipient.BUSINESS, _cancelled(priority))

    assert new_order.subject.startswith("URGENT") is leads_with_urgent
    assert cancellation.subject.startswith("URGENT") is leads_with_urgent


def test_the_confirmation_gives_the_placing_time_and_estimate_on_the_business_clock() -> None:
    history = _placed(DeliveryPriority.URGENT)  # placed 09:26 UTC, promised within 4 hours

    sent = _email(Recipient.CUSTOMER, history)

    for part in (sent.text, sent.html):
        assert "Placed Fri, Mar 14, 2025, 5:26 AM EDT" in part
        assert "Estimated delivery by Fri, Mar 14, 2025, 9:26 AM EDT" in part


def test_the_estimate_follows_the_business_promise_and_time_zone() -> None:
    business = a_business(
        time_zone="Europe/London", delivery_promise=DeliveryPromise(standard_days=3)
    )

    sent = compose_email(Recipient.CUSTOMER, a_snapshot(*_placed()), business)

    assert "Estimated delivery by Mon, Mar 17, 2025, 9:26 AM GMT" in sent.text


@pytest.mark.parametrize("history", [_cancelled, _delivered], ids=["cancelled", "delivered"])
def test_a_finished_order_email_gives_no_estimate(history: Callable[[], History]) -> None:
    sent = _email(Recipient.CUSTOMER, history())

    assert "Estimated delivery" not in sent.text
    assert "Estimated delivery" not in sent.html


def test_the_customer_email_thanks_them_and_ends_with_the_business_contact() -> None:
    history = _placed()

    sent = _email(Recipient.CUSTOMER, history)

    assert f"Write to {ORDERS_EMAIL}" in sent.text
    assert f'<a href="mailto:{ORDERS_EMAIL}">{ORDERS_EMAIL}</a>' in sent.html
    for part in (sent.text, sent.html):
        assert "Thank you for shopping with Tea &" in part
        assert "+44 20 7946 0000" in part
        assert "1 Market Street, London" in part
        assert f"Order ID {history[0].order.id}" in part  # the full id, in small print


def test_a_cancelled_urgent_order_email_has_no_urgent_marker() -> None:
    sent = _email(Recipient.CUSTOMER, _cancelled(DeliveryPriority.URGENT))

    assert "URGENT" not in sent.text
    assert "URGENT" not in sent.html


# --- order modified ------------------------------------------------------------------------


def test_the_update_email_says_what_changed_and_the_new_and_previous_totals() -> None:
    sent = _email(Recipient.CUSTOMER, _lines_modified())

    for part in (sent.text, sent.html):
        assert "Items changed." in part
        assert "$26.98" in part
        assert "$13.99" in part


def test_the_update_email_gives_no_previous_total_when_the_total_did_not_change() -> None:
    sent = _email(Recipient.CUSTOMER, _address_modified())

    assert "Your order was updated. Delivery address changed." in sent.text
    assert "7 Engine Lane" in sent.text
    assert "Its total is $13.99." in sent.text
    assert "it was" not in sent.text


# --- order cancelled -----------------------------------------------------------------------


@pytest.mark.parametrize("recipient", [Recipient.CUSTOMER, Recipient.BUSINESS])
def test_the_cancellation_email_gives_the_refund_and_the_reason(recipient: Recipient) -> None:
    sent = _email(recipient, _cancelled())

    for part in (sent.text, sent.html):
        assert "refunded $13.99" in part.lower()
        assert "Ordered twice" in part


def test_the_business_hears_the_refund_in_the_cancellation_subject() -> None:
    history = _cancelled()

    sent = _email(Recipient.BUSINESS, history)

    assert sent.to == ORDERS_EMAIL
    assert sent.subject == f"Order {order_number(history[0].order.id)} cancelled, refund $13.99"


# --- user input is text, never markup ------------------------------------------------------


@pytest.mark.parametrize("recipient", [Recipient.CUSTOMER, Recipient.BUSINESS])
def test_markup_in_the_name_and_notes_arrives_escaped_in_html_and_verbatim_in_text(
    recipient: Recipient,
) -> None:
    history = _placed(name=f"Zoë {SCRIPT}", notes=SCRIPT)

    sent = _email(recipient, history)

    assert "<script" not in sent.html.lower()
    assert sent.html.count(ESCAPED_SCRIPT) >= 2  # the name and the notes
    assert sent.text.count(SCRIPT) >= 2


# --- sending through SES -------------------------------------------------------------------


class _RecordingSesClient:
    """An in-memory SES v2: keeps each `send_email` call's arguments, answers a message id."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def send_email(self, **arguments: Any) -> dict[str, Any]:
        self.calls.append(arguments)
        return {"MessageId": "m-1"}


async def _send(sent: Email) -> tuple[str, _RecordingSesClient]:
    client = _RecordingSesClient()
    business = _business()
    message_id = await SesMailer(client, business.sender_email, business.name).send(sent)
    return message_id, client


def _mime(client: _RecordingSesClient) -> EmailMessage:
    (call,) = client.calls
    raw = call["Content"]["Raw"]["Data"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def test_the_mailer_answers_with_the_message_id_ses_gave() -> None:
    message_id, _ = await _send(_email(Recipient.CUSTOMER, _placed()))

    assert message_id == "m-1"


async def test_the_mailer_sends_one_message_with_the_text_and_the_html_as_alternatives() -> None:
    sent = _email(Recipient.CUSTOMER, _placed(name="Zoë <b>", notes=SCRIPT))

    _, client = await _send(sent)

    message = _mime(client)
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    assert text_part.get_content() == sent.text
    assert html_part.get_content() == sent.html


async def test_the_mailer_sends_from_the_business_name_at_the_sender_address() -> None:
    _, client = await _send(_email(Recipient.CUSTOMER, _placed()))

    (sender,) = _mime(client)["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Tea & Cake Co", "noreply@teacake.example")
    assert client.calls[0]["FromEmailAddress"] == "noreply@teacake.example"


async def test_the_mailer_addresses_the_recipient_with_the_subject_and_order_id() -> None:
    sent = _email(Recipient.BUSINESS, _placed())

    _, client = await _send(sent)

    message = _mime(client)
    assert client.calls[0]["Destination"] == {"ToAddresses": [ORDERS_EMAIL]}
    assert message["To"] == ORDERS_EMAIL
    assert message["Subject"] == sent.subject
    assert message["X-Order-Id"] == sent.order_id


async def test_a_new_order_from_a_name_spanning_two_lines_still_reaches_the_business() -> None:
    sent = _email(Recipient.BUSINESS, _placed(name="Zoë\nAdams"))

    _, client = await _send(sent)

    assert _mime(client)["Subject"].endswith("from Zoë Adams: $13.99")


# --- the raw message, read back by the standard library's parser ---------------------------


def _an_email(*, subject: str = "Your order is confirmed", text: str = "Hello\n") -> Email:
    return Email(
        to=CUSTOMER_EMAIL, subject=subject, text=text, html=f"<p>{text}</p>", order_id="01ORDER"
    )


def _read_back(sent: Email, sender_name: str = "Tea & Cake Co") -> EmailMessage:
    raw = SesMailer(_RecordingSesClient(), "noreply@teacake.example", sender_name).raw_message(sent)
    assert max(map(len, raw.split(b"\n"))) <= 78  # every line, headers and bodies alike
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


@pytest.mark.parametrize(
    "subject",
    [
        "New order DYQ6-WQ6N from Zoë Adams: €13.99",
        "New order from 李小龍 Ἀλέξανδρος Пётр שרה כהן محمد علي 김민준 さくら",
        "New order from " + "Bartholomew-Featherstonehaugh " * 8,  # longer than a line
        "New order from " + "x" * 120,  # one word longer than a line
        "New order from =?utf-8?q?not_an_encoded_word?=",  # text that reads as an encoded word
    ],
    ids=["accented", "scripts", "long", "long-word", "encoded-word-lookalike"],
)
def test_a_subject_in_any_script_and_of_any_length_reads_back_as_written(subject: str) -> None:
    assert _read_back(_an_email(subject=subject))["Subject"] == subject


@pytest.mark.parametrize(
    "sender_name", ["Tea & Cake Co", "Zoë's Café", "李小龍的茶館", 'The "Best" <Teas>']
)
def test_the_sender_name_reads_back_as_written(sender_name: str) -> None:
    (sender,) = _read_back(_an_email(), sender_name)["From"].addresses

    assert (sender.display_name, sender.addr_spec) == (sender_name, "noreply@teacake.example")


@pytest.mark.parametrize(
    "text",
    [
        "Zoë 李小龍 Пётр محمد\n" * 3,
        "A line far longer than any mail line should be: " + "tea and cake " * 40 + "\n",
        "An equals sign = and what looks like an escape =3D\n",
        "Trailing spaces   \n\tand a tab\n",
        "-- \nA signature, and no line break at the end",
    ],
    ids=["scripts", "long-line", "equals", "trailing-space", "no-final-newline"],
)
def test_the_text_and_html_read_back_exactly_as_written(text: str) -> None:
    message = _read_back(_an_email(text=text))

    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    assert text_part.get_content() == text
    assert html_part.get_content() == f"<p>{text}</p>"


def test_each_message_has_a_date_a_message_id_at_the_sender_domain_and_the_order_id() -> None:
    first, second = _read_back(_an_email()), _read_back(_an_email())

    assert first["Date"].datetime is not None
    assert first["Message-ID"].endswith("@teacake.example>")
    assert first["Message-ID"] != second["Message-ID"]
    assert first["X-Order-Id"] == "01ORDER"
    assert first["MIME-Version"] == "1.0"


@pytest.mark.parametrize(
    ("to", "sender"),
    [
        ("ann@example.com\r\nBcc: all@example.com", "noreply@teacake.example"),
        ("ann@example.com\n", "noreply@teacake.example"),
        (CUSTOMER_EMAIL, "noreply@teacake.example\rX-Injected: 1"),
    ],
    ids=["crlf-to", "lf-to", "cr-sender"],
)
async def test_an_address_with_a_line_break_is_never_written_into_a_header(
    to: str, sender: str
) -> None:
    client = _RecordingSesClient()
    sent = Email(to=to, subject="Hi", text="Hello\n", html="<p>Hello</p>", order_id="01ORDER")

    with pytest.raises(UnsendableAddressError):
        await SesMailer(client, sender, "Tea & Cake Co").send(sent)
    assert client.calls == []
