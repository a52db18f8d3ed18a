"""What `order-delivery serve` says when it cannot start: one line and a non-zero exit."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e


def _serve(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # Any free port unless the test names one: 8000 may be taken by a developer's own server.
    port = () if "--port" in arguments else ("--port", "0")
    serve = [sys.executable, "-m", "app.local", "serve"]  # what `order-delivery serve` runs
    return subprocess.run(
        [*serve, "--data-dir", str(tmp_path), *port, *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture
def web_server() -> Iterator[int]:
    """Something on loopback that answers HTTP, but not as AWS does."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def _assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("order-delivery: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = _serve(tmp_path, "--port", str(port))

    _assert_one_line(result, f"127.0.0.1:{port}", "in use")


def test_an_endpoint_where_nothing_answers_is_one_line(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"

    result = _serve(tmp_path, "--aws-endpoint", endpoint)

    _assert_one_line(result, "nothing answers", endpoint)


def test_an_endpoint_that_is_not_aws_is_one_line(tmp_path: Path, web_server: int) -> None:
    endpoint = f"http://127.0.0.1:{web_server}"

    result = _serve(tmp_path, "--aws-endpoint", endpoint)

    _assert_one_line(result, "does not answer as AWS does", endpoint)


@pytest.mark.parametrize("endpoint", ["notaurl", "ftp://127.0.0.1:21", "http://"])
def test_a_malformed_endpoint_is_refused_before_anything_starts(
    tmp_path: Path, endpoint: str
) -> None:
    result = _serve(tmp_path, "--aws-endpoint", endpoint)

    assert result.returncode == 2
    assert "is not an endpoint URL" in result.stderr
    assert "Traceback" not in result.stderr
