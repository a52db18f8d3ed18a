"""Logging for Lambda and the local server: one line per record, level from settings."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s")
    root.setLevel(level)
    # The SDKs log every retry at INFO; keep them to warnings.
    for noisy in ("botocore", "aiobotocore", "aioboto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
