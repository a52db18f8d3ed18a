"""The local service in one process: emulator, resources, API, GraphiQL and the worker loop."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from app.api_services import LazyApiServices
from app.asgi import create_app
from app.aws_clients import AwsClients
from app.demo_catalogue import seed_demo_catalogue
from app.dev_outbox import outbox_routes
from app.emulator import EmbeddedAwsEmulator
from app.graphiql_page import missing_graphiql_assets
from app.local_resources import create_resources
from app.local_worker import consume_queue
from app.logging_setup import configure_logging
from app.settings import GRAPHQL_PATH, Settings
from app.worker_runtime import WorkerRuntime
from domain.notifications import BusinessProfile
from domain.orders import DeliveryPriority
from resolvers.dev_tokens import BearerTokenAuthenticator, DevTokens

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


def local_business(host: str, port: int) -> BusinessProfile:
    """A demo business; its emails' receipt links lead to the local receipt redirect."""
    return BusinessProfile(
        name="Corner Bakery (local demo)",
        orders_email="orders@corner-bakery.example",
        sender_email="no-reply@corner-bakery.example",
        phone="+1 555 0100",
        postal_address="1 Main Street, Springfield",
        receipt_link_template=f"http://{host}:{port}/dev/receipts/{{order_id}}",
    )


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str
    port: int
    aws_endpoint: str | None
    dev_token_secret: str
    visibility_timeout: int = LOCAL_VISIBILITY_TIMEOUT_SECONDS
    log_level: str = "INFO"


@dataclass(frozen=True, slots=True)
class LocalService:
    """A running local service: what a caller needs to talk to it and to check on it."""

    graphql_url: str
    emulator_url: str
    settings: Settings
    clients: AwsClients
    tokens: DevTokens
    server: uvicorn.Server


@asynccontextmanager
async def local_service(options: ServeOptions) -> AsyncIterator[LocalService]:
    """Start emulator, resources, worker loop and HTTP server; stop them all on exit."""
    missing = missing_graphiql_assets()
    if missing:
        raise SystemExit(
            "GraphiQL's scripts are not installed (missing: "
            f"{', '.join(missing[:3])}...): run `make install` or scripts/fetch_graphiql_assets.py"
        )
    emulator: EmbeddedAwsEmulator | None = None
    endpoint = options.aws_endpoint
    if endpoint is None:
        emulator = EmbeddedAwsEmulator(host="127.0.0.1")
        endpoint = emulator.start()
    clients = AwsClients(LOCAL_REGION, endpoint)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    server: uvicorn.Server | None = None
    try:
        settings = await create_resources(
            clients,
            prefix=LOCAL_PREFIX,
            region=LOCAL_REGION,
            endpoint_url=endpoint,
            visibility_timeout=options.visibility_timeout,
            business=local_business(options.host, options.port),
        )
        worker = WorkerRuntime(settings, clients)
        await seed_demo_catalogue(await worker.handlers())
        tokens = DevTokens(options.dev_token_secret)
        services = LazyApiServices(settings, clients)
        app = create_app(
            services,
            BearerTokenAuthenticator(tokens),
            developer_mode=True,
            extra_routes=outbox_routes(
                endpoint, services, BearerTokenAuthenticator(tokens), bind_host=options.host
            ),
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
        server = uvicorn.Server(
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
        )
    finally:
        stop.set()
        for task in tasks:
            if task.get_name() != "http":
                task.cancel()
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await clients.close()
        if emulator is not None:
            emulator.stop()


async def serve(options: ServeOptions) -> None:
    configure_logging(options.log_level)
    async with local_service(options) as service:
        _announce(service)
        # uvicorn turns Ctrl-C and SIGTERM into should_exit; then the service shuts down.
        while not service.server.should_exit:  # noqa: ASYNC110 (uvicorn exposes a flag)
            await asyncio.sleep(0.2)


def _announce(service: LocalService) -> None:
    base = service.graphql_url.removesuffix(GRAPHQL_PATH)
    customer = DEMO_CUSTOMER.token(service.tokens)
    staff = DEMO_STAFF.token(service.tokens)
    print(
        f"""
Order delivery is running locally.
  GraphQL + GraphiQL:   {service.graphql_url}
  AWS emulator:         {service.emulator_url}
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
