"""Identity: a Cognito user pool, with a staff group, its hosted UI and the web client.

The Lite plan: it has what the shop uses (hosted sign-in, TOTP MFA) at about a third of
Essentials' price per monthly active user above the free tier; Essentials adds managed-login
branding, passwordless and access-token customization, none of which the app needs. Mail
(sign-up codes, resets) goes through SES from the shop's sender once it is verified: Cognito's
own sender stops after 50 a day.

MFA (TOTP) is required of everyone. Staff see every order and customer, so their sign-in needs
a second factor, and Cognito can require it of a whole pool only: with MFA optional its hosted
sign-in never offers a user the authenticator setup, which then needs a screen of the app's
own. Required, the hosted sign-in walks each new user through it once. The cost is a customer's
one-time setup of an authenticator app; an enrolment screen in the web app would let a later
version require it of staff alone.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from domain.resources import STAFF_GROUP
from infra.mail import Mail
from infra.nag import acknowledge


class Identities(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_prefix: str,
        mail: Mail,
        sender_name: str,
        sender_verified: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            feature_plan=cognito.FeaturePlan.LITE,
            # Cognito refuses an unverified SES identity when it creates or updates the pool,
            # and the sender is verified only after the first deployment (a link SES mails).
            # Until then Cognito's own sender (50 a day) sends the codes; redeploying with
            # senderVerified moves them to SES.
            email=(
                cognito.UserPoolEmail.with_ses(
                    from_email=mail.sender_email,
                    from_name=sender_name,
                    configuration_set_name=mail.configuration_set_name,
                    ses_region=Stack.of(self).region,
                )
                if sender_verified
                else cognito.UserPoolEmail.with_cognito()
            ),
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
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if sender_verified:
            self.user_pool.node.add_dependency(mail.identity)
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
