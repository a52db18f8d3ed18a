"""Cognito and SES as a small shop needs them at scale: mail through the shop's own sender and a
measured configuration set, the plan chosen on purpose, staff rights behind MFA, and a web
client that can do the code flow and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.staff_mfa import TOTP
from domain.metrics import BROKEN_DOWN_BY, NAMESPACE
from infra.auth import STAFF_MFA_HANDLER
from infra.mail import CONFIGURATION_SET_DIMENSION
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _one(synthesized: Synthesized, kind: str) -> tuple[str, dict[str, Any]]:
    [(key, resource)] = synthesized.resources(kind).items()
    return key, resource["Properties"]


def test_cognito_sends_its_mail_through_ses_from_the_shops_sender(
    synthesized: Synthesized,
) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")
    email = pool["EmailConfiguration"]

    # Cognito's own sender stops at 50 messages a day: sign-ups would stop with it.
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert "no-reply@example.com" in email["From"]
    assert ":identity/no-reply@example.com" in json.dumps(email["SourceArn"])
    _, configuration_set = _one(synthesized, "AWS::SES::ConfigurationSet")
    configuration_set_id = next(iter(synthesized.resources("AWS::SES::ConfigurationSet")))
    assert email["ConfigurationSet"] == {"Ref": configuration_set_id}
    assert configuration_set["SuppressionOptions"]["SuppressedReasons"] == [
        "BOUNCE",
        "COMPLAINT",
    ]


def test_the_plan_is_lite_and_staff_rights_need_mfa(synthesized: Synthesized) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")

    assert pool["UserPoolTier"] == "LITE"
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    trigger = pool["LambdaConfig"]["PreTokenGeneration"]
    [(function_id, function)] = [
        (key, resource)
        for key, resource in synthesized.resources("AWS::Lambda::Function").items()
        if resource["Properties"]["Handler"] == STAFF_MFA_HANDLER
    ]
    assert trigger == {"Fn::GetAtt": [function_id, "Arn"]}
    # Cognito may invoke it, and it may read users of this pool and nothing else.
    permissions = [
        permission["Properties"]
        for permission in synthesized.resources("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert [permission["Principal"] for permission in permissions] == ["cognito-idp.amazonaws.com"]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    reads = [s for s in statements if s["Action"] == "cognito-idp:AdminGetUser"]
    assert len(reads) == 1
    assert "IdentitiesUsers" in json.dumps(reads[0]["Resource"])
    assert TOTP == "SOFTWARE_TOKEN_MFA"  # the setting the trigger looks for


def test_the_web_client_can_only_run_the_code_flow_and_refresh(synthesized: Synthesized) -> None:
    _, client = _one(synthesized, "AWS::Cognito::UserPoolClient")

    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["GenerateSecret"] is False  # a browser keeps no secret: PKCE instead
    assert client["SupportedIdentityProviders"] == ["COGNITO"]


def test_mail_events_reach_cloudwatch_by_configuration_set(synthesized: Synthesized) -> None:
    _, destination = _one(synthesized, "AWS::SES::ConfigurationSetEventDestination")
    event_destination = destination["EventDestination"]

    assert set(event_destination["MatchingEventTypes"]) >= {"send", "bounce", "complaint"}
    [dimension] = event_destination["CloudWatchDestination"]["DimensionConfigurations"]
    assert dimension["DimensionName"] == CONFIGURATION_SET_DIMENSION
    _, identity = _one(synthesized, "AWS::SES::EmailIdentity")
    # The sender's default: the worker's mail and Cognito's are both measured.
    configuration_set_id = next(iter(synthesized.resources("AWS::SES::ConfigurationSet")))
    assert identity["ConfigurationSetAttributes"]["ConfigurationSetName"] == {
        "Ref": configuration_set_id
    }


def test_one_dashboard_shows_the_services_metrics(synthesized: Synthesized) -> None:
    _, dashboard = _one(synthesized, "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["DashboardBody"])

    for metric in ("OrdersPlaced", "CommandsApplied", "CommandsRejected", "CommandApplyLatency"):
        assert metric in body
    assert "AWS/ApiGateway" in body
    assert "AWS/SES" in body
    assert "ApproximateAgeOfOldestMessage" in body


def test_the_dashboard_reads_each_metric_the_worker_writes_by_its_dimensions(
    synthesized: Synthesized,
) -> None:
    _, dashboard = _one(synthesized, "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["DashboardBody"])

    for metric, dimension in BROKEN_DOWN_BY.items():
        assert f"{NAMESPACE},service,{dimension}" in body
        assert metric.value in body
