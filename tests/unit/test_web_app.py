"""The web app's routes on the local server: its settings, its local sign-in, its build."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from app.local.dev_tokens import DevTokens
from app.local.server import DEMO_CUSTOMER, DEMO_STAFF, local_user
from app.local.web_app import web_routes
from app.web_site import IMMUTABLE

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
TOKENS = DevTokens(SECRET)


def issue(sub: str, staff: bool) -> str:
    return local_user(sub, staff).token(TOKENS)


def built_app(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Shop</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('shop')")
    return tmp_path


def client(
    dist: Path, *, bind_host: str = "127.0.0.1", host: str = "127.0.0.1:8000"
) -> httpx.AsyncClient:
    app = Starlette(routes=web_routes(issue, bind_host=bind_host, dist=dist))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}")


async def test_the_app_is_served_at_the_root_and_its_assets_are_cached_for_good(
    tmp_path: Path,
) -> None:
    async with client(built_app(tmp_path)) as web:
        page = await web.get("/")
        asset = await web.get("/assets/index-abc123.js")
        config = await web.get("/config.json")

    assert page.status_code == 200
    assert "<title>Shop</title>" in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == IMMUTABLE
    assert config.json() == {"apiUrl": "/graphql", "auth": {"mode": "local"}}
    assert config.headers["cache-control"] == "no-cache"


async def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    async with client(tmp_path) as web:
        page = await web.get("/")

    assert page.status_code == 503
    assert "make install" in page.text


@pytest.mark.parametrize(
    ("sub", "staff", "name", "is_staff"),
    [
        (DEMO_CUSTOMER.sub, False, DEMO_CUSTOMER.name, False),
        (DEMO_STAFF.sub, True, DEMO_STAFF.name, True),
        ("ann-1", False, "User ann-1", False),
        ("ops.lead", True, "User ops.lead", True),
    ],
)
async def test_a_local_sign_in_mints_a_token_for_that_user(
    tmp_path: Path, sub: str, staff: bool, name: str, is_staff: bool
) -> None:
    async with client(tmp_path) as web:
        answer = await web.post("/dev/token", json={"sub": sub, "staff": staff})

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    identity = TOKENS.verify(answer.json()["token"])
    assert (identity.sub, identity.name, identity.is_staff) == (sub, name, is_staff)
    assert identity.verified_email == f"{sub}@example.com" or sub in (
        DEMO_CUSTOMER.sub,
        DEMO_STAFF.sub,
    )
    assert identity.verified_email is not None


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"sub": "", "staff": false}', "application/json", 400),
        (b'{"sub": "ann", "staff": "yes"}', "application/json", 400),
        (b'{"staff": true}', "application/json", 400),
        (b'["ann"]', "application/json", 400),
        (b'{"sub": "ann", "sub": "bob"}', "application/json", 400),
        (b"not json", "application/json", 400),
        (b'{"sub": "ann"}', "text/plain", 415),
        (b'{"sub": "' + b"a" * 2000 + b'"}', "application/json", 413),
    ],
    ids=[
        "empty-sub",
        "staff-not-bool",
        "no-sub",
        "not-object",
        "repeated-key",
        "not-json",
        "text-plain",
        "too-large",
    ],
)
async def test_a_bad_sign_in_request_is_a_json_refusal(
    tmp_path: Path, body: bytes, content_type: str, status: int
) -> None:
    async with client(tmp_path) as web:
        answer = await web.post("/dev/token", content=body, headers={"content-type": content_type})

    assert answer.status_code == status
    assert answer.json()["errors"][0]["extensions"]["code"]
    assert "token" not in answer.json()


@pytest.mark.parametrize("host", ["evil.example:8000", "evil.example", "127.0.0.1.evil.example"])
async def test_a_page_on_another_name_gets_no_token(tmp_path: Path, host: str) -> None:
    async with client(tmp_path, host=host) as web:
        answer = await web.post("/dev/token", json={"sub": "ann", "staff": True})

    assert answer.status_code == 403


@pytest.mark.parametrize("host", ["localhost:8000", "[::1]:8000", "127.0.0.1"])
async def test_a_page_on_this_machine_gets_a_token_by_any_of_its_names(
    tmp_path: Path, host: str
) -> None:
    async with client(tmp_path, host=host) as web:
        answer = await web.post("/dev/token", json={"sub": "ann", "staff": False})

    assert answer.status_code == 200


OFF_LOOPBACK = ["0.0.0.0", "192.168.1.20", "shop.example"]  # noqa: S104 (binds, refused)


@pytest.mark.parametrize("bind_host", OFF_LOOPBACK)
async def test_off_loopback_there_is_no_local_sign_in(tmp_path: Path, bind_host: str) -> None:
    async with client(tmp_path, bind_host=bind_host) as web:
        answer = await web.post("/dev/token", json={"sub": "ann", "staff": True})

    assert answer.status_code in (404, 405)
