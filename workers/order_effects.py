"""Performing an applied command's effects (receipt, emails), each once if at all possible.

The order's change is committed first, with the effects it calls for. The effects not recorded
yet are then performed: the receipt first (the emails link to it, so they wait until it is
stored), then the emails together. Those that succeeded are recorded as their timeline events
in one write, even when another failed; then the failure is raised, so that a retry performs
only the effects not recorded. No claim guards an effect against a second worker: SQS gives a
FIFO group's message to one consumer at a time, the visibility timeout outlasts the worker's
timeout, and the group's next message waits until this one is done, so no two workers ever hold
the same order's effects at once (see "Why each write" in the README).

The one window for a duplicate is an email whose sending succeeded and whose record never did
(the worker died before the write, or the table stayed unreachable through every retry): SES
has no idempotency key, so the retry sends that email again. A receipt has no such window: its
object key is fixed and written only if absent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from domain.commands import CommandOutcome
from domain.notifications import (
    EMAIL_RECIPIENTS,
    BusinessProfile,
    Effect,
    OrderSnapshot,
    email_sent,
    receipt_issued,
)
from domain.orders import IssuedReceipt
from domain.resources import BUCKET
from domain.serialization import utc_now
from workers.emails import compose_email
from workers.ports import (
    CommandMetrics,
    CommandStore,
    Mailer,
    NoMetrics,
    PerformedEffect,
    ReceiptStore,
)
from workers.receipts import render_receipt

logger = logging.getLogger(__name__)
# Tries at recording performed effects before giving up (a retry of the message then performs
# them again: the one window for a duplicate).
RECORD_ATTEMPTS = 4
RECORD_BACKOFF_SECONDS = 0.1  # before the second attempt; doubled before each later one


class EffectsUnrecordedError(Exception):
    """Performed effects the table left unrecorded (too busy) through every attempt."""


class OrderEffects:
    def __init__(
        self,
        store: CommandStore,
        archive: ReceiptStore,
        mailer: Mailer,
        business: BusinessProfile,
        metrics: CommandMetrics | None = None,
    ) -> None:
        self._store = store
        self._archive = archive
        self._mailer = mailer
        self._business = business
        self._metrics = metrics or NoMetrics()

    async def complete(
        self, outcome: CommandOutcome, snapshot: OrderSnapshot | None = None
    ) -> None:
        """Perform the outcome's effects not yet recorded; raise if one fails (to be retried).

        `snapshot` is the order the change just left, when this worker recorded the outcome
        now: nothing can have been performed yet. Without it (a retry), the order and the
        effects already recorded are read first.
        """
        if not outcome.effects or outcome.order_id is None:
            return
        performed: frozenset[Effect] = frozenset()
        if snapshot is None:
            pending = await self._store.pending_effects(outcome)
            if pending is None:
                logger.warning(
                    "effects of %s left undone: its order moved on or predates them",
                    outcome.command_id,
                )
                return
            snapshot, performed = pending.snapshot, pending.performed
        to_do = [effect for effect in outcome.effects if effect not in performed]
        done, failures = await self._perform(to_do, snapshot)
        # Logged first: a failure to record what was done would otherwise hide them.
        for effect, failure in failures[1:]:
            logger.error("effect %s of %s failed too", effect, outcome.command_id, exc_info=failure)
        if done:
            # Recorded even when another effect failed, so that the retry does not redo them.
            try:
                await self._record(outcome, done)
            except Exception as unrecorded:
                if failures:
                    raise unrecorded from failures[0][1]
                raise
        if failures:
            raise failures[0][1]

    async def _perform(
        self, effects: Sequence[Effect], snapshot: OrderSnapshot
    ) -> tuple[list[PerformedEffect], list[tuple[Effect, BaseException]]]:
        """Do the effects: the receipt, then the emails together. Those done, and those that
        failed with their error."""
        done: list[PerformedEffect] = []
        failures: list[tuple[Effect, BaseException]] = []
        if Effect.RECEIPT in effects:
            try:
                done.append(await self._issue_receipt(snapshot))
            except Exception as error:
                self._metrics.effect_failed(Effect.RECEIPT)  # S3 refused or out of reach
                return done, [(Effect.RECEIPT, error)]  # the emails wait for the receipt
        emails = [effect for effect in effects if effect is not Effect.RECEIPT]
        sent = await asyncio.gather(
            *(self._send_email(effect, snapshot) for effect in emails), return_exceptions=True
        )
        for effect, result in zip(emails, sent, strict=True):
            if isinstance(result, BaseException):
                self._metrics.effect_failed(effect)  # SES refused or out of reach
                failures.append((effect, result))
            else:
                done.append(result)
        return done, failures

    async def _issue_receipt(self, snapshot: OrderSnapshot) -> PerformedEffect:
        order = snapshot.order
        key = BUCKET.receipt_key(order.id, order.version)
        # Drawn on the event loop: a few milliseconds of CPU that a thread would not overlap
        # with anything (the GIL), and handing it over and back costs CPU of its own.
        pdf = render_receipt(snapshot, self._business)
        await self._archive.store(key, pdf)
        receipt = IssuedReceipt(order.version, key, utc_now())
        return PerformedEffect(Effect.RECEIPT, receipt_issued(order.version), receipt)

    async def _send_email(self, effect: Effect, snapshot: OrderSnapshot) -> PerformedEffect:
        recipient = EMAIL_RECIPIENTS[effect]
        message_id = await self._mailer.send(compose_email(recipient, snapshot, self._business))
        return PerformedEffect(effect, email_sent(recipient, message_id, snapshot.order.version))

    async def _record(self, outcome: CommandOutcome, performed: list[PerformedEffect]) -> None:
        """Record the performed effects, retried in place, so that a passing table error does
        not make the message's retry perform them a second time."""
        now = utc_now()  # one time for every attempt: a second write of a record is the same
        left = performed
        for attempt in range(RECORD_ATTEMPTS):
            try:
                left = await self._store.record_effects(outcome, left, now)
            except Exception:
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
                logger.warning("recording the effects of %s failed; retrying", outcome.command_id)
            else:
                if not left:
                    return
                logger.warning(
                    "the table left %d effects of %s unrecorded; retrying",
                    len(left),
                    outcome.command_id,
                )
            if attempt < RECORD_ATTEMPTS - 1:
                await asyncio.sleep(RECORD_BACKOFF_SECONDS * 2**attempt)
        raise EffectsUnrecordedError(
            f"{outcome.command_id}: {', '.join(done.effect.value for done in left)}"
        )
