"""A fake of Cognito's hosted UI: the authorize, token and logout endpoints the web app uses.

It checks what Cognito checks (the app client, its callback and sign-out URLs, the PKCE S256
challenge against the verifier, a code used once) and answers as Cognito documents: a code
or an error back at the callback URL, JSON tokens, a redirect to the sign-out URL. Its token
endpoint sends `Access-Control-Allow-Origin: *` and no more, as Cognito documents; it answers
no preflight, as the app's form-encoded POST without custom headers needs none (a change that
needed one should fail here, not pass on a guess about Cognito). The ID tokens are the local
server's development tokens, the only ones the local API accepts.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

# Cognito's default ID token validity: an hour.
DEFAULT_TOKEN_SECONDS = 3600
# Managed login keeps who signed in in a cookie on its own domain: a second sign-in skips the
# page, until /logout ends it. (Cookies ignore ports: the site is sent it too, and ignores it.)
SESSION_COOKIE = "fake-hosted-ui-session"
# RFC 7636 4.1 and 4.2: a verifier is 43-128 unreserved characters; an S256 challenge is 43.
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_TOKEN_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}


@dataclass(frozen=True)
class HostedUser:
    """Who signs in on the fake's page: no password, as the page is only a button."""

    sub: str
    name: str
    email: str
    staff: bool = False


# The user and the ID token's lifetime in seconds in, a JWT the API accepts out.
IssueIdToken = Callable[[HostedUser, int], str]


@dataclass(frozen=True)
class _Authorization:
    """What a sign-in was asked for at /oauth2/authorize: a code is good for this alone."""

    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str


@dataclass
class _Records:
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    # Each grant the token endpoint answered with tokens, in turn.
    token_grants: list[str] = field(default_factory=list)
    issued_id_tokens: list[str] = field(default_factory=list)
    issued_refresh_tokens: list[str] = field(default_factory=list)
    logout_requests: list[dict[str, str]] = field(default_factory=list)


class FakeHostedUI:
    """One app client of one user pool's hosted UI, with one user; `app` is the ASGI app."""

    def __init__(
        self,
        *,
        client_id: str,
        callback_url: str,
        sign_out_url: str,
        user: HostedUser,
        issue_id_token: IssueIdToken,
    ) -> None:
        self.client_id = client_id
        self.callback_url = callback_url
        self.sign_out_url = sign_out_url
        self.user = user
        self._issue_id_token = issue_id_token
        self.records = _Records()
        # The next ID tokens' lifetimes in seconds, in turn; DEFAULT_TOKEN_SECONDS after them.
        self.token_lifetimes: list[int] = []
        self._pending: dict[str, _Authorization] = {}  # shown on the page, not yet answered
        self._codes: dict[str, _Authorization] = {}
        self._refresh_tokens: set[str] = set()
        self._sessions: set[str] = set()
        self.app = Starlette(
            routes=[
                Route("/oauth2/authorize", self._authorize, methods=["GET"]),
                Route("/login", self._login, methods=["POST"]),
                Route("/oauth2/token", self._token, methods=["POST"]),
                Route("/logout", self._logout, methods=["GET"]),
            ]
        )

    def reset(self, *, token_lifetimes: tuple[int, ...] = ()) -> None:
        """Forget every sign-in, code, token and record: as a new user pool would be."""
        self.records = _Records()
        self.token_lifetimes = list(token_lifetimes)
        self._pending.clear()
        self._codes.clear()
        self._refresh_tokens.clear()
        self._sessions.clear()

    async def _authorize(self, request: Request) -> Response:
        asked = dict(request.query_params)
        self.records.authorize_requests.append(asked)
        # Without a known client and its own callback URL there is nowhere safe to send an
        # error: Cognito shows an error page instead (RFC 6749 4.1.2.1).
        if asked.get("client_id") != self.client_id:
            return _error_page("invalid_client: no such app client")
        if asked.get("redirect_uri") != self.callback_url:
            return _error_page("redirect_mismatch: not a callback URL of this app client")
        state = asked.get("state", "")
        if not state:
            # Cognito would go on without one; the app must never, so the fake stops here.
            return _error_page("the fake hosted UI insists on a state")
        if asked.get("response_type") != "code":
            return self._back_with_error("unsupported_response_type", state)
        if "openid" not in asked.get("scope", "").split():
            return self._back_with_error("invalid_scope", state)
        if asked.get("code_challenge_method") != "S256" or not _S256_CHALLENGE.fullmatch(
            asked.get("code_challenge", "")
        ):
            return self._back_with_error("invalid_request", state)
        authorization = _Authorization(
            client_id=self.client_id,
            redirect_uri=self.callback_url,
            state=state,
            code_challenge=asked["code_challenge"],
        )
        if request.cookies.get(SESSION_COOKIE) in self._sessions:
            return self._back_with_code(authorization)
        pending = secrets.token_urlsafe(16)
        self._pending[pending] = authorization
        return _sign_in_page(self.user, pending)

    async def _login(self, request: Request) -> Response:
        """The sign-in page's form: Sign in (a code) or Cancel (access_denied)."""
        form = _form(await request.body())
        authorization = self._pending.pop(form.get("request", ""), None)
        if authorization is None:
            return _error_page("this sign-in page has expired")
        if form.get("action") != "sign_in":
            return self._back_with_error("access_denied", authorization.state)
        session = secrets.token_urlsafe(16)
        self._sessions.add(session)
        response = self._back_with_code(authorization)
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        return response

    async def _token(self, request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != _FORM_MEDIA_TYPE:
            return _token_error("invalid_request")
        form = _form(await request.body())
        # A public client (no secret): the client id in the body is its whole authentication.
        if form.get("client_id") != self.client_id:
            return _token_error("invalid_client")
        match form.get("grant_type"):
            case "authorization_code":
                return self._trade_code(form)
            case "refresh_token":
                if form.get("refresh_token") not in self._refresh_tokens:
                    return _token_error("invalid_grant")
                # Cognito answers a refresh without a new refresh token: the old one still works.
                return self._tokens("refresh_token", with_refresh_token=False)
            case _:
                return _token_error("unsupported_grant_type")

    def _trade_code(self, form: Mapping[str, str]) -> Response:
        # Single use: a code is gone once tried, whether or not the rest holds.
        authorization = self._codes.pop(form.get("code", ""), None)
        if authorization is None or form.get("redirect_uri") != authorization.redirect_uri:
            return _token_error("invalid_grant")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.fullmatch(verifier) or s256(verifier) != authorization.code_challenge:
            return _token_error("invalid_grant")
        return self._tokens("authorization_code", with_refresh_token=True)

    def _tokens(self, grant_type: str, *, with_refresh_token: bool) -> Response:
        seconds = self.token_lifetimes.pop(0) if self.token_lifetimes else DEFAULT_TOKEN_SECONDS
        id_token = self._issue_id_token(self.user, seconds)
        answer: dict[str, str | int] = {
            "id_token": id_token,
            "access_token": secrets.token_urlsafe(32),
            "expires_in": seconds,
            "token_type": "Bearer",
        }
        if with_refresh_token:
            refresh_token = secrets.token_urlsafe(32)
            self._refresh_tokens.add(refresh_token)
            self.records.issued_refresh_tokens.append(refresh_token)
            answer["refresh_token"] = refresh_token
        self.records.token_grants.append(grant_type)
        self.records.issued_id_tokens.append(id_token)
        return JSONResponse(answer, headers=_TOKEN_HEADERS)

    async def _logout(self, request: Request) -> Response:
        asked = dict(request.query_params)
        self.records.logout_requests.append(asked)
        if asked.get("client_id") != self.client_id:
            return _error_page("invalid_client: no such app client")
        if asked.get("logout_uri") != self.sign_out_url:
            return _error_page("redirect_mismatch: not a sign-out URL of this app client")
        self._sessions.discard(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse(self.sign_out_url, status_code=HTTPStatus.FOUND)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def _back_with_code(self, authorization: _Authorization) -> Response:
        code = secrets.token_urlsafe(24)
        self._codes[code] = authorization
        return _redirect(authorization.redirect_uri, code=code, state=authorization.state)

    def _back_with_error(self, error: str, state: str) -> Response:
        return _redirect(self.callback_url, error=error, state=state)


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding: RFC 7636's S256 challenge."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _form(body: bytes) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace")))


def _redirect(url: str, **params: str) -> Response:
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    location = url + separator + urllib.parse.urlencode(params)
    return RedirectResponse(location, status_code=HTTPStatus.FOUND)


def _token_error(error: str) -> Response:
    return JSONResponse({"error": error}, HTTPStatus.BAD_REQUEST, headers=_TOKEN_HEADERS)


def _error_page(message: str) -> Response:
    return _page(
        "An error was encountered", f"<p>{html.escape(message)}</p>", HTTPStatus.BAD_REQUEST
    )


def _sign_in_page(user: HostedUser, pending: str) -> Response:
    body = (
        f"<p>Signing in as {html.escape(user.name)} ({html.escape(user.email)}).</p>"
        '<form method="post" action="/login">'
        f'<input type="hidden" name="request" value="{html.escape(pending)}">'
        '<button type="submit" name="action" value="sign_in">Sign in</button> '
        '<button type="submit" name="action" value="cancel">Cancel</button>'
        "</form>"
    )
    return _page("Fake hosted UI", body, HTTPStatus.OK)


def _page(heading: str, body: str, status: int) -> Response:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><title>{heading}</title>'
        f"<main><h1>{heading}</h1>{body}</main></html>",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
