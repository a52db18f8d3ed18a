"""GraphiQL renders and runs queries in a real browser, no request leaving 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    WebSocket,
    expect,
)

from app.local.graphiql_page import FIRST_QUERY_PATH, missing_graphiql_assets
from app.local.server import DEMO_CUSTOMER
from tests.e2e.browser import chromium_context

LOCAL_HOST = "127.0.0.1"
QUERY = "{ __typename }"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("data", "blob"):
        return True  # in-page content, not a network load
    return parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname == LOCAL_HOST


async def _editor_value(page: Page, selector: str) -> str:
    value = await page.eval_on_selector(selector, "el => el.CodeMirror.getValue()")
    return str(value)


async def _replace_editor_text(page: Page, selector: str, text: str) -> None:
    """Type into a CodeMirror editor the way a person would: click, select all, type."""
    await page.locator(selector).click()
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.press("Delete")
    # insert_text types the whole string at once, so auto-closing brackets and
    # autocompletion popups do not rewrite it.
    await page.keyboard.insert_text(text)
    assert await _editor_value(page, selector) == text


async def _wait_until(check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)


async def _first_page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else await context.new_page()


def _is_introspection(response: Response) -> bool:
    return response.request.method == "POST" and "__schema" in (response.request.post_data or "")


def _is_user_query(request: Request) -> bool:
    body = request.post_data or ""
    return request.method == "POST" and "__typename" in body and "__schema" not in body


def _assert_query_result(body: Any) -> str:
    assert isinstance(body, dict), body
    assert not body.get("errors"), body
    typename = body.get("data", {}).get("__typename")
    assert isinstance(typename, str), body
    assert typename, body
    return typename


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.asyncio
@pytest.mark.timeout(180)
async def test_graphiql_page_works_offline(live_server: Any, tmp_path: Path) -> None:
    missing = missing_graphiql_assets()
    if missing:
        pytest.fail(
            f"GraphiQL assets missing: {missing}; run `python3 scripts/fetch_graphiql_assets.py`"
        )

    graphql_url: str = live_server.graphql_url
    requests: list[str] = []
    failures: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    introspections: list[Response] = []

    def on_response(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"HTTP {response.status} {response.url}")
        if _is_introspection(response):
            introspections.append(response)

    def on_failed(request: Request) -> None:
        failures.append(f"{request.url}: {request.failure}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{message.text} @ {message.location}")

    def on_page_error(error: Error) -> None:
        page_errors.append(str(error))

    def on_websocket(socket: WebSocket) -> None:
        requests.append(socket.url)

    def assert_offline_and_clean() -> None:
        remote = [u for u in requests if not _is_local(u)]
        problems = {
            f"requests that left {LOCAL_HOST}": remote,
            "failed requests": failures,
            "console errors": console_errors,
            "page errors": page_errors,
        }
        found = {name: items for name, items in problems.items() if items}
        assert not found, "\n".join(f"{name}: {items}" for name, items in found.items())

    async with chromium_context(tmp_path) as context:
        context.on("request", lambda request: requests.append(request.url))
        context.on("requestfailed", on_failed)
        context.on("response", on_response)
        page = await _first_page(context)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("websocket", on_websocket)

        # Strawberry's page takes initial headers from ?headers=, so even the
        # schema introspection on load is authenticated. It decodes with
        # decodeURIComponent, so spaces must be %20, not "+".
        staff = f"Bearer {live_server.staff_token}"
        query_string = urllib.parse.urlencode(
            {"headers": json.dumps({"Authorization": staff})},
            quote_via=urllib.parse.quote,
        )
        page_response = await page.goto(f"{graphql_url}?{query_string}")
        assert page_response is not None, "no response for the GraphiQL page"
        assert page_response.ok, f"GET {graphql_url}: HTTP {page_response.status}"
        content_type = page_response.headers.get("content-type") or ""
        assert "text/html" in content_type, content_type
        # Every script and stylesheet has loaded by now ("load" event).
        assert_offline_and_clean()

        # The editor rendered: React and GraphiQL ran (their SRI checks passed).
        # (#graphiql carries the class from the start; React renders the inner one.)
        rendered = page.locator("#graphiql > .graphiql-container")
        await expect(rendered).to_be_visible()
        await expect(page.locator(QUERY_EDITOR)).to_be_visible()
        await expect(page.locator(".graphiql-execute-button")).to_be_visible()
        await _wait_until(lambda: bool(introspections), "schema introspection")
        schema_response = introspections[0]
        assert schema_response.ok, await schema_response.text()
        assert await schema_response.request.header_value("authorization") == staff
        schema = (await schema_response.json()).get("data") or {}
        assert "__schema" in schema, schema

        # Run a query typed into the editor (Ctrl-Enter), with the staff token.
        await _replace_editor_text(page, QUERY_EDITOR, QUERY)
        async with page.expect_response(lambda r: _is_user_query(r.request)) as run:
            await page.keyboard.press("ControlOrMeta+Enter")
        staff_run = await run.value
        assert await staff_run.request.header_value("authorization") == staff
        assert staff_run.ok, await staff_run.text()
        typename = _assert_query_result(await staff_run.json())
        response_pane = page.locator(".graphiql-response")
        await expect(response_pane).to_contain_text(f'"__typename": "{typename}"')

        # Switch to the customer token in the Headers tab and run with the button.
        await page.get_by_role("button", name="Headers", exact=True).click()
        customer = f"Bearer {live_server.customer_token}"
        await _replace_editor_text(page, HEADERS_EDITOR, json.dumps({"Authorization": customer}))
        async with page.expect_response(lambda r: _is_user_query(r.request)) as run:
            await page.locator(".graphiql-execute-button").click()
        customer_run = await run.value
        assert await customer_run.request.header_value("authorization") == customer
        assert customer_run.ok, await customer_run.text()
        _assert_query_result(await customer_run.json())

        await page.wait_for_load_state("networkidle")

    assert_offline_and_clean()
    assert any(urllib.parse.urlsplit(u).path.endswith(".js") for u in requests), requests


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.asyncio
@pytest.mark.timeout(180)
async def test_graphiql_opens_ready_with_the_walkthrough_and_a_token(
    live_server: Any, tmp_path: Path
) -> None:
    # GIVEN a newcomer who opens GraphiQL with nothing pasted anywhere
    introspections: list[Response] = []

    def on_response(response: Response) -> None:
        if _is_introspection(response):
            introspections.append(response)

    async with chromium_context(tmp_path) as context:
        context.on("response", on_response)
        page = await _first_page(context)
        await page.goto(live_server.graphql_url)

        # THEN the schema loads with the demo customer's token, docs and explorer work
        await _wait_until(lambda: bool(introspections), "schema introspection")
        schema_response = introspections[0]
        assert schema_response.ok, await schema_response.text()
        token = await schema_response.request.header_value("authorization") or ""
        assert live_server.tokens.verify(token.removeprefix("Bearer ")).sub == DEMO_CUSTOMER.sub
        assert "__schema" in ((await schema_response.json()).get("data") or {})
        # AND the editor holds the first query, the Headers tab the token
        await expect(page.locator(QUERY_EDITOR)).to_be_visible()
        first_query = FIRST_QUERY_PATH.read_text(encoding="utf-8")
        assert (await _editor_value(page, QUERY_EDITOR)).strip() == first_query.strip()
        await page.get_by_role("button", name="Headers", exact=True).click()
        assert token in await _editor_value(page, HEADERS_EDITOR)
