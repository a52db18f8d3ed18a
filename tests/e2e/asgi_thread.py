"""An ASGI app served by uvicorn in a thread, on a loopback socket bound before it starts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

STOP_SECONDS = 10


@contextmanager
def loopback_socket() -> Iterator[socket.socket]:
    """A listening socket on a port the operating system hands out, closed on exit.

    Listening already, so its address can go into another server's settings before anything
    serves on it, and a connection made before the server starts waits in the backlog
    instead of being refused: no start-up to wait for, and no port to race for.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener


def origin_of(listener: socket.socket) -> str:
    """`http://127.0.0.1:<port>`: the socket's origin, as a browser writes it."""
    host, port = listener.getsockname()
    return f"http://{host}:{port}"


@contextmanager
def serving(app: ASGIApp, listener: socket.socket) -> Iterator[None]:
    """`app` answers on `listener` until exit, from uvicorn in a thread of its own."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name=f"uvicorn {origin_of(listener)}"
    )
    thread.start()
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(STOP_SECONDS)
