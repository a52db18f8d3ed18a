"""The site: the web app and the API on one CloudFront origin, deployed with its settings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from app.settings import CORS, GRAPHQL_METHODS, GRAPHQL_PATH, EnvVar
from app.web_site import IMMUTABLE, NO_CACHE, ORDER_PAGE_FRAGMENT, WEB_DIST
from infra.api import GraphQLApi
from infra.functions import API_HANDLER, WORKER_HANDLER
from infra.site import SPA_FALLBACK, WebSite
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

_MARKER = re.compile(r"<<marker:0xbaba:\d+>>")


def test_the_app_is_the_default_behavior_and_the_api_answers_at_graphql(
    synthesized: Synthesized,
) -> None:
    (distribution,) = synthesized.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    behaviors = {behavior["PathPattern"]: behavior for behavior in config["CacheBehaviors"]}
    default = config["DefaultCacheBehavior"]
    site_bucket = _logical_id(synthesized, "AWS::S3::Bucket", "StorageSite")
    api = _logical_id(synthesized, "AWS::ApiGatewayV2::Api", "GraphQLApi")

    assert set(behaviors) == {"/assets/*", GRAPHQL_PATH}
    app_origin = origins[default["TargetOriginId"]]
    assert app_origin["DomainName"] == {"Fn::GetAtt": [site_bucket, "RegionalDomainName"]}
    assert "OriginAccessControlId" in app_origin
    assert behaviors["/assets/*"]["TargetOriginId"] == default["TargetOriginId"]
    assert config["DefaultRootObject"] == "index.html"
    api_origin = origins[behaviors[GRAPHQL_PATH]["TargetOriginId"]]
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    # The HTTP API's own host; its $default stage answers at the root, so no origin path.
    assert {"Fn::GetAtt": [api, "ApiEndpoint"]} in _leaves(api_origin["DomainName"])
    assert "OriginPath" not in api_origin


def test_hashed_assets_are_cached_and_the_page_and_its_settings_are_not(
    synthesized: Synthesized,
) -> None:
    (distribution,) = synthesized.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    behaviors = {behavior["PathPattern"]: behavior for behavior in config["CacheBehaviors"]}
    default = config["DefaultCacheBehavior"]

    assert default["CachePolicyId"] == cloudfront.CachePolicy.CACHING_DISABLED.cache_policy_id
    assert (
        behaviors["/assets/*"]["CachePolicyId"]
        == cloudfront.CachePolicy.CACHING_OPTIMIZED.cache_policy_id
    )
    deployments = _deployments(synthesized)
    assert deployments["assets/"]["SystemMetadata"] == {"cache-control": IMMUTABLE}
    assert deployments["assets/"]["Prune"] is False  # an open tab's old files stay
    assert deployments[""]["SystemMetadata"] == {"cache-control": NO_CACHE}
    assert deployments[""]["Prune"] is True
    assert deployments[""]["Exclude"] == ["assets/*"]
    for behavior in [default, *behaviors.values()]:
        assert (
            behavior["ResponseHeadersPolicyId"]
            == cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS.response_headers_policy_id
        )


def test_the_page_goes_up_after_the_files_it_names(synthesized: Synthesized) -> None:
    body = json.loads(synthesized.template_path.read_text())
    deployments = {
        properties["Properties"].get("DestinationBucketKeyPrefix", ""): key
        for key, properties in body["Resources"].items()
        if properties["Type"] == "Custom::CDKBucketDeployment"
    }

    assert deployments["assets/"] in body["Resources"][deployments[""]]["DependsOn"]


def test_the_deployed_files_are_the_built_app(synthesized: Synthesized) -> None:
    deployed = {
        prefix: sorted(
            path.relative_to(folder).as_posix()
            for folder in _asset_folders(synthesized, properties)
            for path in folder.rglob("*")
            if path.is_file()
        )
        for prefix, properties in _deployments(synthesized).items()
    }
    built = {
        path.relative_to(WEB_DIST).as_posix() for path in WEB_DIST.rglob("*") if path.is_file()
    }

    assert deployed[""] == ["config.json", "index.html"]
    assert {f"assets/{name}" for name in deployed["assets/"]} | {"index.html"} == built
    page = (WEB_DIST / "index.html").read_text()
    assert all(f"/assets/{name}" in page for name in deployed["assets/"] if name.endswith(".js"))


def test_config_json_sends_sign_in_to_the_hosted_ui_and_back_to_the_site(
    synthesized: Synthesized,
) -> None:
    domain = _logical_id(synthesized, "AWS::Cognito::UserPoolDomain", "Identities")
    client = _logical_id(synthesized, "AWS::Cognito::UserPoolClient", "Identities")
    site = f"https://${{{_distribution(synthesized)}.DomainName}}/"

    assert _deployed_config(synthesized) == {
        "apiUrl": GRAPHQL_PATH,
        "auth": {
            "mode": "cognito",
            "domain": f"https://${{{domain}}}.auth.${{AWS::Region}}.amazoncognito.com",
            "clientId": f"${{{client}}}",
            "redirectUri": site,
            "logoutUri": site,
        },
    }


def test_the_web_client_signs_in_by_code_with_pkce_and_returns_to_the_site(
    synthesized: Synthesized,
) -> None:
    (client,) = synthesized.resources("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    site = f"https://${{{_distribution(synthesized)}.DomainName}}/"

    assert properties["AllowedOAuthFlows"] == ["code"]
    assert properties["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(properties["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert properties["GenerateSecret"] is False  # a browser keeps no secret: PKCE instead
    assert properties["SupportedIdentityProviders"] == ["COGNITO"]
    assert [_render(url) for url in properties["CallbackURLs"]] == [site]
    assert [_render(url) for url in properties["LogoutURLs"]] == [site]
    (domain,) = synthesized.resources("AWS::Cognito::UserPoolDomain").values()
    # Unique in the region by default: the stack's name and the account.
    assert _render(domain["Properties"]["Domain"]) == "orderdelivery-${AWS::AccountId}"


def test_emails_link_to_the_order_page_on_the_site(synthesized: Synthesized) -> None:
    functions = {
        function["Properties"]["Handler"]: function["Properties"]["Environment"]["Variables"]
        for function in synthesized.service_functions().values()
    }
    site = f"https://${{{_distribution(synthesized)}.DomainName}}/"

    link = _render(functions[WORKER_HANDLER][EnvVar.RECEIPT_LINK_TEMPLATE])
    assert link == site + ORDER_PAGE_FRAGMENT
    # The API sends no email, and naming the site would make it depend on its own CDN.
    assert not functions[API_HANDLER].get(EnvVar.RECEIPT_LINK_TEMPLATE)


def test_the_site_and_its_api_share_an_origin_so_no_cors_is_deployed(
    synthesized: Synthesized,
) -> None:
    [api] = synthesized.resources("AWS::ApiGatewayV2::Api").values()

    assert "CorsConfiguration" not in api["Properties"]
    for variables in _service_environments(synthesized):
        assert not variables.get(EnvVar.CORS_ALLOWED_ORIGINS)


def test_a_frontend_elsewhere_is_allowed_by_the_same_cors_rules_as_the_local_server() -> None:
    stack = cdk.Stack(cdk.App())
    GraphQLApi(stack, "GraphQL", cors_origin="https://shop.example.com")
    body = Template.from_stack(stack).to_json()["Resources"]

    [api] = [r for r in body.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    cors = api["Properties"]["CorsConfiguration"]
    # The HTTP API answers preflights itself and adds these headers to every answer, its own
    # 401s and 429s included.
    assert cors["AllowOrigins"] == ["https://shop.example.com"]
    assert cors["AllowMethods"] == list(CORS.methods)
    assert {*GRAPHQL_METHODS, "OPTIONS"} == set(cors["AllowMethods"])
    assert cors["AllowHeaders"] == list(CORS.headers)
    assert cors["ExposeHeaders"] == list(CORS.exposed_headers)
    assert cors["MaxAge"] == CORS.max_age_seconds


def test_publishing_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App())
    site = WebSite(
        stack,
        "Site",
        bucket=s3.Bucket(stack, "SiteBucket"),
        logs=s3.Bucket(stack, "Logs"),
        api_domain="abc.execute-api.us-east-1.amazonaws.com",
    )

    with pytest.raises(FileNotFoundError, match="build the web app first"):
        site.publish(tmp_path, {})


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/orders", "/index.html"),
        ("/orders/01JORDER/", "/index.html"),
        ("/index.html", "/index.html"),
        ("/config.json", "/config.json"),
        ("/assets/index-CT3QvEh9.js", "/assets/index-CT3QvEh9.js"),
        ("/favicon.ico", "/favicon.ico"),
    ],
)
def test_the_spa_fallback_serves_the_page_for_paths_and_files_as_they_are(
    uri: str, served: str
) -> None:
    node = shutil.which("node")
    assert node, "Node.js is required (it builds the web app)"
    script = (
        f"{SPA_FALLBACK.read_text()}\n"
        f"process.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    )

    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)

    assert result.stdout == served


def test_the_deployed_fallback_is_the_tested_one(synthesized: Synthesized) -> None:
    (function,) = synthesized.resources("AWS::CloudFront::Function").values()

    assert function["Properties"]["FunctionCode"] == SPA_FALLBACK.read_text()
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


def test_receipts_stay_out_of_the_cdn_and_the_site_deployment(synthesized: Synthesized) -> None:
    receipts = _logical_id(synthesized, "AWS::S3::Bucket", "StorageBucket")
    policies = synthesized.resources("AWS::S3::BucketPolicy").values()
    receipts_policy = next(
        policy for policy in policies if policy["Properties"]["Bucket"] == {"Ref": receipts}
    )
    deployment_policies = [
        json.dumps(policy["Properties"]["PolicyDocument"])
        for key, policy in synthesized.resources("AWS::IAM::Policy").items()
        if key.startswith("CustomCDKBucketDeployment")
    ]

    assert "cloudfront.amazonaws.com" not in json.dumps(receipts_policy)
    assert deployment_policies
    assert all(receipts not in document for document in deployment_policies)


# --- reading the template -------------------------------------------------------------------


def _logical_id(synthesized: Synthesized, kind: str, prefix: str) -> str:
    (key,) = (key for key in synthesized.resources(kind) if key.startswith(prefix))
    return key


def _distribution(synthesized: Synthesized) -> str:
    (key,) = synthesized.resources("AWS::CloudFront::Distribution")
    return key


def _deployments(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Each BucketDeployment's properties by its destination prefix ("" for the bucket's root)."""
    return {
        deployment["Properties"].get("DestinationBucketKeyPrefix", ""): deployment["Properties"]
        for deployment in synthesized.resources("Custom::CDKBucketDeployment").values()
    }


def _asset_folders(synthesized: Synthesized, properties: dict[str, Any]) -> list[Path]:
    return [
        synthesized.outdir / f"asset.{key.removesuffix('.zip')}"
        for key in properties["SourceObjectKeys"]
    ]


def _deployed_config(synthesized: Synthesized) -> Any:
    """config.json as the deployment writes it, deploy-time values as ${Ref} / ${Id.Attr}."""
    page = _deployments(synthesized)[""]
    for folder, markers in zip(
        _asset_folders(synthesized, page), page["SourceMarkers"], strict=True
    ):
        if (folder / "config.json").is_file():
            text = (folder / "config.json").read_text()
            for marker in _MARKER.findall(text):
                text = text.replace(marker, _render(markers[marker]))
            return json.loads(text)
    raise AssertionError("no deployment writes config.json")


def _render(value: Any) -> str:
    """A CloudFormation string expression as text: {"Ref": "X"} is ${X}."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"${{{value['Ref']}}}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    separator, parts = value["Fn::Join"]
    return str(separator).join(_render(part) for part in parts)


def _leaves(value: Any) -> list[Any]:
    """Every Ref and GetAtt inside an expression."""
    if isinstance(value, dict):
        if {"Ref", "Fn::GetAtt"} & set(value):
            return [value]
        return [leaf for child in value.values() for leaf in _leaves(child)]
    if isinstance(value, list):
        return [leaf for child in value for leaf in _leaves(child)]
    return []


def _service_environments(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [
        function["Properties"]["Environment"]["Variables"]
        for function in synthesized.service_functions().values()
    ]
