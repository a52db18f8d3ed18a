"""The local outbox off loopback, on the embedded emulator: staff read every email, no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.aws_clients import AwsClients
from tests.api_requests import settings_for
from tests.unit.test_dev_outbox import bearer, client_for

pytestmark = pytest.mark.integration


@pytest.fixture
async def lan_server(emulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The local server's app as `serve --host 0.0.0.0` builds it, on the emulator."""
    clients = AwsClients.for_settings(settings_for(emulator_url))
    async with client_for("0.0.0.0", clients, emulator_url) as http:  # noqa: S104
        yield http
    await clients.close()


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox.html"])
async def test_staff_read_the_outbox_a_customer_and_a_stranger_do_not(
    lan_server: httpx.AsyncClient, path: str
) -> None:
    as_staff = await lan_server.get(path, headers=bearer("staff-grace", staff=True))
    as_customer = await lan_server.get(path, headers=bearer("customer-ada"))
    as_stranger = await lan_server.get(path)

    assert as_staff.status_code == 200, as_staff.text
    assert (as_customer.status_code, as_stranger.status_code) == (403, 401)
    assert "errors" in as_customer.json()
    assert "errors" in as_stranger.json()
