"""The `order-delivery` command: run the local service, or print a local bearer token."""

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


def _parser() -> argparse.ArgumentParser:
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
    return parser


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
