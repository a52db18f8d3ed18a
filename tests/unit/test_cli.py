"""The command line: what `serve` refuses before it starts anything."""

from __future__ import annotations

from typing import Any

import pytest

from app.local import cli, server


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace the service with a recorder: these tests start nothing."""
    started: list[Any] = []

    async def serve(options: Any) -> None:
        started.append(options)

    monkeypatch.setattr(server, "serve", serve)
    monkeypatch.delenv(cli.DEV_TOKEN_SECRET_VAR, raising=False)
    return started


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "shop.local"])  # noqa: S104
def test_serving_beyond_loopback_with_the_public_secret_is_refused(
    served: list[Any], host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--host", host]) == 2

    assert served == []
    assert cli.DEV_TOKEN_SECRET_VAR in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_serving_on_loopback_needs_no_secret_of_ones_own(served: list[Any], host: str) -> None:
    assert cli.main(["serve", "--host", host]) == 0

    assert [options.host for options in served] == [host]


def test_serving_beyond_loopback_with_a_secret_of_ones_own_starts(
    served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.DEV_TOKEN_SECRET_VAR, "a-secret-of-our-own-that-nobody-else-knows")

    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0  # noqa: S104

    assert served[0].dev_token_secret == "a-secret-of-our-own-that-nobody-else-knows"


def test_the_web_apps_dev_server_is_the_default_cors_origin(served: list[Any]) -> None:
    assert cli.main(["serve"]) == 0

    assert served[0].cors_origins == ("http://localhost:5173",)


def test_cors_origins_are_given_one_by_one(served: list[Any]) -> None:
    arguments = ["--cors-origin", "https://shop.example", "--cors-origin", "http://[::1]:3000"]

    assert cli.main(["serve", *arguments]) == 0

    assert served[0].cors_origins == ("https://shop.example", "http://[::1]:3000")


@pytest.mark.parametrize(
    "origin",
    ["*", "https://*.example", "shop.example", "https://shop.example/", "ftp://shop.example", ""],
)
def test_anything_but_an_origin_is_refused_in_one_line(
    served: list[Any], origin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--cors-origin", origin])

    assert exit_.value.code == 2
    assert served == []
    assert "is not an origin" in capsys.readouterr().err


def test_token_header_is_ready_to_paste(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["token", "--sub", "alice", "--header"]) == 0

    line = capsys.readouterr().out.strip()
    assert line.startswith("Authorization: Bearer ey")
    assert line.count(".") == 2


def test_every_serve_option_has_help_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])

    help_text = capsys.readouterr().out
    for default in ("127.0.0.1", "8000", "INFO", ".order-delivery", "http://localhost:5173"):
        assert f"default: {default}" in help_text
