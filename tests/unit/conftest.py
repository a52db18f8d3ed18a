"""Unit fixtures: the SDK's clients for apps built in-process whose requests never reach AWS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.aws_clients import AwsClients
from tests.api_requests import settings_for


@pytest.fixture(scope="module")
async def clients() -> AsyncIterator[AwsClients]:
    """Clients of an endpoint nothing listens on (tests.api_requests.UNREACHABLE_AWS)."""
    clients = AwsClients.for_settings(settings_for())
    yield clients
    await clients.close()
