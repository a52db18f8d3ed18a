"""Who may read the local outbox: anyone on a loopback bind, staff only on any other."""

from __future__ import annotations

import httpx
import pytest

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.local.dev_tokens import BearerTokenAuthenticator, DevTokens
from app.local.loopback import is_loopback_host
from app.local.outbox import outbox_routes
from tests.api_requests import UNREACHABLE_AWS, settings_for

tokens = DevTokens("unit-test-secret-at-least-32-bytes-long")
# Not an order id: the receipt route answers 404 without reading anything, once past the guard.
RECEIPT = "/dev/receipts/not-an-order"
GUARDED_PATHS = ["/dev/outbox", "/dev/outbox.html", RECEIPT]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "127.255.255.254",
        "::1",
        "[::1]",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "localhost",
        "LOCALHOST",
        "localhost.",
    ],
)
def test_a_loopback_bind_is_recognised(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "0.0.0.0",  # noqa: S104 (the bind under test)
        "::",
        "",
        "192.168.1.5",
        "10.0.0.1",
        "128.0.0.1",
        "::ffff:192.168.1.5",
        "fe80::1",
        "my-laptop.local",
        "localhost.example.com",
        "127.0.0.1.nip.io",
        "127.1",
    ],
)
def test_any_other_bind_counts_as_reachable_from_elsewhere(host: str) -> None:
    assert not is_loopback_host(host)


def client_for(
    bind_host: str, clients: AwsClients, aws_endpoint: str = UNREACHABLE_AWS
) -> httpx.AsyncClient:
    """The local server's app as `serve --host <bind_host>` builds it, in-process."""
    services = LazyApiServices(settings_for(aws_endpoint), clients)
    authenticator = BearerTokenAuthenticator(tokens)
    app = create_app(
        services,
        authenticator,
        developer_mode=True,
        extra_routes=outbox_routes(aws_endpoint, services, authenticator, bind_host=bind_host),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def bearer(sub: str, *, staff: bool = False) -> dict[str, str]:
    return {"authorization": f"Bearer {tokens.issue(sub, staff=staff)}"}


@pytest.mark.parametrize("path", GUARDED_PATHS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer not-a-token"}, {"authorization": "Basic c3RhZmY6c3RhZmY="}],
    ids=["no-token", "invalid-token", "other-scheme"],
)
async def test_off_loopback_the_outbox_refuses_a_caller_without_a_token(
    clients: AwsClients, path: str, headers: dict[str, str]
) -> None:
    async with client_for("0.0.0.0", clients) as http:  # noqa: S104
        response = await http.get(path, headers=headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", GUARDED_PATHS)
async def test_off_loopback_the_outbox_refuses_a_customer(clients: AwsClients, path: str) -> None:
    async with client_for("192.168.1.5", clients) as http:
        response = await http.get(path, headers=bearer("customer-ada"))

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_off_loopback_staff_reach_the_outbox_routes(clients: AwsClients) -> None:
    async with client_for("::", clients) as http:
        response = await http.get(RECEIPT, headers=bearer("staff-grace", staff=True))

    assert response.status_code == 404
    assert response.json() == {"error": "no receipt for this order yet"}


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
async def test_on_loopback_the_outbox_needs_no_token(clients: AwsClients, host: str) -> None:
    async with client_for(host, clients) as http:
        response = await http.get(RECEIPT)

    assert response.status_code == 404
    assert response.json() == {"error": "no receipt for this order yet"}
