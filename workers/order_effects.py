"""Performing an applied command's effects (receipt, emails), each exactly once if possible.

The order's change is committed first, with the effects it calls for. Each effect is then
claimed (a lease of the worker's timeout), performed, and recorded with a timeline event; a
retry performs only the effects not recorded yet, and a second worker leaves a live claim alone.

Claims carry a token: only their holder releases or completes them. A failed attempt releases
its claim at once; once an effect is performed its claim is kept, and recording it is retried
in place, so a transient table error cannot lead to a second send.

The one window for a duplicate is an email whose sending succeeded and whose record never did
(the worker died, or the table stayed unreachable through every retry): SES has no idempotency
key, so that email is sent again once the claim lapses. A receipt has no such window: its
object key is fixed and written only if absent.
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
from workers.dynamodb_store import DynamoCommandStore
from workers.emails import compose_email
from workers.receipt_archive import S3ReceiptArchive
from workers.receipts import render_receipt
from workers.ses_mailer import SesMailer

logger = logging.getLogger(__name__)
# Tries at recording a performed effect before giving up (the claim then lapses, and a retry of
# the message performs the effect again: the one window for a duplicate).
RECORD_ATTEMPTS = 4


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
            token = await self._store.claim_effect(order_id, outcome.command_id, effect, utc_now())
            if token is None:
                continue
            try:
                result, event, receipt = await self._perform(effect, snapshot)
            except Exception:
                logger.warning("effect %s of %s failed", effect, outcome.command_id, exc_info=True)
                await self._store.release_effect(order_id, outcome.command_id, effect, token)
                raise
            # Performed: from here on the claim is kept whatever happens, so a retry cannot
            # start over before the lease lapses; recording is retried in place first.
            await self._record(outcome.command_id, order_id, effect, token, result, event, receipt)

    async def _perform(
        self, effect: Effect, snapshot: OrderSnapshot
    ) -> tuple[str, TimelineEvent, IssuedReceipt | None]:
        """Do the effect: the result to record, its timeline event, the receipt it issued."""
        order = snapshot.order
        if effect is Effect.RECEIPT:
            key = BUCKET.receipt_key(order.id, order.version)
            # Rendering is CPU work of a few milliseconds: off the event loop all the same.
            pdf = await asyncio.to_thread(render_receipt, snapshot, self._business)
            await self._archive.store(key, pdf)
            event = receipt_issued(order.version)
            return key, event, IssuedReceipt(order.version, key, utc_now())
        recipient = EMAIL_RECIPIENTS[effect]
        message_id = await self._mailer.send(compose_email(recipient, snapshot, self._business))
        event = email_sent(recipient, message_id, order.version)
        return message_id, event, None

    async def _record(
        self,
        command_id: str,
        order_id: str,
        effect: Effect,
        token: str,
        result: str,
        event: TimelineEvent,
        receipt: IssuedReceipt | None,
    ) -> None:
        for attempt in range(RECORD_ATTEMPTS):
            try:
                recorded = await self._store.record_effect(
                    order_id, command_id, effect, token, result, event, utc_now(), receipt
                )
            except Exception:
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            if not recorded:
                logger.warning(
                    "effect %s of %s outlived its lease; another worker took it over",
                    effect,
                    command_id,
                )
            return
