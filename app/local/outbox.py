"""The local outbox: what SES (the emulator) sent, for developers without an AWS account.

Only the local server mounts these routes; the Lambda never serves them. They show every
customer's emails and receipts, so on a bind other than loopback they are for staff only.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html import escape
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from app.api_services import LazyApiServices
from app.graphql_request import graphql_error_response, unauthenticated_response
from app.local.emulator import raw_emails_sent
from app.local.loopback import is_loopback_host
from domain.ids import is_order_id
from domain.serialization import format_timestamp
from resolvers.identity import Authenticator, InvalidTokenError

ORDER_ID_HEADER = "X-Order-Id"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class SentEmail:
    to: str
    sender: str
    subject: str
    text: str
    html: str
    sent_at: str
    order_id: str | None

    def as_json(self) -> dict[str, str | None]:
        plain = asdict(self)
        plain["from"] = plain.pop("sender")
        plain["sentAt"] = plain.pop("sent_at")
        plain["orderId"] = plain.pop("order_id")
        return plain


async def read_outbox(emulator_url: str) -> list[SentEmail]:
    """Every email the emulator's SES accepted, newest first."""
    raw = raw_emails_sent(emulator_url)
    if raw is None:  # another emulator (--aws-endpoint): ask its moto API
        state = await asyncio.to_thread(_fetch_json, f"{emulator_url}/moto-api/data.json")
        raw = [message["raw_data"] for message in state.get("ses", {}).get("RawMessage", [])]
    return [_parse(message) for message in reversed(raw)]


def _fetch_json(url: str) -> dict[str, dict[str, list[dict[str, str]]]]:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the emulator's URL)
        state: dict[str, dict[str, list[dict[str, str]]]] = json.load(response)
        return state


def _parse(raw: str) -> SentEmail:
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }
    date = message.get("Date")
    return SentEmail(
        to=str(message.get("To", "")).strip(),
        sender=str(message.get("From", "")).strip(),
        subject=str(message.get("Subject", "")).strip(),
        text=parts.get("text/plain", ""),
        html=parts.get("text/html", ""),
        sent_at=format_timestamp(parsedate_to_datetime(date)) if date else "",
        order_id=message.get(ORDER_ID_HEADER),
    )


def staff_only(endpoint: Endpoint, authenticator: Authenticator) -> Endpoint:
    """`endpoint` behind a staff bearer token: 401 without a valid one, 403 for a non-staff."""

    async def guarded(request: Request) -> Response:
        try:
            identity = authenticator.authenticate(request)
        except InvalidTokenError as error:
            return unauthenticated_response(str(error))
        if not identity.is_staff:
            return graphql_error_response(
                HTTPStatus.FORBIDDEN, "FORBIDDEN", "The local outbox is for staff only."
            )
        return await endpoint(request)

    return guarded


def outbox_routes(
    emulator_url: str, services: LazyApiServices, authenticator: Authenticator, *, bind_host: str
) -> list[Route]:
    """The outbox and receipt routes: open on a loopback bind, staff-only on any other.

    Decided once from the address the server binds, not per request from the peer's address,
    which a proxy on this machine would make look local.
    """

    async def outbox(_request: Request) -> Response:
        return JSONResponse([sent.as_json() for sent in await read_outbox(emulator_url)])

    async def outbox_page(_request: Request) -> Response:
        rows = "".join(
            "<tr><td>{at}</td><td>{to}</td><td>{subject}</td><td>{receipt}</td></tr>".format(
                at=escape(sent.sent_at),
                to=escape(sent.to),
                subject=escape(sent.subject),
                receipt=(
                    f'<a href="/dev/receipts/{escape(sent.order_id)}">latest receipt</a>'
                    if sent.order_id
                    else ""
                ),
            )
            for sent in await read_outbox(emulator_url)
        )
        return HTMLResponse(
            "<!doctype html><title>Local outbox</title><h1>Emails sent (newest first)</h1>"
            '<p>As JSON: <a href="/dev/outbox">/dev/outbox</a></p>'
            "<table border=1 cellpadding=4><tr><th>Sent</th><th>To</th><th>Subject</th>"
            f"<th>Receipt</th></tr>{rows}</table>"
        )

    async def latest_receipt(request: Request) -> Response:
        order_id = request.path_params["order_id"]
        current = await services.get()
        details = await current.reads.order_details(order_id) if is_order_id(order_id) else None
        receipt = details.latest_receipt if details else None
        if receipt is None:
            return JSONResponse({"error": "no receipt for this order yet"}, status_code=404)
        return RedirectResponse(await current.receipts.url(receipt), status_code=303)

    endpoints: dict[str, Endpoint] = {
        "/dev/outbox": outbox,
        "/dev/outbox.html": outbox_page,
        "/dev/receipts/{order_id}": latest_receipt,
    }
    if not is_loopback_host(bind_host):
        endpoints = {
            path: staff_only(endpoint, authenticator) for path, endpoint in endpoints.items()
        }
    return [Route(path, endpoint) for path, endpoint in endpoints.items()]
