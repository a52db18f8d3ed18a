"""The site: one CloudFront origin for the web app (from the bucket) and the API at /graphql.

The browser sees a single origin, so production needs no CORS. The app's hashed assets are
cached for a year; its page and its settings (`config.json`, written here at deploy time) are
asked for again on every load, so a deployment reaches every open tab on its next reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from app.settings import GRAPHQL_PATH
from app.web_site import CONFIG_FILE, IMMUTABLE, NO_CACHE
from infra.nag import acknowledge, logical_id

# Vite's output directory for hashed files, beside index.html in web/dist.
ASSETS_DIRECTORY = "assets"
SPA_FALLBACK = Path(__file__).resolve().parent / "spa_fallback.js"


class WebSite(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,  # the site's own: the deployment may replace all of it
        logs: s3.IBucket,
        api_domain: str,  # the HTTP API's execute-api host, which /graphql goes to
    ) -> None:
        super().__init__(scope, construct_id)
        self._bucket = bucket
        app_origin = origins.S3BucketOrigin.with_origin_access_control(bucket)
        fallback = cloudfront.Function(
            self,
            "SpaFallback",
            code=cloudfront.FunctionCode.from_file(file_path=str(SPA_FALLBACK)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Paths without a file extension are pages of the app: index.html",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Order delivery: the web app and its GraphQL API on one origin",
            default_root_object="index.html",
            # index.html, config.json: never kept at the edge (the objects also say no-cache
            # to browsers), so a deployment needs no invalidation.
            default_behavior=cloudfront.BehaviorOptions(
                origin=app_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=fallback, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                # Named by content: cached at the edge and, by their Cache-Control, in browsers.
                f"/{ASSETS_DIRECTORY}/*": cloudfront.BehaviorOptions(
                    origin=app_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                ),
                GRAPHQL_PATH: cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api_domain,
                        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=self._api_pass_through(),
                    # Every header but Host (API Gateway routes by its own), every query string.
                    origin_request_policy=(
                        cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER
                    ),
                    response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                ),
            },
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        for rule, reason in (
            ("AwsSolutions-CFR1", "A shop's storefront is open to the world; no geo restriction."),
            (
                "AwsSolutions-CFR2",
                "Static files and an API behind Cognito and throttling; a WAF web ACL costs "
                "more than it protects at a small shop's traffic.",
            ),
            (
                "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate's policy is fixed by AWS; set "
                "TLSv1.2_2021 with the certificate when the business adds its own domain.",
            ),
        ):
            acknowledge(self.distribution, rule, reason)

    def _api_pass_through(self) -> cloudfront.CachePolicy:
        """Nothing cached, but Authorization reaches the API on a GET too.

        CloudFront forwards Authorization on a GET only when the cache key holds it, and a key
        may hold headers only when something can be cached: at most a second, and only when
        the API says so (it does not), per token and query string.
        """
        return cloudfront.CachePolicy(
            self,
            "ApiPassThrough",
            comment="GraphQL: forward Authorization and the query string; cache nothing",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.seconds(1),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )

    def publish(self, dist: Path, settings: Mapping[str, object]) -> None:
        """Upload the built app (`web/dist`) and its `config.json` with their cache headers."""
        if not (dist / "index.html").is_file():
            raise FileNotFoundError(
                f"{dist} has no index.html: build the web app first (make install, or "
                "npm ci --prefix web && npm run --prefix web build)"
            )
        # Old hashed files stay: a tab opened before this deployment still loads its own.
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.asset(str(dist / ASSETS_DIRECTORY))],
            destination_bucket=self._bucket,
            destination_key_prefix=f"{ASSETS_DIRECTORY}/",
            prune=False,
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
        )
        # The page goes up after the files it names, and replaces whatever else was there.
        page = s3deploy.BucketDeployment(
            self,
            "Page",
            sources=[
                s3deploy.Source.asset(str(dist), exclude=[ASSETS_DIRECTORY]),
                s3deploy.Source.json_data(CONFIG_FILE, settings),
            ],
            destination_bucket=self._bucket,
            exclude=[f"{ASSETS_DIRECTORY}/*"],
            prune=True,
            cache_control=[s3deploy.CacheControl.from_string(NO_CACHE)],
        )
        page.node.add_dependency(assets)
        self._acknowledge_deployment_handler()

    def _acknowledge_deployment_handler(self) -> None:
        """CDK's BucketDeployment runs one shared function per stack, outside this construct."""
        stack = Stack.of(self)
        (handler,) = (
            child
            for child in stack.node.children
            if child.node.id.startswith("Custom::CDKBucketDeployment")
        )
        bucket_arn = f"<{logical_id(self._bucket)}.Arn>"
        for rule, reason in (
            (
                "AwsSolutions-L1",
                "CDK's own deployment function: its runtime is aws-cdk-lib's choice and moves "
                "with aws-cdk-lib.",
            ),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "The deployment function's logging, by AWS's own policy for exactly that.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[{finding}]",
                    "BucketDeployment's grants: read the CDK asset it unpacks, replace the "
                    "site bucket's objects (a bucket holding only the built app).",
                )
                for finding in (
                    "Action::s3:GetObject*",
                    "Action::s3:GetBucket*",
                    "Action::s3:List*",
                    "Action::s3:DeleteObject*",
                    "Action::s3:Abort*",
                    f"Resource::{bucket_arn}/*",
                    "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
                    "<AWS::Region>/*",
                )
            ),
        ):
            acknowledge(handler, rule, reason)
