"""API Gateway: a REST API with a Cognito authorizer on /graphql, access logs, throttling.

The web app calls it through the site's CloudFront origin (infra/site.py), so CORS is set only
for a frontend served from elsewhere, when the deployment names its origin.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from app.settings import CORS, GRAPHQL_METHODS, GRAPHQL_PATH
from infra.nag import acknowledge

# Steady requests per second and burst across the API: generous for a small shop, and a cap
# on what a runaway client can cost.
THROTTLE_RATE = 50
THROTTLE_BURST = 100


class GraphQLApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        user_pool: cognito.IUserPool,
        cors_origin: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.api = apigateway.RestApi(
            self,
            "Api",
            description="Order delivery GraphQL API",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=True,
            deploy_options=apigateway.StageOptions(
                stage_name="prod",
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                metrics_enabled=True,
                throttling_rate_limit=THROTTLE_RATE,
                throttling_burst_limit=THROTTLE_BURST,
            ),
            default_cors_preflight_options=(
                apigateway.CorsOptions(
                    allow_origins=[cors_origin],
                    allow_methods=list(CORS.methods),
                    allow_headers=list(CORS.headers),
                    expose_headers=list(CORS.exposed_headers),
                    max_age=Duration.seconds(CORS.max_age_seconds),
                )
                if cors_origin
                else None
            ),
        )
        # Errors API Gateway answers itself (401 from the authorizer, 429, 5xx) carry CORS
        # headers too, or a browser would hide them from the frontend.
        for response_type in (
            (apigateway.ResponseType.DEFAULT_4_XX, apigateway.ResponseType.DEFAULT_5_XX)
            if cors_origin
            else ()
        ):
            self.api.add_gateway_response(
                f"Cors{response_type.response_type}",
                type=response_type,
                response_headers={"Access-Control-Allow-Origin": f"'{cors_origin}'"},
            )
        authorizer = apigateway.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[user_pool]
        )
        validator = self.api.add_request_validator(
            "Validator", validate_request_body=False, validate_request_parameters=True
        )
        graphql = self.api.root.add_resource(GRAPHQL_PATH.strip("/"))
        integration = apigateway.LambdaIntegration(handler)
        for method in GRAPHQL_METHODS:
            graphql.add_method(
                method,
                integration,
                authorizer=authorizer,
                authorization_type=apigateway.AuthorizationType.COGNITO,
                request_validator=validator,
            )
        self.graphql_url = self.api.url_for_path(GRAPHQL_PATH)
        for rule, reason in (
            (
                "AwsSolutions-APIG3",
                "Throttling and the Cognito authorizer guard the API; a WAF "
                "web ACL is an extra cost to add when traffic warrants it.",
            ),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "API Gateway's account-level logging role uses AWS's own policy for exactly that.",
            ),
            (
                "AwsSolutions-APIG2",
                "Bodies are GraphQL documents, validated by the schema (with depth, alias and "
                "token limits) in the function; the method's validator checks parameters.",
            ),
        ):
            acknowledge(self.api, rule, reason)
