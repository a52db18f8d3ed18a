"""The synthesized stack has the properties the service relies on, from the shared definitions."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match

from app.settings import GRAPHQL_METHODS, GRAPHQL_PATH, EnvVar
from domain.delivery import DeliveryPromise
from domain.orders import DeliveryPriority
from domain.resources import BUCKET, QUEUES, STAFF_GROUP, TABLE, WORKER_TIMEOUT_SECONDS
from infra.api import ROUTE_THROTTLES, THROTTLE_BURST, THROTTLE_RATE
from infra.app import CONTEXT_PREFIX, deployment_config
from infra.functions import API_HANDLER, WORKER_HANDLER
from infra.stack import WORKER_CONCURRENCY
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_the_table_is_the_shared_single_table_design(synthesized: Synthesized) -> None:
    synthesized.template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [
                        {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
                        {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
                    ],
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "DeletionProtectionEnabled": True,
                    "TimeToLiveSpecification": {
                        "AttributeName": TABLE.ttl_attribute,
                        "Enabled": True,
                    },
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": index.name,
                            "KeySchema": [
                                {"AttributeName": index.partition_key, "KeyType": "HASH"},
                                {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                            ],
                            "Projection": {"ProjectionType": "ALL"},
                        }
                        for index in TABLE.indexes
                    ],
                }
            ),
        },
    )


def test_each_priority_has_a_fifo_queue_with_its_dead_letter_queue(
    synthesized: Synthesized,
) -> None:
    queues = synthesized.resources("AWS::SQS::Queue")
    workers = [queue for queue in queues.values() if "RedrivePolicy" in queue["Properties"]]
    dead_letters = [
        queue for queue in queues.values() if "RedrivePolicy" not in queue["Properties"]
    ]

    assert len(workers) == len(dead_letters) == len(QUEUES)
    for queue in queues.values():
        properties = queue["Properties"]
        assert properties["FifoQueue"] is True
        assert properties["SqsManagedSseEnabled"] is True
    for queue in workers:
        properties = queue["Properties"]
        assert properties["ContentBasedDeduplication"] is False
        assert properties["RedrivePolicy"]["maxReceiveCount"] == 5
        # SQS's advice: at least six times the consumer's timeout, so a slow batch is not
        # handed to a second worker while the first still runs.
        assert properties["VisibilityTimeout"] >= 6 * WORKER_TIMEOUT_SECONDS


def test_every_queue_refuses_requests_without_tls(synthesized: Synthesized) -> None:
    policies = synthesized.resources("AWS::SQS::QueuePolicy")

    assert len(policies) == 2 * len(QUEUES)
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            statement["Effect"] == "Deny"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statement in statements
        )


def test_both_functions_run_on_arm64_with_the_services_settings(synthesized: Synthesized) -> None:
    functions = synthesized.service_functions()
    handlers = sorted(function["Properties"]["Handler"] for function in functions.values())

    assert handlers == sorted([API_HANDLER, WORKER_HANDLER])
    required = {
        EnvVar.TABLE_NAME,
        EnvVar.URGENT_QUEUE_URL,
        EnvVar.STANDARD_QUEUE_URL,
        EnvVar.BUCKET_NAME,
        EnvVar.BUSINESS_NAME,
        EnvVar.BUSINESS_EMAIL,
        EnvVar.SENDER_EMAIL,
    }
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Architectures"] == ["arm64"]
        assert properties["Runtime"].startswith("python3.")
        variables = properties["Environment"]["Variables"]
        assert required <= set(variables)
        assert EnvVar.REGION not in variables  # Lambda's own, reserved
    # The API's, the worker's, the HTTP API's access logs, and the site deployment's (a
    # recommended feature flag gives CDK's function its own, with retention).
    synthesized.template.resource_count_is("AWS::Logs::LogGroup", 4)
    synthesized.template.all_resources_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": Match.any_value()}
    )


def test_the_worker_reads_each_queue_reporting_partial_failures(synthesized: Synthesized) -> None:
    mappings = synthesized.resources("AWS::Lambda::EventSourceMapping")
    queues = synthesized.resources("AWS::SQS::Queue")
    concurrency = {}
    for mapping in mappings.values():
        properties = mapping["Properties"]
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        queue_id = properties["EventSourceArn"]["Fn::GetAtt"][0]
        assert "RedrivePolicy" in queues[queue_id]["Properties"]
        concurrency[queue_id] = properties["ScalingConfig"]["MaximumConcurrency"]

    assert sorted(concurrency.values()) == sorted(WORKER_CONCURRENCY.values())
    urgent = next(key for key in concurrency if "Urgent" in key)
    assert concurrency[urgent] == max(WORKER_CONCURRENCY.values())
    assert (
        WORKER_CONCURRENCY[DeliveryPriority.URGENT] > WORKER_CONCURRENCY[DeliveryPriority.STANDARD]
    )


def test_graphql_is_an_http_api_behind_a_jwt_authorizer_for_the_web_client(
    synthesized: Synthesized,
) -> None:
    assert synthesized.resources("AWS::ApiGateway::RestApi") == {}
    [api] = synthesized.resources("AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    [authorizer] = synthesized.resources("AWS::ApiGatewayV2::Authorizer").values()
    properties = authorizer["Properties"]
    assert properties["AuthorizerType"] == "JWT"
    assert properties["IdentitySource"] == ["$request.header.Authorization"]
    # Only the web client's ID tokens (their aud), from this pool (the issuer).
    [audience] = properties["JwtConfiguration"]["Audience"]
    assert audience["Ref"].startswith("IdentitiesUsersWebClient")
    issuer = json.dumps(properties["JwtConfiguration"]["Issuer"])
    assert "cognito-idp" in issuer
    assert "IdentitiesUsers" in issuer
    synthesized.template.has_resource_properties(
        "AWS::Cognito::UserPoolGroup", {"GroupName": STAFF_GROUP}
    )


def test_every_route_is_authorized_and_reaches_the_api_functions_alias(
    synthesized: Synthesized,
) -> None:
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synthesized.resources("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {f"{method} {GRAPHQL_PATH}" for method in GRAPHQL_METHODS}
    assert {route["AuthorizationType"] for route in routes.values()} == {"JWT"}
    assert len({json.dumps(route["Target"]) for route in routes.values()}) == 1
    [integration] = synthesized.resources("AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    # The alias of a published version, which SnapStart restores, never $LATEST.
    [(alias_id, alias)] = synthesized.resources("AWS::Lambda::Alias").items()
    assert integration["Properties"]["IntegrationUri"] == {"Ref": alias_id}
    version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
    assert synthesized.resources("AWS::Lambda::Version")[version_id]
    [api] = [
        function
        for function in synthesized.service_functions().values()
        if function["Properties"]["Handler"] == API_HANDLER
    ]
    assert api["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_the_stage_throttles_each_route_and_logs_json(synthesized: Synthesized) -> None:
    [stage] = synthesized.resources("AWS::ApiGatewayV2::Stage").values()
    properties = stage["Properties"]

    assert properties["StageName"] == "$default"
    assert properties["AutoDeploy"] is True
    assert properties["DefaultRouteSettings"]["ThrottlingRateLimit"] == THROTTLE_RATE
    assert properties["DefaultRouteSettings"]["ThrottlingBurstLimit"] == THROTTLE_BURST
    per_route = properties["RouteSettings"]
    assert set(per_route) == {f"{method} {GRAPHQL_PATH}" for method in ROUTE_THROTTLES}
    for method, (rate, burst) in ROUTE_THROTTLES.items():
        route = per_route[f"{method} {GRAPHQL_PATH}"]
        assert (route["ThrottlingRateLimit"], route["ThrottlingBurstLimit"]) == (rate, burst)
        assert rate <= THROTTLE_RATE
        assert burst <= THROTTLE_BURST
    logged = json.loads(properties["AccessLogSettings"]["Format"])
    assert {"requestId", "routeKey", "status", "latencyMs", "sub"} <= set(logged)
    assert "DestinationArn" in properties["AccessLogSettings"]
    # An HTTP API needs no account-wide API Gateway logging role.
    assert synthesized.resources("AWS::ApiGateway::Account") == {}


def test_buckets_are_private_and_receipts_versioned(synthesized: Synthesized) -> None:
    template = synthesized.template
    template.all_resources_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": Match.any_value(),
        },
    )
    template.has_resource_properties(
        "AWS::S3::Bucket", {"VersioningConfiguration": {"Status": "Enabled"}}
    )


def _role_statements(synthesized: Synthesized, role_prefix: str) -> list[dict[str, Any]]:
    """Every statement of every policy attached to the role whose logical id starts so."""
    statements = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        roles = json.dumps(policy["Properties"].get("Roles", []))
        if f'"{role_prefix}' in roles:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        actions = statement["Action"]
        found |= {actions} if isinstance(actions, str) else set(actions)
    return found


LOGS_AND_TRACES = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def test_each_role_has_exactly_the_actions_its_code_calls(synthesized: Synthesized) -> None:
    api = _role_statements(synthesized, "ApiFunctionRole")
    worker = _role_statements(synthesized, "WorkerFunctionRole")

    assert _actions(api) == LOGS_AND_TRACES | {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "sqs:SendMessage",
        "s3:GetObject",  # what its presigned receipt links are signed with
    }
    assert _actions(worker) == LOGS_AND_TRACES | {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",  # for each item of a TransactWriteItems
        "dynamodb:BatchWriteItem",  # the effects performed, recorded together
        "s3:PutObject",
        "ses:SendEmail",
        # The event source mapping's, to consume the queues.
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    }
    for statement in api + worker:
        resources = json.dumps(statement["Resource"])
        if statement["Resource"] == "*":
            assert set(statement["Action"]) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
        if "s3:" in json.dumps(statement["Action"]):
            assert f"/{BUCKET.receipts_prefix}*" in resources
    api_table = next(s for s in api if "dynamodb:Query" in s["Action"])
    worker_table = next(s for s in worker if "dynamodb:Query" in s["Action"])
    assert "/index/*" in json.dumps(api_table["Resource"])  # the listings' GSIs
    assert "/index/*" not in json.dumps(worker_table["Resource"])


def test_the_cloudfront_grant_covers_only_what_the_site_serves(synthesized: Synthesized) -> None:
    policies = synthesized.resources("AWS::S3::BucketPolicy").values()
    readers = [
        statement
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "cloudfront.amazonaws.com" in json.dumps(statement.get("Principal", {}))
    ]
    assert readers
    for statement in readers:
        assert statement["Action"] == "s3:GetObject"
        assert "StorageSite" in json.dumps(statement["Resource"])  # the site's bucket alone


def test_alarms_watch_what_needs_a_person(synthesized: Synthesized) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    described = " ".join(alarm["Properties"]["AlarmDescription"] for alarm in alarms.values())
    # Logical ids are Alarms<Name><8 hex digits of hash>.
    names = {key.split("Alarms", 1)[1][:-8] for key in alarms}

    assert {
        "UrgentDeadLetters",
        "StandardDeadLetters",
        "UrgentQueueAge",
        "StandardQueueAge",
        "Api5xxRate",
        "ApiLatencyP99",
        "ApiThrottles",
        "WorkerThrottles",
        "WorkerErrors",
        "WorkerNearTimeout",
        "TableSystemErrors",
        "MailBounceRate",
        "MailComplaintRate",
    } <= names, names
    assert described.count("DLQ") == 2
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"]
    near_timeout = next(a for k, a in alarms.items() if "WorkerNearTimeout" in k)
    assert near_timeout["Properties"]["Threshold"] < WORKER_TIMEOUT_SECONDS * 1000
    p99 = next(a for k, a in alarms.items() if "ApiLatencyP99" in k)
    assert p99["Properties"]["ExtendedStatistic"] == "p99"


def test_the_outputs_tell_an_operator_what_they_need(synthesized: Synthesized) -> None:
    outputs = set(synthesized.template.to_json()["Outputs"])

    assert {
        "GraphQLUrl",
        "UserPoolId",
        "UserPoolClientId",
        "SiteUrl",
        "HostedUiUrl",
        "UrgentQueueName",
        "StandardQueueName",
    } <= outputs


def test_cdk_nag_reports_nothing_unacknowledged_and_every_acknowledgement_has_a_reason(
    synthesized: Synthesized,
) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    reports = {plugin["pluginName"]: plugin for plugin in report["pluginReports"]}
    nag = reports["AwsSolutions"]

    assert all(plugin["conclusion"] == "success" for plugin in reports.values())
    assert nag["violations"] == []
    assert nag["suppressedViolations"]
    for finding in nag["suppressedViolations"]:
        assert len(finding["reason"]) > 30, finding["acknowledgedId"]


def test_cfn_lint_finds_no_error_in_the_template(synthesized: Synthesized) -> None:
    lint = subprocess.run(
        [sys.executable, "-m", "cfnlint", str(synthesized.template_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    assert lint.returncode & 2 == 0, lint.stdout


def test_alarm_notifications_are_encrypted_with_a_key_cloudwatch_may_use(
    synthesized: Synthesized,
) -> None:
    keys = synthesized.resources("AWS::KMS::Key")
    (topic,) = synthesized.resources("AWS::SNS::Topic").values()

    assert topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0] in keys
    (key,) = keys.values()
    assert key["Properties"]["EnableKeyRotation"] is True
    grants = json.dumps(key["Properties"]["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in grants
    assert "kms:GenerateDataKey*" in grants


def test_the_worker_may_send_only_as_the_configured_sender(synthesized: Synthesized) -> None:
    statements = _role_statements(synthesized, "WorkerFunctionRole")
    [mail] = [statement for statement in statements if "ses:SendEmail" in statement["Action"]]

    assert mail["Condition"] == {"StringEquals": {"ses:FromAddress": "no-reply@example.com"}}
    assert "configuration-set" in json.dumps(mail["Resource"])


def test_the_business_clock_country_and_promise_default_and_reach_the_functions(
    synthesized: Synthesized,
) -> None:
    for function in synthesized.service_functions().values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[EnvVar.BUSINESS_TIME_ZONE] == "America/New_York"
        assert variables[EnvVar.BUSINESS_COUNTRY] == "US"
        assert variables[EnvVar.URGENT_DELIVERY_HOURS] == "4"
        assert variables[EnvVar.STANDARD_DELIVERY_DAYS] == "2"


def test_a_deployment_sets_the_business_clock_country_and_promise_in_cdk_context() -> None:
    context = {
        "businessName": "Bäckerei",
        "businessEmail": "orders@example.de",
        "senderEmail": "no-reply@example.de",
        "frontendOrigin": "https://shop.example.de",
        "businessTimeZone": "Europe/Berlin",
        "businessCountry": "DE",
        "urgentDeliveryHours": "2",
        "standardDeliveryDays": "3",
    }
    app = cdk.App(context={CONTEXT_PREFIX + key: value for key, value in context.items()})

    business = deployment_config(app).business

    assert (business.time_zone, business.country) == ("Europe/Berlin", "DE")
    assert business.delivery_promise == DeliveryPromise(urgent_hours=2, standard_days=3)


def test_cdk_json_sets_every_feature_flag_the_installed_cdk_recommends() -> None:
    """The flags `cdk init` would write for this aws-cdk-lib: new behaviours on, so the CLI has
    no unconfigured flag to warn about and an upgrade's new flags show up here."""
    library = Path(cdk.__file__).parent / "_jsii"
    [package] = library.glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(package) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        recommended = json.load(member)
    context = json.loads((Path(__file__).parents[2] / "cdk.json").read_text())["context"]

    assert recommended
    assert {flag: context.get(flag) for flag in recommended} == recommended
