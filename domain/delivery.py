"""The delivery promise: when an order should arrive, urgent within hours, standard in days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.orders import DeliveryPriority

# What a business promises unless it says otherwise: urgent orders the same working afternoon,
# standard ones within two days.
DEFAULT_URGENT_HOURS = 4
DEFAULT_STANDARD_DAYS = 2


@dataclass(frozen=True, slots=True)
class DeliveryPromise:
    """How long the business takes to deliver: urgent orders within hours, standard within days."""

    urgent_hours: int = DEFAULT_URGENT_HOURS
    standard_days: int = DEFAULT_STANDARD_DAYS

    def __post_init__(self) -> None:
        if self.urgent_hours < 1 or self.standard_days < 1:
            raise ValueError("a delivery promise is at least one hour (urgent) and one day")

    def window(self, priority: DeliveryPriority) -> timedelta:
        if priority is DeliveryPriority.URGENT:
            return timedelta(hours=self.urgent_hours)
        return timedelta(days=self.standard_days)


def estimated_delivery(
    priority: DeliveryPriority, placed_at: datetime, promise: DeliveryPromise
) -> datetime:
    """The latest moment an order of this priority, placed at `placed_at`, should arrive.

    The same instant for every reader (a quote, a live order, its receipt and emails): the
    placement time plus the promise's window, in the placement time's own time zone. Whether
    to show it at all (not for a cancelled or delivered order) is the caller's choice.
    """
    return placed_at + promise.window(priority)
