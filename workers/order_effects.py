"""Performing an applied command's effects (receipt, emails), each exactly once if possible.

The order's change is committed first, with the effects it calls for. Each effect is then
claimed (a lease of the worker's timeout), performed, and recorded with a timeline event; a
retry performs only the effects not recorded yet, and a second worker leaves a live claim alone.

The one window for a duplicate is an email whose sending succeeded and whose record did not (the
worker died, or lost the table, between the two): SES has no idempotency key, so that email is
sent again once the claim lapses. Recording right after sending keeps the window to one write;
a receipt has no such window, its object key is fixed and written only if absent.
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
    receipt_key,
)
from domain.orders import EventKind, IssuedReceipt, TimelineEvent
from domain.serialization import utc_now
from workers.dynamodb_store import DynamoCommandStore
from workers.emails import compose_email
from workers.receipt_archive import S3ReceiptArchive
from workers.receipts import render_receipt
from workers.ses_mailer import SesMailer

logger = logging.getLogger(__name__)


class OrderEffects:
    def __init__(
        self,
        store: DynamoCommandStore,
        archive: S3ReceiptArchive,
        mailer: SesMailer,
        business: BusinessProfile,
    ) -> None:
        self._store = store
        self._archive = archive
        self._mailer = mailer
        self._business = business

    async def complete(self, outcome: CommandOutcome, *, fresh: bool = False) -> None:
        """Perform the outcome's effects not yet recorded; raise if one fails (to be retried).

        `fresh` says this worker recorded the outcome just now, so nothing can have been performed
        yet. Each effect is claimed before it is performed, so two workers handed the same
        message at once do not both send an email.
        """
        snapshot, order_id = outcome.snapshot, outcome.order_id
        if not outcome.effects or snapshot is None or order_id is None:
            return
        done = (
            frozenset()
            if fresh
            else await self._store.performed_effects(order_id, outcome.command_id)
        )
        for effect in outcome.effects:
            if effect in done:
                continue
            if not await self._store.claim_effect(order_id, outcome.command_id, effect, utc_now()):
                continue
            try:
                await self._perform(effect, outcome.command_id, snapshot)
            except Exception:
                logger.warning("effect %s of %s failed", effect, outcome.command_id, exc_info=True)
                await self._store.release_effect(order_id, outcome.command_id, effect)
                raise

    async def _perform(self, effect: Effect, command_id: str, snapshot: OrderSnapshot) -> None:
        order = snapshot.order
        if effect is Effect.RECEIPT:
            key = receipt_key(order.id, order.version)
            # Rendering is CPU work of a few milliseconds: off the event loop all the same.
            pdf = await asyncio.to_thread(render_receipt, snapshot, self._business)
            await self._archive.store(key, pdf)
            now = utc_now()
            await self._store.record_effect(
                order.id,
                command_id,
                effect,
                key,
                TimelineEvent(EventKind.RECEIPT_ISSUED, f"v{order.version}"),
                now,
                IssuedReceipt(order.version, key, now),
            )
            return
        recipient = EMAIL_RECIPIENTS[effect]
        message_id = await self._mailer.send(compose_email(recipient, snapshot, self._business))
        recorded = await self._store.record_effect(
            order.id,
            command_id,
            effect,
            message_id,
            TimelineEvent(EventKind.EMAIL_SENT, f"{recipient.value} {message_id}"),
            utc_now(),
        )
        if not recorded:
            logger.warning("email %s of command %s was sent twice", effect, command_id)
