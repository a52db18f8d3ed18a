"""Short-lived links to receipts: the bucket is private, the API hands out presigned URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.orders import IssuedReceipt

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client


class ReceiptLinks:
    def __init__(self, client: S3Client, bucket: str, ttl_seconds: int) -> None:
        self._client = client
        self._bucket = bucket
        self.ttl_seconds = ttl_seconds

    async def url(self, receipt: IssuedReceipt) -> str:
        """A URL that reads this receipt for `ttl_seconds`; signing it makes no network call."""
        return await self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": receipt.key,
                "ResponseContentType": "application/pdf",
                "ResponseContentDisposition": f'inline; filename="receipt-v{receipt.version}.pdf"',
            },
            ExpiresIn=self.ttl_seconds,
        )
