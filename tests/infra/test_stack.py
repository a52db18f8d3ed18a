"""The synthesized stack has the properties the service relies on, from the shared definitions."""

from __future__ import annotations

import json
import subprocess
import sys

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match

from app.settings import GRAPHQL_METHODS, EnvVar
from domain.delivery import DeliveryPromise
from domain.orders import DeliveryPriority
from domain.resources import QUEUES, STAFF_GROUP, TABLE, WORKER_TIMEOUT_SECONDS
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
    synthesized.template.resource_count_is("AWS::Logs::LogGroup", 3)
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


def test_graphql_is_behind_the_cognito_authorizer_with_logs_and_throttling(
    synthesized: Synthesized,
) -> None:
    template = synthesized.template
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "POST", "AuthorizationType": "COGNITO_USER_POOLS"},
    )
    template.has_resource_properties("AWS::ApiGateway::Authorizer", {"Type": "COGNITO_USER_POOLS"})
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {
                            "ThrottlingRateLimit": Match.any_value(),
                            "ThrottlingBurstLimit": Match.any_value(),
                        }
                    )
                ]
            ),
        },
    )
    template.has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": STAFF_GROUP})


def test_queries_over_get_reach_the_function_behind_the_same_authorizer_as_post(
    synthesized: Synthesized,
) -> None:
    methods = synthesized.resources("AWS::ApiGateway::Method").values()
    routed = {method["Properties"]["HttpMethod"]: method["Properties"] for method in methods}

    assert set(routed) == set(GRAPHQL_METHODS)
    assert {properties["AuthorizationType"] for properties in routed.values()} == {
        "COGNITO_USER_POOLS"
    }
    assert len({json.dumps(properties["Integration"]) for properties in routed.values()}) == 1


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


def test_grants_give_each_function_only_what_it_does(synthesized: Synthesized) -> None:
    policies = {
        key: json.dumps(policy["Properties"]["PolicyDocument"])
        for key, policy in synthesized.resources("AWS::IAM::Policy").items()
    }
    api = next(document for key, document in policies.items() if key.startswith("ApiFunction"))
    worker = next(document for key, document in policies.items() if key.startswith("Worker"))

    assert "sqs:SendMessage" in api
    assert "dynamodb:PutItem" not in api
    assert "ses:SendEmail" not in api
    assert "s3:PutObject" not in api
    assert "dynamodb:PutItem" in worker
    assert "ses:SendEmail" in worker
    assert "s3:PutObject" in worker
    assert "sqs:SendMessage" not in worker
    assert '"Resource": "*"' not in api + worker


def test_alarms_watch_dead_letters_urgent_age_api_errors_and_the_worker(
    synthesized: Synthesized,
) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    described = " ".join(alarm["Properties"]["AlarmDescription"] for alarm in alarms.values())

    assert len(alarms) == 5
    assert described.count("DLQ") == 2
    assert "Urgent orders are waiting" in described
    assert "5xx" in described
    assert "worker" in described
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"]


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
    policies = synthesized.resources("AWS::IAM::Policy")
    worker = next(policy for key, policy in policies.items() if key.startswith("Worker"))
    statements = worker["Properties"]["PolicyDocument"]["Statement"]
    recipients = [
        statement
        for statement in statements
        if "ses:SendRawEmail" in statement["Action"] and "Condition" in statement
    ]

    assert recipients
    assert recipients[0]["Condition"] == {
        "StringEquals": {"ses:FromAddress": "no-reply@example.com"}
    }


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
