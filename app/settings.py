"""Settings: one validated model, read from the environment once, at start-up, and passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.orders import DeliveryPriority


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


class SettingsError(Exception):
    """The environment does not describe a runnable service; says every problem at once."""


_QUEUE_URL_VARS = {
    DeliveryPriority.URGENT: EnvVar.URGENT_QUEUE_URL,
    DeliveryPriority.STANDARD: EnvVar.STANDARD_QUEUE_URL,
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    queue_urls: Mapping[DeliveryPriority, str]
    bucket_name: str
    region: str
    # None means real AWS; an URL points every client at an emulator.
    aws_endpoint_url: str | None = None
    cors_allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    log_level: str = "INFO"

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
        if self.log_level not in _LOG_LEVELS:
            problems.append(f"log_level must be one of {', '.join(_LOG_LEVELS)}")
        if problems:
            raise SettingsError("; ".join(problems))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        missing = [
            name
            for name in (
                EnvVar.TABLE_NAME,
                EnvVar.BUCKET_NAME,
                EnvVar.REGION,
                *_QUEUE_URL_VARS.values(),
            )
            if not environ.get(name)
        ]
        if missing:
            raise SettingsError(f"missing environment variables: {', '.join(missing)}")
        origins = environ.get(EnvVar.CORS_ALLOWED_ORIGINS, "")
        return cls(
            table_name=environ[EnvVar.TABLE_NAME],
            queue_urls={priority: environ[var] for priority, var in _QUEUE_URL_VARS.items()},
            bucket_name=environ[EnvVar.BUCKET_NAME],
            region=environ[EnvVar.REGION],
            aws_endpoint_url=environ.get(EnvVar.AWS_ENDPOINT_URL) or None,
            cors_allowed_origins=tuple(
                origin.strip() for origin in origins.split(",") if origin.strip()
            ),
            log_level=environ.get(EnvVar.LOG_LEVEL, "INFO").upper(),
        )

    def to_environ(self) -> dict[str, str]:
        """The inverse of from_environ: what a Lambda's environment holds for these settings."""
        environ = {
            EnvVar.TABLE_NAME: self.table_name,
            EnvVar.BUCKET_NAME: self.bucket_name,
            EnvVar.REGION: self.region,
            EnvVar.LOG_LEVEL: self.log_level,
            **{var: self.queue_urls[priority] for priority, var in _QUEUE_URL_VARS.items()},
        }
        if self.aws_endpoint_url:
            environ[EnvVar.AWS_ENDPOINT_URL] = self.aws_endpoint_url
        if self.cors_allowed_origins:
            environ[EnvVar.CORS_ALLOWED_ORIGINS] = ",".join(self.cors_allowed_origins)
        return environ
