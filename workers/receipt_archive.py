"""Receipts in S3: one object per order version, written once and never overwritten."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client


class S3ReceiptArchive:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    async def store(self, key: str, pdf: bytes) -> None:
        """Write the receipt unless it is there already (a retry after a crash finds it)."""
        try:
            await self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=pdf,
                ContentType="application/pdf",
                IfNoneMatch="*",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "PreconditionFailed":
                raise
