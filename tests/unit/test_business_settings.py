"""Where the business is and what it promises, as a deployment sets it through the environment."""

from __future__ import annotations

import pytest

from app.settings import EnvVar, Settings, SettingsError
from domain.delivery import DeliveryPromise
from domain.notifications import PaperSize, order_number, paper_size
from tests.api_requests import LAMBDA_ENVIRONMENT


def _settings(**variables: str) -> Settings:
    return Settings.from_environ({**LAMBDA_ENVIRONMENT, **variables})


def test_an_environment_that_says_nothing_gets_a_us_business_on_new_york_time() -> None:
    business = _settings().business

    assert business.time_zone == "America/New_York"
    assert business.country == "US"
    assert business.paper_size is PaperSize.LETTER
    assert business.delivery_promise == DeliveryPromise(urgent_hours=4, standard_days=2)


def test_the_time_zone_country_and_promise_come_from_the_environment() -> None:
    business = _settings(
        **{
            EnvVar.BUSINESS_TIME_ZONE: "Europe/Berlin",
            EnvVar.BUSINESS_COUNTRY: "de",
            EnvVar.URGENT_DELIVERY_HOURS: "2",
            EnvVar.STANDARD_DELIVERY_DAYS: "3",
        }
    ).business

    assert (business.time_zone, business.country) == ("Europe/Berlin", "DE")
    assert business.paper_size is PaperSize.A4
    assert business.delivery_promise == DeliveryPromise(urgent_hours=2, standard_days=3)


def test_to_environ_gives_back_what_from_environ_read() -> None:
    settings = _settings(
        **{EnvVar.BUSINESS_TIME_ZONE: "Asia/Tokyo", EnvVar.URGENT_DELIVERY_HOURS: "6"}
    )

    assert Settings.from_environ(settings.to_environ()) == settings


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        (EnvVar.BUSINESS_TIME_ZONE, "Mars/Olympus_Mons", "not an IANA zone"),
        (EnvVar.BUSINESS_TIME_ZONE, "America", "not an IANA zone"),
        (EnvVar.BUSINESS_COUNTRY, "USA", "two-letter ISO code"),
        (EnvVar.URGENT_DELIVERY_HOURS, "0", EnvVar.URGENT_DELIVERY_HOURS),
        (EnvVar.STANDARD_DELIVERY_DAYS, "two", EnvVar.STANDARD_DELIVERY_DAYS),
    ],
)
def test_a_business_setting_that_cannot_be_right_is_refused_at_start_up(
    variable: str, value: str, complaint: str
) -> None:
    with pytest.raises(SettingsError, match=complaint):
        _settings(**{variable: value})


@pytest.mark.parametrize(
    ("country", "paper"),
    [
        ("US", PaperSize.LETTER),
        ("ca", PaperSize.LETTER),
        ("GB", PaperSize.A4),
        ("FR", PaperSize.A4),
    ],
)
def test_letter_paper_for_north_america_and_a4_elsewhere(country: str, paper: PaperSize) -> None:
    assert paper_size(country) is paper


def test_the_order_number_is_the_ids_last_eight_characters_in_two_groups() -> None:
    assert order_number("01JQ4Z8C2V5N8R7K3M9QXAB4CD") == "9QXA-B4CD"


@pytest.mark.parametrize("origin", ["*", "https://shop.example/app", "null", "https://"])
def test_a_cors_origin_that_is_not_scheme_host_port_is_refused(origin: str) -> None:
    with pytest.raises(SettingsError):
        _settings(**{EnvVar.CORS_ALLOWED_ORIGINS: origin})
