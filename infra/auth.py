"""Identity: a Cognito user pool, with a staff group, its hosted UI and the web client.

The Lite plan: it has what the shop uses (hosted sign-in, TOTP MFA, the ID-token trigger that
keeps staff rights behind MFA) at about a third of Essentials' price per monthly active user
above the free tier; Essentials adds managed-login branding, passwordless and access-token
customization, none of which the app needs. Mail (sign-up codes, resets) goes through SES from
the shop's verified sender: Cognito's own sender stops after 50 a day.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from domain.resources import STAFF_GROUP
from infra.functions import ServiceFunction, acknowledge_runtime
from infra.mail import Mail
from infra.nag import acknowledge

# Referred to by dotted path: the trigger runs from the API's bundle (boto3 is in it).
STAFF_MFA_HANDLER = "app.staff_mfa.handler"


class Identities(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_prefix: str,
        mail: Mail,
        sender_name: str,
        trigger_code: lambda_.Code,
    ) -> None:
        super().__init__(scope, construct_id)
        trigger = ServiceFunction(
            self,
            "StaffMfa",
            handler=STAFF_MFA_HANDLER,
            code=trigger_code,
            environment={},
            timeout=Duration.seconds(5),
            memory_size=256,
            description="Staff rights in tokens only for staff who sign in with MFA",
            # Nothing of ours to follow: one AdminGetUser per staff sign-in.
            tracing=lambda_.Tracing.DISABLED,
        )
        staff_mfa = trigger.function
        trigger_role = trigger.role
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            feature_plan=cognito.FeaturePlan.LITE,
            email=cognito.UserPoolEmail.with_ses(
                from_email=mail.sender_email,
                from_name=sender_name,
                configuration_set_name=mail.configuration_set_name,
                # The sender is verified in the stack's own region.
                ses_region=Stack.of(self).region,
            ),
            lambda_triggers=cognito.UserPoolTriggers(pre_token_generation=staff_mfa),
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # A policy of its own, not the role's default: the pool names the trigger, so the
        # trigger's role naming the pool inline would be a cycle.
        trigger_role.attach_inline_policy(
            iam.Policy(
                self,
                "StaffMfaReadsUsers",
                statements=[
                    iam.PolicyStatement(
                        actions=["cognito-idp:AdminGetUser"],
                        resources=[self.user_pool.user_pool_arn],
                    )
                ],
            )
        )
        self.user_pool.node.add_dependency(mail.identity)
        acknowledge_runtime(staff_mfa)
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional for customers (a shop's buyers need no authenticator app) and "
            "required for staff rights: the pre-token trigger (app/staff_mfa.py) drops the "
            "staff group from the tokens of a member without TOTP.",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "The Plus feature plan (threat protection) is a per-user cost not yet justified.",
        )
        cognito.CfnUserPoolGroup(
            self,
            "StaffGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=STAFF_GROUP,
            description="Staff: see every order, dispatch and complete them, manage products.",
        )
        # The hosted UI the web app signs in through: https://<prefix>.auth.<region>.amazoncognito.com
        self.domain = self.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
        )

    def add_web_client(self, site_url: str) -> cognito.UserPoolClient:
        """The web app's client: authorization code with PKCE (no secret, as a browser keeps
        none), back to the site's page after sign-in and sign-out. No other flow: no password
        or SRP sign-in outside the hosted UI, only refreshing its tokens."""
        client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                ],
                callback_urls=[site_url],
                logout_urls=[site_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        resource = client.node.default_child
        assert isinstance(resource, cognito.CfnUserPoolClient)
        resource.explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]
        return client
