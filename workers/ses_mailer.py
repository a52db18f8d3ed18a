"""Sending email through SES v2, as one MIME message with a text and an HTML part."""

from __future__ import annotations

import binascii
import secrets
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid
from typing import TYPE_CHECKING

from workers.emails import Email

if TYPE_CHECKING:
    from types_aiobotocore_sesv2 import SESV2Client

# Lines end as email.message's default policy ends them (and as SES has always been sent them).
_LINESEP = "\n"
# The width headers are folded to: email.header overshoots it by a character or two, and
# RFC 5322 asks for lines of 78 characters at most.
_HEADER_WIDTH = 76


class SesMailer:
    def __init__(self, client: SESV2Client, sender_email: str, sender_name: str) -> None:
        self._client = client
        self._sender_email = sender_email
        self._from = _sender(sender_name, sender_email)
        self._domain = sender_email.rpartition("@")[2]

    async def send(self, email: Email) -> str:
        """Send one email; the SES message id it answers with."""
        response = await self._client.send_email(
            FromEmailAddress=self._sender_email,
            Destination={"ToAddresses": [email.to]},
            Content={"Raw": {"Data": self.raw_message(email)}},
        )
        return response["MessageId"]

    def raw_message(self, email: Email) -> bytes:
        """The raw message: headers, then the text and the HTML as alternatives.

        Written out here, not built with email.message.EmailMessage, whose header registry
        parses back and refolds every header it is given: a tenth of its CPU for the same
        message, which the standard library's parser reads back alike.
        """
        # "=_" never occurs in quoted-printable text ("=" is always written =3D there), so the
        # boundary cannot occur in either part.
        boundary = f"=_{secrets.token_hex(16)}"
        headers = (
            f"Subject: {_header('Subject', email.subject)}",
            f"From: {self._from}",
            f"To: {_address(email.to)}",
            f"Date: {formatdate(usegmt=True)}",
            f"Message-ID: {make_msgid(domain=self._domain)}",
            f"X-Order-Id: {_header('X-Order-Id', email.order_id)}",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;",
            f' boundary="{boundary}"',
        )
        lines = [*headers, ""]
        for subtype, body in (("plain", email.text), ("html", email.html)):
            lines += (
                f"--{boundary}",
                f'Content-Type: text/{subtype}; charset="utf-8"',
                "Content-Transfer-Encoding: quoted-printable",
                "",
                # The line break before the next boundary belongs to the boundary, not the body.
                binascii.b2a_qp(body.encode(), istext=True).decode("ascii"),
            )
        lines.append(f"--{boundary}--")
        return (_LINESEP.join(lines) + _LINESEP).encode("ascii")


def _header(name: str, value: str) -> str:
    """`value` as the body of header `name`: as it is when it is plain ASCII that fits on one
    line, else folded into RFC 2047 encoded words (so that no character, leading space or
    overlong word is lost or changed when it is read back)."""
    if (
        value.isascii()
        and len(name) + 2 + len(value) <= _HEADER_WIDTH
        and value == value.strip()
        and value.isprintable()
        and "=?" not in value  # would read as an encoded word
    ):
        return value
    return Header(value, "utf-8", _HEADER_WIDTH, name).encode(linesep=_LINESEP)


def _sender(name: str, address: str) -> str:
    """The From header's body: the name (quoted if it must be; as encoded words, folded, if it
    is not plain ASCII), then the address."""
    _refuse_unprintable(address)
    if name.isascii() and name.isprintable():
        return formataddr((name, address))
    encoded = Header(name, "utf-8", _HEADER_WIDTH, "From").encode(linesep=_LINESEP)
    return f"{encoded} <{address}>"


def _address(address: str) -> str:
    """An address header's body: a non-ASCII local part or domain as an encoded word, as
    email.message wrote it."""
    _refuse_unprintable(address)
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    parts = (part if part.isascii() else Header(part, "utf-8").encode() for part in (local, domain))
    return at.join(parts)


class UnsendableAddressError(ValueError):
    """An address holding a line break or another control character: written into a header it
    could start a header of its own. The API's rules never let one in; this keeps it so."""


def _refuse_unprintable(address: str) -> None:
    if not address.isprintable():
        raise UnsendableAddressError(f"an address with a control character: {address!r}")
