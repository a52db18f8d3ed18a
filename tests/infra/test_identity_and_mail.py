"""Cognito and SES as a small shop needs them at scale: mail through the shop's own sender and a
measured configuration set, the plan chosen on purpose, MFA for every sign-in, and a web client
that can do the code flow and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.metrics import BROKEN_DOWN_BY, NAMESPACE
from infra.app import CONTEXT_PREFIX, build_app
from infra.mail import CONFIGURATION_SET_DIMENSION
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _one(synthesized: Synthesized, kind: str) -> tuple[str, dict[str, Any]]:
    [(key, resource)] = synthesized.resources(kind).items()
    return key, resource["Properties"]


def test_until_the_sender_is_verified_cognito_sends_its_own_mail(
    synthesized: Synthesized,
) -> None:
    """Cognito refuses an SES identity that is not verified yet, and the sender is verified
    only after the first deployment: a first deployment that named it would fail."""
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")

    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_once_verified_cognito_sends_its_mail_through_ses_from_the_shops_sender(
    tmp_path: Path,
) -> None:
    from aws_cdk.assertions import Template

    _, stack = build_app(outdir=str(tmp_path), context={CONTEXT_PREFIX + "senderVerified": "true"})
    pool = next(
        resource["Properties"]
        for resource in Template.from_stack(stack).to_json()["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPool"
    )
    email = pool["EmailConfiguration"]

    # Cognito's own sender stops at 50 messages a day: sign-ups would stop with it.
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert "no-reply@example.com" in email["From"]
    assert ":identity/no-reply@example.com" in json.dumps(email["SourceArn"])
    assert "Ref" in email["ConfigurationSet"]


def test_the_plan_is_lite_and_everyone_signs_in_with_totp(synthesized: Synthesized) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")

    assert pool["UserPoolTier"] == "LITE"
    # Required, so the hosted sign-in walks each new user through the authenticator setup;
    # optional, it would never offer it, and staff could not enrol.
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    _, configuration_set = _one(synthesized, "AWS::SES::ConfigurationSet")
    assert configuration_set["SuppressionOptions"]["SuppressedReasons"] == [
        "BOUNCE",
        "COMPLAINT",
    ]


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
