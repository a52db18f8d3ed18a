"""Settings: one validated model, read from the environment once, at start-up, and passed in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.delivery import DEFAULT_STANDARD_DAYS, DEFAULT_URGENT_HOURS, DeliveryPromise
from domain.notifications import DEFAULT_COUNTRY, DEFAULT_TIME_ZONE, BusinessProfile
from domain.orders import DeliveryPriority

# Where the API answers, locally and behind API Gateway.
GRAPHQL_PATH = "/graphql"
# The methods it answers: queries over either, mutations over POST only.
GRAPHQL_METHODS = ("GET", "POST")
# Every answer carries one, and a client may send its own to follow a request through the logs.
CORRELATION_ID_HEADER = "x-correlation-id"


@dataclass(frozen=True, slots=True)
class CorsRules:
    """What a browser on an allowed origin may send and read: the same for API Gateway (infra)
    and the local server, which only differ in the origins they allow."""

    methods: tuple[str, ...] = (*GRAPHQL_METHODS, "OPTIONS")
    headers: tuple[str, ...] = ("authorization", "content-type", CORRELATION_ID_HEADER)
    exposed_headers: tuple[str, ...] = (CORRELATION_ID_HEADER,)
    max_age_seconds: int = 600


CORS = CorsRules()
# The web app's development server (Vite): the origin the local server allows by default.
LOCAL_WEB_ORIGIN = "http://localhost:5173"
# A browser's Origin: scheme, host and optional port; no wildcard, path or trailing slash.
_ORIGIN = re.compile(
    r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?"
)


def is_cors_origin(value: str) -> bool:
    """Whether `value` can be allowed as a CORS origin: `https://shop.example[:port]`."""
    return _ORIGIN.fullmatch(value) is not None


class EnvVar:
    """The environment variables the handlers read; the CDK stack sets the same names."""

    TABLE_NAME = "ORDER_DELIVERY_TABLE_NAME"
    URGENT_QUEUE_URL = "ORDER_DELIVERY_URGENT_QUEUE_URL"
    STANDARD_QUEUE_URL = "ORDER_DELIVERY_STANDARD_QUEUE_URL"
    BUCKET_NAME = "ORDER_DELIVERY_BUCKET_NAME"
    REGION = "AWS_REGION"
    AWS_ENDPOINT_URL = "ORDER_DELIVERY_AWS_ENDPOINT_URL"
    CORS_ALLOWED_ORIGINS = "ORDER_DELIVERY_CORS_ALLOWED_ORIGINS"
    LOG_LEVEL = "ORDER_DELIVERY_LOG_LEVEL"
    BUSINESS_NAME = "ORDER_DELIVERY_BUSINESS_NAME"
    BUSINESS_EMAIL = "ORDER_DELIVERY_BUSINESS_EMAIL"
    SENDER_EMAIL = "ORDER_DELIVERY_SENDER_EMAIL"
    BUSINESS_PHONE = "ORDER_DELIVERY_BUSINESS_PHONE"
    BUSINESS_ADDRESS = "ORDER_DELIVERY_BUSINESS_ADDRESS"
    RECEIPT_LINK_TEMPLATE = "ORDER_DELIVERY_RECEIPT_LINK_TEMPLATE"
    RECEIPT_URL_TTL_SECONDS = "ORDER_DELIVERY_RECEIPT_URL_TTL_SECONDS"
    BUSINESS_TIME_ZONE = "ORDER_DELIVERY_BUSINESS_TIME_ZONE"
    BUSINESS_COUNTRY = "ORDER_DELIVERY_BUSINESS_COUNTRY"
    URGENT_DELIVERY_HOURS = "ORDER_DELIVERY_URGENT_DELIVERY_HOURS"
    STANDARD_DELIVERY_DAYS = "ORDER_DELIVERY_STANDARD_DELIVERY_DAYS"


class SettingsError(Exception):
    """The environment does not describe a runnable service; says every problem at once."""


_QUEUE_URL_VARS = {
    DeliveryPriority.URGENT: EnvVar.URGENT_QUEUE_URL,
    DeliveryPriority.STANDARD: EnvVar.STANDARD_QUEUE_URL,
}
_REQUIRED = (
    EnvVar.TABLE_NAME,
    EnvVar.BUCKET_NAME,
    EnvVar.REGION,
    EnvVar.BUSINESS_NAME,
    EnvVar.BUSINESS_EMAIL,
    EnvVar.SENDER_EMAIL,
    *_QUEUE_URL_VARS.values(),
)
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Receipt links are handed out for a few minutes: long enough to open, too short to share.
MAX_RECEIPT_URL_TTL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    queue_urls: Mapping[DeliveryPriority, str]
    bucket_name: str
    region: str
    business: BusinessProfile
    # None means real AWS; an URL points every client at an emulator.
    aws_endpoint_url: str | None = None
    cors_allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    log_level: str = "INFO"
    receipt_url_ttl_seconds: int = 300

    def __post_init__(self) -> None:
        problems = []
        for name in ("table_name", "bucket_name", "region"):
            if not getattr(self, name):
                problems.append(f"{name} is empty")
        missing = [
            priority.value for priority in DeliveryPriority if not self.queue_urls.get(priority)
        ]
        if missing:
            problems.append(f"queue urls missing for {', '.join(missing)}")
        if self.aws_endpoint_url is not None and not self.aws_endpoint_url.startswith(
            ("http://", "https://")
        ):
            problems.append("aws_endpoint_url must be an http(s) URL")
        refused = [origin for origin in self.cors_allowed_origins if not is_cors_origin(origin)]
        if refused:
            problems.append(
                f"CORS origins must be scheme://host[:port], without wildcard or path: {refused}"
            )
        if self.log_level not in _LOG_LEVELS:
            problems.append(f"log_level must be one of {', '.join(_LOG_LEVELS)}")
        if not 1 <= self.receipt_url_ttl_seconds <= MAX_RECEIPT_URL_TTL_SECONDS:
            problems.append(f"receipt_url_ttl_seconds must be 1 to {MAX_RECEIPT_URL_TTL_SECONDS}")
        for name in ("orders_email", "sender_email"):
            if "@" not in getattr(self.business, name):
                problems.append(f"business {name} is not an email address")
        if "{order_id}" not in self.business.receipt_link_template and (
            self.business.receipt_link_template
        ):
            problems.append("the receipt link template must contain {order_id}")
        if not _is_time_zone(self.business.time_zone):
            problems.append(f"business time zone {self.business.time_zone!r} is not an IANA zone")
        if not re.fullmatch("[A-Z]{2}", self.business.country):
            problems.append("business country must be a two-letter ISO code such as US")
        if problems:
            raise SettingsError("; ".join(problems))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        missing = [name for name in _REQUIRED if not environ.get(name)]
        if missing:
            raise SettingsError(f"missing environment variables: {', '.join(missing)}")
        origins = environ.get(EnvVar.CORS_ALLOWED_ORIGINS, "")
        ttl = environ.get(EnvVar.RECEIPT_URL_TTL_SECONDS, "300")
        if not ttl.isdigit():
            raise SettingsError(f"{EnvVar.RECEIPT_URL_TTL_SECONDS} must be a number of seconds")
        promise = _delivery_promise(environ)
        return cls(
            table_name=environ[EnvVar.TABLE_NAME],
            queue_urls={priority: environ[var] for priority, var in _QUEUE_URL_VARS.items()},
            bucket_name=environ[EnvVar.BUCKET_NAME],
            region=environ[EnvVar.REGION],
            business=BusinessProfile(
                name=environ[EnvVar.BUSINESS_NAME],
                orders_email=environ[EnvVar.BUSINESS_EMAIL],
                sender_email=environ[EnvVar.SENDER_EMAIL],
                phone=environ.get(EnvVar.BUSINESS_PHONE) or None,
                postal_address=environ.get(EnvVar.BUSINESS_ADDRESS) or None,
                receipt_link_template=environ.get(EnvVar.RECEIPT_LINK_TEMPLATE, ""),
                time_zone=environ.get(EnvVar.BUSINESS_TIME_ZONE) or DEFAULT_TIME_ZONE,
                country=(environ.get(EnvVar.BUSINESS_COUNTRY) or DEFAULT_COUNTRY).upper(),
                delivery_promise=promise,
            ),
            aws_endpoint_url=environ.get(EnvVar.AWS_ENDPOINT_URL) or None,
            cors_allowed_origins=tuple(
                origin.strip() for origin in origins.split(",") if origin.strip()
            ),
            log_level=environ.get(EnvVar.LOG_LEVEL, "INFO").upper(),
            receipt_url_ttl_seconds=int(ttl),
        )

    def to_environ(self) -> dict[str, str]:
        """The inverse of from_environ: what a Lambda's environment holds for these settings."""
        business = self.business
        optional = {
            EnvVar.AWS_ENDPOINT_URL: self.aws_endpoint_url,
            EnvVar.CORS_ALLOWED_ORIGINS: ",".join(self.cors_allowed_origins),
            EnvVar.BUSINESS_PHONE: business.phone,
            EnvVar.BUSINESS_ADDRESS: business.postal_address,
            EnvVar.RECEIPT_LINK_TEMPLATE: business.receipt_link_template,
        }
        return {
            EnvVar.TABLE_NAME: self.table_name,
            EnvVar.BUCKET_NAME: self.bucket_name,
            EnvVar.REGION: self.region,
            EnvVar.LOG_LEVEL: self.log_level,
            EnvVar.BUSINESS_NAME: business.name,
            EnvVar.BUSINESS_EMAIL: business.orders_email,
            EnvVar.SENDER_EMAIL: business.sender_email,
            EnvVar.RECEIPT_URL_TTL_SECONDS: str(self.receipt_url_ttl_seconds),
            EnvVar.BUSINESS_TIME_ZONE: business.time_zone,
            EnvVar.BUSINESS_COUNTRY: business.country,
            EnvVar.URGENT_DELIVERY_HOURS: str(business.delivery_promise.urgent_hours),
            EnvVar.STANDARD_DELIVERY_DAYS: str(business.delivery_promise.standard_days),
            **{var: self.queue_urls[priority] for priority, var in _QUEUE_URL_VARS.items()},
            **{name: value for name, value in optional.items() if value},
        }


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        return False
    return True


def _delivery_promise(environ: Mapping[str, str]) -> DeliveryPromise:
    urgent = environ.get(EnvVar.URGENT_DELIVERY_HOURS) or str(DEFAULT_URGENT_HOURS)
    standard = environ.get(EnvVar.STANDARD_DELIVERY_DAYS) or str(DEFAULT_STANDARD_DAYS)
    problems = [
        f"{name} must be a whole number from 1"
        for name, value in (
            (EnvVar.URGENT_DELIVERY_HOURS, urgent),
            (EnvVar.STANDARD_DELIVERY_DAYS, standard),
        )
        if not value.isdigit() or int(value) < 1
    ]
    if problems:
        raise SettingsError("; ".join(problems))
    return DeliveryPromise(urgent_hours=int(urgent), standard_days=int(standard))
