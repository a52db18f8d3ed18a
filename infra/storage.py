"""The private bucket for receipts and assets, and the CloudFront distribution for the assets."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

ASSETS_PREFIX = "assets"


class ReceiptsAndAssets(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Server access logs and CloudFront's standard logs; CloudFront writes through ACLs.
        self.logs = s3.Bucket(
            self,
            "Logs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/",
            # Receipts are written once per version; versioning only guards against mistakes,
            # so replaced or deleted objects go after a month.
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30)),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Only /assets/... is reachable through the CDN: the origin path prefixes every request,
        # so receipts (under receipts/) can only be read through the API's presigned URLs.
        self.distribution = cloudfront.Distribution(
            self,
            "Assets",
            comment="Static assets of the order-delivery service",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.bucket, origin_path=f"/{ASSETS_PREFIX}"
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "A shop's logo and documents are public to the world; no geo restriction.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "Static, cacheable assets only; a WAF web ACL costs more than it protects here.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            (
                "The default *.cloudfront.net certificate's policy is fixed by AWS; set "
                "TLSv1.2_2021 with the certificate when the business adds its own domain."
            ),
        )
