"""The local outbox off loopback, on the embedded emulator: staff read every email, no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.dev_outbox import outbox_routes
from resolvers.dev_tokens import BearerTokenAuthenticator, DevTokens
from tests.api_requests import settings_for

pytestmark = pytest.mark.integration

tokens = DevTokens("integration-test-secret-at-least-32-bytes")


@pytest.fixture
async def lan_server(emulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The local server's app as `serve --host 0.0.0.0` builds it, in-process."""
    clients = AwsClients.for_settings(settings_for(emulator_url))
    services = LazyApiServices(settings_for(emulator_url), clients)
    authenticator = BearerTokenAuthenticator(tokens)
    app = create_app(
        services,
        authenticator,
        developer_mode=True,
        extra_routes=outbox_routes(
            emulator_url,
            services,
            authenticator,
            bind_host="0.0.0.0",  # noqa: S104
        ),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        yield http
    await clients.close()


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox.html"])
async def test_staff_read_the_outbox_a_customer_and_a_stranger_do_not(
    lan_server: httpx.AsyncClient, path: str
) -> None:
    staff = {"authorization": f"Bearer {tokens.issue('staff-grace', staff=True)}"}
    customer = {"authorization": f"Bearer {tokens.issue('customer-ada')}"}

    as_staff = await lan_server.get(path, headers=staff)
    as_customer = await lan_server.get(path, headers=customer)
    as_stranger = await lan_server.get(path)

    assert as_staff.status_code == 200, as_staff.text
    assert (as_customer.status_code, as_stranger.status_code) == (403, 401)
    assert "errors" in as_customer.json()
    assert "errors" in as_stranger.json()
