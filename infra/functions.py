"""The two Lambda functions, each with its own role, log group and the service's settings."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from domain.resources import API_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB, WORKER_TIMEOUT_SECONDS
from infra.nag import acknowledge

# Referred to by dotted path, never imported: the stack does not load the service's code.
API_HANDLER = "app.api_lambda.handler"
WORKER_HANDLER = "app.worker_lambda.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_13
# The alias API Gateway invokes: a published version, which SnapStart restores from a snapshot.
API_ALIAS = "live"


class ServiceFunction(Construct):
    """A function whose role starts empty: logging to its own group, then explicit grants."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        code: lambda_.Code,
        environment: Mapping[str, str],
        timeout: Duration,
        description: str,
        memory_size: int = FUNCTION_MEMORY_MB,
        snap_start: lambda_.SnapStartConf | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {handler}",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code,
            role=self.role,
            log_group=self.log_group,
            environment=dict(environment),
            timeout=timeout,
            memory_size=memory_size,
            description=description,
            snap_start=snap_start,
            tracing=lambda_.Tracing.ACTIVE,
        )


class ApiFunction(ServiceFunction):
    """The API: SnapStart on published versions, invoked through an alias of the latest one."""

    def __init__(
        self, scope: Construct, *, code: lambda_.Code, environment: Mapping[str, str]
    ) -> None:
        super().__init__(
            scope,
            "ApiFunction",
            handler=API_HANDLER,
            code=code,
            environment=environment,
            timeout=Duration.seconds(API_TIMEOUT_SECONDS),
            description="GraphQL API: Mangum -> Starlette -> Strawberry",
            # Restores an initialized process instead of importing and building the schema on
            # each cold start; app/api_lambda.py re-creates what a snapshot must not share.
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        )
        self.alias = self.function.add_alias(API_ALIAS)
        Annotations.of(self.function).acknowledge_warning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish",
            "Published: the API integrates with an alias of the function's current version.",
        )


def worker_function(
    scope: Construct, code: lambda_.Code, environment: Mapping[str, str]
) -> ServiceFunction:
    return ServiceFunction(
        scope,
        "WorkerFunction",
        handler=WORKER_HANDLER,
        code=code,
        environment=environment,
        timeout=Duration.seconds(WORKER_TIMEOUT_SECONDS),
        description="Applies queued commands; receipts to S3, emails through SES",
    )


def acknowledge_scoped_wildcards(function: ServiceFunction, findings: dict[str, str]) -> None:
    """Acknowledge each wildcard a grant wrote, by its exact finding, with why it is scoped."""
    for finding, reason in findings.items():
        acknowledge(function.role, f"AwsSolutions-IAM5[{finding}]", reason)
    acknowledge(
        function.role,
        "AwsSolutions-IAM5[Resource::*]",
        "Active tracing's xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray "
        "grants on no narrower resource.",
    )
    acknowledge_runtime(function.function)


def acknowledge_runtime(function: lambda_.IFunction) -> None:
    acknowledge(
        function,
        "AwsSolutions-L1",
        f"{RUNTIME.name}: bytecode is compiled by a CPython of the runtime's version when the "
        "build machine has one, and this one has none newer.",
    )
