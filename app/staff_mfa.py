"""Cognito's pre-token-generation trigger: staff rights only for a staff member who uses MFA.

Staff see every order and customer, so their sign-in needs a second factor; customers of a small
shop should not have to install an authenticator app to buy bread. Cognito cannot require MFA
for one group, but with MFA optional it does challenge every user who has enabled it. So a
member of the staff group whose account has TOTP enabled signed in with it, and gets the group
in their tokens; one without it gets tokens without the group (a customer's rights) until they
enable TOTP. The API reads staff rights from that claim alone (resolvers/identity.py).
"""

from __future__ import annotations

from typing import Any, Protocol

from domain.resources import STAFF_GROUP

TOTP = "SOFTWARE_TOKEN_MFA"


class UserDirectory(Protocol):
    """The one Cognito call the trigger makes (boto3's cognito-idp client has it)."""

    def admin_get_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]: ...  # noqa: N803


def staff_tokens_require_mfa(event: dict[str, Any], users: UserDirectory) -> dict[str, Any]:
    """The trigger's event with the staff group taken out of the tokens when the user has no
    TOTP; unchanged for everyone else (no call made for users outside the group)."""
    groups = list(event["request"].get("groupConfiguration", {}).get("groupsToOverride") or [])
    if STAFF_GROUP not in groups:
        return event
    user = users.admin_get_user(UserPoolId=event["userPoolId"], Username=event["userName"])
    if TOTP in (user.get("UserMFASettingList") or []):
        return event
    event["response"]["claimsOverrideDetails"] = {
        "groupOverrideDetails": {
            "groupsToOverride": [group for group in groups if group != STAFF_GROUP],
        }
    }
    return event


_users: UserDirectory | None = None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global _users
    if _users is None:
        import boto3  # type: ignore[import-untyped]

        _users = boto3.client("cognito-idp")
    return staff_tokens_require_mfa(event, _users)
