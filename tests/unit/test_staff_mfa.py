"""Staff rights reach a token only when the staff member has TOTP, so signed in with it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.staff_mfa import TOTP, staff_tokens_require_mfa
from domain.resources import STAFF_GROUP


class Directory:
    def __init__(self, mfa: list[str] | None) -> None:
        self.mfa = mfa
        self.calls: list[dict[str, str]] = []

    def admin_get_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:  # noqa: N803
        self.calls.append({"UserPoolId": UserPoolId, "Username": Username})
        user: dict[str, Any] = {"Username": Username}
        if self.mfa is not None:
            user["UserMFASettingList"] = self.mfa
        return user


def a_token_event(groups: list[str] | None) -> dict[str, Any]:
    """Cognito's pre-token-generation (V1) event, as it arrives for a sign-in."""
    return {
        "version": "1",
        "triggerSource": "TokenGeneration_HostedAuth",
        "region": "us-east-1",
        "userPoolId": "us-east-1_pool",
        "userName": "ann",
        "request": {
            "userAttributes": {"sub": "c0ffee", "email": "ann@example.com"},
            "groupConfiguration": {
                "groupsToOverride": groups,
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        },
        "response": {"claimsOverrideDetails": None},
    }


@pytest.mark.parametrize("mfa", [None, [], ["SMS_MFA"]], ids=["never-set", "none", "sms-only"])
def test_staff_without_totp_get_tokens_without_the_staff_group(mfa: list[str] | None) -> None:
    directory = Directory(mfa)

    answer = staff_tokens_require_mfa(a_token_event([STAFF_GROUP, "newsletter"]), directory)

    assert answer["response"]["claimsOverrideDetails"] == {
        "groupOverrideDetails": {"groupsToOverride": ["newsletter"]}
    }
    assert directory.calls == [{"UserPoolId": "us-east-1_pool", "Username": "ann"}]


def test_staff_with_totp_keep_the_staff_group() -> None:
    event = a_token_event([STAFF_GROUP])
    unchanged = copy.deepcopy(event)

    answer = staff_tokens_require_mfa(event, Directory([TOTP]))

    assert answer == unchanged


@pytest.mark.parametrize("groups", [None, [], ["newsletter"]], ids=["null", "none", "other"])
def test_customers_are_left_alone_without_a_call(groups: list[str] | None) -> None:
    directory = Directory(None)
    event = a_token_event(groups)
    unchanged = copy.deepcopy(event)

    assert staff_tokens_require_mfa(event, directory) == unchanged
    assert directory.calls == []
