"""X-Ray subsegments for Powertools' Tracer that stay right under asyncio, and one per AWS call.

Powertools' Tracer keeps its API (`capture_lambda_handler`, `capture_method`, annotations) and
takes this module's provider instead of the X-Ray SDK's recorder, for three reasons:

- The SDK keeps the open subsegments on one stack per thread (its LambdaContext). Our GraphQL
  resolvers and the worker's message groups run concurrently on one thread, so with it a call
  nests under whichever task's subsegment happens to be open, and ending one closes another
  task's subsegment. Here the open subsegment is a ContextVar: each asyncio task has its own.
- Its aiobotocore patch (`patch(["aiobotocore"])`) builds on that same stack. Here each AWS call
  gets its subsegment from botocore's own events on our clients (`trace_aws_calls`), which hand
  every call its own context dict: concurrent calls cannot mix.
- `import aws_xray_sdk.core` builds a botocore X-Ray client for centralized sampling (which
  Lambda does not use: the Lambda service samples): about 125 ms more on every cold start, and
  it fails in the Lambda bundle, which keeps no X-Ray service model.

A finished subsegment is sent on its own (`"type": "subsegment"` with its trace and parent) in
one UDP datagram to Lambda's X-Ray daemon, as the SDK sends them; tracing is on where Lambda
says so: `_X_AMZN_TRACE_ID` names a sampled trace (active tracing on the function).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

from domain.log_context import current_log_context

TRACE_HEADER_VAR = "_X_AMZN_TRACE_ID"
DAEMON_ADDRESS_VAR = "AWS_XRAY_DAEMON_ADDRESS"
DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"
_DAEMON_PREAMBLE = b'{"format": "json", "version": 1}\n'
# Where an AWS call's subsegment waits, in the context dict botocore hands each call's events.
_CALL_SUBSEGMENT = "order_delivery_xray_subsegment"
# The parameter naming the resource a call is about, as the X-Ray SDK reports it.
_RESOURCE_PARAMETERS = {"TableName": "table_name", "QueueUrl": "queue_url", "Bucket": "bucket"}

Emit = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """The invocation's trace, as Lambda passes it: `Root=...;Parent=...;Sampled=1`."""

    root: str
    parent: str
    sampled: bool

    @classmethod
    def parse(cls, header: str | None) -> TraceHeader | None:
        fields = dict(
            part.split("=", 1) for part in (header or "").split(";") if part.count("=") == 1
        )
        if not fields.get("Root") or not fields.get("Parent"):
            return None
        return cls(fields["Root"], fields["Parent"], fields.get("Sampled") == "1")


@dataclass(slots=True)
class Subsegment(BaseSegment):
    """One timed piece of an invocation, sent to X-Ray when it ends (if its trace is sampled)."""

    name: str
    trace_id: str
    parent_id: str
    sampled: bool
    namespace: str | None = None
    id: str = field(default_factory=lambda: os.urandom(8).hex())
    start_time: float = field(default_factory=time.time)
    end_time: float | None = None
    annotations: dict[str, str | float | bool] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    aws: dict[str, Any] = field(default_factory=dict)
    http_status: int | None = None
    exception: str | None = None

    def close(self, end_time: int | None = None) -> None:
        self.end_time = time.time() if end_time is None else end_time

    def add_subsegment(self, subsegment: Any) -> None:
        """Nothing to do: a child names its parent and is sent on its own."""

    def remove_subsegment(self, subsegment: Any) -> None:
        """Nothing to do: a child names its parent and is sent on its own."""

    def put_annotation(self, key: str, value: Any) -> None:
        if isinstance(value, str | int | float | bool):
            self.annotations[key] = value

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self.metadata.setdefault(namespace, {})[key] = value

    def add_exception(
        self, exception: BaseException, stack: Any = None, remote: bool = False
    ) -> None:
        self.exception = "".join(traceback.format_exception_only(exception)).strip()

    def document(self) -> dict[str, Any]:
        """The subsegment as the X-Ray daemon takes it, sent apart from its parent."""
        status = self.http_status or 0
        document: dict[str, Any] = {
            "type": "subsegment",
            "name": self.name,
            "id": self.id,
            "trace_id": self.trace_id,
            "parent_id": self.parent_id,
            "start_time": self.start_time,
            "end_time": self.end_time if self.end_time is not None else time.time(),
        }
        if self.namespace:
            document["namespace"] = self.namespace
        if self.annotations:
            document["annotations"] = self.annotations
        if self.metadata:
            document["metadata"] = self.metadata
        if self.aws:
            document["aws"] = self.aws
        if self.http_status is not None:
            document["http"] = {"response": {"status": self.http_status}}
        # X-Ray's flags: a client error, a throttle (also a client error), a server fault.
        if 400 <= status < 500:
            document["error"] = True
        if status == 429:
            document["throttle"] = True
        if status >= 500 or (self.exception is not None and status < 400):
            document["fault"] = True
        if self.exception is not None:
            document["cause"] = {"exceptions": [{"id": self.id, "message": self.exception}]}
        return document


class UdpDaemonEmitter:
    """Sends each document in one datagram to the X-Ray daemon Lambda runs beside the function.

    A UDP send does not wait for the daemon, so it is made from the event loop as is; the
    socket is opened on first use and `reset` after a SnapStart restore.
    """

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        self._environ = environ
        self._socket: socket.socket | None = None

    def __call__(self, document: Mapping[str, Any]) -> None:
        if self._socket is None:
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
        host, port = daemon_address(self._environ)
        payload = _DAEMON_PREAMBLE + json.dumps(document, default=str).encode()
        # A lost trace must never fail the request: X-Ray itself is best effort.
        with contextlib.suppress(OSError):
            self._socket.sendto(payload, (host, port))

    def reset(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def daemon_address(environ: Mapping[str, str]) -> tuple[str, int]:
    """`host:port`, or the UDP part of `tcp:host:port udp:host:port`."""
    value = environ.get(DAEMON_ADDRESS_VAR) or DEFAULT_DAEMON_ADDRESS
    parts = value.split()
    udp = next((part.removeprefix("udp:") for part in parts if part.startswith("udp:")), parts[0])
    host, _, port = udp.rpartition(":")
    return host, int(port)


class AsyncSafeXRayProvider(BaseProvider):
    """Powertools' tracing provider, with the open subsegment kept per asyncio task."""

    def __init__(self, emit: Emit | None = None, environ: Mapping[str, str] = os.environ) -> None:
        self._environ = environ
        self.emitter = emit if emit is not None else UdpDaemonEmitter(environ)
        self._current: ContextVar[Subsegment | None] = ContextVar("xray_subsegment", default=None)

    def begin(self, name: str, namespace: str | None = None) -> Subsegment | None:
        """A subsegment under the current task's (or the invocation's), not made current;
        None when this invocation is not traced."""
        parent = self._current.get()
        if parent is not None:
            return Subsegment(name, parent.trace_id, parent.id, parent.sampled, namespace)
        header = TraceHeader.parse(self._environ.get(TRACE_HEADER_VAR))
        if header is None:
            return None
        return Subsegment(name, header.root, header.parent, header.sampled, namespace)

    def end(self, subsegment: Subsegment) -> None:
        """Close the subsegment and send it, with the task's log context as annotations."""
        subsegment.close()
        for key, value in current_log_context().items():
            subsegment.annotations.setdefault(key, value)
        if subsegment.sampled:
            self.emitter(subsegment.document())

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        subsegment = self.begin(name or "## subsegment", kwargs.get("namespace"))
        if subsegment is None:  # untraced: a subsegment to write on, sent nowhere
            subsegment = Subsegment(name or "", "", "", sampled=False)
        token = self._current.set(subsegment)
        try:
            yield subsegment
        except BaseException as error:
            subsegment.add_exception(error)
            raise
        finally:
            self._current.reset(token)
            self.end(subsegment)

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncIterator[BaseSegment]:
        with self.in_subsegment(name, **kwargs) as subsegment:
            yield subsegment

    def put_annotation(self, key: str, value: Any) -> None:
        current = self._current.get()
        if current is not None:
            current.put_annotation(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        current = self._current.get()
        if current is not None:
            current.put_metadata(key, value, namespace)

    def patch(self, modules: Sequence[str]) -> None:
        """Nothing is monkey-patched: AWS calls are traced by `trace_aws_calls` on our clients."""

    def patch_all(self) -> None:
        """Nothing is monkey-patched: AWS calls are traced by `trace_aws_calls` on our clients."""


def trace_aws_calls(client: Any, provider: AsyncSafeXRayProvider) -> None:
    """Give each call `client` makes an X-Ray subsegment (`aws` namespace, named by service).

    botocore's events bracket a call (retries included): its parameters are built, then it
    ends with a response (any status) or an error. Registering again replaces, never doubles.
    """
    events = client.meta.events
    events.register("before-parameter-build", _call_begins(provider), unique_id="xray-call-begins")
    events.register("after-call", _call_answered(provider), unique_id="xray-call-answered")
    events.register("after-call-error", _call_failed(provider), unique_id="xray-call-failed")


def _call_begins(provider: AsyncSafeXRayProvider) -> Callable[..., None]:
    def begin(params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        subsegment = provider.begin(str(model.service_model.service_id), namespace="aws")
        if subsegment is None:
            return
        subsegment.aws = {"operation": model.name, "region": context.get("client_region")}
        for parameter, name in _RESOURCE_PARAMETERS.items():
            if isinstance(params.get(parameter), str):
                subsegment.aws[name] = params[parameter]
        context[_CALL_SUBSEGMENT] = subsegment

    return begin


def _call_answered(provider: AsyncSafeXRayProvider) -> Callable[..., None]:
    def answered(
        http_response: Any, parsed: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        subsegment = context.pop(_CALL_SUBSEGMENT, None)
        if subsegment is None:
            return
        metadata = parsed.get("ResponseMetadata", {})
        subsegment.aws |= {
            "request_id": metadata.get("RequestId"),
            "retries": metadata.get("RetryAttempts", 0),
        }
        subsegment.http_status = int(http_response.status_code)
        provider.end(subsegment)

    return answered


def _call_failed(provider: AsyncSafeXRayProvider) -> Callable[..., None]:
    def failed(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        subsegment = context.pop(_CALL_SUBSEGMENT, None)
        if subsegment is not None:
            subsegment.add_exception(exception)
            provider.end(subsegment)

    return failed
