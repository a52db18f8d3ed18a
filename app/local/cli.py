"""The `order-delivery` command: run the local service, print a local bearer token, redrive a
work queue's dead letters, or estimate a month's AWS bill."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

DEV_TOKEN_SECRET_VAR = "ORDER_DELIVERY_DEV_TOKEN_SECRET"  # noqa: S105 (a variable name)
# Only the local server accepts tokens signed with it; the Lambda trusts Cognito alone.
DEFAULT_DEV_TOKEN_SECRET = "order-delivery-local-development-secret"  # noqa: S105 (public by design)
# In the directory `serve` runs from (the checkout, with `make serve`): one state per checkout.
DEFAULT_DATA_DIR = ".order-delivery"


def _cors_origin(value: str) -> str:
    from app.settings import is_cors_origin

    if not is_cors_origin(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an origin: give scheme://host[:port], e.g. https://shop.example"
        )
    return value


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless it has none worth saying (absent, or a flag off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def _aws_endpoint(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an endpoint URL: give http(s)://host:port, e.g. "
            "http://127.0.0.1:5000"
        )
    return value


def _whole_number(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 0")
    return int(value)


def _positive_number(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    from app.operations.prices import API_REQUEST_MS, WORKER_MESSAGE_MS
    from app.settings import LOCAL_WEB_ORIGIN

    parser = argparse.ArgumentParser(prog="order-delivery", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the API, GraphiQL and the worker locally",
        formatter_class=_HelpWithDefaults,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; beyond loopback, set "
        f"{DEV_TOKEN_SECRET_VAR} to a secret of your own",
    )
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on")
    serve.add_argument(
        "--aws-endpoint",
        metavar="URL",
        type=_aws_endpoint,
        help="use this AWS emulator instead of starting the embedded one (default: embedded)",
    )
    serve.add_argument(
        "--data-dir",
        metavar="PATH",
        default=DEFAULT_DATA_DIR,
        help="where the embedded emulator's data (orders, commands, receipts, emails, queued "
        "commands) is saved at a clean stop and restored at start (default: %(default)s, "
        "in the current directory)",
    )
    serve.add_argument(
        "--fresh",
        action="store_true",
        help="start empty, ignoring the saved data; a clean stop then replaces it",
    )
    serve.add_argument(
        "--cors-origin",
        metavar="ORIGIN",
        action="append",
        type=_cors_origin,
        help="a browser origin allowed to call the API; repeat for more (default: "
        f"{LOCAL_WEB_ORIGIN}, the web app's development server)",
    )
    serve.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much the service logs",
    )
    load = commands.add_parser(
        "loadtest",
        help="load a local service (loopback only), then check nothing was lost",
        formatter_class=_HelpWithDefaults,
    )
    load.add_argument("--orders", type=int, default=200, help="orders to place")
    load.add_argument("--concurrency", type=int, default=20, help="clients at once")
    load.add_argument("--customers", type=int, default=50, help="distinct customers")
    load.add_argument("--seed", type=int, default=7, help="the random seed, for a repeatable run")
    token = commands.add_parser("token", help="print a bearer token the local server accepts")
    token.add_argument("--sub", required=True, help="the identity's subject (customer id)")
    token.add_argument("--name", help="the name claim (default: none)")
    token.add_argument("--email", help="the email claim, counted as verified (default: none)")
    token.add_argument("--staff", action="store_true", help="member of the staff group")
    token.add_argument(
        "--header",
        action="store_true",
        help="print the whole header, `Authorization: Bearer <token>`, ready to paste",
    )
    _add_redrive(commands)
    cost = commands.add_parser(
        "cost",
        help="print a month's AWS bill for N orders a month, before deploying",
        description="A month's AWS bill from each operation's counted calls and dated us-east-1 "
        "list prices (app/operations/prices.py), without free tiers.",
        formatter_class=_HelpWithDefaults,
    )
    cost.add_argument(
        "--orders-per-month", metavar="N", type=_whole_number, required=True, help="orders placed"
    )
    cost.add_argument(
        "--reads-per-order",
        metavar="N",
        type=_whole_number,
        default=5,
        help="times each order is read (its page opened, or the poll that finds it applied)",
    )
    cost.add_argument(
        "--polls-per-order",
        metavar="N",
        type=_whole_number,
        default=3,
        help="times an order's commands are polled while pending",
    )
    cost.add_argument(
        "--receipt-downloads-per-order",
        metavar="N",
        type=_whole_number,
        default=1,
        help="times each order's receipt is downloaded",
    )
    cost.add_argument(
        "--api-ms",
        metavar="MS",
        type=_positive_number,
        default=API_REQUEST_MS,
        help="billed milliseconds of an API request",
    )
    cost.add_argument(
        "--worker-ms",
        metavar="MS",
        type=_positive_number,
        default=WORKER_MESSAGE_MS,
        help="billed milliseconds of a worker message (a receipt rendered, emails sent)",
    )
    return parser


def _add_redrive(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    redrive = commands.add_parser(
        "redrive",
        help="move a work queue's dead letters back onto it, once the fault is fixed",
        description="Move the dead letters of the urgent or standard queue back onto it, in "
        "their FIFO groups, each once (a rerun of a redrive cut short sends nothing twice). "
        "The dead-letter queue is the one the queue's RedrivePolicy names.",
        formatter_class=_HelpWithDefaults,
    )
    redrive.add_argument(
        "--queue", required=True, choices=["urgent", "standard"], help="the work queue"
    )
    named = redrive.add_mutually_exclusive_group()
    named.add_argument(
        "--queue-url",
        metavar="URL",
        help="the work queue's URL (default: $ORDER_DELIVERY_URGENT_QUEUE_URL or "
        "$ORDER_DELIVERY_STANDARD_QUEUE_URL; with --endpoint-url, the local service's queue)",
    )
    named.add_argument(
        "--queue-name",
        metavar="NAME",
        help="the work queue's name, e.g. the stack's UrgentQueueName or StandardQueueName output",
    )
    redrive.add_argument(
        "--endpoint-url",
        "--aws-endpoint",
        metavar="URL",
        type=_aws_endpoint,
        help="an AWS emulator, e.g. the one `serve` prints (default: AWS itself, with the "
        "credentials in the environment)",
    )
    redrive.add_argument(
        "--region",
        help="the queue's region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the queue URL's, "
        "else us-east-1)",
    )
    redrive.add_argument(
        "--dry-run", action="store_true", help="list what would move back, and move nothing"
    )
    redrive.add_argument(
        "--limit", metavar="N", type=_positive_number, help="move at most N (default: all)"
    )


def _cost(arguments: argparse.Namespace) -> int:
    from app.operations.cost import Workload, format_monthly_cost, monthly_cost

    workload = Workload(
        orders_per_month=arguments.orders_per_month,
        reads_per_order=arguments.reads_per_order,
        polls_per_order=arguments.polls_per_order,
        receipt_downloads_per_order=arguments.receipt_downloads_per_order,
        api_request_ms=arguments.api_ms,
        worker_message_ms=arguments.worker_ms,
    )
    print(format_monthly_cost(monthly_cost(workload)))
    return 0


def _redrive(arguments: argparse.Namespace) -> int:
    from app.operations.redrive import (
        RedriveError,
        choose_queue,
        format_redrive_report,
        redrive_queue,
        region_of_queue_url,
    )
    from app.settings import EnvVar
    from domain.orders import DeliveryPriority
    from domain.resources import QUEUES

    priority = DeliveryPriority(arguments.queue.upper())
    fallback = None
    if arguments.endpoint_url:
        from app.local.server import LOCAL_PREFIX

        fallback = QUEUES[priority].name(LOCAL_PREFIX)  # what `serve` creates
    try:
        choice = choose_queue(
            priority,
            queue_url=arguments.queue_url,
            queue_name=arguments.queue_name,
            environ=os.environ,
            fallback_name=fallback,
        )
    except RedriveError as error:
        print(f"order-delivery redrive: error: {error}", file=sys.stderr)
        return 2
    region = (
        arguments.region
        or os.environ.get(EnvVar.REGION)
        or os.environ.get("AWS_DEFAULT_REGION")
        or region_of_queue_url(choice.url or "")
        or "us-east-1"
    )
    try:
        report = asyncio.run(
            redrive_queue(
                choice,
                region=region,
                endpoint_url=arguments.endpoint_url,
                dry_run=arguments.dry_run,
                limit=arguments.limit,
            )
        )
    except RedriveError as error:
        print(f"order-delivery: {error}", file=sys.stderr)
        return 1
    print(format_redrive_report(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    secret = os.environ.get(DEV_TOKEN_SECRET_VAR, DEFAULT_DEV_TOKEN_SECRET)
    if arguments.command == "token":
        from app.local.dev_tokens import DevTokens

        token = DevTokens(secret).issue(
            arguments.sub, name=arguments.name, email=arguments.email, staff=arguments.staff
        )
        print(f"Authorization: Bearer {token}" if arguments.header else token)
        return 0
    if arguments.command == "cost":
        return _cost(arguments)
    if arguments.command == "redrive":
        return _redrive(arguments)
    if arguments.command == "loadtest":
        from app.local.loadtest import run

        return run(
            arguments.orders, arguments.concurrency, arguments.customers, arguments.seed, secret
        )
    from app.local.loopback import is_loopback_host

    if secret == DEFAULT_DEV_TOKEN_SECRET and not is_loopback_host(arguments.host):
        # The default secret is public: off loopback, anyone could sign a staff token with it.
        print(
            f"order-delivery: --host {arguments.host} is reachable from other machines and the "
            f"development token secret is the public default; set {DEV_TOKEN_SECRET_VAR} to a "
            "secret of your own first.",
            file=sys.stderr,
        )
        return 2
    from app.local.server import ServeOptions, ServiceStartError, serve
    from app.settings import LOCAL_WEB_ORIGIN

    options = ServeOptions(
        host=arguments.host,
        port=arguments.port,
        aws_endpoint=arguments.aws_endpoint,
        dev_token_secret=secret,
        log_level=arguments.log_level,
        data_dir=Path(arguments.data_dir).resolve(),
        fresh=arguments.fresh,
        cors_origins=tuple(arguments.cors_origin or (LOCAL_WEB_ORIGIN,)),
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(options))
    except ServiceStartError as error:
        print(f"order-delivery: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
