"""The running local server, started once for the e2e session as a user would: the CLI."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.local.cli import DEFAULT_DEV_TOKEN_SECRET
from app.local.dev_tokens import DevTokens

STARTUP_SECONDS = 60
COMMAND_SECONDS = 20
COMMAND_STATE = "query($id: ID!) { command(id: $id) { state orderId error { code message } } }"


class GraphQLClient:
    """A thin HTTP client of the API, as a frontend would call it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(timeout=15)

    def post(self, token: str | None, query: str, **variables: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self._http.post(
            self.url, json={"query": query, "variables": variables}, headers=headers
        )

    def get(self, url: str) -> httpx.Response:
        return self._http.get(url)

    def __call__(self, token: str, query: str, **variables: Any) -> Any:
        response = self.post(token, query, **variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def wait_for_command(
        self, token: str, command_id: str, query: str = COMMAND_STATE
    ) -> dict[str, Any]:
        """Poll command(id), as a react-query client would, until the worker has settled it."""
        deadline = time.monotonic() + COMMAND_SECONDS
        while time.monotonic() < deadline:
            command = self(token, query, id=command_id)["command"]
            if command is not None and command["state"] != "PENDING":
                return dict(command)
            time.sleep(0.1)
        raise AssertionError(f"command {command_id} still pending after {COMMAND_SECONDS}s")


@dataclass
class LiveServer:
    graphql_url: str
    emulator_url: str
    tokens: DevTokens
    graphql: GraphQLClient
    local_data: str = ""  # where serve said it keeps its data, and what it restored

    def token(self, sub: str, *, staff: bool = False) -> str:
        return self.tokens.issue(sub, name=f"User {sub}", email=f"{sub}@example.com", staff=staff)

    @property
    def customer_token(self) -> str:
        return self.token("e2e-browser-customer")

    @property
    def staff_token(self) -> str:
        return self.token("e2e-staff", staff=True)


def free_port() -> int:
    """A loopback port nothing listens on, as the operating system hands one out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Its own empty data directory: the tests neither see nor change a developer's saved data.
    with running_server("--data-dir", str(tmp_path_factory.mktemp("local-data"))) as server:
        yield server


@contextmanager
def running_server(*options: str) -> Iterator[LiveServer]:
    """`order-delivery serve` with these options, until Ctrl-C (SIGINT) stops it on exit."""
    port = free_port()
    serve = [sys.executable, "-m", "app.local", "serve"]  # what `order-delivery serve` runs
    command = [*serve, "--port", str(port), "--log-level", "WARNING"]
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    graphql_url = emulator_url = local_data = ""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not graphql_url:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            process.kill()
            pytest.fail("the local server did not start:\n" + "".join(output))
        try:
            line = lines.get(timeout=min(remaining, 1))
        except queue.Empty:
            continue
        if line.strip().startswith("AWS emulator:"):
            emulator_url = line.split(":", 1)[1].strip()
        if line.strip().startswith("Local data:"):
            local_data = line.split(":", 1)[1].strip()
        if line.startswith("READY "):
            graphql_url = line.split(" ", 1)[1].strip()
    try:
        yield LiveServer(
            graphql_url=graphql_url,
            emulator_url=emulator_url,
            tokens=DevTokens(DEFAULT_DEV_TOKEN_SECRET),
            graphql=GraphQLClient(graphql_url),
            local_data=local_data,
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
