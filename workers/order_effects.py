"""Performing an applied command's effects (receipt, emails), each once if at all possible.

The order's change is committed first, with the effects it calls for. Each effect is then
performed and recorded as its timeline event (one write); a retry performs only the effects
not recorded yet. No claim guards an effect against a second worker: SQS gives a FIFO group's
message to one consumer at a time, the visibility timeout outlasts the worker's timeout, and
the group's next message waits until this one is done, so no two workers ever hold the same
order's effects at once (see "Why each write" in the README).

The one window for a duplicate is an email whose sending succeeded and whose record never did
(the worker died, or the table stayed unreachable through every retry): SES has no idempotency
key, so the retry sends that email again. A receipt has no such window: its object key is fixed
and written only if absent.
"""

from __future__ import annotations

import asyncio
import logging

from domain.commands import CommandOutcome
from domain.notifications import (
    EMAIL_RECIPIENTS,
    BusinessProfile,
    Effect,
    OrderSnapshot,
    email_sent,
    receipt_issued,
)
from domain.orders import IssuedReceipt, TimelineEvent
from domain.resources import BUCKET
from domain.serialization import utc_now
from workers.emails import compose_email
from workers.ports import CommandMetrics, CommandStore, Mailer, NoMetrics, ReceiptStore
from workers.receipts import render_receipt

logger = logging.getLogger(__name__)
# Tries at recording a performed effect before giving up (a retry of the message then performs
# the effect again: the one window for a duplicate).
RECORD_ATTEMPTS = 4


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
        for effect in outcome.effects:
            if effect not in performed:
                try:
                    result = await self._perform(effect, snapshot)
                except Exception:
                    self._metrics.effect_failed(effect)  # S3 or SES refused or out of reach
                    raise
                # Performed: recording it is retried in place, so that a passing table error
                # does not make the message's retry perform it a second time.
                await self._record(outcome, effect, *result)

    async def _perform(
        self, effect: Effect, snapshot: OrderSnapshot
    ) -> tuple[TimelineEvent, IssuedReceipt | None]:
        """Do the effect: its timeline event, and the receipt it issued."""
        order = snapshot.order
        if effect is Effect.RECEIPT:
            key = BUCKET.receipt_key(order.id, order.version)
            # Rendering is CPU work of a few milliseconds: off the event loop all the same.
            pdf = await asyncio.to_thread(render_receipt, snapshot, self._business)
            await self._archive.store(key, pdf)
            return receipt_issued(order.version), IssuedReceipt(order.version, key, utc_now())
        recipient = EMAIL_RECIPIENTS[effect]
        message_id = await self._mailer.send(compose_email(recipient, snapshot, self._business))
        return email_sent(recipient, message_id, order.version), None

    async def _record(
        self,
        outcome: CommandOutcome,
        effect: Effect,
        event: TimelineEvent,
        receipt: IssuedReceipt | None,
    ) -> None:
        for attempt in range(RECORD_ATTEMPTS):
            try:
                await self._store.record_effect(outcome, effect, event, utc_now(), receipt)
            except Exception:
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
                logger.warning(
                    "recording effect %s of %s failed; retrying", effect, outcome.command_id
                )
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            return
