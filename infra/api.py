"""API Gateway: an HTTP API with a Cognito JWT authorizer on /graphql, JSON access logs, and
throttling per route.

An HTTP API does all this API needs (JWT authorizer, CORS, throttling, access logs) at under a
third of a REST API's price per request, and logs without the account-wide API Gateway role.
The web app calls it through the site's CloudFront origin (infra/site.py), so CORS is set only
for a frontend served from elsewhere, when the deployment names its origin.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigateway
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from app.settings import CORS, GRAPHQL_METHODS, GRAPHQL_PATH

# Requests per second (steady, burst) for the whole stage: generous for a small shop, and a cap
# on what a runaway client can cost. The API function's concurrency is sized from it.
THROTTLE_RATE = 50
THROTTLE_BURST = 100
# Per route, within the stage's: a flood of reads (GET) cannot starve orders (POST), and
# mutations, which each queue a command, get the larger share.
ROUTE_THROTTLES = {"POST": (40, 80), "GET": (20, 40)}
# What each access log line holds: one JSON object, the caller's subject included.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "sub": "$context.authorizer.claims.sub",
    "userAgent": "$context.identity.userAgent",
}


class GraphQLApi(Construct):
    """The HTTP API and its stage; `route` adds /graphql once the authorizer's client exists."""

    def __init__(self, scope: Construct, construct_id: str, *, cors_origin: str | None) -> None:
        super().__init__(scope, construct_id)
        self.api = apigateway.HttpApi(
            self,
            "Api",
            description="Order delivery: GraphQL over HTTP",
            create_default_stage=False,
            cors_preflight=(
                apigateway.CorsPreflightOptions(
                    allow_origins=[cors_origin],
                    allow_methods=[apigateway.CorsHttpMethod(method) for method in CORS.methods],
                    allow_headers=list(CORS.headers),
                    expose_headers=list(CORS.exposed_headers),
                    max_age=Duration.seconds(CORS.max_age_seconds),
                )
                if cors_origin
                else None
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.stage = apigateway.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            detailed_metrics_enabled=True,
            throttle=apigateway.ThrottleSettings(
                rate_limit=THROTTLE_RATE, burst_limit=THROTTLE_BURST
            ),
        )
        stage = self.stage.node.default_child
        assert isinstance(stage, apigateway.CfnStage)
        stage.access_log_settings = apigateway.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format=json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
        )
        # A JSON map in CloudFormation, keyed by route: CDK passes it as written, so the keys
        # are CloudFormation's own names (a RouteSettingsProperty would come out camelCase).
        stage.route_settings = {
            f"{method} {GRAPHQL_PATH}": {
                "ThrottlingRateLimit": rate,
                "ThrottlingBurstLimit": burst,
                "DetailedMetricsEnabled": True,
            }
            for method, (rate, burst) in ROUTE_THROTTLES.items()
        }
        # The host CloudFront forwards /graphql to: https://<id>.execute-api.<region>.amazonaws.com
        self.domain_name = Fn.select(2, Fn.split("/", self.api.api_endpoint))
        self.graphql_url = f"{self.api.api_endpoint}{GRAPHQL_PATH}"

    def route(
        self,
        handler: lambda_.IFunction,
        user_pool: cognito.IUserPool,
        clients: list[cognito.IUserPoolClient],
    ) -> None:
        """GET and POST /graphql to the function, behind a JWT authorizer that accepts the ID
        tokens of these clients only (their `aud`), verified against the pool's keys."""
        authorizer = authorizers.HttpUserPoolAuthorizer(
            "Cognito", user_pool, user_pool_clients=clients
        )
        integration = integrations.HttpLambdaIntegration(
            "Function",
            handler,
            payload_format_version=apigateway.PayloadFormatVersion.VERSION_2_0,
        )
        routes = self.api.add_routes(
            path=GRAPHQL_PATH,
            methods=[apigateway.HttpMethod(method) for method in GRAPHQL_METHODS],
            integration=integration,
            authorizer=authorizer,
        )
        # Throttling per route refers to the routes by key: the stage must follow them.
        for route in routes:
            self.stage.node.add_dependency(route)
