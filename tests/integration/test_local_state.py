"""The local service's data across a clean stop and start: orders, outcomes, receipts, emails,
and commands still queued, which the restarted worker applies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.local.outbox import read_outbox
from app.local.server import LocalService, ServeOptions, local_service
from app.local.state import STATE_FILE
from app.worker_runtime import WorkerRuntime
from tests.e2e.operations import COMMAND, ORDER_OWNER, PLACE, REGISTER

pytestmark = pytest.mark.integration

CUSTOMER = "restart-customer"
SETTLE_SECONDS = 30


def options(data_dir: Path, *, fresh: bool = False) -> ServeOptions:
    return ServeOptions(
        host="127.0.0.1",
        port=0,
        aws_endpoint=None,
        dev_token_secret="local-state-test-secret-of-32-bytes",
        log_level="WARNING",
        data_dir=data_dir,
        fresh=fresh,
    )


class Browser:
    """A client of one running local service, as the signed-in customer."""

    def __init__(self, service: LocalService, http: httpx.AsyncClient) -> None:
        self.service = service
        self._http = http
        self._token = service.tokens.issue(CUSTOMER, name="Rita", email="rita@example.com")

    async def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self._http.post(
            self.service.graphql_url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self._token}"},
        )
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def register(self) -> str:
        address = {"line1": "3 Quay", "city": "Porto", "postalCode": "4000", "country": "PT"}
        answer = await self.call(REGISTER, input={"name": "Rita", "defaultAddress": address})
        return str(answer["registerCustomer"]["commandId"])

    async def place_order(self, key: str) -> tuple[str, str]:
        order = {"items": [{"sku": "CROISSANT", "quantity": 2}], "idempotencyKey": key}
        answer = (await self.call(PLACE, input=order))["placeOrder"]
        return str(answer["commandId"]), str(answer["orderId"])

    async def command_state(self, command_id: str) -> str | None:
        command = (await self.call(COMMAND, id=command_id))["command"]
        return None if command is None else str(command["state"])

    async def order_status(self, order_id: str) -> str | None:
        order = (await self.call(ORDER_OWNER, id=order_id))["order"]
        return None if order is None else str(order["status"])

    async def emails_about(self, order_id: str) -> list[str]:
        sent = await read_outbox(self.service.emulator_url)
        return sorted(f"{email.to} {email.subject}" for email in sent if email.order_id == order_id)

    async def receipts_of(self, order_id: str) -> list[str]:
        s3 = await self.service.clients.s3()
        listing = await s3.list_objects_v2(
            Bucket=self.service.settings.bucket_name, Prefix=f"receipts/{order_id}/"
        )
        return sorted(entry["Key"] for entry in listing.get("Contents", []))


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while not await check():
        assert time.monotonic() < deadline, f"{what} did not happen within {SETTLE_SECONDS}s"
        await asyncio.sleep(0.2)


@pytest.fixture
def paused_worker(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set it, and the worker takes no more batches: what it receives stays in flight."""
    paused = asyncio.Event()
    process = WorkerRuntime.process

    async def process_unless_paused(self: WorkerRuntime, event: Any) -> Any:
        if paused.is_set():
            await asyncio.Event().wait()  # until the stop cancels it
        return await process(self, event)

    monkeypatch.setattr(WorkerRuntime, "process", process_unless_paused)
    return paused


@pytest.mark.timeout(180)
async def test_after_a_clean_restart_everything_is_there_and_queued_commands_apply(
    tmp_path: Path, paused_worker: asyncio.Event
) -> None:
    # GIVEN an applied order, with its receipt and emails, and a second order still queued
    async with local_service(options(tmp_path)) as service, httpx.AsyncClient() as http:
        browser = Browser(service, http)
        placed, order_id = await _registered_and_ordered(browser, "first")
        await eventually(
            lambda: _has_effects(browser, order_id), "the first order's receipt and emails"
        )
        emails = await browser.emails_about(order_id)
        receipts = await browser.receipts_of(order_id)
        paused_worker.set()
        queued, queued_order_id = await browser.place_order("second")
        assert await browser.command_state(queued) == "PENDING"
    # WHEN the service stops cleanly (above) and starts again on the same data directory
    paused_worker.clear()
    async with local_service(options(tmp_path)) as service, httpx.AsyncClient() as http:
        browser = Browser(service, http)

        # THEN what was there is there, and the queued command is applied
        assert await browser.command_state(placed) == "APPLIED"
        assert await browser.order_status(order_id) == "PLACED"
        assert await browser.receipts_of(order_id) == receipts
        assert await browser.emails_about(order_id) == emails
        assert "restored" in service.local_state
        await eventually(lambda: _settled(browser, queued), "the queued order")
        assert await browser.command_state(queued) == "APPLIED"
        assert await browser.order_status(queued_order_id) == "PLACED"


async def test_a_fresh_start_is_empty_and_its_stop_replaces_the_saved_data(
    tmp_path: Path,
) -> None:
    async with local_service(options(tmp_path)) as service, httpx.AsyncClient() as http:
        _, order_id = await _registered_and_ordered(Browser(service, http), "kept")
    assert (tmp_path / STATE_FILE).exists()

    async with local_service(options(tmp_path, fresh=True)) as service, httpx.AsyncClient() as http:
        assert "started empty" in service.local_state
        assert await Browser(service, http).order_status(order_id) is None
    async with local_service(options(tmp_path)) as service, httpx.AsyncClient() as http:
        assert await Browser(service, http).order_status(order_id) is None


async def test_without_a_data_directory_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    in_memory = ServeOptions(
        host="127.0.0.1", port=0, aws_endpoint=None, dev_token_secret="s" * 32, data_dir=None
    )

    async with local_service(in_memory) as service:
        assert "in memory only" in service.local_state

    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a test's directory, after the service)


async def _registered_and_ordered(browser: Browser, key: str) -> tuple[str, str]:
    """The customer registered and their order placed, both applied: its command and order id."""
    registered = await browser.register()
    await eventually(lambda: _settled(browser, registered), "the registration")
    placed, order_id = await browser.place_order(key)
    await eventually(lambda: _settled(browser, placed), f"the order {key!r}")
    assert await browser.command_state(placed) == "APPLIED"
    return placed, order_id


async def _settled(browser: Browser, command_id: str) -> bool:
    return await browser.command_state(command_id) not in {None, "PENDING"}


async def _has_effects(browser: Browser, order_id: str) -> bool:
    return len(await browser.emails_about(order_id)) == 2 and bool(
        await browser.receipts_of(order_id)
    )
