"""`order-delivery loadtest`: drive a local service hard, then prove nothing was lost or doubled.

It starts its own local service on loopback (never another host), registers customers, and has
`--concurrency` clients place orders (some replayed with their idempotency key), modify and
cancel them, polling each command as a react-query client would. Then it checks the table, the
queues and the outbox: every accepted command applied or rejected exactly once, every order's
ledger balanced, one order per idempotency key, each email sent once, nothing in a DLQ. It reports
throughput, latencies, the process's peak RSS, and order and application times by quarter of the
run: a cost that grew with the table would show in the last quarters.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp

from app.local.demo_catalogue import DEMO_PRODUCTS
from app.local.outbox import read_outbox
from app.local.server import LOCAL_PREFIX, LocalService, ServeOptions, local_service
from app.local.state import object_keys, table_items
from domain.resources import BUCKET, QUEUES
from storage import keys
from storage.codec import unmarshal_item
from storage.items import EFFECT, order_details_from_items

PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  __typename ... on CommandAccepted { commandId orderId } ... on Error { code } } }"""
MODIFY = """mutation($input: ModifyOrderInput!) { modifyOrder(input: $input) {
  __typename ... on CommandAccepted { commandId } ... on Error { code } } }"""
CANCEL = """mutation($input: CancelOrderInput!) { cancelOrder(input: $input) {
  __typename ... on CommandAccepted { commandId } ... on Error { code } } }"""
REGISTER = """mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) {
  __typename ... on CommandAccepted { commandId } } }"""
COMMAND = "query($id: ID!) { command(id: $id) { state recordedAt error { code } } }"
# What the local server sells: the demo catalogue it seeds, never a second list of SKUs.
SKUS = tuple(product.sku for product in DEMO_PRODUCTS if product.active)
POLL_SECONDS = 0.25  # a react-query refetchInterval; application time comes from recordedAt
SETTLE_SECONDS = 120
CONNECTION_RETRIES = 3
COMMAND_DEADLINE_SECONDS = 180
QUARTERS = 4  # the run is reported by quarter: a cost that grows with the table shows late
# What each applied command must have sent, by recipient, and whether it issues a receipt: an
# independent model of the effects, not the code's own effects_of.
EXPECTED_EMAILS = {
    "placeOrder": ("customer", "business"),
    "modifyOrder": ("customer",),
    "cancelOrder": ("customer", "business"),
}
ISSUES_A_RECEIPT = frozenset(EXPECTED_EMAILS)  # every modification here changes the lines


@dataclass
class Sent:
    """A command the API accepted, and what the client saw become of it (None: never settled)."""

    kind: str
    order_id: str
    state: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the run stood once so many orders were done."""

    orders_done: int
    wall: float
    cpu: float  # this process's CPU time: the emulator's, the service's and the clients'
    peak_rss_mib: float

    @classmethod
    def now(cls, orders_done: int) -> Mark:
        return cls(orders_done, time.perf_counter(), time.process_time(), peak_rss_mib())


@dataclass
class Tally:
    api_ms: list[float] = field(default_factory=list)
    apply_ms: list[float] = field(default_factory=list)
    accepted: dict[str, Sent] = field(default_factory=dict)  # by command id
    settled: Counter[str] = field(default_factory=Counter)
    orders: dict[str, str] = field(default_factory=dict)  # idempotency key -> order id
    replays_mismatched: int = 0
    retries: int = 0
    done: int = 0
    quarters: list[Mark] = field(default_factory=list)  # the first as orders start

    def order_done(self, total: int) -> None:
        self.done += 1
        if self.done * QUARTERS // total >= len(self.quarters):
            self.quarters.append(Mark.now(self.done))


class Client:
    def __init__(self, session: aiohttp.ClientSession, url: str, tally: Tally) -> None:
        self._session, self._url, self._tally = session, url, tally

    async def call(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        """One request; a dropped connection is retried, as a browser client would."""
        for attempt in range(CONNECTION_RETRIES + 1):
            started = time.perf_counter()
            try:
                async with self._session.post(
                    self._url,
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    body = await response.json()
                break
            except aiohttp.ClientConnectionError:
                if attempt == CONNECTION_RETRIES:
                    raise
                self._tally.retries += 1
                await asyncio.sleep(0.1 * 2**attempt)
        self._tally.api_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 200 or "errors" in body:
            raise RuntimeError(f"{response.status}: {json.dumps(body)[:300]}")
        data: dict[str, Any] = body["data"]
        return data

    async def command(self, token: str, query: str, kind: str, **variables: Any) -> dict[str, Any]:
        """Send a mutation and poll its command until the worker settles it."""
        sent = time.time()
        answer = (await self.call(token, query, **variables))[kind]
        if answer["__typename"] != "CommandAccepted":
            return dict(answer)
        order_id = answer.get("orderId") or variables["input"].get("orderId", "")
        accepted = self._tally.accepted.setdefault(answer["commandId"], Sent(kind, order_id))
        deadline = time.monotonic() + COMMAND_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            status = (await self.call(token, COMMAND, id=answer["commandId"]))["command"]
            if status["state"] != "PENDING":
                recorded = datetime.fromisoformat(status["recordedAt"]).timestamp()
                self._tally.apply_ms.append(max(recorded - sent, 0) * 1000)
                self._tally.settled[f"{kind} {status['state']}"] += 1
                accepted.state = status["state"]
                return {**answer, **status}
        return dict(answer)  # never settled: verify() counts it lost


async def _one_order(
    client: Client, token: str, index: int, rng: random.Random, tally: Tally
) -> None:
    key = f"load-{index}"
    order = {
        "items": [{"sku": sku, "quantity": rng.randint(1, 5)} for sku in rng.sample(SKUS, 2)],
        "priority": "URGENT" if rng.random() < 0.2 else "STANDARD",
        "idempotencyKey": key,
    }
    placed = await client.command(token, PLACE, "placeOrder", input=order)
    tally.orders[key] = placed["orderId"]
    if rng.random() < 0.1:  # a client retrying after a timeout: the same order, not a second
        replay = await client.command(token, PLACE, "placeOrder", input=order)
        tally.replays_mismatched += replay["orderId"] != placed["orderId"]
    if placed.get("state") == "APPLIED":
        if rng.random() < 0.3:
            items = [{"sku": rng.choice(SKUS), "quantity": rng.randint(1, 9)}]
            await client.command(
                token, MODIFY, "modifyOrder", input={"orderId": placed["orderId"], "items": items}
            )
        if rng.random() < 0.2:
            await client.command(token, CANCEL, "cancelOrder", input={"orderId": placed["orderId"]})


def peak_rss_mib() -> float:
    """The largest resident set this process has had so far (emulator, API, worker, clients)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _progress(tally: Tally, total: int) -> None:
    width = 30
    filled = width * tally.done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {tally.done}/{total} orders")
    sys.stderr.flush()


async def drive(
    service: LocalService, orders: int, concurrency: int, customers: int, seed: int
) -> Tally:
    tally = Tally()
    rng = random.Random(seed)  # noqa: S311 (a load mix, not a secret)
    # Idle connections are dropped before the server's keep-alive (uvicorn: 5 s) would close
    # them under a request in flight.
    connector = aiohttp.TCPConnector(limit=concurrency * 2, keepalive_timeout=2)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = Client(session, service.graphql_url, tally)
        tokens = [
            service.tokens.issue(f"load-{n}", email=f"load-{n}@example.com")
            for n in range(customers)
        ]
        await asyncio.gather(
            *(
                client.command(
                    token,
                    REGISTER,
                    "registerCustomer",
                    input={
                        "name": f"Load Customer {n}",
                        "defaultAddress": {
                            "line1": f"{n} Load Street",
                            "city": "Springfield",
                            "postalCode": "12345",
                            "country": "US",
                        },
                    },
                )
                for n, token in enumerate(tokens)
            )
        )
        tally.accepted.clear()
        tally.settled.clear()
        gate = asyncio.Semaphore(concurrency)
        seeds = [rng.randrange(2**32) for _ in range(orders)]
        tally.quarters.append(Mark.now(0))

        async def guarded(index: int) -> None:
            async with gate:
                await _one_order(
                    client,
                    tokens[index % customers],
                    index,
                    random.Random(seeds[index]),  # noqa: S311 (a load mix, not a secret)
                    tally,
                )
                tally.order_done(orders)
                _progress(tally, orders)

        await asyncio.gather(*(guarded(index) for index in range(orders)))
    sys.stderr.write("\n")
    return tally


async def verify(service: LocalService, tally: Tally) -> dict[str, int]:
    """What the table, the queues, the bucket and the outbox say, against what was accepted."""
    quiet = await _wait_for_quiet_queues(service)
    items = await _scan(service)
    outcomes = {
        item["command_id"]: item for item in items if item.get(keys.ENTITY) == "CommandOutcome"
    }
    by_order: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        if str(item[keys.PK]).startswith("ORDER#"):
            by_order[str(item[keys.PK]).removeprefix("ORDER#")].append(item)
    unbalanced = doubled_applications = 0
    for collection in by_order.values():
        details = order_details_from_items(sorted(collection, key=lambda i: str(i[keys.SK])))
        if details is None:
            continue
        unbalanced += sum(t.amount for t in details.transactions) != details.order.amount_owed()
        # A command applied twice would leave two of its events on the order's timeline.
        applied = Counter(
            item["command_id"]
            for item in collection
            if item.get(keys.ENTITY) == "Event" and str(item["kind"]).startswith("ORDER_")
        )
        doubled_applications += sum(count - 1 for count in applied.values() if count > 1)
    orders_in_table = sum(1 for item in items if item.get(keys.ENTITY) == "Order")

    expected: Counter[tuple[str, str]] = Counter()
    receipts_expected: Counter[str] = Counter()
    for sent in tally.accepted.values():
        if sent.state != "APPLIED":
            continue
        for recipient in EXPECTED_EMAILS[sent.kind]:
            expected[(sent.order_id, recipient)] += 1
        receipts_expected[sent.order_id] += sent.kind in ISSUES_A_RECEIPT
    business = service.settings.business.orders_email
    delivered: Counter[tuple[str, str]] = Counter(
        (email.order_id, "business" if email.to == business else "customer")
        for email in await read_outbox(service.emulator_url)
        if email.order_id
    )
    receipts = await _receipts_by_order(service)
    pairs = set(expected) | set(delivered)
    return {
        "commands lost": sum(
            sent.state is None or command not in outcomes
            for command, sent in tally.accepted.items()
        ),
        "commands applied twice": doubled_applications,
        "orders doubled": max(orders_in_table - len(tally.orders), 0) + tally.replays_mismatched,
        "ledgers unbalanced": unbalanced,
        "emails lost": sum(max(expected[p] - delivered[p], 0) for p in pairs),
        "emails doubled": sum(max(delivered[p] - expected[p], 0) for p in pairs),
        "receipts lost": sum(
            max(count - receipts[order], 0) for order, count in receipts_expected.items()
        ),
        "receipts extra": sum(
            max(receipts[order] - receipts_expected[order], 0) for order in receipts
        ),
        "effects left unfinished": _unfinished_effects(items),
        "messages in DLQs": await _dead_letters(service),
        "queues not drained": 0 if quiet else 1,
    }


def _unfinished_effects(items: list[dict[str, Any]]) -> int:
    """Effects applied commands called for that no effect event records."""
    performed: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        sort_key = str(item[keys.SK])
        if EFFECT in item and sort_key.startswith(keys.EVENT_PREFIX):
            change_event = sort_key.removeprefix(keys.EVENT_PREFIX).split("#")[0]
            performed[change_event].add(str(item[EFFECT]))
    return sum(
        len(set(item.get("effects") or ()) - performed[str(item.get("event_id"))])
        for item in items
        if item.get(keys.ENTITY) == "CommandOutcome" and item.get("state") == "APPLIED"
    )


async def _receipts_by_order(service: LocalService) -> Counter[str]:
    keys = object_keys(service.clients, service.settings.bucket_name, BUCKET.receipts_prefix)
    return Counter([key.split("/")[1] async for key in keys])


async def _scan(service: LocalService) -> list[dict[str, Any]]:
    items = await table_items(service.clients, service.settings.table_name)
    return [unmarshal_item(item) for item in items]


async def _queue_depth(service: LocalService, url: str) -> int:
    sqs = await service.clients.sqs()
    attributes = (
        await sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


async def _wait_for_quiet_queues(service: LocalService) -> bool:
    """Effects follow a command's outcome: wait until the queues hold nothing, twice in a row."""
    deadline = time.monotonic() + SETTLE_SECONDS
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        depths = [await _queue_depth(service, url) for url in service.settings.queue_urls.values()]
        quiet = quiet + 1 if sum(depths) == 0 else 0
        await asyncio.sleep(0.5)
    return quiet >= 2


async def _dead_letters(service: LocalService) -> int:
    sqs = await service.clients.sqs()
    total = 0
    for definition in QUEUES.values():
        name = definition.dlq_name(LOCAL_PREFIX)
        url = (await sqs.get_queue_url(QueueName=name))["QueueUrl"]
        total += await _queue_depth(service, url)
    return total


def _percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49]:7.1f} ms   p95 {cuts[94]:7.1f} ms   p99 {cuts[98]:7.1f} ms"


def _by_quarter(values: list[float]) -> str:
    return "  ".join(f"{value:7.0f}" for value in values)


def _per_order_by_quarter(marks: list[Mark]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per order finished, quarter by quarter.

    CPU time per order is what a cost growing with the table would raise, whatever else runs on
    the machine; the last quarter's wall time also holds the run's tail, fewer orders in flight.
    """
    pairs = list(itertools.pairwise(marks))
    wall = [1000 * (b.wall - a.wall) / max(b.orders_done - a.orders_done, 1) for a, b in pairs]
    cpu = [1000 * (b.cpu - a.cpu) / max(b.orders_done - a.orders_done, 1) for a, b in pairs]
    return wall, cpu


def _median_by_quarter(samples: list[float]) -> list[float]:
    """The median of each quarter of the samples, in the order they were taken."""
    cuts = [len(samples) * quarter // QUARTERS for quarter in range(QUARTERS + 1)]
    return [
        statistics.median(samples[start:end]) if end > start else 0.0
        for start, end in itertools.pairwise(cuts)
    ]


async def loadtest(orders: int, concurrency: int, customers: int, seed: int, secret: str) -> int:
    options = ServeOptions(
        host="127.0.0.1",
        port=0,
        aws_endpoint=None,
        dev_token_secret=secret,
        log_level="WARNING",
        data_dir=None,  # starts empty and keeps nothing: a developer's saved data is not touched
    )
    async with local_service(options) as service:
        started = time.perf_counter()
        tally = await drive(service, orders, concurrency, min(customers, orders), seed)
        elapsed = time.perf_counter() - started
        problems = await verify(service, tally)
    print(f"orders {orders}, concurrency {concurrency}, customers {min(customers, orders)}")
    print(
        f"commands accepted {len(tally.accepted)}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(tally.settled.items()))
    )
    print(
        f"throughput {orders / elapsed:.1f} orders/s, "
        f"{len(tally.api_ms) / elapsed:.1f} API requests/s over {elapsed:.1f} s"
    )
    print(f"API latency          {_percentiles(tally.api_ms)}")
    print(f"client retries after a dropped connection: {tally.retries}")
    print(f"command application  {_percentiles(tally.apply_ms)}")
    print("by quarter of the run, first to last (a cost that grows with the table shows late):")
    wall, cpu = _per_order_by_quarter(tally.quarters)
    print(f"  wall ms per order   {_by_quarter(wall)}")
    print(f"  CPU ms per order    {_by_quarter(cpu)}")
    print(f"  application p50 ms  {_by_quarter(_median_by_quarter(tally.apply_ms))}")
    print(
        f"  peak RSS MiB        {_by_quarter([mark.peak_rss_mib for mark in tally.quarters[1:]])}"
    )
    print(f"peak RSS {peak_rss_mib():.0f} MiB (the whole process: emulator, service and clients)")
    for name, count in problems.items():
        print(f"{name}: {count}")
    lost = problems["commands lost"] + problems["emails lost"] + problems["receipts lost"]
    duplicated = (
        problems["commands applied twice"]
        + problems["orders doubled"]
        + problems["emails doubled"]
        + problems["receipts extra"]
    )
    print(f"lost: {lost}, duplicated: {duplicated}")
    return 0 if not any(problems.values()) else 1


def run(orders: int, concurrency: int, customers: int, seed: int, secret: str) -> int:
    return asyncio.run(loadtest(orders, concurrency, customers, seed, secret))
