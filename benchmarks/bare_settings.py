"""What the bare baselines know of the service: its environment's names and the order's key.

Written out instead of imported from app.settings and storage.keys, so a baseline loads nothing
of ours and its import and cold start are the stack's alone;
tests/integration/test_benchmark_suite.py holds them equal to the originals.
"""

from __future__ import annotations

TABLE_NAME_VARIABLE = "ORDER_DELIVERY_TABLE_NAME"
ENDPOINT_VARIABLE = "ORDER_DELIVERY_AWS_ENDPOINT_URL"
REGION_VARIABLE = "AWS_REGION"


def order_key(order_id: str) -> dict[str, str]:
    """The order's item, as storage.keys.order_key names it."""
    return {"PK": f"ORDER#{order_id}", "SK": "ORDER"}
