"""The local service in one process: emulator, resources, API, GraphiQL and the worker loop."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import uvicorn
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.local.demo_catalogue import seed_demo_catalogue
from app.local.dev_tokens import BearerTokenAuthenticator, DevTokens
from app.local.emulator import EmbeddedAwsEmulator
from app.local.graphiql_page import graphiql_ide, missing_graphiql_assets
from app.local.outbox import outbox_routes
from app.local.resources import create_resources
from app.local.state import (
    LocalEnvironment,
    LocalStateError,
    restore_local_state,
    save_local_state,
)
from app.local.web_app import web_routes
from app.local.worker import consume_queue
from app.logging_setup import configure_logging
from app.settings import GRAPHQL_PATH, LOCAL_WEB_ORIGIN, Settings
from app.web_site import ORDER_PAGE_FRAGMENT
from app.worker_runtime import WorkerRuntime
from domain.notifications import BusinessProfile
from domain.orders import DeliveryPriority

logger = logging.getLogger(__name__)

LOCAL_REGION = "us-east-1"
LOCAL_PREFIX = "order-delivery-local"
# Locally a failed message comes back after seconds, not the production minutes.
LOCAL_VISIBILITY_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class DemoUser:
    sub: str
    name: str
    email: str
    staff: bool

    def token(self, tokens: DevTokens) -> str:
        return tokens.issue(self.sub, name=self.name, email=self.email, staff=self.staff)


DEMO_CUSTOMER = DemoUser("demo-customer", "Dana Demo", "dana@example.com", staff=False)
DEMO_STAFF = DemoUser("demo-staff", "Sam Staff", "sam@example.com", staff=True)
_EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9._-]{1,64}")


def local_user(sub: str, staff: bool) -> DemoUser:
    """Who a local sign-in as `sub` is: a demo user, or anyone, their email made up from the
    id (a verified one, as Cognito's would be, so they can order) when it can be one."""
    for demo in (DEMO_CUSTOMER, DEMO_STAFF):
        if (demo.sub, demo.staff) == (sub, staff):
            return demo
    email = f"{sub}@example.com" if _EMAIL_LOCAL_PART.fullmatch(sub) else ""
    return DemoUser(sub, f"User {sub}", email, staff=staff)


def local_business(host: str, port: int) -> BusinessProfile:
    """A demo business; its emails link to the order's page in the local web app."""
    return BusinessProfile(
        name="Corner Bakery (local demo)",
        orders_email="orders@corner-bakery.example",
        sender_email="no-reply@corner-bakery.example",
        phone="+1 555 0100",
        postal_address="1 Main Street, Springfield",
        receipt_link_template=f"http://{host}:{port}/{ORDER_PAGE_FRAGMENT}",
    )


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str
    port: int
    aws_endpoint: str | None
    dev_token_secret: str
    visibility_timeout: int = LOCAL_VISIBILITY_TIMEOUT_SECONDS
    log_level: str = "INFO"
    # Where the embedded emulator's state is saved at a clean stop and restored at start;
    # None keeps it in memory only. `fresh` starts empty, the next stop replacing what was saved.
    data_dir: Path | None = None
    fresh: bool = False
    # Browser origins allowed to call the API (CORS); the same setting the stack deploys.
    cors_origins: tuple[str, ...] = (LOCAL_WEB_ORIGIN,)


@dataclass(frozen=True, slots=True)
class LocalService:
    """A running local service: what a caller needs to talk to it and to check on it."""

    graphql_url: str
    emulator_url: str
    settings: Settings
    clients: AwsClients
    tokens: DevTokens
    server: uvicorn.Server
    local_state: str  # where the data lives and what was restored, for people to read


class _HttpServer(uvicorn.Server):
    """uvicorn without its Ctrl-C handling: once shut down, uvicorn raises the signal again,
    which would cancel the service's stop half-way, before its data is saved. `serve` handles
    Ctrl-C and SIGTERM itself."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ServiceStartError(Exception):
    """The local service could not start; the message says why, in one line for a person."""


def _check_port_free(host: str, port: int) -> None:
    """Fail before anything starts when the address cannot be listened on (in use, or not
    this machine's), rather than after the emulator and the worker are up."""
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        raise ServiceStartError(f"cannot listen on {host}:{port}: {error.strerror}") from None


async def _create_resources_at(
    clients: AwsClients, endpoint: str, options: ServeOptions
) -> Settings:
    """The local resources on `endpoint`, or a ServiceStartError saying what is wrong with it."""
    try:
        return await create_resources(
            clients,
            prefix=LOCAL_PREFIX,
            region=LOCAL_REGION,
            endpoint_url=endpoint,
            visibility_timeout=options.visibility_timeout,
            business=local_business(options.host, options.port),
        )
    except EndpointConnectionError:
        raise ServiceStartError(f"nothing answers at the AWS endpoint {endpoint}") from None
    except (BotoCoreError, ClientError) as error:
        raise ServiceStartError(
            f"{endpoint} does not answer as AWS does ({type(error).__name__})"
        ) from None


@asynccontextmanager
async def local_service(options: ServeOptions) -> AsyncIterator[LocalService]:
    """Start emulator, resources, worker loop and HTTP server; stop them all on exit."""
    missing = missing_graphiql_assets()
    if missing:
        raise SystemExit(
            "GraphiQL's scripts are not installed (missing: "
            f"{', '.join(missing[:3])}...): run `make install` or scripts/fetch_graphiql_assets.py"
        )
    _check_port_free(options.host, options.port)
    emulator: EmbeddedAwsEmulator | None = None
    endpoint = options.aws_endpoint
    if endpoint is None:
        emulator = EmbeddedAwsEmulator(host="127.0.0.1")
        endpoint = emulator.start()
    clients = AwsClients(LOCAL_REGION, endpoint)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    server: uvicorn.Server | None = None
    kept: LocalEnvironment | None = None  # set once restored: only then may a stop save over it
    try:
        settings = await _create_resources_at(clients, endpoint, options)
        settings = replace(settings, cors_allowed_origins=options.cors_origins)
        local_state = "in memory only: a restart starts empty"
        if emulator is None:
            local_state = f"kept by the emulator at {endpoint}"
        elif options.data_dir is not None:
            environment = LocalEnvironment(emulator, clients, settings)
            local_state = await _restore(options.data_dir, environment, fresh=options.fresh)
            kept = environment
        worker = WorkerRuntime(settings, clients)
        await seed_demo_catalogue(await worker.handlers())
        tokens = DevTokens(options.dev_token_secret)
        services = LazyApiServices(settings, clients)
        authenticator = BearerTokenAuthenticator(tokens)  # the API's, and the outbox's off loopback
        app = create_app(
            services,
            authenticator,
            developer_mode=True,
            cors_allowed_origins=settings.cors_allowed_origins,
            ide=graphiql_ide({"Authorization": f"Bearer {DEMO_CUSTOMER.token(tokens)}"}),
            extra_routes=[
                *outbox_routes(endpoint, services, authenticator, bind_host=options.host),
                *web_routes(
                    lambda sub, staff: local_user(sub, staff).token(tokens),
                    bind_host=options.host,
                ),
            ],
        )
        sqs = await clients.sqs()
        # One consumer per queue, as Lambda has one event source per queue: urgent orders never
        # wait behind a backlog of standard ones.
        for priority in (DeliveryPriority.URGENT, DeliveryPriority.STANDARD):
            tasks.append(
                asyncio.create_task(
                    consume_queue(
                        sqs,
                        settings.queue_urls[priority],
                        worker.process,
                        stop,
                        region=LOCAL_REGION,
                    ),
                    name=f"worker-{priority.value.lower()}",
                )
            )
        server = _HttpServer(
            uvicorn.Config(
                app, host=options.host, port=options.port, lifespan="off", log_level="warning"
            )
        )
        tasks.append(asyncio.create_task(server.serve(), name="http"))
        while not server.started:
            if tasks[-1].done():
                await tasks[-1]  # the server could not start: raise its error
            await asyncio.sleep(0.05)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield LocalService(
            graphql_url=f"http://{host}:{port}{GRAPHQL_PATH}",
            emulator_url=endpoint,
            settings=settings,
            clients=clients,
            tokens=tokens,
            server=server,
            local_state=local_state,
        )
    finally:
        stop.set()
        for task in tasks:
            if task.get_name() != "http":
                task.cancel()
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            if kept is not None and options.data_dir is not None:
                saved = await save_local_state(options.data_dir, kept)
                logger.info("Saved the local state in %s: %s", options.data_dir, saved.summary())
        finally:
            await clients.close()
            if emulator is not None:
                emulator.stop()


async def _restore(data_dir: Path, environment: LocalEnvironment, *, fresh: bool) -> str:
    """Put the saved state back, unless starting fresh; say what was done."""
    place = f"{data_dir}, saved at a clean stop (Ctrl-C)"
    if fresh:
        return f"{place}; started empty (--fresh)"
    try:
        restored = await restore_local_state(data_dir, environment)
    except LocalStateError as error:
        raise SystemExit(
            f"{error}\nStart with --fresh to start empty (a clean stop then replaces the saved "
            f"state), or move {data_dir} aside."
        ) from error
    if restored is None:
        return f"{place}; nothing saved yet"
    return f"{place}; restored {restored.summary()}"


async def serve(options: ServeOptions) -> None:
    configure_logging(options.log_level)
    async with local_service(options) as service:
        _announce(service)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop_signal, stopping.set)
        try:
            await stopping.wait()
        finally:
            for stop_signal in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(stop_signal)  # a second Ctrl-C interrupts the stop
        print("Stopping...", flush=True, file=sys.stdout)


def _announce(service: LocalService) -> None:
    base = service.graphql_url.removesuffix(GRAPHQL_PATH)
    customer = DEMO_CUSTOMER.token(service.tokens)
    staff = DEMO_STAFF.token(service.tokens)
    print(
        f"""
Order delivery is running locally.
  Shop and staff app:   {base}/  (sign in as the demo customer or the demo staff user)
  GraphQL + GraphiQL:   {service.graphql_url}
  AWS emulator:         {service.emulator_url}
  Local data:           {service.local_state}
  Emails sent (outbox): {base}/dev/outbox.html  (JSON: /dev/outbox)

Paste one of these into GraphiQL's Headers tab:
  demo customer ({DEMO_CUSTOMER.sub}):
    {{"Authorization": "Bearer {customer}"}}
  demo staff ({DEMO_STAFF.sub}):
    {{"Authorization": "Bearer {staff}"}}

More tokens: order-delivery token --sub SUB [--name N] [--email E] [--staff]
Press Ctrl-C to stop.
READY {service.graphql_url}""",
        flush=True,
        file=sys.stdout,
    )
