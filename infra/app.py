"""The CDK app: `npx aws-cdk synth` runs it through cdk.json; `make synth` runs it directly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from app.web_site import WEB_DIST
from domain.delivery import DEFAULT_STANDARD_DAYS, DEFAULT_URGENT_HOURS, DeliveryPromise
from domain.notifications import DEFAULT_COUNTRY, DEFAULT_TIME_ZONE, BusinessProfile
from infra.bundle import API, WORKER, FunctionBundle, build_bundle
from infra.stack import DeploymentConfig, OrderDeliveryStack

REPOSITORY = Path(__file__).resolve().parent.parent

STACK_NAME = "OrderDelivery"
CDK_JSON = REPOSITORY / "cdk.json"
CONTEXT_PREFIX = "orderDelivery:"


def deployment_config(app: cdk.App) -> DeploymentConfig:
    """Deployment choices from CDK context (cdk.json, or `-c orderDelivery:key=value`)."""

    def context(key: str, default: str | None = None) -> str | None:
        value = app.node.try_get_context(CONTEXT_PREFIX + key)
        return default if value is None else str(value)

    def required(key: str) -> str:
        value = context(key)
        if not value:
            raise ValueError(f"set the CDK context value {CONTEXT_PREFIX}{key}")
        return value

    def whole_number(key: str, default: int) -> int:
        value = context(key, str(default)) or str(default)
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"the CDK context value {CONTEXT_PREFIX}{key} must be a number from 1")
        return int(value)

    return DeploymentConfig(
        frontend_origin=context("frontendOrigin"),
        auth_domain_prefix=context("authDomainPrefix"),
        sender_verified=(context("senderVerified") or "false").lower() == "true",
        business=BusinessProfile(
            name=required("businessName"),
            orders_email=required("businessEmail"),
            sender_email=required("senderEmail"),
            phone=context("businessPhone"),
            postal_address=context("businessAddress"),
            receipt_link_template=context("receiptLinkTemplate", "") or "",
            time_zone=context("businessTimeZone") or DEFAULT_TIME_ZONE,
            country=context("businessCountry") or DEFAULT_COUNTRY,
            delivery_promise=DeliveryPromise(
                urgent_hours=whole_number("urgentDeliveryHours", DEFAULT_URGENT_HOURS),
                standard_days=whole_number("standardDeliveryDays", DEFAULT_STANDARD_DAYS),
            ),
        ),
    )


def build_app(
    outdir: str | None = None, context: dict[str, str] | None = None, web_dist: Path = WEB_DIST
) -> tuple[cdk.App, OrderDeliveryStack]:
    """The app with its stack; cdk.json's context is the default, `-c` and `context` override."""
    defaults = json.loads(CDK_JSON.read_text()).get("context", {})
    if outdir is None and "CDK_OUTDIR" not in os.environ:  # run directly, not by the CDK CLI
        outdir = str(CDK_JSON.parent / "cdk.out")
    app = cdk.App(outdir=outdir, context=defaults, post_cli_context=context)
    stack = OrderDeliveryStack(
        app,
        STACK_NAME,
        config=deployment_config(app),
        api_code=cdk_code(API),
        worker_code=cdk_code(WORKER),
        web_dist=web_dist,
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def cdk_code(bundle: FunctionBundle) -> cdk.aws_lambda.Code:
    return cdk.aws_lambda.Code.from_asset(str(build_bundle(bundle)))


if __name__ == "__main__":
    build_app()[0].synth()
