"""The web app signing in as it does in AWS, in a real browser: Cognito's hosted UI (a fake on
loopback), the authorization-code flow with PKCE, a refresh before expiry, and signing out.

Three loopback origins, as in AWS where the site, the hosted UI and the API are apart: the built
app with a Cognito-mode config.json, the fake hosted UI, and the local server (allowing the
site by CORS) whose API accepts the ID tokens the fake issues.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request, Response, expect
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.web_site import CONFIG_FILE, WEB_DIST, cognito_sign_in, site_settings
from tests.e2e.asgi_thread import loopback_socket, origin_of, serving
from tests.e2e.browser import assert_accessible, chromium_browser
from tests.e2e.conftest import LiveServer, running_server
from tests.e2e.fake_hosted_ui import FakeHostedUI, HostedUser, s256

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(180)]

CLIENT_ID = "fake-web-client"
CUSTOMER = HostedUser(sub="e2e-hosted-customer", name="Hana Hosted", email="hana@example.com")
# web/src/auth/authSession.ts: where the tab keeps its session and its pending sign-in.
SESSION_KEY = "order-delivery.session"
PENDING_SIGN_IN_KEY = "order-delivery.pending-sign-in"
# web/src/auth/tokens.ts REFRESH_MARGIN_MS: a token this close to expiring is refreshed first.
REFRESH_MARGIN_SECONDS = 60
# The first ID token lives 30 s past the margin: no slow start refreshes it by accident, and
# 31 s later (on the page's clock) it is due for a refresh yet not expired, at the API too.
SHORT_TOKEN_SECONDS = REFRESH_MARGIN_SECONDS + 30
LID_CLOSED_MS = 31_000
# web/src/auth/pkce.ts readCallback: an answer this tab did not ask for.
NOT_STARTED_HERE = "The sign-in answer does not match a sign-in started here. Please sign in again."


@dataclass(frozen=True)
class HostedSite:
    url: str  # the site's page, its callback and its sign-out URL: http://127.0.0.1:<port>/
    hosted_ui_url: str
    hosted_ui: FakeHostedUI
    server: LiveServer


def _site(settings: dict[str, object]) -> Starlette:
    """The built app and its config.json, as the stack publishes them behind CloudFront."""

    async def config(_request: HttpRequest) -> JSONResponse:
        return JSONResponse(settings, headers={"Cache-Control": "no-cache"})

    async def page(_request: HttpRequest) -> FileResponse:
        return FileResponse(WEB_DIST / "index.html", headers={"Cache-Control": "no-cache"})

    return Starlette(
        routes=[
            Route(f"/{CONFIG_FILE}", config),
            Mount("/assets", StaticFiles(directory=WEB_DIST / "assets")),
            Route("/", page),
        ]
    )


@pytest.fixture(scope="module")
def hosted_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostedSite]:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make install` (it runs `npm run build` in web/)")
    with loopback_socket() as site_socket, loopback_socket() as hosted_ui_socket:
        site_origin = origin_of(site_socket)
        site_url = site_origin + "/"
        data_dir = str(tmp_path_factory.mktemp("hosted-sign-in-data"))
        with running_server("--data-dir", data_dir, "--cors-origin", site_origin) as server:
            hosted_ui = FakeHostedUI(
                client_id=CLIENT_ID,
                callback_url=site_url,
                sign_out_url=site_url,
                user=CUSTOMER,
                issue_id_token=lambda user, seconds: server.tokens.issue(
                    user.sub,
                    name=user.name,
                    email=user.email,
                    staff=user.staff,
                    ttl_seconds=seconds,
                ),
            )
            settings = site_settings(
                cognito_sign_in(
                    domain=origin_of(hosted_ui_socket), client_id=CLIENT_ID, site_url=site_url
                )
            )
            # In AWS the API shares the site's origin (CloudFront); here it is the local server.
            settings["apiUrl"] = server.graphql_url
            with serving(hosted_ui.app, hosted_ui_socket), serving(_site(settings), site_socket):
                yield HostedSite(site_url, origin_of(hosted_ui_socket), hosted_ui, server)


@pytest.fixture
def site(hosted_site: HostedSite) -> HostedSite:
    hosted_site.hosted_ui.reset()
    return hosted_site


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium_browser() as launched:
        yield launched


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A browser context of the test's own: no cookie, storage or clock left by another."""
    context = await browser.new_context()
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        await context.close()


@dataclass(frozen=True)
class GraphQLCall:
    authorization: str | None
    status: int


class Traffic:
    """Every URL the browser asked for, and each GraphQL POST's bearer token and status."""

    def __init__(self, context: BrowserContext, graphql_url: str) -> None:
        self.urls: list[str] = []
        self.graphql: list[GraphQLCall] = []
        self._graphql_url = graphql_url
        context.on("request", self._requested)
        context.on("response", self._answered)

    def _requested(self, request: Request) -> None:
        self.urls.append(request.url)

    def _answered(self, response: Response) -> None:
        request = response.request
        if request.url == self._graphql_url and request.method == "POST":
            self.graphql.append(GraphQLCall(request.headers.get("authorization"), response.status))

    def hosts(self) -> set[str | None]:
        return {urllib.parse.urlsplit(url).hostname for url in self.urls if url.startswith("http")}


async def _session_storage(page: Page) -> dict[str, str]:
    stored: dict[str, str] = await page.evaluate("({...sessionStorage})")
    return stored


async def _signed_out_storage(page: Page, hosted_ui: FakeHostedUI) -> None:
    """The tab keeps no session, no pending sign-in, and no token the fake ever issued."""
    stored = await _session_storage(page)
    assert SESSION_KEY not in stored
    assert PENDING_SIGN_IN_KEY not in stored
    issued = hosted_ui.records.issued_id_tokens + hosted_ui.records.issued_refresh_tokens
    assert not [key for key, value in stored.items() for token in issued if token in value]


async def _to_the_hosted_ui(page: Page, site: HostedSite) -> None:
    """From the site's sign-in page to the fake hosted UI's."""
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(re.escape(f"{site.hosted_ui_url}/oauth2/authorize?")))


async def test_a_customer_signs_in_on_the_hosted_ui_is_refreshed_before_expiry_and_signs_out(
    site: HostedSite, context: BrowserContext
) -> None:
    hosted_ui = site.hosted_ui
    hosted_ui.reset(token_lifetimes=(SHORT_TOKEN_SECONDS,))
    # The page's own clock, so the refresh margin comes without waiting for it.
    await context.clock.install()
    traffic = Traffic(context, site.server.graphql_url)
    page = await context.new_page()

    # GIVEN a signed-out visitor opening their profile page
    await page.goto(site.url + "#/profile")
    await expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    await assert_accessible(page)

    # WHEN they sign in on the hosted UI
    await _to_the_hosted_ui(page, site)
    authorize = hosted_ui.records.authorize_requests[-1]
    assert authorize["code_challenge_method"] == "S256"
    assert set(authorize["scope"].split()) == {"openid", "email", "profile"}
    await page.get_by_role("button", name="Sign in").click()

    # THEN they are back on the page they started from, the code and state out of the address
    # bar, signed in with the fake's tokens, and the API answers requests with its ID token
    await expect(page).to_have_url(site.url + "#/profile")
    await expect(page.get_by_role("button", name="Save profile")).to_be_visible()
    await expect(page.get_by_text(CUSTOMER.name)).to_be_visible()
    await page.get_by_role("link", name="Shop", exact=True).click()
    await expect(page.get_by_label("Quantity of Butter croissant")).to_be_visible()
    assert hosted_ui.records.token_grants == ["authorization_code"]
    first_token = hosted_ui.records.issued_id_tokens[0]
    refresh_token = hosted_ui.records.issued_refresh_tokens[0]
    assert traffic.graphql
    assert set(traffic.graphql) == {GraphQLCall(f"Bearer {first_token}", 200)}
    stored = await _session_storage(page)
    assert PENDING_SIGN_IN_KEY not in stored, "the pending sign-in outlived its callback"
    session = json.loads(stored[SESSION_KEY])
    assert (session["idToken"], session["refreshToken"]) == (first_token, refresh_token)
    assert await page.evaluate("localStorage.length") == 0

    # WHEN the ID token comes within the refresh margin of expiring (a laptop lid was closed)
    await context.clock.fast_forward(LID_CLOSED_MS)
    calls_before = len(traffic.graphql)
    await page.get_by_role("link", name="My orders").click()

    # THEN it is refreshed before the next request, which carries the new one
    await expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    await expect(page.get_by_text("Loading your orders")).to_be_hidden()
    await expect(page.get_by_role("alert")).to_have_count(0)
    assert hosted_ui.records.token_grants == ["authorization_code", "refresh_token"]
    renewed = hosted_ui.records.issued_id_tokens[1]
    after_refresh = traffic.graphql[calls_before:]
    assert after_refresh
    assert set(after_refresh) == {GraphQLCall(f"Bearer {renewed}", 200)}
    session = json.loads((await _session_storage(page))[SESSION_KEY])
    assert (session["idToken"], session["refreshToken"]) == (renewed, refresh_token)

    # WHEN they sign out
    await page.get_by_role("button", name="Sign out").click()

    # THEN the hosted UI's session ends too, and the tab keeps no token
    await expect(page).to_have_url(site.url)
    await expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    assert hosted_ui.records.logout_requests == [{"client_id": CLIENT_ID, "logout_uri": site.url}]
    await _signed_out_storage(page, hosted_ui)
    await _to_the_hosted_ui(page, site)
    await expect(page.get_by_role("button", name="Cancel")).to_be_visible()  # asked again
    assert traffic.hosts() == {"127.0.0.1"}


@pytest.mark.parametrize(
    "callback",
    [
        {"code": "a-code-from-someone-elses-sign-in", "state": "not-the-state-sent"},
        {
            "error": "access_denied",
            "error_description": "Your account is locked: call +1 555 0100",
            "state": "not-the-state-sent",
        },
    ],
    ids=["code", "error"],
)
async def test_an_answer_to_another_sign_in_signs_nobody_in_and_says_so_in_the_apps_words(
    site: HostedSite, context: BrowserContext, callback: dict[str, str]
) -> None:
    traffic = Traffic(context, site.server.graphql_url)
    page = await context.new_page()
    # GIVEN a sign-in started in this tab
    await page.goto(site.url)
    await _to_the_hosted_ui(page, site)

    # WHEN an answer with another state arrives at the callback URL (a crafted link, say)
    await page.goto(site.url + "?" + urllib.parse.urlencode(callback))

    # THEN no code is traded and nothing kept, and the notice is the app's, not the link's
    await expect(page.get_by_role("alert")).to_have_text(NOT_STARTED_HERE)
    await expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    await expect(page).to_have_url(site.url)
    assert site.hosted_ui.records.token_grants == []
    await _signed_out_storage(page, site.hosted_ui)
    assert traffic.hosts() == {"127.0.0.1"}


async def test_cancelling_on_the_hosted_ui_comes_back_signed_out_with_a_readable_notice(
    site: HostedSite, context: BrowserContext
) -> None:
    traffic = Traffic(context, site.server.graphql_url)
    page = await context.new_page()
    await page.goto(site.url)
    await _to_the_hosted_ui(page, site)

    # The fake answers Cancel as RFC 6749 says: error=access_denied with the state, no description.
    await page.get_by_role("button", name="Cancel").click()

    await expect(page.get_by_role("alert")).to_have_text(
        "Signing in was cancelled or refused. Please try again."
    )
    await expect(page).to_have_url(site.url)
    assert site.hosted_ui.records.token_grants == []
    await _signed_out_storage(page, site.hosted_ui)
    await assert_accessible(page)
    # Signing in again works.
    await _to_the_hosted_ui(page, site)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Shop")).to_be_visible()
    assert traffic.hosts() == {"127.0.0.1"}


def test_the_fake_hosted_ui_refuses_a_wrong_verifier_and_a_used_code(site: HostedSite) -> None:
    """What makes the browser test's sign-in mean something: the fake checks PKCE as Cognito."""
    # RFC 7636, appendix B: a verifier and its S256 challenge.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    with httpx.Client(base_url=site.hosted_ui_url, follow_redirects=False) as client:

        def code() -> str:
            asked = client.get(
                "/oauth2/authorize",
                params={
                    "response_type": "code",
                    "client_id": CLIENT_ID,
                    "redirect_uri": site.url,
                    "scope": "openid",
                    "state": "s",
                    "code_challenge": s256(verifier),
                    "code_challenge_method": "S256",
                },
            )
            # The sign-in page the first time; after it, the hosted UI's session skips it.
            if asked.status_code == 200:
                pending = asked.text.split('name="request" value="')[1].split('"')[0]
                asked = client.post("/login", data={"request": pending, "action": "sign_in"})
            location = urllib.parse.urlsplit(asked.headers["location"])
            return urllib.parse.parse_qs(location.query)["code"][0]

        def trade(code: str, code_verifier: str) -> httpx.Response:
            return client.post(
                "/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "client_id": CLIENT_ID,
                    "code": code,
                    "redirect_uri": site.url,
                    "code_verifier": code_verifier,
                },
            )

        wrong_verifier = trade(code(), "w" * 43)
        good = code()
        traded = trade(good, verifier)
        again = trade(good, verifier)

    assert (wrong_verifier.status_code, wrong_verifier.json()) == (400, {"error": "invalid_grant"})
    assert traded.status_code == 200
    assert traded.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in traded.headers
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
