"""Sending email through SES v2, as one MIME message with a text and an HTML part."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import TYPE_CHECKING

from workers.emails import Email

if TYPE_CHECKING:
    from types_aiobotocore_sesv2 import SESV2Client


class SesMailer:
    def __init__(self, client: SESV2Client, sender_email: str, sender_name: str) -> None:
        self._client = client
        self._sender_email = sender_email
        self._sender_name = sender_name

    async def send(self, email: Email) -> str:
        """Send one email; the SES message id it answers with."""
        message = EmailMessage()
        message["Subject"] = email.subject
        message["From"] = formataddr((self._sender_name, self._sender_email))
        message["To"] = email.to
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._sender_email.rpartition("@")[2])
        message["X-Order-Id"] = email.order_id
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        response = await self._client.send_email(
            FromEmailAddress=self._sender_email,
            Destination={"ToAddresses": [email.to]},
            Content={"Raw": {"Data": message.as_bytes()}},
        )
        return response["MessageId"]
