"""Money as integer minor units (cents), never floats."""

from __future__ import annotations

from dataclasses import dataclass

CURRENCY = "USD"
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str = CURRENCY

    @property
    def display(self) -> str:
        """`$12.34`, `-$5.00`: two decimals, as the minor unit of these currencies has."""
        sign = "-" if self.amount < 0 else ""
        units, cents = divmod(abs(self.amount), 100)
        symbol = _SYMBOLS.get(self.currency)
        text = f"{units:,}.{cents:02d}"
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {self.currency}"
