"""`order-delivery serve` stopped with Ctrl-C and started again: the data is still there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import running_server
from tests.e2e.operations import COMMAND, ORDER_OWNER
from tests.e2e.test_order_lifecycle import place, registered_customer

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(240)
def test_ctrl_c_saves_the_data_the_next_serve_restores_and_fresh_ignores(tmp_path: Path) -> None:
    with running_server("--data-dir", str(tmp_path)) as server:
        token = registered_customer(server, "restart-e2e")
        placed = place(
            server, token, items=[{"sku": "OAT-MILK", "quantity": 1}], idempotencyKey="kept"
        )
        assert "nothing saved yet" in server.local_data

    with running_server("--data-dir", str(tmp_path)) as server:
        assert "restored" in server.local_data
        command = server.graphql(token, COMMAND, id=placed["commandId"])["command"]
        assert command["state"] == "APPLIED"
        assert server.graphql(token, ORDER_OWNER, id=placed["orderId"])["order"] is not None

    with running_server("--data-dir", str(tmp_path), "--fresh") as server:
        assert "started empty" in server.local_data
        assert server.graphql(token, ORDER_OWNER, id=placed["orderId"])["order"] is None
