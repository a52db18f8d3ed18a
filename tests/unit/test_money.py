"""Money display: integer minor units shown with two decimals and the currency's symbol."""

from __future__ import annotations

import pytest

from domain.money import CURRENCY, Money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1234, "USD", "$12.34"),
        (-500, "USD", "-$5.00"),
        (0, "USD", "$0.00"),
        (5, "USD", "$0.05"),
        (-5, "USD", "-$0.05"),
        (100, "EUR", "€1.00"),
        (-250, "GBP", "-£2.50"),
        (123_456_789, "USD", "$1,234,567.89"),
        (1234, "CHF", "12.34 CHF"),
        (-1, "CHF", "-0.01 CHF"),
    ],
)
def test_money_displays_two_decimals_with_its_sign_and_symbol(
    amount: int, currency: str, shown: str
) -> None:
    assert Money(amount, currency).display == shown


def test_money_defaults_to_the_service_currency() -> None:
    assert Money(1).currency == CURRENCY == "USD"
